import Foundation

extension ServerConfig {
    /// `--tls-cert FILE` and `--tls-key FILE` (PEM; the certificate file may hold the chain):
    /// the API serves HTTPS only. Both or neither; both readable now, so a typo fails at start.
    mutating func applyTLS(_ values: [String: String]) throws(ConfigError) {
        switch (values["tls-cert"], values["tls-key"]) {
        case (nil, nil):
            return
        case (let certificate?, let key?):
            for (flag, path) in [("--tls-cert", certificate), ("--tls-key", key)]
            where !FileManager.default.isReadableFile(atPath: path) {
                throw .invalid("\(flag) \(path)", "cannot read the file (a PEM file is expected)")
            }
            tlsCertificateFile = certificate
            tlsKeyFile = key
        default:
            throw .invalid(
                "--tls-cert / --tls-key", "give both (a PEM certificate chain and its private key), or neither")
        }
    }

    /// `https` when the API serves TLS (what other nodes and clients call), else `http`.
    public var httpScheme: String { tlsCertificateFile == nil ? "http" : "https" }
}
