/// One named component of a wire structure: its name as the IBA table spells it, where it
/// lives, and how a person wants to read it.
public struct Field: Sendable {
    public let name: String
    public let bits: BitField
    public let format: FieldFormat

    public init(_ name: String, byte: Int, bit: Int = 0, width: Int, _ format: FieldFormat = .decimal) {
        self.name = name
        self.bits = BitField(byte: byte, bit: bit, width: width)
        self.format = format
    }

    public init(_ name: String, bits: BitField, _ format: FieldFormat) {
        self.name = name
        self.bits = bits
        self.format = format
    }

    /// The same component inside an enclosing structure `bytes` further on, under a
    /// qualified name ("PortInfo.LID" inside a PortInfoRecord).
    public func embedded(at bytes: Int, prefix: String? = nil) -> Field {
        Field(prefix.map { "\($0).\(name)" } ?? name, bits: bits.shifted(by: bytes), format)
    }

    /// Whether a person wants this field as bytes rather than a number (over 64 bits).
    public var isWide: Bool { bits.width > 64 }
}

/// How a field's value is shown by `ibmad decode` and in JSON. Formatting lives in
/// `FieldValue`; this only says which reading is meant.
public enum FieldFormat: Sendable {
    /// An unsigned number in decimal.
    case decimal
    /// An unsigned number in hex, `0x` and zero-padded to the field's width.
    case hex
    /// A single flag bit.
    case flag
    /// A number whose values have names (port state, node type, ...); unknown values
    /// print as the number.
    case enumerated(ValueNames)
    /// A bit mask whose bits have names (link width supported, capability mask, ...).
    case bitmask(ValueNames)
    /// A 128-bit GID printed as IPv6 text.
    case gid
    /// Bytes holding ASCII text, NUL-terminated or padded (NodeDescription, ServiceName).
    case text
    /// Opaque bytes printed as hex (ServiceData, M_Key-protected data, paths).
    case bytes
    /// Reserved bits: kept and round-tripped, shown only when non-zero.
    case reserved
}

/// Names for the values of an enumerated field or the bits of a mask field.
public struct ValueNames: Sendable {
    public let entries: [(value: UInt64, name: String)]
    public init(_ entries: [(UInt64, String)]) { self.entries = entries.map { (value: $0.0, name: $0.1) } }

    public func name(of value: UInt64) -> String? {
        entries.first { $0.value == value }?.name
    }
}
