/// GUIDInfo (IBA 14.2.5.5): one block of 8 port GUIDs; the attribute modifier
/// selects the block (GUIDs 8·block ..< 8·block + 8).
public struct GUIDInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.guidInfo
    /// GUIDs per block.
    public static let count = 8
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// "GUID0" ... "GUID7", 64 bits each.
        public static let guid: [Field] = (0..<GUIDInfo.count).map {
            Field("GUID\($0)", byte: $0 * 8, width: 64, .hex)
        }
    }

    public static let layout = WireLayout(
        name: "GUIDInfo", byteCount: 64, specReference: "IBA 14.2.5.5", fields: Fields.guid)

    /// GUID `index` (0..<8) of this block. An index outside the block is API misuse.
    public subscript(index: Int) -> UInt64 {
        get {
            precondition((0..<Self.count).contains(index), "GUIDInfo index \(index) outside 0..<8")
            return read(Fields.guid[index])
        }
        set {
            precondition((0..<Self.count).contains(index), "GUIDInfo index \(index) outside 0..<8")
            write(Fields.guid[index], newValue)
        }
    }

    /// All 8 GUIDs, GUID0 first. Setting requires exactly 8.
    public var guids: [UInt64] {
        get { (0..<Self.count).map { self[$0] } }
        set {
            precondition(newValue.count == Self.count, "GUIDInfo holds exactly 8 GUIDs, got \(newValue.count)")
            for (index, guid) in newValue.enumerated() { self[index] = guid }
        }
    }
}
