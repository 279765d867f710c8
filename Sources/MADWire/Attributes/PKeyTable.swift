/// P_KeyTable (IBA 14.2.5.7): one block of 32 partition keys; the attribute
/// modifier selects the block (and, for switch external ports, the port in bits 16–31).
public struct PKeyTable: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.pKeyTable
    /// P_Keys per block.
    public static let count = 32
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// "P_Key[0]" ... "P_Key[31]", 16 bits each: membership bit, then the 15-bit base.
        public static let pKey: [Field] = (0..<PKeyTable.count).map {
            Field("P_Key[\($0)]", byte: $0 * 2, width: 16, .hex)
        }
    }

    public static let layout = WireLayout(
        name: "P_KeyTable", byteCount: 64, specReference: "IBA 14.2.5.7", fields: Fields.pKey)

    /// P_Key `index` (0..<32) of this block. An index outside the block is API misuse.
    public subscript(index: Int) -> PartitionKey {
        get {
            precondition((0..<Self.count).contains(index), "P_KeyTable index \(index) outside 0..<32")
            return PartitionKey(rawValue: read(Fields.pKey[index]))
        }
        set {
            precondition((0..<Self.count).contains(index), "P_KeyTable index \(index) outside 0..<32")
            write(Fields.pKey[index], newValue.rawValue)
        }
    }

    /// All 32 P_Keys, entry 0 first. Setting requires exactly 32.
    public var pKeys: [PartitionKey] {
        get { (0..<Self.count).map { self[$0] } }
        set {
            precondition(newValue.count == Self.count, "P_KeyTable holds exactly 32 P_Keys, got \(newValue.count)")
            for (index, key) in newValue.enumerated() { self[index] = key }
        }
    }

    /// A 16-bit P_Key (IBA 10.9.1): the top bit is the membership type (1 full, 0 limited),
    /// the low 15 bits the base that names the partition. 0x0000 and 0x8000 are invalid
    /// entries; 0x7FFF/0xFFFF is the default partition.
    public struct PartitionKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// A key from its 15-bit base (higher bits are API misuse) and membership.
        public init(base: UInt16, fullMember: Bool) {
            precondition(base <= 0x7FFF, "P_Key base 0x\(hexDigits(UInt64(base), width: 4)) exceeds 15 bits")
            rawValue = base | (fullMember ? 0x8000 : 0)
        }

        public static let defaultFull = PartitionKey(rawValue: 0xFFFF)
        public static let defaultLimited = PartitionKey(rawValue: 0x7FFF)

        /// Membership type bit: full member (may talk to limited members) when set.
        public var isFullMember: Bool {
            get { rawValue & 0x8000 != 0 }
            set { rawValue = (rawValue & 0x7FFF) | (newValue ? 0x8000 : 0) }
        }
        /// The 15-bit partition number; keys match when their bases match (IBA 10.9.3).
        public var base: UInt16 { rawValue & 0x7FFF }
        /// An entry whose base is 0 is invalid and matches nothing (IBA 10.9.1).
        public var isValid: Bool { base != 0 }

        public var description: String { "0x" + hexDigits(UInt64(rawValue), width: 4) }
    }
}
