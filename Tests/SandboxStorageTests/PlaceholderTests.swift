import Testing

@testable import SandboxStorage

@Test func moduleLinks() { #expect(Bool(true)) }
