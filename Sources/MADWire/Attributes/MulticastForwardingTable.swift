/// MulticastForwardingTable (IBA 14.2.5.12): 16-bit port masks for 32
/// consecutive multicast LIDs. The attribute modifier carries the LID block (bits 0–8,
/// from MLID 0xC000) and the position (bits 28–31: which 16 ports the masks cover).
public struct MulticastForwardingTable: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.multicastForwardingTable
    /// MLIDs per block.
    public static let count = 32
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// "PortMask[0]" ... "PortMask[31]", 16 bits each; bit n is port 16·position + n.
        public static let portMask: [Field] = (0..<MulticastForwardingTable.count).map {
            Field("PortMask[\($0)]", byte: $0 * 2, width: 16, .hex)
        }
        /// The whole block as 64 bytes. Not in `layout`, which lists the entries; libibmad
        /// knows only this form (IB_MULTICAST_FORW_TBL_F).
        public static let table = Field("MulticastForwardingTable", byte: 0, width: 512, .bytes)
    }

    public static let layout = WireLayout(
        name: "MulticastForwardingTable", byteCount: 64, specReference: "IBA 14.2.5.12",
        fields: Fields.portMask)

    /// Port mask for entry `index` (0..<32). An index outside the block is API misuse.
    public subscript(index: Int) -> UInt16 {
        get {
            precondition((0..<Self.count).contains(index), "MulticastForwardingTable index \(index) outside 0..<32")
            return read(Fields.portMask[index])
        }
        set {
            precondition((0..<Self.count).contains(index), "MulticastForwardingTable index \(index) outside 0..<32")
            write(Fields.portMask[index], newValue)
        }
    }

    /// All 32 port masks, entry 0 first. Setting requires exactly 32.
    public var portMasks: [UInt16] {
        get { (0..<Self.count).map { self[$0] } }
        set {
            precondition(newValue.count == Self.count, "MulticastForwardingTable holds exactly 32 masks, got \(newValue.count)")
            for (index, mask) in newValue.enumerated() { self[index] = mask }
        }
    }
}
