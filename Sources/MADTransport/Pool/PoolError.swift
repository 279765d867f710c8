/// Why the pool could not be made or could not hand out a slot.
public enum PoolError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidConfiguration(String)
    case allocationFailed(bytes: Int, errno: Int32)
    /// Every slot of `kind` is owned or posted: wait for completions (`acquire`) or raise
    /// the pool size.
    case exhausted(kind: MADBufferPool.Kind, slots: Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why):
            "invalid MAD buffer pool configuration: \(why)"
        case .allocationFailed(let bytes, let errno):
            "cannot map a \(bytes)-byte MAD buffer region: errno \(errno)"
        case .exhausted(let kind, let slots):
            "all \(slots) \(kind == .send ? "send" : "receive") slots of the MAD buffer pool are in use; "
                + "wait for completions or configure more slots"
        }
    }
}
