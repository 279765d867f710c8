/// SMInfoRecord (IBA 15.2.5.10): the SMInfo of the SM at LID.
public struct SMInfoRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.smInfoRecord
    public var raw: FixedBytes<25>
    public init() { raw = FixedBytes() }

    static let smInfoOffset = 4

    public enum Fields {
        public static let lid = Field("LID", byte: 0, width: 16)
        public static let reserved = Field("Reserved", byte: 2, width: 16, .reserved)
        /// SMInfo's components, named "SMInfo.<name>".
        public static let smInfo: [Field] = SMInfo.layout.fields(embeddedAt: smInfoOffset, prefix: "SMInfo")
    }

    /// 25 bytes; a GetTable response pads each record to AttributeOffset × 8 bytes.
    public static let layout = WireLayout(
        name: "SMInfoRecord", byteCount: 25, specReference: "IBA 15.2.5.10",
        fields: [Fields.lid, Fields.reserved] + Fields.smInfo)

    public var lid: UInt16 { get { read(Fields.lid) } set { write(Fields.lid, newValue) } }
    public var smInfo: SMInfo {
        get { recordPart(at: Self.smInfoOffset) }
        set { setRecordPart(newValue, at: Self.smInfoOffset) }
    }

    /// SMInfoRecord components (opensm's IB_SMIR_COMPMASK_*).
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let lid = ComponentMask(rawValue: 1 << 0)
        public static let reserved = ComponentMask(rawValue: 1 << 1)
        public static let guid = ComponentMask(rawValue: 1 << 2)
        public static let smKey = ComponentMask(rawValue: 1 << 3)
        public static let actCount = ComponentMask(rawValue: 1 << 4)
        public static let priority = ComponentMask(rawValue: 1 << 5)
        public static let smState = ComponentMask(rawValue: 1 << 6)
    }
}
