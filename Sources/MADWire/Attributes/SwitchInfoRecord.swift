/// SwitchInfoRecord (IBA 15.2.5.5): the SwitchInfo of the switch at LID.
public struct SwitchInfoRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.switchInfoRecord
    public var raw: FixedBytes<24>
    public init() { raw = FixedBytes() }

    static let switchInfoOffset = 4

    public enum Fields {
        public static let lid = Field("LID", byte: 0, width: 16)
        public static let reserved = Field("Reserved", byte: 2, width: 16, .reserved)
        /// SwitchInfo's components, named "SwitchInfo.<name>".
        public static let switchInfo: [Field] = SwitchInfo.layout.fields(embeddedAt: switchInfoOffset, prefix: "SwitchInfo")
    }

    public static let layout = WireLayout(
        name: "SwitchInfoRecord", byteCount: 24, specReference: "IBA 15.2.5.5",
        fields: [Fields.lid, Fields.reserved] + Fields.switchInfo)

    public var lid: UInt16 { get { read(Fields.lid) } set { write(Fields.lid, newValue) } }
    public var switchInfo: SwitchInfo {
        get { recordPart(at: Self.switchInfoOffset) }
        set { setRecordPart(newValue, at: Self.switchInfoOffset) }
    }

    /// SwitchInfoRecord components: LID, Reserved, then SwitchInfo's components in IBA order
    /// (opensm names only the first two, IB_SWIR_COMPMASK_*).
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let lid = ComponentMask(rawValue: 1 << 0)
        public static let reserved = ComponentMask(rawValue: 1 << 1)
        public static let linearFDBCap = ComponentMask(rawValue: 1 << 2)
        public static let randomFDBCap = ComponentMask(rawValue: 1 << 3)
        public static let multicastFDBCap = ComponentMask(rawValue: 1 << 4)
        public static let linearFDBTop = ComponentMask(rawValue: 1 << 5)
        public static let defaultPort = ComponentMask(rawValue: 1 << 6)
        public static let defaultMulticastPrimaryPort = ComponentMask(rawValue: 1 << 7)
        public static let defaultMulticastNotPrimaryPort = ComponentMask(rawValue: 1 << 8)
        public static let lifeTimeValue = ComponentMask(rawValue: 1 << 9)
        public static let portStateChange = ComponentMask(rawValue: 1 << 10)
        public static let optimizedSLtoVLMappingProgramming = ComponentMask(rawValue: 1 << 11)
        public static let lidsPerPort = ComponentMask(rawValue: 1 << 12)
        public static let partitionEnforcementCap = ComponentMask(rawValue: 1 << 13)
        public static let inboundEnforcementCap = ComponentMask(rawValue: 1 << 14)
        public static let outboundEnforcementCap = ComponentMask(rawValue: 1 << 15)
        public static let filterRawInboundCap = ComponentMask(rawValue: 1 << 16)
        public static let filterRawOutboundCap = ComponentMask(rawValue: 1 << 17)
        public static let enhancedPort0 = ComponentMask(rawValue: 1 << 18)
        public static let switchInfoReserved = ComponentMask(rawValue: 1 << 19)
        public static let multicastFDBTop = ComponentMask(rawValue: 1 << 20)
    }
}
