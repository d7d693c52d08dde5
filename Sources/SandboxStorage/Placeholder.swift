import CLZ4
import CRocksDB
import Raft

public enum SandboxStoragePlaceholder {}
