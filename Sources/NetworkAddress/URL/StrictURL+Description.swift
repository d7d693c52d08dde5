extension StrictURL: CustomStringConvertible {
    /// The URL in normalised form: the lower-case scheme, the normalised host (Punycode labels,
    /// a canonical address, IPv6 in brackets without its zone), the port if one was written, then
    /// path, query and fragment as written. Parsing it gives back the same scheme, host, port and
    /// rest, and printing that gives the same text again.
    public var description: String {
        var text = "\(scheme)://\(host)"
        if hasExplicitPort, let port { text += ":\(port)" }
        return text + rest
    }
}
