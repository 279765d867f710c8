/// An SA record (IBA 15.2.5): an SA attribute whose components a query selects through the
/// SA header's ComponentMask (IBA 15.2.1.1), bit i for the record's i-th component in the
/// order of its IBA table. Records embed SM attributes (NodeInfo, PortInfo, ...) whose own
/// components then take the following bits.
public protocol SARecord: MADAttribute {
    associatedtype ComponentMask: OptionSet, Hashable, Sendable where ComponentMask.RawValue == UInt64
}

extension WireStructure {
    /// The `A` that starts `offset` bytes into this structure (a record's embedded attribute).
    func recordPart<A: WireStructure>(_: A.Type = A.self, at offset: Int) -> A {
        var part = A()
        let size = A.layout.byteCount
        withUnsafeBytes { whole in
            part.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: whole[offset..<(offset + size)])) }
        }
        return part
    }

    /// Replaces the `A` that starts `offset` bytes into this structure with `part`'s bytes.
    mutating func setRecordPart<A: WireStructure>(_ part: A, at offset: Int) {
        let size = A.layout.byteCount
        withUnsafeMutableBytes { whole in
            part.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: whole[offset..<(offset + size)]).copyMemory(from: $0) }
        }
    }
}

extension WireStructure {
    /// A `.text` field up to its first NUL; invalid UTF-8 is repaired with U+FFFD.
    func recordText(_ field: Field) -> String {
        let bytes = bytes(of: field)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Stores `text` in a `.text` field, cut at a Unicode scalar boundary so the stored bytes
    /// stay valid UTF-8, and zero-fills the rest (no NUL when the text fills the field).
    mutating func setRecordText(_ text: String, of field: Field) {
        let capacity = field.bits.width / 8
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        for scalar in text.unicodeScalars {
            let encoded = scalar.utf8
            if bytes.count + encoded.count > capacity { break }
            bytes.append(contentsOf: encoded)
        }
        setBytes(bytes, of: field)
    }
}

extension WireLayout {
    /// This layout's fields moved `offset` bytes into a record, named "`prefix`.Field".
    func fields(embeddedAt offset: Int, prefix: String) -> [Field] {
        fields.map { $0.embedded(at: offset, prefix: prefix) }
    }
}

/// The 2-bit selector before a PathRecord/MCMemberRecord MTU, Rate or PacketLifeTime
/// (IBA 15.2.5.16): how a query's value is compared.
public struct RecordSelector: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let greaterThan = RecordSelector(rawValue: 0)
    public static let lessThan = RecordSelector(rawValue: 1)
    public static let exactly = RecordSelector(rawValue: 2)
    /// Largest available MTU or rate; smallest available packet lifetime.
    public static let bestAvailable = RecordSelector(rawValue: 3)

    public static let names = ValueNames([(0, "GreaterThan"), (1, "LessThan"), (2, "Exactly"), (3, "BestAvailable")])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// A 6-bit path rate code (IBA 15.2.5.16 Rate; the kernel's enum ib_rate). The codes are
/// not in speed order: 3 is 10 Gb/s, 4 is 30 Gb/s, 5 is 5 Gb/s.
public struct StaticRate: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let gbps2_5 = StaticRate(rawValue: 2)
    public static let gbps10 = StaticRate(rawValue: 3)
    public static let gbps30 = StaticRate(rawValue: 4)
    public static let gbps5 = StaticRate(rawValue: 5)
    public static let gbps20 = StaticRate(rawValue: 6)
    public static let gbps40 = StaticRate(rawValue: 7)
    public static let gbps60 = StaticRate(rawValue: 8)
    public static let gbps80 = StaticRate(rawValue: 9)
    public static let gbps120 = StaticRate(rawValue: 10)
    public static let gbps14 = StaticRate(rawValue: 11)
    public static let gbps56 = StaticRate(rawValue: 12)
    public static let gbps112 = StaticRate(rawValue: 13)
    public static let gbps168 = StaticRate(rawValue: 14)
    public static let gbps25 = StaticRate(rawValue: 15)
    public static let gbps100 = StaticRate(rawValue: 16)
    public static let gbps200 = StaticRate(rawValue: 17)
    public static let gbps300 = StaticRate(rawValue: 18)
    public static let gbps28 = StaticRate(rawValue: 19)
    public static let gbps50 = StaticRate(rawValue: 20)
    public static let gbps400 = StaticRate(rawValue: 21)
    public static let gbps600 = StaticRate(rawValue: 22)

    public static let names = ValueNames([
        (2, "2.5 Gbps"), (3, "10 Gbps"), (4, "30 Gbps"), (5, "5 Gbps"), (6, "20 Gbps"), (7, "40 Gbps"),
        (8, "60 Gbps"), (9, "80 Gbps"), (10, "120 Gbps"), (11, "14 Gbps"), (12, "56 Gbps"),
        (13, "112 Gbps"), (14, "168 Gbps"), (15, "25 Gbps"), (16, "100 Gbps"), (17, "200 Gbps"),
        (18, "300 Gbps"), (19, "28 Gbps"), (20, "50 Gbps"), (21, "400 Gbps"), (22, "600 Gbps"),
    ])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}
