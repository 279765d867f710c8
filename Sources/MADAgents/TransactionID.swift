/// A MAD transaction ID as the agent layer builds it: the high 32 bits belong to whoever
/// routes responses back (the kernel's agent id through ib_umad, which overwrites them),
/// the low 32 bits are the requester's own sequence.
public struct TransactionID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(high: UInt32, sequence: UInt32) {
        rawValue = UInt64(high) << 32 | UInt64(sequence)
    }

    /// The requester's sequence number: what matches a response to its request.
    public var sequence: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    /// The part the transport owns (the kernel agent id under ib_umad).
    public var high: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
}
