import Testing

@testable import Raft

@Test func moduleLinks() { #expect(Bool(true)) }
