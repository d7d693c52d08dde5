extension ConsoleTemplates {
    static let approvals = """
        <h1>Approvals</h1>
        <nav class="tabs" aria-label="Approvals">
        <a href="/console/approvals"{{^history}} aria-current="page"{{/history}}>Pending</a>
        <a href="/console/approvals?tab=history"{{#history}} aria-current="page"{{/history}}>History</a>{{#paged}} <a href="/console/approvals{{#history}}?tab=history{{/history}}">Back to the {{#history}}newest{{/history}}{{^history}}oldest{{/history}}</a>{{/paged}}</nav>
        {{#done}}<p class="ok" role="status">Done: {{done}}.</p>{{/done}}
        <p id="queue-status" role="status" aria-live="polite" class="muted"></p>
        <div id="queue" data-live="{{live}}">{{{rows}}}</div>
        <p class="muted">This list updates itself when an approval is created, voted on or resolved (it waits while you are in it). <a href="/console/approvals{{#history}}?tab=history{{/history}}">Reload</a></p>
        """

    /// The live region: a table of pending approvals with the vote forms, or of resolved ones.
    static let approvalRows = """
        <div data-signature="{{signature}}" data-summary="{{summary}}" data-now="{{now}}">
        {{#empty}}<p id="no-approvals">{{#history}}No approval was resolved yet.{{/history}}{{^history}}No approval is pending.{{/history}}</p>{{/empty}}
        {{^empty}}<div class="table"><table class="stacked"><thead><tr><th>#</th><th>Agent</th><th>Tool</th><th>Parameters (redacted)</th><th>Rule and reason</th>
        {{^history}}<th>Age</th><th>Expires in</th>{{/history}}{{#history}}<th>Status</th><th>Resolved</th>{{/history}}<th>Votes</th>{{^history}}<th>Vote</th>{{/history}}</tr></thead><tbody>
        {{#rows}}<tr id="approval-{{id}}" data-status="{{status}}"><td data-label="#">{{id}}</td><td data-label="Agent">{{agent}}</td><td data-label="Tool"><code>{{tool}}</code></td>
        <td data-label="Parameters"><pre>{{params}}</pre></td><td data-label="Rule"><code>{{rule}}</code><br>{{reason}}</td>
        {{^history}}<td data-label="Age"><span data-since="{{created}}">{{age}}</span></td><td data-label="Expires in"><span data-until="{{expiresAt}}">{{expires}}</span></td>{{/history}}
        {{#history}}<td data-label="Status">{{status}}</td><td data-label="Resolved">{{resolved}}</td>{{/history}}
        <td data-label="Votes">{{progress}} (group {{group}}){{#votes}}<br>{{principal}}: {{decision}}{{#comment}} “{{comment}}”{{/comment}}{{/votes}}</td>
        {{^history}}<td data-label="Vote">{{#canVote}}{{^voted}}<form class="inline" method="post" action="/console/approvals/{{id}}/vote">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label class="muted" for="comment-{{id}}">Comment</label><input id="comment-{{id}}" name="comment" maxlength="256" size="12">
        <button type="submit" name="decision" value="approve">Approve</button>
        <button type="submit" name="decision" value="deny" class="deny">Deny</button></form>{{/voted}}{{#voted}}<span class="muted">you voted</span>{{/voted}}{{/canVote}}
        {{^canVote}}<span class="muted">approvers only</span>{{/canVote}}</td>{{/history}}</tr>
        {{/rows}}</tbody></table></div>{{/empty}}
        {{#more}}<p id="more-approvals"><a href="{{more}}">{{#history}}Older approvals{{/history}}{{^history}}More pending approvals{{/history}}</a></p>{{/more}}</div>
        """
}
