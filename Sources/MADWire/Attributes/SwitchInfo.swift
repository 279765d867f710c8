/// SwitchInfo (IBA 14.2.5.4): a switch's forwarding-table sizes, defaults and enforcement
/// capabilities. 20 bytes; the rest of the SMP data area is reserved.
public struct SwitchInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.switchInfo
    public var raw: FixedBytes<20>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let linearFDBCap = Field("LinearFDBCap", bits: Bits.linearFDBCap, .decimal)
        public static let randomFDBCap = Field("RandomFDBCap", bits: Bits.randomFDBCap, .decimal)
        public static let multicastFDBCap = Field("MulticastFDBCap", bits: Bits.multicastFDBCap, .decimal)
        public static let linearFDBTop = Field("LinearFDBTop", bits: Bits.linearFDBTop, .decimal)
        public static let defaultPort = Field("DefaultPort", bits: Bits.defaultPort, .decimal)
        public static let defaultMulticastPrimaryPort = Field("DefaultMulticastPrimaryPort", bits: Bits.defaultMulticastPrimaryPort, .decimal)
        public static let defaultMulticastNotPrimaryPort = Field("DefaultMulticastNotPrimaryPort", bits: Bits.defaultMulticastNotPrimaryPort, .decimal)
        public static let lifeTimeValue = Field("LifeTimeValue", bits: Bits.lifeTimeValue, .decimal)
        public static let portStateChange = Field("PortStateChange", bits: Bits.portStateChange, .flag)
        public static let optimizedSLtoVLMappingProgramming = Field("OptimizedSLtoVLMappingProgramming", bits: Bits.optimizedSLtoVLMappingProgramming, .decimal)
        public static let lidsPerPort = Field("LIDsPerPort", bits: Bits.lidsPerPort, .decimal)
        public static let partitionEnforcementCap = Field("PartitionEnforcementCap", bits: Bits.partitionEnforcementCap, .decimal)
        public static let inboundEnforcementCap = Field("InboundEnforcementCap", bits: Bits.inboundEnforcementCap, .flag)
        public static let outboundEnforcementCap = Field("OutboundEnforcementCap", bits: Bits.outboundEnforcementCap, .flag)
        public static let filterRawInboundCap = Field("FilterRawInboundCap", bits: Bits.filterRawInboundCap, .flag)
        public static let filterRawOutboundCap = Field("FilterRawOutboundCap", bits: Bits.filterRawOutboundCap, .flag)
        public static let enhancedPort0 = Field("EnhancedPort0", bits: Bits.enhancedPort0, .flag)
        public static let reserved133 = Field("Reserved", bits: Bits.reserved133, .reserved)
        /// IBA 1.2.1+: the highest MLID in use (0 = use MulticastFDBCap).
        public static let multicastFDBTop = Field("MulticastFDBTop", bits: Bits.multicastFDBTop, .hex)
    }

    /// Where each field lives: the table above and the accessors below both take it
    /// from here, so an accessor compiles to a load at a fixed offset.
    @usableFromInline enum Bits {
        @inlinable static var linearFDBCap: BitField { BitField(byte: 0, width: 16) }
        @inlinable static var randomFDBCap: BitField { BitField(byte: 2, width: 16) }
        @inlinable static var multicastFDBCap: BitField { BitField(byte: 4, width: 16) }
        @inlinable static var linearFDBTop: BitField { BitField(byte: 6, width: 16) }
        @inlinable static var defaultPort: BitField { BitField(byte: 8, width: 8) }
        @inlinable static var defaultMulticastPrimaryPort: BitField { BitField(byte: 9, width: 8) }
        @inlinable static var defaultMulticastNotPrimaryPort: BitField { BitField(byte: 10, width: 8) }
        @inlinable static var lifeTimeValue: BitField { BitField(byte: 11, bit: 0, width: 5) }
        @inlinable static var portStateChange: BitField { BitField(byte: 11, bit: 5, width: 1) }
        @inlinable static var optimizedSLtoVLMappingProgramming: BitField { BitField(byte: 11, bit: 6, width: 2) }
        @inlinable static var lidsPerPort: BitField { BitField(byte: 12, width: 16) }
        @inlinable static var partitionEnforcementCap: BitField { BitField(byte: 14, width: 16) }
        @inlinable static var inboundEnforcementCap: BitField { BitField(byte: 16, bit: 0, width: 1) }
        @inlinable static var outboundEnforcementCap: BitField { BitField(byte: 16, bit: 1, width: 1) }
        @inlinable static var filterRawInboundCap: BitField { BitField(byte: 16, bit: 2, width: 1) }
        @inlinable static var filterRawOutboundCap: BitField { BitField(byte: 16, bit: 3, width: 1) }
        @inlinable static var enhancedPort0: BitField { BitField(byte: 16, bit: 4, width: 1) }
        @inlinable static var reserved133: BitField { BitField(byte: 16, bit: 5, width: 11) }
        @inlinable static var multicastFDBTop: BitField { BitField(byte: 18, width: 16) }
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

    @inlinable public var linearFDBCap: UInt16 { get { read(Bits.linearFDBCap) } set { write(Bits.linearFDBCap, newValue) } }
    @inlinable public var randomFDBCap: UInt16 { get { read(Bits.randomFDBCap) } set { write(Bits.randomFDBCap, newValue) } }
    @inlinable public var multicastFDBCap: UInt16 { get { read(Bits.multicastFDBCap) } set { write(Bits.multicastFDBCap, newValue) } }
    @inlinable public var linearFDBTop: UInt16 { get { read(Bits.linearFDBTop) } set { write(Bits.linearFDBTop, newValue) } }
    @inlinable public var defaultPort: UInt8 { get { read(Bits.defaultPort) } set { write(Bits.defaultPort, newValue) } }
    @inlinable public var defaultMulticastPrimaryPort: UInt8 {
        get { read(Bits.defaultMulticastPrimaryPort) }
        set { write(Bits.defaultMulticastPrimaryPort, newValue) }
    }
    @inlinable public var defaultMulticastNotPrimaryPort: UInt8 {
        get { read(Bits.defaultMulticastNotPrimaryPort) }
        set { write(Bits.defaultMulticastNotPrimaryPort, newValue) }
    }
    /// Packet lifetime in a switch: 4.096 µs × 2^LifeTimeValue (values over 19: infinite).
    @inlinable public var lifeTimeValue: UInt8 { get { read(Bits.lifeTimeValue) } set { write(Bits.lifeTimeValue, newValue) } }
    /// Set by the switch when any port changes state; an SM clears it by writing 1 (IBA 14.2.5.4).
    @inlinable public var portStateChange: Bool { get { flag(Bits.portStateChange) } set { setFlag(Bits.portStateChange, newValue) } }
    @inlinable public var optimizedSLtoVLMappingProgramming: UInt8 {
        get { read(Bits.optimizedSLtoVLMappingProgramming) }
        set { write(Bits.optimizedSLtoVLMappingProgramming, newValue) }
    }
    @inlinable public var lidsPerPort: UInt16 { get { read(Bits.lidsPerPort) } set { write(Bits.lidsPerPort, newValue) } }
    @inlinable public var partitionEnforcementCap: UInt16 {
        get { read(Bits.partitionEnforcementCap) }
        set { write(Bits.partitionEnforcementCap, newValue) }
    }
    @inlinable public var inboundEnforcementCap: Bool { get { flag(Bits.inboundEnforcementCap) } set { setFlag(Bits.inboundEnforcementCap, newValue) } }
    @inlinable public var outboundEnforcementCap: Bool { get { flag(Bits.outboundEnforcementCap) } set { setFlag(Bits.outboundEnforcementCap, newValue) } }
    @inlinable public var filterRawInboundCap: Bool { get { flag(Bits.filterRawInboundCap) } set { setFlag(Bits.filterRawInboundCap, newValue) } }
    @inlinable public var filterRawOutboundCap: Bool { get { flag(Bits.filterRawOutboundCap) } set { setFlag(Bits.filterRawOutboundCap, newValue) } }
    @inlinable public var enhancedPort0: Bool { get { flag(Bits.enhancedPort0) } set { setFlag(Bits.enhancedPort0, newValue) } }
    @inlinable public var multicastFDBTop: UInt16 { get { read(Bits.multicastFDBTop) } set { write(Bits.multicastFDBTop, newValue) } }
}
