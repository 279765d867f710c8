/// SLtoVLMappingTable (IBA 14.2.5.8): the VL for each of the 16 SLs, 4 bits
/// each, SL0 in the most significant nibble. The attribute modifier selects the
/// input/output port pair on switches.
public struct SLToVLMappingTable: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.slToVLMappingTable
    /// Service levels mapped.
    public static let count = 16
    public var raw: FixedBytes<8>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// "SL0toVL" ... "SL15toVL", 4 bits each.
        public static let vl: [Field] = (0..<SLToVLMappingTable.count).map {
            Field("SL\($0)toVL", byte: $0 / 2, bit: ($0 % 2) * 4, width: 4)
        }
        /// The whole table as one 64-bit number (SL0 on top). Not in `layout`, which lists
        /// the entries; libibmad knows only this form (IB_SLTOVL_MAPPING_TABLE_F).
        public static let table = Field("SLtoVLMappingTable", byte: 0, width: 64, .hex)
    }

    public static let layout = WireLayout(
        name: "SLtoVLMappingTable", byteCount: 8, specReference: "IBA 14.2.5.8", fields: Fields.vl)

    /// The VL (0...15) for SL `sl` (0..<16). An SL outside 0..<16 or a VL over 15 is API misuse.
    public subscript(sl: Int) -> UInt8 {
        get {
            precondition((0..<Self.count).contains(sl), "SL \(sl) outside 0..<16")
            return read(Fields.vl[sl])
        }
        set {
            precondition((0..<Self.count).contains(sl), "SL \(sl) outside 0..<16")
            precondition(newValue <= 15, "VL \(newValue) exceeds 4 bits")
            write(Fields.vl[sl], newValue)
        }
    }

    /// All 16 VLs, SL0's first. Setting requires exactly 16 values of at most 15.
    public var vls: [UInt8] {
        get { (0..<Self.count).map { self[$0] } }
        set {
            precondition(newValue.count == Self.count, "SLtoVLMappingTable holds exactly 16 VLs, got \(newValue.count)")
            for (sl, vl) in newValue.enumerated() { self[sl] = vl }
        }
    }

    /// The table as the 64-bit number libibmad and opensm pass around (SL0 in bits 63–60).
    public var packed: UInt64 {
        get { read(Fields.table) }
        set { write(Fields.table, newValue) }
    }
}
