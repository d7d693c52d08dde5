extension ConsoleTemplates {
    static let dashboard = """
        <h1>Dashboard</h1>
        <div class="cards">
        <section class="card" aria-labelledby="activity"><h2 id="activity">Decisions per minute, last hour</h2>
        {{{chart}}}
        <h3>Denials by rule</h3>
        {{#reasons}}<div>{{rule}}: <strong>{{count}}</strong></div>{{/reasons}}
        {{^reasons}}<p class="muted">No denial in the last hour.</p>{{/reasons}}
        </section>
        <section class="card" aria-labelledby="health"><h2 id="health">Cluster</h2>
        <p>{{members}} members; leader: node {{leader}}; term {{term}}.</p>
        <p>This is node {{node}} ({{role}}), applied lag {{lag}} entries. <a href="/console/cluster">Details</a></p>
        </section>
        </div>
        <h2>Agents</h2>
        {{#noAgents}}<p class="muted">No agent is visible to you yet.</p>{{/noAgents}}
        <div class="cards">
        {{#agents}}
        <section class="card" aria-label="agent {{id}}"><h2>{{id}} <small class="muted">{{tenant}}{{^enabled}} · disabled{{/enabled}}</small></h2>
        {{#version}}<p class="muted">Policy version {{version}} · <a href="/console/policies/{{id}}">versions</a></p>{{/version}}
        {{^version}}<p class="muted">No enforced policy: everything is denied.</p>{{/version}}
        <div class="tiles">{{#tiles}}<span class="tile {{decision}}" title="{{label}}">{{#domain}}domain {{/domain}}{{name}}: {{label}}</span>{{/tiles}}</div>
        {{#meters}}<div><label>{{label}}: {{text}}<meter min="0" max="{{max}}" value="{{value}}">{{text}}</meter></label></div>{{/meters}}
        {{^meters}}<p class="muted">Today: {{requests}} requests, ${{spent}} (no daily limit).</p>{{/meters}}
        </section>
        {{/agents}}
        </div>
        """
}
