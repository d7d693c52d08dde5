import Testing

@testable import JSONSchema

@Test func moduleLinks() { #expect(Bool(true)) }
