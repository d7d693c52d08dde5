/// An immutable value in a class, so keywords can refer to it through ``Borrowed``.
final class Box<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
