import Hummingbird
import JSON
import SandboxSigning

/// `GET /v1/keys`: the public keys policy bundles verify with — the active signing key and the
/// earlier ones kept after a rotation. Public: no credentials needed.
enum KeyRoutes {
    static func add(to router: Router<APIRequestContext>, keys: KeyRing) {
        let body = JSONValue.object([
            "keys": .array(
                keys.keys.map { key in
                    .object([
                        "key_id": .string(key.keyID), "algorithm": .string("Ed25519"),
                        "public_key": .string(key.base64), "active": .bool(key == keys.signingKey.verificationKey),
                    ])
                })
        ])
        router.get("/v1/keys") { _, _ -> Response in JSONResponses.json(body) }
    }
}
