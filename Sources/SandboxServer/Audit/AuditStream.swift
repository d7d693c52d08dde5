import Hummingbird
import SandboxState

/// The records of an audit export, produced page by page as the response is written: each
/// page is read from the store (``StateQueries/auditRecords(fromSeconds:toSeconds:after:limit:)``)
/// and rendered as exported JSON (the stored canonical body plus `hash` and `prev_hash`,
/// spliced in without re-parsing), so the whole export is never held in memory.
struct AuditStream: Sendable {
    let range: AuditRoutes.Range
    let ndjson: Bool
    /// The cursor: the last sequence number read.
    private(set) var after: UInt64?
    /// Records still to send (`limit=`), nil for no limit. It counts records sent, not read:
    /// a tenant-scoped page skips other tenants' records and still fills up, so a page shorter
    /// than its limit means the range is done (what `sandboxctl audit export` relies on).
    private var remaining: UInt64?
    private var previousHash: [UInt8]?
    private var started = false
    private var emitted = false
    private var done = false

    init(range: AuditRoutes.Range, after: UInt64?, limit: UInt64?, ndjson: Bool) {
        self.range = range
        self.after = after
        self.remaining = limit
        self.ndjson = ndjson
    }

    /// The next piece of the body; nil once the closing piece was given.
    mutating func nextChunk(_ queries: StateQueries) throws -> ByteBuffer? {
        guard !done else { return nil }
        var out = ByteBuffer()
        if !started {
            started = true
            if !ndjson { out.writeStaticString("[") }
        }
        let want = min(UInt64(AuditRoutes.pageSize), remaining ?? .max)
        let records =
            want == 0
            ? []
            : try queries.auditRecords(
                fromSeconds: range.fromSeconds, toSeconds: range.toSeconds, after: after, limit: Int(want))
        if records.isEmpty {
            done = true
            out.writeStaticString(ndjson ? "" : "]\n")
            return out
        }
        if previousHash == nil, let first = records.first {
            previousHash =
                first.sequence == 1
                ? AuditRecord.genesisHash : try queries.auditRecord(first.sequence - 1)?.hash ?? AuditRecord.genesisHash
        }
        out.reserveCapacity(records.reduce(0) { $0 + $1.canonicalBody.count + 160 })
        var sent: UInt64 = 0
        for record in records {
            defer {
                previousHash = record.hash
                after = record.sequence
            }
            if let tenant = range.tenant, record.body?.member("tenant")?.stringValue != tenant { continue }
            if !ndjson, emitted { out.writeStaticString(",\n") }
            emitted = true
            sent += 1
            Self.write(record, previous: previousHash ?? AuditRecord.genesisHash, to: &out)
            if ndjson { out.writeStaticString("\n") }
        }
        remaining = remaining.map { $0 - sent }
        return out
    }

    /// The canonical body with `"hash"` and `"prev_hash"` added before its closing brace.
    static func write(_ record: AuditRecord, previous: [UInt8], to out: inout ByteBuffer) {
        let body = record.canonicalBody
        guard body.count >= 2, body.last == UInt8(ascii: "}") else {
            out.writeString(record.exported(previousHash: previous).serialized())
            return
        }
        out.writeBytes(body.dropLast())
        out.writeStaticString(body.count > 2 ? ",\"hash\":\"" : "\"hash\":\"")
        writeHex(record.hash, to: &out)
        out.writeStaticString("\",\"prev_hash\":\"")
        writeHex(previous, to: &out)
        out.writeStaticString("\"}")
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func writeHex(_ bytes: [UInt8], to out: inout ByteBuffer) {
        for byte in bytes {
            out.writeInteger(digits[Int(byte >> 4)])
            out.writeInteger(digits[Int(byte & 15)])
        }
    }
}
