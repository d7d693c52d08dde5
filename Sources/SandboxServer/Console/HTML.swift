/// Escaping for the console's HTML: every text and attribute value goes through ``escape(_:)``.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline would only confuse a reader.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" || scalar.value == 0x7f {
                    out += "&#xFFFD;"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A whole page: the title, a minimal style and the body.
    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em;color:#222}
        table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.4em;text-align:left;vertical-align:top}
        pre{margin:0;white-space:pre-wrap;word-break:break-all;max-width:40em}
        form.inline{display:inline}button{margin-right:.3em}.muted{color:#777}
        </style></head><body>
        \(body)
        </body></html>
        """
    }
}
