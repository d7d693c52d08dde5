extension ConsoleTemplates {
    /// Every page: the header with the navigation and the sign-out form, then the page's body.
    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Agent Sandbox</title>
        <link rel="stylesheet" href="/console/assets/console.css">
        <script src="/console/assets/console.js" defer></script>
        </head><body>
        <a class="skip" href="#main">Skip to content</a>
        <header><span class="brand">Agent Sandbox</span>
        {{#viewer}}
        <nav aria-label="Console">{{#tabs}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/tabs}}</nav>
        <form class="signout" method="post" action="/console/logout">
        <span>{{principal}} <small>({{role}})</small></span>
        <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>
        {{/viewer}}
        </header>
        <main id="main">
        {{{body}}}
        </main></body></html>
        """

    static let problem = """
        <h1>Not done</h1><p class="error" role="alert">{{message}}</p>
        <p><a href="/console">Back to the dashboard</a></p>
        """

    static let signIn = """
        <h1>Sign in</h1>
        {{#message}}<p class="error" role="alert">{{message}}</p>{{/message}}
        <form method="post" action="/console/login" class="stack">
        <label for="token">Operator token (admin, approver or viewer)</label>
        <input id="token" type="password" name="token" autocomplete="off"{{^dev}} required{{/dev}}{{#dev}} placeholder="empty under --dev"{{/dev}}>
        <button type="submit">Sign in</button></form>
        {{#dev}}<p class="muted">--dev: an empty token from this machine signs in as <code>dev</code>.</p>{{/dev}}
        """
}
