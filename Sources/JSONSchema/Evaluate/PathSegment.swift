/// A step of an instance location.
enum PathSegment {
    case key(String)
    case index(Int)
}
