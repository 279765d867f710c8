/// The table that describes a fixed-size wire structure: a MAD attribute, an SA record or
/// a header. Printing, JSON, truncation errors and the differential tests all read it.
public struct WireLayout: Sendable {
    public let name: String
    /// Size on the wire in bytes.
    public let byteCount: Int
    /// The IBA section that defines the structure ("IBA 14.2.5.6").
    public let specReference: String
    /// Every component in wire order, reserved ones included.
    public let fields: [Field]

    public init(name: String, byteCount: Int, specReference: String, fields: [Field]) {
        self.name = name
        self.byteCount = byteCount
        self.specReference = specReference
        self.fields = fields
    }

    /// The component named `name`, if the table has it.
    public func field(named name: String) -> Field? { fields.first { $0.name == name } }

    /// The first component that does not fit in `available` bytes: the field a truncation
    /// error names.
    public func firstField(endingAfter available: Int) -> Field? {
        fields.first { $0.bits.endByte > available }
    }
}

/// A fixed-size wire structure that keeps its exact bytes, so that decoding and encoding
/// round-trip every bit, reserved bits and unknown values included (the swift-asn1 rule:
/// open code points, nothing lost).
public protocol WireStructure: Sendable {
    static var layout: WireLayout { get }
    /// A structure whose bytes are all zero.
    init()
    func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R
    mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R
}

/// Inline byte storage a wire structure keeps its wire image in (`FixedBytes<N>`).
public protocol ByteStorage: Sendable {
    subscript(index: Int) -> UInt8 { get set }
    func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R
    mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R
}

extension FixedBytes: ByteStorage {}

/// A wire structure that is exactly its `raw` storage: byte access forwards to it, so
/// each attribute declares only its storage, its table and its typed properties.
public protocol RawWireStructure: WireStructure {
    associatedtype Storage: ByteStorage
    var raw: Storage { get set }
}

extension RawWireStructure {
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try raw.withUnsafeBytes(body)
    }

    @inlinable
    public mutating func withUnsafeMutableBytes<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        try raw.withUnsafeMutableBytes(body)
    }
}

/// A MAD attribute: a wire structure with an attribute ID in a management class.
public protocol MADAttribute: WireStructure {
    static var attributeID: AttributeID { get }
}

extension WireStructure {
    /// Reads the structure from the start of `bytes`, which must hold all of it. Bytes past
    /// the structure are ignored. Never reads past `bytes`.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer) throws(MADWireError) {
        self.init()
        // The size comes from the storage itself, not from `layout`: the hot path never
        // touches the field tables (which hold strings and arrays).
        let fits = withUnsafeMutableBytes { raw in
            guard bytes.count >= raw.count else { return false }
            raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<raw.count]))
            return true
        }
        guard fits else { throw Self.truncation(available: bytes.count) }
    }

    /// Reads the structure from the start of `bytes` (any contiguous byte collection).
    @inlinable
    public init(decoding bytes: some Collection<UInt8>) throws(MADWireError) {
        self.init()
        let fits = withUnsafeMutableBytes { raw in
            guard bytes.count >= raw.count else { return false }
            for (index, byte) in bytes.prefix(raw.count).enumerated() { raw[index] = byte }
            return true
        }
        guard fits else { throw Self.truncation(available: bytes.count) }
    }

    /// Writes the structure's exact bytes to the start of `buffer`.
    @inlinable
    public func encode(into buffer: UnsafeMutableRawBufferPointer) throws(MADWireError) {
        let fits = withUnsafeBytes { raw in
            guard buffer.count >= raw.count else { return false }
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<raw.count]).copyMemory(from: raw)
            return true
        }
        guard fits else {
            throw MADWireError(.truncated, structure: Self.layout.name,
                               detail: "output buffer of \(buffer.count) bytes cannot hold \(Self.layout.byteCount)")
        }
    }

    /// The structure's exact wire bytes (allocates: tools and tests).
    public var encoded: [UInt8] { withUnsafeBytes { Array($0) } }

    @usableFromInline
    static func truncation(available: Int) -> MADWireError {
        let field = layout.firstField(endingAfter: available)
        return MADWireError.truncated(layout.name, field: field?.name ?? "end",
                                      needed: field?.bits.endByte ?? layout.byteCount, available: available)
    }

    /// The value of a field of at most 64 bits.
    @inlinable
    public subscript(bits: BitField) -> UInt64 {
        get { withUnsafeBytes { bits.read($0) } }
        set { withUnsafeMutableBytes { bits.write(newValue, to: $0) } }
    }

    /// The value of a field of at most 64 bits.
    @inlinable
    public subscript(field: Field) -> UInt64 {
        get { self[field.bits] }
        set { self[field.bits] = newValue }
    }

    /// A byte-aligned field of any width as bytes (GIDs, text).
    public func bytes(of field: Field) -> [UInt8] {
        withUnsafeBytes { Array(field.bits.readBytes($0)) }
    }

    /// Sets a byte-aligned field of any width; shorter input is zero-padded.
    public mutating func setBytes(_ bytes: some Collection<UInt8>, of field: Field) {
        withUnsafeMutableBytes { field.bits.writeBytes(bytes, to: $0) }
    }

    // Typed accessors used by the attribute structs' properties.
    @inlinable func read<T: FixedWidthInteger>(_ field: Field) -> T { T(truncatingIfNeeded: self[field.bits]) }
    @inlinable mutating func write<T: FixedWidthInteger>(_ field: Field, _ value: T) {
        self[field.bits] = UInt64(truncatingIfNeeded: value)
    }
    @inlinable func flag(_ field: Field) -> Bool { self[field.bits] != 0 }
    @inlinable mutating func setFlag(_ field: Field, _ value: Bool) { self[field.bits] = value ? 1 : 0 }

}

extension RawWireStructure {
    // Accessors from a bare BitField, on the inline bytes: the attributes whose accessors
    // are on every MAD's or every topology line's path (NodeInfo, PortInfo, SwitchInfo)
    // keep each field's place in a constant the table is built from, so reading one is a
    // load at a fixed offset and never touches the table.
    @inlinable @inline(__always) func read<T: FixedWidthInteger>(_ bits: BitField) -> T {
        T(truncatingIfNeeded: bits.read { raw[$0] })
    }
    @inlinable @inline(__always) mutating func write<T: FixedWidthInteger>(_ bits: BitField, _ value: T) {
        bits.write(UInt64(truncatingIfNeeded: value)) { index, mask, newBits in raw[index] = raw[index] & ~mask | newBits }
    }
    @inlinable func flag(_ bits: BitField) -> Bool { read(bits) as UInt64 != 0 }
    @inlinable mutating func setFlag(_ bits: BitField, _ value: Bool) { write(bits, value ? 1 : 0 as UInt64) }
}
