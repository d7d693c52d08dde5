import CLZ4

/// LZ4 block compression (liblz4), used for snapshot chunks.
enum LZ4Block {
    static func compress(_ input: [UInt8]) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        let capacity = Int(LZ4_compressBound(Int32(input.count)))
        var output = [UInt8](repeating: 0, count: capacity)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_compress_default(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(input.count),
                    Int32(capacity))
            }
        }
        // LZ4_compress_default fails only when the output buffer is too small, and
        // LZ4_compressBound makes it large enough.
        precondition(written > 0, "LZ4 compression failed with a buffer of LZ4_compressBound bytes")
        output.removeSubrange(Int(written)...)
        return output
    }

    /// Decompresses exactly `originalSize` bytes; throws if the input is not a valid LZ4 block
    /// of that size (LZ4_decompress_safe never writes outside the output buffer).
    static func decompress(_ input: [UInt8], originalSize: Int) throws -> [UInt8] {
        guard originalSize > 0 else {
            guard input.isEmpty else { throw StorageError.invalidSnapshotChunk("payload present for 0 bytes") }
            return []
        }
        guard !input.isEmpty else { throw StorageError.invalidSnapshotChunk("empty compressed payload") }
        var output = [UInt8](repeating: 0, count: originalSize)
        let produced = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                LZ4_decompress_safe(
                    source.baseAddress!.assumingMemoryBound(to: CChar.self),
                    destination.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(input.count),
                    Int32(originalSize))
            }
        }
        guard produced == Int32(originalSize) else {
            throw StorageError.invalidSnapshotChunk(
                "LZ4 payload decodes to \(produced < 0 ? "garbage" : "\(produced) bytes"), expected \(originalSize)")
        }
        return output
    }
}
