/// A fixed number of bytes stored inline: no heap allocation, value semantics.
///
/// Every MAD and attribute in MADWire keeps its wire image in one of these, so a decoded
/// value always re-encodes to the exact bytes it came from, reserved bits included.
public struct FixedBytes<let count: Int>: Sendable {
    @usableFromInline var storage: InlineArray<count, UInt8>

    /// All bytes zero.
    @inlinable public init() { storage = InlineArray(repeating: 0) }

    @inlinable public var byteCount: Int { count }

    @inlinable public subscript(index: Int) -> UInt8 {
        get { storage[index] }
        set { storage[index] = newValue }
    }

    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let span = storage.span
        return try span.withUnsafeBytes { (raw) throws(E) -> R in try body(raw) }
    }

    @inlinable
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        var span = storage.mutableSpan
        return try span.withUnsafeMutableBytes { (raw) throws(E) -> R in try body(raw) }
    }

    /// The bytes as an array (allocates; for tests, printing and tools, not the hot path).
    public var array: [UInt8] { withUnsafeBytes { Array($0) } }
}

extension FixedBytes: Equatable {
    @inlinable public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in l.elementsEqual(r) } }
    }
}
