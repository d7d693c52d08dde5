import JSON
import JSONSchema
import Yams

/// Parses policy YAML text into ``YAMLNode``s with bounded size and node count.
enum YAMLDocument {
    /// Largest policy file accepted.
    static let maximumBytes = 1 << 20
    /// Most nodes visited (aliases are expanded, so this also stops "billion laughs").
    static let maximumNodes = 200_000
    /// Deepest nesting accepted.
    static let maximumDepth = 64

    static func parse(_ text: String) throws(PolicyError) -> YAMLNode {
        guard text.utf8.count <= maximumBytes else {
            throw PolicyError(
                at: SourceLocation(line: 1, column: 1),
                "policy is \(text.utf8.count) bytes; the limit is \(maximumBytes)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, Resolver.basic)
        } catch let error as YamlError {
            throw YAMLDocument.translate(error, in: text)
        } catch {
            throw PolicyError(at: SourceLocation(line: 1, column: 1), "cannot read YAML: \(error)")
        }
        guard let root else {
            throw PolicyError(at: SourceLocation(line: 1, column: 1), "the policy is empty")
        }
        var budget = maximumNodes
        return try convert(root, depth: 0, budget: &budget)
    }

    private static func location(_ mark: Mark?) -> SourceLocation {
        guard let mark else { return SourceLocation(line: 1, column: 1) }
        return SourceLocation(line: mark.line, column: mark.column)
    }

    private static func convert(_ node: Node, depth: Int, budget: inout Int) throws(PolicyError) -> YAMLNode {
        let here = location(node.mark)
        budget -= 1
        guard budget >= 0 else {
            throw PolicyError(at: here, "the policy has more than \(maximumNodes) YAML nodes (aliases included)")
        }
        guard depth <= maximumDepth else {
            throw PolicyError(at: here, "the policy nests deeper than \(maximumDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            let style: YAMLNode.ScalarStyle
            switch scalar.style {
            case .plain, .any: style = .plain
            case .singleQuoted: style = .singleQuoted
            case .doubleQuoted: style = .doubleQuoted
            case .literal: style = .literal
            case .folded: style = .folded
            }
            return YAMLNode(kind: .scalar(scalar.string, style: style), location: here)
        case .alias:
            throw PolicyError(at: here, "unresolved YAML alias")
        case .sequence(let sequence):
            var items: [YAMLNode] = []
            for item in sequence { items.append(try convert(item, depth: depth + 1, budget: &budget)) }
            return YAMLNode(kind: .sequence(items), location: here)
        case .mapping(let mapping):
            var entries: [YAMLEntry] = []
            var seen: Set<String> = []
            for (key, value) in mapping {
                let keyLocation = location(key.mark)
                guard case .scalar(let keyScalar) = key else {
                    throw PolicyError(at: keyLocation, "mapping keys must be plain strings")
                }
                guard seen.insert(keyScalar.string).inserted else {
                    throw PolicyError(at: keyLocation, "duplicate key `\(keyScalar.string)`")
                }
                entries.append(
                    YAMLEntry(
                        key: keyScalar.string, keyLocation: keyLocation,
                        value: try convert(value, depth: depth + 1, budget: &budget)))
            }
            return YAMLNode(kind: .mapping(entries), location: here)
        }
    }

    /// The error at its position; one libyaml places past the end of the text (the line after
    /// the last, for input that ends early) is moved to the end of the last line, where an
    /// editor can go.
    private static func translate(_ error: YamlError, in text: String) -> PolicyError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text): " } ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var at = location(mark)
            if at.line > lines.count, let last = lines.last {
                at = SourceLocation(line: lines.count, column: last.count + 1)
            }
            return PolicyError(at: at, "invalid YAML: \(prefix)\(problem)")
        case .reader(let problem, _, _, _):
            return PolicyError(at: SourceLocation(line: 1, column: 1), "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return PolicyError(
                at: location(context.mark), "duplicate key `\(duplicates.joined(separator: "`, `"))`")
        default:
            return PolicyError(at: SourceLocation(line: 1, column: 1), "invalid YAML: \(error)")
        }
    }
}
