import Foundation
import SandboxSigning

/// The policy-signing settings. The signing key is the same on every node (a file mounted from a
/// Kubernetes Secret, or the environment); after a rotation the earlier keys' public halves are
/// listed so bundles signed before it still verify (`GET /v1/keys` serves them all).
///
/// - `--signing-key-file PATH` / `SANDBOX_SIGNING_KEY_FILE`: base64 of the 32 raw bytes
///   (`head -c 32 /dev/urandom | base64`) or PEM from `openssl genpkey -algorithm ed25519`.
/// - `--signing-key TEXT` / `SANDBOX_SIGNING_KEY`: the same text (prefer the file or the
///   environment: a flag shows in the process list).
/// - `--retired-keys-file PATH` / `SANDBOX_RETIRED_KEYS_FILE`: earlier public keys, one base64
///   key per line (`#` starts a comment), or `--retired-keys` / `SANDBOX_RETIRED_KEYS`: the same
///   separated by commas.
///
/// Without a signing key a node refuses to start (`SandboxServer.keyRing`), except in `--dev`,
/// where it makes a throwaway key and says so.
extension ServerConfig {
    static let signingOptions: [String: String] = [
        "signing-key-file": "SANDBOX_SIGNING_KEY_FILE", "signing-key": "SANDBOX_SIGNING_KEY",
        "retired-keys-file": "SANDBOX_RETIRED_KEYS_FILE", "retired-keys": "SANDBOX_RETIRED_KEYS",
    ]

    mutating func readSigningKeys(_ values: [String: String]) throws(ConfigError) {
        if let text = try Self.setting(values, file: "signing-key-file", inline: "signing-key") {
            do { signingKey = try SigningKey(text: text.value).rawBytes } catch {
                throw .invalid(text.setting, "\(error)")
            }
        }
        if let text = try Self.setting(values, file: "retired-keys-file", inline: "retired-keys") {
            let separator: Character = text.setting.hasPrefix("--retired-keys-file") ? "\n" : ","
            for line in text.value.split(separator: separator) {
                let key = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else { continue }
                do { retiredSigningKeys.append(try VerificationKey(text: key).rawBytes) } catch {
                    throw .invalid(text.setting, "\(error)")
                }
            }
        }
    }

    /// The text of a setting given either as a file (`file`) or inline (`inline`), with how it
    /// was given (for error messages); nil when neither is set.
    private static func setting(_ values: [String: String], file: String, inline: String) throws(ConfigError)
        -> (setting: String, value: String)?
    {
        if let path = values[file] {
            let setting = "--\(file) \(path)"
            guard values[inline] == nil else { throw .invalid(setting, "conflicts with --\(inline)") }
            guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 16 else {
                throw .invalid(setting, "cannot read the file (missing, unreadable or over 64 KiB)")
            }
            return (setting, String(decoding: data, as: UTF8.self))
        }
        return values[inline].map { ("--\(inline)", $0) }
    }
}
