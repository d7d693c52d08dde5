import ArgumentParser
import Foundation
import JSON
import SandboxSigning

extension PolicyCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a signed policy bundle offline (the body of GET /v1/policies/{agent_id}).",
            discussion: """
                Exit status: 0 the signature verifies and the text matches its digest; 1 it does not \
                (altered, signed by an unknown key, older than --min-version, another agent); 2 bad \
                input (a file missing or not a bundle or key). Nothing is fetched from the network.
                """)

        @Argument(help: "The bundle file (JSON: {\"bundle\": {...}, \"signature\", \"key_id\"}).")
        var bundle: String

        @Option(
            name: .customLong("public-key"),
            help: ArgumentHelp(
                "A public key file: the JSON of GET /v1/keys (every key in it), base64 of the 32 raw bytes, "
                    + "or PEM (openssl pkey -pubout). Repeat for several.", valueName: "file"))
        var publicKeys: [String] = []

        @Option(help: "Refuse a bundle whose version is below this (the newest version you have seen).")
        var minVersion: UInt64?

        @Option(help: "Refuse a bundle of another agent.")
        var agent: String?

        func run() throws {
            guard !publicKeys.isEmpty else { PolicyFiles.fail("give at least one --public-key file") }
            let keys = publicKeys.flatMap { PublicKeyFile.load($0) }
            guard let text = PolicyFiles.read(bundle, limit: 32 << 20) else {
                PolicyFiles.fail("cannot read the bundle file \(bundle) (missing, unreadable or over 32 MiB)")
            }
            let signed: SignedBundle
            do {
                signed = try SignedBundle(json: try JSONValue(parsing: text, maxDepth: 8, maxBytes: 32 << 20))
            } catch {
                PolicyFiles.fail("\(bundle): \(error)")
            }
            do {
                try signed.verify(with: keys)
                if let minVersion, signed.bundle.version < minVersion {
                    throw SigningError.olderVersion(version: signed.bundle.version, minimum: minVersion)
                }
            } catch {
                FileHandle.standardError.write(Data("sandboxctl: \(bundle): \(error)\n".utf8))
                throw ExitCode(1)
            }
            if let agent, signed.bundle.agentID != agent {
                FileHandle.standardError.write(
                    Data(
                        "sandboxctl: \(bundle): the bundle is agent `\(signed.bundle.agentID)`'s, not `\(agent)`'s\n"
                            .utf8))
                throw ExitCode(1)
            }
            print(
                "\(bundle): ok: agent \(signed.bundle.agentID), version \(signed.bundle.version), "
                    + "sha256 \(signed.bundle.sha256), signed by key \(signed.keyID)")
        }
    }
}

/// Public keys from a file: the JSON `GET /v1/keys` answers (`{"keys": [{"key_id",
/// "public_key"}, ...]}`), one such key object, base64 of the raw bytes, or PEM.
enum PublicKeyFile {
    static func load(_ path: String) -> [VerificationKey] {
        guard let text = PolicyFiles.read(path, limit: 1 << 20) else {
            PolicyFiles.fail("cannot read the public key file \(path)")
        }
        do {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.hasPrefix("{") else { return [try VerificationKey(text: text)] }
            let json = try JSONValue(parsing: trimmed, maxDepth: 8, maxBytes: 1 << 20)
            guard case .object(let members) = json else { throw SigningError.unreadableKey("not a JSON object") }
            guard case .array(let list)? = members["keys"] else { return [try key(json)] }
            return try list.map(key)
        } catch {
            PolicyFiles.fail("\(path): \(error)")
        }
    }

    /// One `{"key_id", "public_key"}` object; the stated id must be the key's.
    private static func key(_ json: JSONValue) throws -> VerificationKey {
        guard case .object(let members) = json, case .string(let base64)? = members["public_key"] else {
            throw SigningError.unreadableKey("expected {\"key_id\": ..., \"public_key\": base64}")
        }
        let key = try VerificationKey(text: base64)
        if case .string(let stated)? = members["key_id"], stated != key.keyID {
            throw SigningError.unreadableKey("key_id \(stated) is not the id of its public key (\(key.keyID))")
        }
        return key
    }
}
