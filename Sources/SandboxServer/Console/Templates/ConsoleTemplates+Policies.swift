extension ConsoleTemplates {
    static let policies = """
        <h1>Policies</h1>
        {{#empty}}<p class="muted">No agent is visible to you yet.</p>{{/empty}}
        {{^empty}}<div class="table"><table class="stacked"><thead><tr><th>Agent</th><th>Tenant</th><th>Enforced</th><th>Shadow</th><th>Latest</th></tr></thead><tbody>
        {{#agents}}<tr><td data-label="Agent"><a href="/console/policies/{{id}}">{{id}}</a></td><td data-label="Tenant">{{tenant}}</td>
        <td data-label="Enforced">{{enforced}}</td><td data-label="Shadow">{{shadow}}</td><td data-label="Latest">{{latest}}</td></tr>{{/agents}}
        </tbody></table></div>{{/empty}}
        """

    static let agentPolicy = """
        <h1>Policy of {{agent}}</h1>
        {{#done}}<p class="ok" role="status">Done: {{done}}.</p>{{/done}}
        <p><a href="/console/simulate?agent={{agent}}">Simulate with it</a></p>
        <h2>Versions</h2>
        {{#none}}<p class="muted">No version yet.</p>{{/none}}
        {{^none}}<div class="table"><table class="stacked" id="versions"><thead><tr><th>Version</th><th>Mode</th><th>Author</th><th>Published</th><th>SHA-256</th>{{#admin}}<th>Actions</th>{{/admin}}</tr></thead><tbody>
        {{#versions}}<tr><td data-label="Version">{{version}} {{copied}}</td>
        <td data-label="Mode">{{#enforced}}<strong>enforced</strong>{{/enforced}}{{#shadow}}<strong>shadow</strong>{{/shadow}}{{^enforced}}{{^shadow}}{{mode}}{{/shadow}}{{/enforced}}</td>
        <td data-label="Author">{{author}}</td><td data-label="Published">{{time}}</td><td data-label="SHA-256"><code>{{sha}}</code></td>
        {{#admin}}<td data-label="Actions">{{#activatable}}<form class="inline" method="post" action="/console/policies/{{agent}}/activate">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="version" value="{{version}}">
        <button type="submit" class="secondary">{{#shadow}}Enforce{{/shadow}}{{^shadow}}Activate (roll back to this){{/shadow}}</button></form>{{/activatable}}
        {{#shadowable}}<form class="inline" method="post" action="/console/policies/{{agent}}/shadow">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="version" value="{{version}}">
        <button type="submit" class="secondary">Shadow mode</button></form>{{/shadowable}}</td>{{/admin}}</tr>{{/versions}}
        </tbody></table></div>
        {{#older}}<p id="older-versions"><a href="/console/policies/{{agent}}?before={{older}}">Older versions (below {{older}})</a></p>{{/older}}
        {{#newer}}<p><a href="/console/policies/{{agent}}">The newest versions</a></p>{{/newer}}
        <h2>Compare two versions</h2>
        <form method="get" action="/console/policies/{{agent}}/diff" class="row">
        <div><label for="from">From version</label><input id="from" name="from" type="number" min="1" max="{{latest}}" value="{{from}}" required></div>
        <div><label for="to">To version</label><input id="to" name="to" type="number" min="1" max="{{latest}}" value="{{to}}" required></div>
        <div><button type="submit">Show the diff</button></div></form>
        <p class="muted">Defaults: from {{from}} to {{to}} — <a href="/console/policies/{{agent}}/diff?from={{from}}&amp;to={{to}}">the last change</a>.</p>{{/none}}
        {{#comparison}}<h2>Shadow version {{version}} on recent traffic</h2>
        <p>Of {{compared}} decisions in the last day with version {{version}} in shadow, {{#same}}none would have been decided otherwise.{{/same}}{{^same}}these would have been decided otherwise:{{/same}}</p>
        {{^same}}<div class="table"><table class="stacked"><thead><tr><th>#</th><th>Time</th><th>Request</th><th>Decided</th><th>Shadow would</th><th>Shadow rule</th></tr></thead><tbody>
        {{#differing}}<tr><td data-label="#">{{seq}}</td><td data-label="Time">{{time}}</td><td data-label="Request"><code>{{request}}</code></td>
        <td data-label="Decided"><span class="badge {{outcome}}">{{outcome}}</span></td><td data-label="Shadow would"><span class="badge {{would}}">{{would}}</span></td><td data-label="Rule"><code>{{rule}}</code></td></tr>{{/differing}}
        </tbody></table></div>{{/same}}
        {{#replay}}<h3 id="replay">Replayed now on the last {{replayed}} audited requests</h3>
        <p>The agent's newest requests of the last day (from the audit, with parameters as redacted there; nothing is written), decided again by the enforced version and by version {{version}}: {{#same}}they decide every one alike.{{/same}}{{^same}}{{count}} would be decided otherwise:{{/same}}</p>
        {{^same}}<div class="table"><table class="stacked" id="replay-differing"><thead><tr><th>#</th><th>Time</th><th>Request</th><th>Enforced decides</th><th>Version {{version}} would</th><th>Its rule</th></tr></thead><tbody>
        {{#differing}}<tr><td data-label="#">{{seq}}</td><td data-label="Time">{{time}}</td><td data-label="Request"><code>{{request}}</code></td>
        <td data-label="Enforced"><span class="badge {{outcome}}">{{outcome}}</span></td><td data-label="Would"><span class="badge {{would}}">{{would}}</span></td><td data-label="Rule"><code>{{rule}}</code></td></tr>{{/differing}}
        </tbody></table></div>{{/same}}{{/replay}}{{/comparison}}
        {{#admin}}<h2>Upload a new version</h2>
        <form method="post" action="/console/policies/{{agent}}/upload" class="stack">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="yaml">Policy (YAML)</label><textarea id="yaml" name="yaml" rows="14" required></textarea>
        <div class="row"><div><label for="mode">Mode</label><select id="mode" name="mode"><option value="enforce">enforce</option><option value="shadow">shadow (decides nothing yet)</option></select></div>
        <div><button type="submit">Publish</button></div></div></form>{{/admin}}
        """

    static let upload = """
        <h1>Policy of {{agent}} refused</h1>
        <p class="error" role="alert">Nothing was published: fix these problems and publish again.</p>
        <ul id="problems">{{#problems}}<li>{{#line}}<a href="#line-{{line}}">line {{line}}</a>, column {{column}}: {{/line}}{{message}}</li>{{/problems}}</ul>
        <ol class="listing" aria-label="The uploaded policy by line">{{#lines}}<li id="line-{{n}}"{{#bad}} class="bad"{{/bad}}><code>{{text}}</code>{{#problems}} <span class="error">← {{message}}</span>{{/problems}}</li>{{/lines}}</ol>
        <form method="post" action="/console/policies/{{agent}}/upload" class="stack">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="yaml">Policy (YAML)</label><textarea id="yaml" name="yaml" rows="14" required>{{yaml}}</textarea>
        <div class="row"><div><label for="mode">Mode</label><select id="mode" name="mode"><option value="enforce">enforce</option><option value="shadow">shadow</option></select></div>
        <div><button type="submit">Publish</button></div></div></form>
        <p><a href="/console/policies/{{agent}}">Back to the versions</a></p>
        """

    static let diff = """
        <h1>{{agent}}: version {{from}} → {{to}}</h1>
        {{#widens}}<p class="error" id="widens">This change widens what the agent may do.</p>{{/widens}}
        <h2>What changes</h2>
        {{#noChange}}<p class="muted">No change in meaning.</p>{{/noChange}}
        <ul id="changes">{{#changes}}<li><span class="badge {{effect}}">{{effect}}</span> {{kind}} <code>{{path}}</code>: {{detail}}</li>{{/changes}}</ul>
        <h2>Side by side</h2>
        <div class="side"><div><h3>Version {{from}}</h3><ol aria-label="version {{from}}">{{#left}}<li class="{{kind}}"{{#n}} value="{{n}}"{{/n}}>{{text}}</li>{{/left}}</ol></div>
        <div><h3>Version {{to}}</h3><ol aria-label="version {{to}}">{{#right}}<li class="{{kind}}"{{#n}} value="{{n}}"{{/n}}>{{text}}</li>{{/right}}</ol></div></div>
        <p><a href="/console/policies/{{agent}}">Back to the versions</a></p>
        """

    /// After an upload that passed with warnings: published, and what the checks warned about.
    static let publishedWithWarnings = """
        <h1>Published with warnings</h1>
        <p class="ok" role="status">Done: published version {{version}} ({{mode}}) of {{agent}}.</p>
        <h2>Warnings</h2><ul id="warnings">{{#warnings}}<li>{{.}}</li>{{/warnings}}</ul>
        <p><a href="{{page}}">Back to the policy of {{agent}}</a></p>
        """
}
