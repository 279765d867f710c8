/// LinearForwardingTable (IBA 14.2.5.10): the output port for 64 consecutive
/// LIDs; the attribute modifier is the block number, so entry `i` is LID 64·block + i.
public struct LinearForwardingTable: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.linearForwardingTable
    /// LIDs per block.
    public static let count = 64
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// "Port[0]" ... "Port[63]", 8 bits each.
        public static let port: [Field] = (0..<LinearForwardingTable.count).map {
            Field("Port[\($0)]", byte: $0, width: 8)
        }
        /// The whole block as 64 bytes. Not in `layout`, which lists the entries; libibmad
        /// knows only this form (IB_LINEAR_FORW_TBL_F).
        public static let table = Field("LinearForwardingTable", byte: 0, width: 512, .bytes)
    }

    public static let layout = WireLayout(
        name: "LinearForwardingTable", byteCount: 64, specReference: "IBA 14.2.5.10", fields: Fields.port)

    /// Port for entry `index` (0..<64); opensm writes 255 for "no route". An index
    /// outside the block is API misuse.
    public subscript(index: Int) -> UInt8 {
        get {
            precondition((0..<Self.count).contains(index), "LinearForwardingTable index \(index) outside 0..<64")
            return raw[index]
        }
        set {
            precondition((0..<Self.count).contains(index), "LinearForwardingTable index \(index) outside 0..<64")
            raw[index] = newValue
        }
    }

    /// All 64 ports, entry 0 first. Setting requires exactly 64.
    public var ports: [UInt8] {
        get { raw.array }
        set {
            precondition(newValue.count == Self.count, "LinearForwardingTable holds exactly 64 ports, got \(newValue.count)")
            for (index, port) in newValue.enumerated() { raw[index] = port }
        }
    }

    /// Block and entry index for `lid`.
    public static func position(of lid: UInt16) -> (block: Int, index: Int) {
        (Int(lid) / count, Int(lid) % count)
    }
}
