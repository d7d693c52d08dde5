extension ConsoleTemplates {
    static let cluster = """
        <h1>Cluster</h1>
        <p>Seen from node {{node}}: leader node {{leader}}, term {{term}}, commit index {{commit}}; this node's log holds entries {{first}} to {{last}}.</p>
        <div class="table"><table class="stacked" id="members"><thead><tr><th>Node</th><th>Membership</th><th>Role</th><th>Term</th><th>Leader seen</th><th>Commit</th><th>Applied</th><th>Lag</th><th>Address</th></tr></thead><tbody>
        {{#members}}<tr><td data-label="Node">{{id}}{{#self}} (this node){{/self}}</td><td data-label="Membership">{{membership}}</td>
        {{#reachable}}<td data-label="Role">{{role}}</td><td data-label="Term">{{term}}</td><td data-label="Leader seen">{{leader}}</td><td data-label="Commit">{{commit}}</td><td data-label="Applied">{{applied}}</td><td data-label="Lag">{{lag}}</td>{{/reachable}}
        {{^reachable}}<td colspan="6" class="error">unreachable (no answer within 1 s)</td>{{/reachable}}
        <td data-label="Address"><code>{{http}}</code></td></tr>{{/members}}
        </tbody></table></div>
        <p class="muted">Every leader change starts a new term: a term that keeps rising means elections keep happening. Lag: committed entries a node has not applied yet.</p>
        <h2>Leader changes seen by node {{node}}</h2>
        <p class="muted">As this node observed them since it started (checked every 0.1 s): {{seen}} in all{{#older}}, the newest 50 listed{{/older}}. Other nodes may have seen others.</p>
        <div class="table"><table class="stacked" id="leader-changes"><thead><tr><th>Seen at</th><th>Term</th><th>Leader</th></tr></thead><tbody>
        {{#changes}}<tr><td data-label="Seen at">{{time}}</td><td data-label="Term">{{term}}</td><td data-label="Leader">{{leader}}</td></tr>{{/changes}}
        </tbody></table></div>
        """
}
