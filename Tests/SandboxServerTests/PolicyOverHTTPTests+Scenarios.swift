import Foundation
import ServerTestSupport
import Testing

extension PolicyOverHTTPTests {
    /// `If-None-Match` gives 304; a long poll ends at its wait with 304, and wakes with the
    /// new bundle when a version is published on another node.
    func conditionalAndLongPolls(_ cluster: LocalCluster, etag: String) async throws {
        let agent = ["X-Agent-Key": Self.agentKey]
        let unchanged = await cluster.raw(
            1, "GET", "/v1/policies/sales", headers: agent.merging(["If-None-Match": etag]) { $1 })
        #expect(unchanged?.status == 304 && unchanged?.headers["etag"] == etag && unchanged?.data.isEmpty == true)

        let started = ContinuousClock.now
        let timedOut = await cluster.raw(
            2, "GET", "/v1/policies/sales?wait=1s", headers: agent.merging(["If-None-Match": etag]) { $1 })
        let waited = ContinuousClock.now - started
        #expect(timedOut?.status == 304)
        #expect(waited >= .milliseconds(900) && waited < .seconds(10), "\(waited)")

        let poll = Task {
            await cluster.raw(
                2, "GET", "/v1/policies/sales?wait=20s", headers: agent.merging(["If-None-Match": etag]) { $1 },
                timeout: 25)
        }
        try await Task.sleep(for: .milliseconds(500))
        let published = ContinuousClock.now
        let third = try await publish(cluster, on: 3, Self.policy(allow: "crm.*"), as: agent)
        let woken = await poll.value
        #expect(woken?.status == 200, "\(String(describing: woken?.status))")
        #expect(ContinuousClock.now - published < .seconds(10), "woken by the publication, not the wait")
        let bundle = woken?.json["bundle"] as? [String: Any]
        #expect(bundle?["version"] as? Int == third.json["version"] as? Int)
        #expect(woken?.headers["etag"] != etag)

        // An agent with no policy yet: a long poll waits for a first one, then 404.
        let none = await cluster.raw(
            1, "GET", "/v1/policies/helper?wait=500ms", headers: ["X-Agent-Key": Self.helperKey])
        #expect(none?.status == 404 && none?.errorCode == "no_policy")
        let badWait = await cluster.raw(2, "GET", "/v1/policies/sales?wait=soon", headers: agent)
        #expect(badWait?.status == 400 && badWait?.errorCode == "bad_wait")
    }

    /// Bad YAML: 400 with `file:line:col`; schema files: refused with what to do; wrong media
    /// type: 415; unknown agent: 404; no credentials: 401. Nothing is published.
    func refusals(_ cluster: LocalCluster) async throws {
        let admin = adminAuth(cluster).merging(["Content-Type": Self.yaml]) { $1 }
        let before = await cluster.raw(1, "GET", "/v1/policies/sales/versions", headers: admin)?.json["latest"] as? Int
        let typo = "agent: \"sales\"\ntools:\n  alow: [\"crm.read\"]\n"
        let bad = await cluster.raw(1, "PUT", "/v1/policies/sales", body: typo, headers: admin)
        #expect(bad?.status == 400 && bad?.errorCode == "invalid_policy")
        #expect(bad?.errorMessage.contains("sales.yaml:3:3:") == true, "\(bad?.errorMessage ?? "")")
        let unclosed = await cluster.raw(1, "PUT", "/v1/policies/sales", body: "tools: [\n", headers: admin)
        #expect(unclosed?.status == 400 && unclosed?.errorMessage.hasPrefix("sales.yaml:") == true)
        let withFile =
            "agent: \"sales\"\ntools:\n  allow: [\"email.send\"]\n  schemas:\n    email.send: schemas/email.json\n"
        let file = await cluster.raw(2, "PUT", "/v1/policies/sales", body: withFile, headers: admin)
        #expect(
            file?.status == 400 && file?.errorMessage.contains("inline the schema") == true,
            "\(file?.errorMessage ?? "")")
        let form = adminAuth(cluster).merging(["Content-Type": "multipart/form-data; boundary=x"]) { $1 }
        let multipart = await cluster.raw(2, "PUT", "/v1/policies/sales", body: "--x\r\n", headers: form)
        #expect(multipart?.status == 415 && multipart?.errorCode == "unsupported_media_type")
        let otherAgent = ["X-Agent-Key": Self.helperKey, "Content-Type": Self.yaml]
        let foreignAgent = await cluster.raw(
            2, "PUT", "/v1/policies/sales", body: Self.policy(allow: "*"), headers: otherAgent)
        #expect(foreignAgent?.status == 403, "an agent publishes only its own policy")
        let unknown = await cluster.raw(3, "PUT", "/v1/policies/nobody", body: Self.policy(allow: "x"), headers: admin)
        #expect(unknown?.status == 404 && unknown?.errorCode == "unknown_agent")
        let anonymous = await cluster.raw(3, "PUT", "/v1/policies/sales", body: Self.policy(allow: "x"))
        #expect(anonymous?.status == 401)
        let after = await cluster.raw(3, "GET", "/v1/policies/sales/versions", headers: admin)?.json["latest"] as? Int
        #expect(before != nil && after == before, "no refused upload became a version")
    }

    /// The list, a diff, a rollback that decides on another node, and shadow mode.
    func versionsDiffRollbackAndShadow(_ cluster: LocalCluster) async throws {
        let admin = adminAuth(cluster)
        let list = try #require(await cluster.raw(2, "GET", "/v1/policies/sales/versions?limit=2", headers: admin))
        let rows = try #require(list.json["versions"] as? [[String: Any]])
        #expect(rows.compactMap { $0["version"] as? Int } == [1, 2] && list.json["next_after"] as? Int == 2)
        #expect(list.json["latest"] as? Int == 3 && list.json["enforced"] as? Int == 3)
        #expect(rows.first?["author"] as? String == "agent:sales")

        let diff = try #require(await cluster.raw(3, "GET", "/v1/policies/sales/diff?from=2&to=3", headers: admin))
        #expect(diff.status == 200 && diff.json["widens"] as? Bool == true, "\(diff.json)")
        #expect((diff.json["changes"] as? [[String: Any]])?.isEmpty == false)
        #expect(await cluster.raw(3, "GET", "/v1/policies/sales/diff?from=2&to=99", headers: admin)?.status == 404)

        let rollback = await cluster.raw(
            1, "POST", "/v1/policies/sales/rollback", body: #"{"version": 2}"#, headers: admin)
        #expect(
            rollback?.status == 200 && rollback?.json["version"] as? Int == 4, "\(String(describing: rollback?.json))")
        #expect(await decision(cluster, on: 2, tool: "crm.read", id: "d3") == ["deny", "4"])
        let old = try #require(await cluster.raw(2, "GET", "/v1/policies/sales/versions/2", headers: admin))
        let copy = try #require(await cluster.raw(2, "GET", "/v1/policies/sales/versions/4", headers: admin))
        #expect((old.json["bundle"] as? [String: Any])?["sha256"] as? String != nil)
        #expect(
            (old.json["bundle"] as? [String: Any])?["sha256"] as? String == (copy.json["bundle"] as? [String: Any])?[
                "sha256"] as? String)

        // Shadow: version 5 is published in shadow; version 4 keeps deciding and being served
        // until 5 is promoted. Demoting an enforced version would serve a lower one: refused.
        let candidate = try await publish(cluster, on: 3, Self.policy(allow: "crm.*"), as: admin, query: "?mode=shadow")
        #expect(candidate.json["version"] as? Int == 5 && candidate.json["mode"] as? String == "shadow")
        #expect(await decision(cluster, on: 1, tool: "crm.read", id: "d4") == ["deny", "4"])
        let unchanged = await cluster.raw(2, "GET", "/v1/policies/sales", headers: admin)
        #expect((unchanged?.json["bundle"] as? [String: Any])?["version"] as? Int == 4)
        let promote = await cluster.raw(
            2, "POST", "/v1/policies/sales/mode", body: #"{"version": 5, "mode": "enforce"}"#, headers: admin)
        #expect(promote?.status == 200 && promote?.json["mode"] as? String == "enforce")
        #expect(await decision(cluster, on: 1, tool: "crm.read", id: "d5") == ["allow", "5"])
        let demote = await cluster.raw(
            3, "POST", "/v1/policies/sales/mode", body: #"{"version": 5, "mode": "shadow"}"#, headers: admin)
        #expect(demote?.status == 409 && demote?.errorCode == "would_lower_version")
        let served = await cluster.raw(1, "GET", "/v1/policies/sales", headers: admin)
        #expect((served?.json["bundle"] as? [String: Any])?["version"] as? Int == 5)
        let notLatest = await cluster.raw(
            3, "POST", "/v1/policies/sales/mode", body: #"{"version": 2, "mode": "enforce"}"#, headers: admin)
        #expect(notLatest?.status == 409)
    }

    /// Simulation against the enforced policy, a version, and a text: the decision and its trace.
    func simulation(_ cluster: LocalCluster) async throws {
        let agent = ["X-Agent-Key": Self.agentKey]
        let spentBefore = await cluster.admin(1, "GET", "/v1/budgets/sales", "")?.body["requests_today"] as? Int
        let active = try #require(
            await cluster.raw(
                2, "POST", "/v1/policy/simulate",
                body: #"{"agent_id": "sales", "request": {"tool": "crm.read", "params": {}}}"#, headers: agent))
        #expect(active.status == 200 && active.json["decision"] as? String == "allow", "\(active.json)")
        #expect((active.json["trace"] as? [[String: Any]])?.isEmpty == false)
        #expect((active.json["policy"] as? [String: Any])?["version"] as? Int == 5)
        let version = await cluster.raw(
            3, "POST", "/v1/policy/simulate",
            body: #"{"agent_id": "sales", "version": 2, "request": {"tool": "crm.read"}}"#, headers: agent)
        #expect(version?.json["decision"] as? String == "deny")
        let text = await cluster.raw(
            1, "POST", "/v1/policy/simulate",
            body:
                #"{"policy": "tools:\n  allow: [\"web.*\"]\nnetwork:\n  allow_domains: [\"example.com\"]\n", "request": {"http": {"method": "GET", "url": "https://api.example.com/x"}}}"#,
            headers: adminAuth(cluster))
        #expect(text?.json["decision"] as? String == "allow", "\(String(describing: text?.json))")
        #expect((text?.json["policy"] as? [String: Any])?["source"] as? String == "text")
        let bad = await cluster.raw(
            1, "POST", "/v1/policy/simulate", body: #"{"policy": "tools: [", "request": {"tool": "x"}}"#, headers: agent
        )
        #expect(bad?.status == 400 && bad?.errorCode == "invalid_policy")
        let badRequest = await cluster.raw(
            1, "POST", "/v1/policy/simulate", body: #"{"agent_id": "sales", "request": {"tol": "x"}}"#, headers: agent)
        #expect(badRequest?.status == 400)
        // Nothing was decided for real: no request counted against the budget.
        let spentAfter = await cluster.admin(2, "GET", "/v1/budgets/sales", "")?.body["requests_today"] as? Int
        #expect(spentBefore != nil && spentAfter == spentBefore, "\(String(describing: spentBefore))")
    }
}
