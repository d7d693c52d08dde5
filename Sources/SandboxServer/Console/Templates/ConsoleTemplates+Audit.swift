extension ConsoleTemplates {
    static let audit = """
        <h1>Audit</h1>
        <section aria-labelledby="chain"><h2 id="chain">Chain verification</h2>
        {{#verification}}{{#scoped}}<p class="muted">Your token is confined to one tenant: the chain spans every tenant, so only a cluster-wide viewer verifies it here (an export of yours verifies record by record).</p>{{/scoped}}
        {{^scoped}}{{#valid}}<p class="ok" id="chain-status">Verified: {{checked}} records ({{first}} to {{last}}), every hash chains.</p>{{/valid}}
        {{^valid}}<p class="error" id="chain-status" role="alert">The chain does not verify: {{failure}}.</p>{{/valid}}{{/scoped}}{{/verification}}
        </section>
        <h2>Records</h2>
        <form method="get" action="/console/audit" class="row">
        <div><label for="agent">Agent</label><select id="agent" name="agent"><option value="">any</option>{{#agents}}<option{{#selected}} selected{{/selected}}>{{id}}</option>{{/agents}}</select></div>
        <div><label for="outcome">Outcome</label><select id="outcome" name="outcome"><option value="">any</option>{{#outcomes}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/outcomes}}</select></div>
        <div><label for="window">Time</label><select id="window" name="window">{{#windows}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/windows}}</select></div>
        <div><button type="submit">Filter</button></div></form>
        <p><a href="{{export}}" download id="export">Export every record since {{since}} (JSON; every agent and outcome you may see, not only the filtered ones)</a> · NDJSON for any range: <code>sandboxctl audit export</code></p>
        {{#capped}}<p class="muted" id="capped">Scanned back to {{capped}} only: a page reads the newest 20,000 records of the window at most (export for the rest).</p>{{/capped}}
        {{#empty}}<p class="muted">No record matches.</p>{{/empty}}
        {{^empty}}<div class="table"><table class="stacked" id="records"><thead><tr><th>#</th><th>Time</th><th>Kind</th><th>Agent</th><th>Request</th><th>Outcome</th><th>Rule and reason</th><th>Node</th></tr></thead><tbody>
        {{#rows}}<tr><td data-label="#">{{seq}}</td><td data-label="Time">{{time}}</td><td data-label="Kind">{{kind}}</td><td data-label="Agent">{{agent}}</td>
        <td data-label="Request"><code>{{request}}</code></td><td data-label="Outcome">{{#outcome}}<span class="badge {{outcome}}">{{outcome}}</span>{{/outcome}}</td>
        <td data-label="Rule"><code>{{rule}}</code> {{reason}}</td><td data-label="Node">{{node}}</td></tr>{{/rows}}
        </tbody></table></div>{{#more}}<p class="muted">Only the newest 100 are shown: narrow the filters, or export.</p>{{/more}}{{/empty}}
        """
}
