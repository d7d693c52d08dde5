import Foundation
import TestSupport
import Testing

@testable import SandboxStorage

/// What RocksDB recorded in the database's OPTIONS file: the options it really runs with.
@Suite struct OptionsTests {
    let directory = TemporaryDirectory("options")

    /// One insertion point per table and first key byte: the meta keys every batch rewrites
    /// (`m/audit`, `m/clock`, `m/digest`, `m/idem`) each keep their own.
    @Test func stateFamiliesInsertWithOneHintPerTableAndFirstByte() throws {
        let storage = try openStorage(directory.path)
        storage.close()
        let settings = try familySettings(in: directory.path, named: "memtable_insert_with_hint_prefix_extractor")
        #expect(settings["state_a"] == "rocksdb.CappedPrefix.4")
        #expect(settings["state_b"] == "rocksdb.CappedPrefix.4")
        // The log's keys come in order: RocksDB's own insertion point serves them.
        #expect(settings["raft_log"] == "nullptr")
        #expect(settings.count == ColumnFamily.allCases.count)
    }

    @Test func zeroLeavesRocksDBsSingleInsertionPoint() throws {
        var options = StorageOptions.small
        options.stateInsertHintPrefixBytes = 0
        let storage = try NodeStorage(path: directory.path, options: options)
        try storage.state.put([UInt8]("a"), [UInt8]("1"))
        #expect(try storage.state.get([UInt8]("a")) == [UInt8]("1"))
        storage.close()
        let settings = try familySettings(in: directory.path, named: "memtable_insert_with_hint_prefix_extractor")
        #expect(settings["state_a"] == "nullptr")
        #expect(settings["state_b"] == "nullptr")
    }

    @Test func groupedWritersInsertConcurrentlyUnlessTurnedOff() throws {
        try openStorage(directory.path).close()
        #expect(try databaseSetting(in: directory.path, named: "allow_concurrent_memtable_write") == "true")
        var options = StorageOptions.small
        options.concurrentMemtableWrites = false
        let storage = try NodeStorage(path: directory.path, options: options)
        try storage.state.put([UInt8]("a"), [UInt8]("1"))
        #expect(try storage.state.get([UInt8]("a")) == [UInt8]("1"))
        storage.close()
        #expect(try databaseSetting(in: directory.path, named: "allow_concurrent_memtable_write") == "false")
    }

    /// The WAL's write-back starts every 512 KiB, so a synced write never finds seconds of unsynced
    /// state batches to flush; 0 turns it off.
    @Test func theWALIsWrittenBackAsItGrows() throws {
        try openStorage(directory.path).close()
        #expect(try databaseSetting(in: directory.path, named: "wal_bytes_per_sync") == "524288")
        var options = StorageOptions.small
        options.walBytesPerSync = 0
        try NodeStorage(path: directory.path, options: options).close()
        #expect(try databaseSetting(in: directory.path, named: "wal_bytes_per_sync") == "0")
    }

    /// `name`'s value in each `[CFOptions "family"]` section of the newest OPTIONS file.
    private func familySettings(in path: String, named name: String) throws -> [String: String] {
        var byFamily: [String: String] = [:]
        for (section, value) in try settings(in: path, named: name) where section.hasPrefix("CFOptions \"") {
            byFamily[String(section.dropFirst(11).dropLast())] = value
        }
        return byFamily
    }

    /// `name`'s value in the `[DBOptions]` section of the newest OPTIONS file.
    private func databaseSetting(in path: String, named name: String) throws -> String? {
        try settings(in: path, named: name).first { $0.section == "DBOptions" }?.value
    }

    /// `name`'s value in each section (the text between the brackets) of the newest OPTIONS file.
    private func settings(in path: String, named name: String) throws -> [(section: String, value: String)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("OPTIONS-") }
        let newest = try #require(files.max { optionsNumber($0) < optionsNumber($1) })
        let text = try String(contentsOfFile: path + "/" + newest, encoding: .utf8)
        var section: String?
        var found: [(section: String, value: String)] = []
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("[") {
                section = String(line.dropFirst().dropLast())
            } else if let section, line.hasPrefix(name + "=") {
                found.append((section, String(line.dropFirst(name.count + 1))))
            }
        }
        return found
    }

    private func optionsNumber(_ file: String) -> Int { Int(file.dropFirst("OPTIONS-".count)) ?? -1 }
}
