import SandboxSDK

/// Runs `body` with `client` and closes the client afterwards, also when `body` throws (a
/// failed `#require`): a test never leaves a client running, whose release without `close()`
/// would leave its long poll and reporter behind.
func withClient<T>(
    _ client: SandboxClient, _ body: (SandboxClient) async throws -> T
) async throws -> T {
    let value: T
    do { value = try await body(client) } catch {
        await client.close()
        throw error
    }
    await client.close()
    return value
}
