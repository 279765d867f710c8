/// P_KeyTableRecord (IBA 15.2.5.11): one P_KeyTable block of a port: for a CA the port at
/// LID, for a switch port PortNum of the switch at LID.
public struct PKeyTableRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.pKeyTableRecord
    public var raw: FixedBytes<72>
    public init() { raw = FixedBytes() }

    static let pKeyTableOffset = 8

    public enum Fields {
        public static let lid = Field("LID", byte: 0, width: 16)
        public static let blockNum = Field("BlockNum", byte: 2, width: 16)
        /// Switches only; reserved for a CA.
        public static let portNum = Field("PortNum", byte: 4, width: 8)
        public static let reserved = Field("Reserved", byte: 5, width: 24, .reserved)
        /// P_KeyTable's 32 entries, named "P_KeyTable.P_Key[i]".
        public static let pKeyTable: [Field] = PKeyTable.layout.fields(embeddedAt: pKeyTableOffset, prefix: "P_KeyTable")
    }

    public static let layout = WireLayout(
        name: "P_KeyTableRecord", byteCount: 72, specReference: "IBA 15.2.5.11",
        fields: [Fields.lid, Fields.blockNum, Fields.portNum, Fields.reserved] + Fields.pKeyTable)

    public var lid: UInt16 { get { read(Fields.lid) } set { write(Fields.lid, newValue) } }
    public var blockNum: UInt16 { get { read(Fields.blockNum) } set { write(Fields.blockNum, newValue) } }
    public var portNum: UInt8 { get { read(Fields.portNum) } set { write(Fields.portNum, newValue) } }
    public var pKeyTable: PKeyTable {
        get { recordPart(at: Self.pKeyTableOffset) }
        set { setRecordPart(newValue, at: Self.pKeyTableOffset) }
    }

    /// P_KeyTableRecord components (opensm's IB_PKEY_COMPMASK_* names the first three): the
    /// whole P_KeyTable block is one component.
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let lid = ComponentMask(rawValue: 1 << 0)
        public static let blockNum = ComponentMask(rawValue: 1 << 1)
        public static let portNum = ComponentMask(rawValue: 1 << 2)
        public static let reserved = ComponentMask(rawValue: 1 << 3)
        public static let pKeyTable = ComponentMask(rawValue: 1 << 4)
    }
}
