import RaftSimulation

/// The simulated wire form of a snapshot's chunks in one message: each encoded chunk after its
/// length (4 bytes, big-endian). The chunks check themselves (`SnapshotChunk` carries checksums).
enum ChunkFraming {
    static func frame(_ chunks: [[UInt8]]) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(chunks.reduce(0) { $0 + 4 + $1.count })
        for chunk in chunks {
            let count = UInt32(chunk.count)
            for shift in stride(from: 24, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: count >> shift)) }
            data += chunk
        }
        return data
    }

    static func chunks(in data: [UInt8], snapshotIndex: UInt64) throws -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var position = 0
        while position < data.count {
            guard data.count - position >= 4 else {
                throw NodeStoreError.snapshotDataMismatch(index: snapshotIndex, detail: "a chunk length is cut short")
            }
            let count = data[position..<position + 4].reduce(0) { $0 << 8 | Int($1) }
            position += 4
            guard count <= data.count - position else {
                throw NodeStoreError.snapshotDataMismatch(
                    index: snapshotIndex, detail: "a chunk of \(count) bytes with \(data.count - position) left")
            }
            chunks.append(Array(data[position..<position + count]))
            position += count
        }
        return chunks
    }
}
