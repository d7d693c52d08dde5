extension LinearRegex {
    /// Emits Pike VM instructions for a tree.
    struct Compiler {
        var program: [Instruction] = []
        var sets: [ScalarSet] = []

        /// False if the program grows too large.
        mutating func emit(_ node: Node) -> Bool {
            if program.count > LinearRegex.maximumProgramLength { return false }
            switch node {
            case .empty: return true
            case .scalar(let value): program.append(.scalar(value))
            case .set(let set):
                sets.append(set)
                program.append(.set(sets.count - 1))
            case .start: program.append(.atStart)
            case .end: program.append(.atEnd)
            case .concat(let parts):
                for part in parts where !emit(part) { return false }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (offset, branch) in branches.enumerated() {
                    if offset < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        guard emit(branch) else { return false }
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        guard emit(branch) else { return false }
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repetition(let body, let minimum, let maximum):
                for _ in 0..<minimum where !emit(body) { return false }
                if let maximum {
                    var splits: [Int] = []
                    for _ in minimum..<maximum {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        guard emit(body) else { return false }
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let loop = program.count
                    program.append(.split(loop + 1, -1))
                    guard emit(body) else { return false }
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
            return program.count <= LinearRegex.maximumProgramLength
        }
    }
}
