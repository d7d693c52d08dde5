extension ConsoleTemplates {
    static let simulate = """
        <h1>Policy simulator</h1>
        <p class="muted">Decides a call with a policy and shows every check; nothing is spent, asked or audited. Choose an agent or paste a policy, not both. Daily budgets are checked against this call's cost alone, not today's spend (the dashboard shows that).</p>
        <form method="post" action="/console/simulate" class="stack">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <div class="row"><div><label for="agent">Agent (its enforced policy)</label>
        <select id="agent" name="agent"><option value="">— the pasted policy below —</option>
        {{#agents}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{id}}</option>{{/agents}}</select></div>
        <div><label for="version">Version (optional)</label><input id="version" name="version" inputmode="numeric" size="6" value="{{version}}"></div></div>
        <label for="policy">Or a policy (YAML)</label>
        <textarea id="policy" name="policy" rows="6">{{policy}}</textarea>
        <fieldset><legend>The call</legend>
        <div class="row"><label><input type="radio" name="kind" value="tool"{{^isHTTP}} checked{{/isHTTP}}> a tool call</label>
        <label><input type="radio" name="kind" value="http"{{#isHTTP}} checked{{/isHTTP}}> an HTTP request</label></div>
        <div class="row"><div><label for="tool">Tool</label><input id="tool" name="tool" value="{{tool}}" placeholder="email.send"></div>
        <div><label for="chain_depth">Chain depth</label><input id="chain_depth" name="chain_depth" size="4" value="{{chain_depth}}"></div>
        <div><label for="cost_usd">Cost (USD)</label><input id="cost_usd" name="cost_usd" size="6" value="{{cost_usd}}"></div></div>
        <label for="params">Parameters (JSON)</label><textarea id="params" name="params" rows="3">{{params}}</textarea>
        <div class="row"><div><label for="method">Method</label><input id="method" name="method" size="7" value="{{method}}"></div>
        <div><label for="url">URL</label><input id="url" name="url" size="40" value="{{url}}" placeholder="https://api.company.com/v1"></div></div>
        </fieldset>
        <button type="submit">Simulate</button></form>
        {{#result}}<section id="result" aria-live="polite"><h2>Result</h2>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#decision}}<p><span class="tile {{decision}}" id="decision">{{label}}</span> by <code>{{rule}}</code> ({{source}})</p><p>{{reason}}</p>
        <h3>Trace</h3><div class="table"><table id="trace"><thead><tr><th>#</th><th>Check</th><th>Result</th><th>Detail</th></tr></thead><tbody>
        {{#steps}}<tr><td>{{n}}</td><td><code>{{check}}</code></td><td>{{result}}</td><td>{{detail}}</td></tr>{{/steps}}
        </tbody></table></div>{{/decision}}</section>{{/result}}
        """
}
