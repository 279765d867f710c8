/// SwitchInfo (IBA 14.2.5.4): a switch's forwarding-table sizes, defaults and enforcement
/// capabilities. 20 bytes; the rest of the SMP data area is reserved.
public struct SwitchInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.switchInfo
    public var raw: FixedBytes<20>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let linearFDBCap = Field("LinearFDBCap", byte: 0, width: 16)
        public static let randomFDBCap = Field("RandomFDBCap", byte: 2, width: 16)
        public static let multicastFDBCap = Field("MulticastFDBCap", byte: 4, width: 16)
        public static let linearFDBTop = Field("LinearFDBTop", byte: 6, width: 16)
        public static let defaultPort = Field("DefaultPort", byte: 8, width: 8)
        public static let defaultMulticastPrimaryPort = Field("DefaultMulticastPrimaryPort", byte: 9, width: 8)
        public static let defaultMulticastNotPrimaryPort = Field("DefaultMulticastNotPrimaryPort", byte: 10, width: 8)
        public static let lifeTimeValue = Field("LifeTimeValue", byte: 11, bit: 0, width: 5)
        public static let portStateChange = Field("PortStateChange", byte: 11, bit: 5, width: 1, .flag)
        public static let optimizedSLtoVLMappingProgramming = Field("OptimizedSLtoVLMappingProgramming", byte: 11, bit: 6, width: 2)
        public static let lidsPerPort = Field("LIDsPerPort", byte: 12, width: 16)
        public static let partitionEnforcementCap = Field("PartitionEnforcementCap", byte: 14, width: 16)
        public static let inboundEnforcementCap = Field("InboundEnforcementCap", byte: 16, bit: 0, width: 1, .flag)
        public static let outboundEnforcementCap = Field("OutboundEnforcementCap", byte: 16, bit: 1, width: 1, .flag)
        public static let filterRawInboundCap = Field("FilterRawInboundCap", byte: 16, bit: 2, width: 1, .flag)
        public static let filterRawOutboundCap = Field("FilterRawOutboundCap", byte: 16, bit: 3, width: 1, .flag)
        public static let enhancedPort0 = Field("EnhancedPort0", byte: 16, bit: 4, width: 1, .flag)
        public static let reserved133 = Field("Reserved", byte: 16, bit: 5, width: 11, .reserved)
        /// IBA 1.2.1+: the highest MLID in use (0 = use MulticastFDBCap).
        public static let multicastFDBTop = Field("MulticastFDBTop", byte: 18, width: 16, .hex)
    }

    public static let layout = WireLayout(
        name: "SwitchInfo", byteCount: 20, specReference: "IBA 14.2.5.4",
        fields: [
            Fields.linearFDBCap, Fields.randomFDBCap, Fields.multicastFDBCap, Fields.linearFDBTop,
            Fields.defaultPort, Fields.defaultMulticastPrimaryPort, Fields.defaultMulticastNotPrimaryPort,
            Fields.lifeTimeValue, Fields.portStateChange, Fields.optimizedSLtoVLMappingProgramming,
            Fields.lidsPerPort, Fields.partitionEnforcementCap, Fields.inboundEnforcementCap,
            Fields.outboundEnforcementCap, Fields.filterRawInboundCap, Fields.filterRawOutboundCap,
            Fields.enhancedPort0, Fields.reserved133, Fields.multicastFDBTop,
        ])

    public var linearFDBCap: UInt16 { get { read(Fields.linearFDBCap) } set { write(Fields.linearFDBCap, newValue) } }
    public var randomFDBCap: UInt16 { get { read(Fields.randomFDBCap) } set { write(Fields.randomFDBCap, newValue) } }
    public var multicastFDBCap: UInt16 { get { read(Fields.multicastFDBCap) } set { write(Fields.multicastFDBCap, newValue) } }
    public var linearFDBTop: UInt16 { get { read(Fields.linearFDBTop) } set { write(Fields.linearFDBTop, newValue) } }
    public var defaultPort: UInt8 { get { read(Fields.defaultPort) } set { write(Fields.defaultPort, newValue) } }
    public var defaultMulticastPrimaryPort: UInt8 {
        get { read(Fields.defaultMulticastPrimaryPort) }
        set { write(Fields.defaultMulticastPrimaryPort, newValue) }
    }
    public var defaultMulticastNotPrimaryPort: UInt8 {
        get { read(Fields.defaultMulticastNotPrimaryPort) }
        set { write(Fields.defaultMulticastNotPrimaryPort, newValue) }
    }
    /// Packet lifetime in a switch: 4.096 µs × 2^LifeTimeValue (values over 19: infinite).
    public var lifeTimeValue: UInt8 { get { read(Fields.lifeTimeValue) } set { write(Fields.lifeTimeValue, newValue) } }
    /// Set by the switch when any port changes state; an SM clears it by writing 1 (IBA 14.2.5.4).
    public var portStateChange: Bool { get { flag(Fields.portStateChange) } set { setFlag(Fields.portStateChange, newValue) } }
    public var optimizedSLtoVLMappingProgramming: UInt8 {
        get { read(Fields.optimizedSLtoVLMappingProgramming) }
        set { write(Fields.optimizedSLtoVLMappingProgramming, newValue) }
    }
    public var lidsPerPort: UInt16 { get { read(Fields.lidsPerPort) } set { write(Fields.lidsPerPort, newValue) } }
    public var partitionEnforcementCap: UInt16 {
        get { read(Fields.partitionEnforcementCap) }
        set { write(Fields.partitionEnforcementCap, newValue) }
    }
    public var inboundEnforcementCap: Bool { get { flag(Fields.inboundEnforcementCap) } set { setFlag(Fields.inboundEnforcementCap, newValue) } }
    public var outboundEnforcementCap: Bool { get { flag(Fields.outboundEnforcementCap) } set { setFlag(Fields.outboundEnforcementCap, newValue) } }
    public var filterRawInboundCap: Bool { get { flag(Fields.filterRawInboundCap) } set { setFlag(Fields.filterRawInboundCap, newValue) } }
    public var filterRawOutboundCap: Bool { get { flag(Fields.filterRawOutboundCap) } set { setFlag(Fields.filterRawOutboundCap, newValue) } }
    public var enhancedPort0: Bool { get { flag(Fields.enhancedPort0) } set { setFlag(Fields.enhancedPort0, newValue) } }
    public var multicastFDBTop: UInt16 { get { read(Fields.multicastFDBTop) } set { write(Fields.multicastFDBTop, newValue) } }
}
