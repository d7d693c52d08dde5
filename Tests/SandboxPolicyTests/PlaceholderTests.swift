import Testing

@testable import SandboxPolicy

@Test func moduleLinks() { #expect(Bool(true)) }
