/// An HTTP request an agent wants to make.
public struct HTTPRequest: Sendable, Hashable {
    public var method: String
    public var url: String
    public var bodyBytes: Int?
    public var chainDepth: Int?

    public init(method: String = "GET", url: String, bodyBytes: Int? = nil, chainDepth: Int? = nil) {
        self.method = method
        self.url = url
        self.bodyBytes = bodyBytes
        self.chainDepth = chainDepth
    }
}
