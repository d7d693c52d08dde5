/// The leader's progress per member. Clusters are small (3 to 9 members), so two parallel
/// arrays searched linearly beat hashing on every message.
struct ProgressMap: Sequence, ExpressibleByDictionaryLiteral {
    private var ids: [NodeID] = []
    private var values: [Progress] = []

    init(dictionaryLiteral elements: (NodeID, Progress)...) {
        for (id, value) in elements { self[id] = value }
    }

    subscript(id: NodeID) -> Progress? {
        get {
            for position in ids.indices where ids[position] == id { return values[position] }
            return nil
        }
        set {
            if let position = ids.firstIndex(of: id) {
                if let newValue {
                    values[position] = newValue
                } else {
                    ids.remove(at: position)
                    values.remove(at: position)
                }
            } else if let newValue {
                ids.append(id)
                values.append(newValue)
            }
        }
    }

    func makeIterator() -> Zip2Sequence<[NodeID], [Progress]>.Iterator {
        zip(ids, values).makeIterator()
    }
}
