/// What an evaluation keeps besides its counters: the errors found, the instance path, the
/// annotation frames and the `$dynamicRef` scope. Allocated the first time one of them is
/// written (``SchemaEvaluator`` holds it lazily), so a verdict on a schema without `unevaluated*`
/// or `$dynamicRef` allocates nothing and has nothing to release when it ends.
final class EvaluationTrail {
    var errors: [ValidationError] = []
    var path: [PathSegment] = []
    var frames: [Annotations] = []
    var dynamicScope: [Int] = []
}
