import Mustache

/// The console's Mustache templates (swift-mustache), compiled once. Each page's template is a
/// string constant in `ConsoleTemplates+Page.swift`; `{{value}}` escapes HTML (every value from
/// the state, an agent or a form goes through it), `{{{body}}}` only takes HTML rendered here.
enum ConsoleTemplates {
    static let sources: [String: String] = [
        "layout": layout, "problem": problem, "signIn": signIn, "dashboard": dashboard,
        "approvals": approvals, "approvalRows": approvalRows, "simulate": simulate, "policies": policies,
        "agentPolicy": agentPolicy, "diff": diff, "upload": upload, "audit": audit, "cluster": cluster,
        "publishedWithWarnings": publishedWithWarnings,
    ]

    /// Every template, parsed at first use. The templates are constants of this file's
    /// neighbours: one that does not parse is a defect of the build (a test renders each).
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            do { try library.register(text, named: name) } catch {
                preconditionFailure("console template `\(name)` does not parse: \(error)")
            }
        }
        return library
    }()

    static func render(_ name: String, _ data: [String: Any]) -> String {
        guard let text = library.render(data, withTemplate: name) else {
            preconditionFailure("no console template `\(name)`")
        }
        return text
    }
}
