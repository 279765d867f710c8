public import MADWire

/// Exclusive ownership of one pool slot. Dropping it returns the slot to the pool (zeroed,
/// or poisoned in verifier mode); `post()` consumes it and hands the slot to the device.
public struct MADSlot: ~Copyable, Sendable {
    // Unmanaged so that `post()` can `discard self` (only trivially-destroyed stored
    // properties allow it); the reference is retained for the handle's lifetime.
    private let poolReference: Unmanaged<MADBufferPool>
    public let index: Int

    init(pool: MADBufferPool, index: Int) {
        poolReference = .passRetained(pool)
        self.index = index
    }

    deinit {
        let pool = poolReference.takeRetainedValue()
        pool.release(index)
    }

    var pool: MADBufferPool { poolReference.takeUnretainedValue() }

    public var kind: MADBufferPool.Kind { pool.layout.kind(of: index) }

    /// Reads and writes the 256-byte MAD in place.
    public func withUnsafeMutableMAD<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let buffer = pool.slotBuffer(index)
        return try body(UnsafeMutableRawBufferPointer(rebasing: buffer[pool.headroom(of: index)...]))
    }

    /// The bytes before the MAD that the port uses (ib_user_mad header, GRH).
    public func withUnsafeMutableHeadroom<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let buffer = pool.slotBuffer(index)
        return try body(UnsafeMutableRawBufferPointer(rebasing: buffer[..<pool.headroom(of: index)]))
    }

    /// A copy of the MAD as a value.
    public var mad: MAD {
        withUnsafeMutableMAD { raw in try! MAD(decoding: UnsafeRawBufferPointer(raw)) }
    }

    /// Writes `mad` into the slot.
    public func store(_ mad: MAD) {
        withUnsafeMutableMAD { raw in try! mad.encode(into: raw) }
    }

    /// Hands the slot to the device. What comes back is what the port posts (address,
    /// length, the slot index as work-request id); the slot returns through
    /// `MADBufferPool.complete(_:)`.
    public consuming func post() -> PostedBuffer {
        let pool = poolReference.takeRetainedValue()
        let index = self.index
        discard self
        return pool.post(index)
    }
}
