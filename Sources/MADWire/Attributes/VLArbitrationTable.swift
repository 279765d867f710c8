/// VLArbitrationTable (IBA 14.2.5.9): 32 VL/Weight pairs. The attribute
/// modifier selects the block: 1 low priority 0–31, 2 high priority 0–31, 3 low 32–63,
/// 4 high 32–63 (bits 16–31 pick the output port on switches).
public struct VLArbitrationTable: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.vlArbitrationTable
    /// Entries per block.
    public static let count = 32
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// Each entry is 16 bits: Reserved (4), VL (4), Weight (8).
        public static let reserved: [Field] = (0..<VLArbitrationTable.count).map {
            Field("Reserved[\($0)]", byte: $0 * 2, bit: 0, width: 4, .reserved)
        }
        public static let vl: [Field] = (0..<VLArbitrationTable.count).map {
            Field("VL[\($0)]", byte: $0 * 2, bit: 4, width: 4)
        }
        public static let weight: [Field] = (0..<VLArbitrationTable.count).map {
            Field("Weight[\($0)]", byte: $0 * 2 + 1, width: 8)
        }
        /// The whole block as 64 bytes. Not in `layout`, which lists the entries; libibmad
        /// knows only this form (IB_VL_ARBITRATION_TABLE_F).
        public static let table = Field("VLArbitrationTable", byte: 0, width: 512, .bytes)
    }

    public static let layout = WireLayout(
        name: "VLArbitrationTable", byteCount: 64, specReference: "IBA 14.2.5.9",
        fields: (0..<count).flatMap { [Fields.reserved[$0], Fields.vl[$0], Fields.weight[$0]] })

    /// One VL/Weight pair. Weight 0 means the entry is skipped (IBA 7.6.9).
    public struct Entry: Hashable, Sendable {
        public var vl: UInt8
        public var weight: UInt8
        public init(vl: UInt8, weight: UInt8) {
            self.vl = vl
            self.weight = weight
        }
    }

    /// Entry `index` (0..<32). Setting leaves the entry's reserved bits as they were; an
    /// index outside the block or a VL over 15 is API misuse.
    public subscript(index: Int) -> Entry {
        get {
            precondition((0..<Self.count).contains(index), "VLArbitrationTable index \(index) outside 0..<32")
            return Entry(vl: read(Fields.vl[index]), weight: read(Fields.weight[index]))
        }
        set {
            precondition((0..<Self.count).contains(index), "VLArbitrationTable index \(index) outside 0..<32")
            precondition(newValue.vl <= 15, "VL \(newValue.vl) exceeds 4 bits")
            write(Fields.vl[index], newValue.vl)
            write(Fields.weight[index], newValue.weight)
        }
    }

    /// All 32 entries, entry 0 first. Setting requires exactly 32.
    public var entries: [Entry] {
        get { (0..<Self.count).map { self[$0] } }
        set {
            precondition(newValue.count == Self.count, "VLArbitrationTable holds exactly 32 entries, got \(newValue.count)")
            for (index, entry) in newValue.enumerated() { self[index] = entry }
        }
    }
}
