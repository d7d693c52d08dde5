/// A failure of the demo with a sentence saying what went wrong and what to do.
struct DemoFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}
