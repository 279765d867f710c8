/// GUIDInfoRecord (IBA 15.2.5.18): one GUIDInfo block (8 GUIDs) of the port at LID.
public struct GUIDInfoRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.guidInfoRecord
    public var raw: FixedBytes<72>
    public init() { raw = FixedBytes() }

    static let guidInfoOffset = 8

    public enum Fields {
        public static let lid = Field("LID", byte: 0, width: 16)
        public static let blockNum = Field("BlockNum", byte: 2, width: 8)
        public static let reserved1 = Field("Reserved", byte: 3, width: 8, .reserved)
        public static let reserved2 = Field("Reserved", byte: 4, width: 32, .reserved)
        /// "GUIDInfo.GUID0" ... "GUIDInfo.GUID7".
        public static let guid: [Field] = GUIDInfo.layout.fields(embeddedAt: guidInfoOffset, prefix: "GUIDInfo")
    }

    public static let layout = WireLayout(
        name: "GUIDInfoRecord", byteCount: 72, specReference: "IBA 15.2.5.18",
        fields: [Fields.lid, Fields.blockNum, Fields.reserved1, Fields.reserved2] + Fields.guid)

    public var lid: UInt16 { get { read(Fields.lid) } set { write(Fields.lid, newValue) } }
    public var blockNum: UInt8 { get { read(Fields.blockNum) } set { write(Fields.blockNum, newValue) } }
    public var guidInfo: GUIDInfo {
        get { recordPart(at: Self.guidInfoOffset) }
        set { setRecordPart(newValue, at: Self.guidInfoOffset) }
    }

    /// GUIDInfoRecord components (opensm's IB_GIR_COMPMASK_*): one bit per GUID.
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let lid = ComponentMask(rawValue: 1 << 0)
        public static let blockNum = ComponentMask(rawValue: 1 << 1)
        public static let reserved1 = ComponentMask(rawValue: 1 << 2)
        public static let reserved2 = ComponentMask(rawValue: 1 << 3)
        /// GUID `index` (0..<8) of the block.
        public static func guid(_ index: Int) -> ComponentMask {
            precondition((0..<GUIDInfo.count).contains(index), "GUIDInfoRecord GUID index \(index) outside 0..<8")
            return ComponentMask(rawValue: 1 << UInt64(4 + index))
        }
    }
}
