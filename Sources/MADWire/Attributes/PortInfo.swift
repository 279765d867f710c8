/// PortInfo (IBA 14.2.5.6): one port's addresses, link state, speeds, VLs and error counts.
/// The attribute modifier selects the port (0 for a switch's management port or the port
/// the SMP arrived on). 64 bytes, the whole SMP data area.
public struct PortInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.portInfo
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let mKey = Field("M_Key", bits: Bits.mKey, .hex)
        public static let gidPrefix = Field("GidPrefix", bits: Bits.gidPrefix, .hex)
        public static let lid = Field("LID", bits: Bits.lid, .decimal)
        public static let masterSMLID = Field("MasterSMLID", bits: Bits.masterSMLID, .decimal)
        public static let capabilityMask = Field("CapabilityMask", bits: Bits.capabilityMask, .bitmask(PortCapabilities.names))
        public static let diagCode = Field("DiagCode", bits: Bits.diagCode, .hex)
        public static let mKeyLeasePeriod = Field("M_KeyLeasePeriod", bits: Bits.mKeyLeasePeriod, .decimal)
        public static let localPortNumber = Field("LocalPortNum", bits: Bits.localPortNumber, .decimal)
        public static let linkWidthEnabled = Field("LinkWidthEnabled", bits: Bits.linkWidthEnabled, .bitmask(LinkWidth.names))
        public static let linkWidthSupported = Field("LinkWidthSupported", bits: Bits.linkWidthSupported, .bitmask(LinkWidth.names))
        public static let linkWidthActive = Field("LinkWidthActive", bits: Bits.linkWidthActive, .enumerated(LinkWidth.names))
        public static let linkSpeedSupported = Field("LinkSpeedSupported", bits: Bits.linkSpeedSupported, .bitmask(LinkSpeed.names))
        public static let portState = Field("PortState", bits: Bits.portState, .enumerated(PortState.names))
        public static let portPhysicalState = Field("PortPhysicalState", bits: Bits.portPhysicalState, .enumerated(PhysicalPortState.names))
        public static let linkDownDefaultState = Field("LinkDownDefaultState", bits: Bits.linkDownDefaultState, .enumerated(LinkDownDefaultState.names))
        public static let mKeyProtectBits = Field("M_KeyProtectBits", bits: Bits.mKeyProtectBits, .decimal)
        public static let reserved274 = Field("Reserved274", bits: Bits.reserved274, .reserved)
        public static let lmc = Field("LMC", bits: Bits.lmc, .decimal)
        public static let linkSpeedActive = Field("LinkSpeedActive", bits: Bits.linkSpeedActive, .enumerated(LinkSpeed.activeNames))
        public static let linkSpeedEnabled = Field("LinkSpeedEnabled", bits: Bits.linkSpeedEnabled, .bitmask(LinkSpeed.names))
        public static let neighborMTU = Field("NeighborMTU", bits: Bits.neighborMTU, .enumerated(MTU.names))
        public static let masterSMSL = Field("MasterSMSL", bits: Bits.masterSMSL, .decimal)
        public static let vlCap = Field("VLCap", bits: Bits.vlCap, .enumerated(VirtualLanes.names))
        public static let initType = Field("InitType", bits: Bits.initType, .hex)
        public static let vlHighLimit = Field("VLHighLimit", bits: Bits.vlHighLimit, .decimal)
        public static let vlArbitrationHighCap = Field("VLArbitrationHighCap", bits: Bits.vlArbitrationHighCap, .decimal)
        public static let vlArbitrationLowCap = Field("VLArbitrationLowCap", bits: Bits.vlArbitrationLowCap, .decimal)
        public static let initTypeReply = Field("InitTypeReply", bits: Bits.initTypeReply, .hex)
        public static let mtuCap = Field("MTUCap", bits: Bits.mtuCap, .enumerated(MTU.names))
        public static let vlStallCount = Field("VLStallCount", bits: Bits.vlStallCount, .decimal)
        public static let hoqLife = Field("HOQLife", bits: Bits.hoqLife, .decimal)
        public static let operationalVLs = Field("OperationalVLs", bits: Bits.operationalVLs, .enumerated(VirtualLanes.operationalNames))
        public static let partitionEnforcementInbound = Field("PartitionEnforcementInbound", bits: Bits.partitionEnforcementInbound, .flag)
        public static let partitionEnforcementOutbound = Field("PartitionEnforcementOutbound", bits: Bits.partitionEnforcementOutbound, .flag)
        public static let filterRawInbound = Field("FilterRawInbound", bits: Bits.filterRawInbound, .flag)
        public static let filterRawOutbound = Field("FilterRawOutbound", bits: Bits.filterRawOutbound, .flag)
        public static let mKeyViolations = Field("M_KeyViolations", bits: Bits.mKeyViolations, .decimal)
        public static let pKeyViolations = Field("P_KeyViolations", bits: Bits.pKeyViolations, .decimal)
        public static let qKeyViolations = Field("Q_KeyViolations", bits: Bits.qKeyViolations, .decimal)
        public static let guidCap = Field("GUIDCap", bits: Bits.guidCap, .decimal)
        public static let clientReregister = Field("ClientReregister", bits: Bits.clientReregister, .flag)
        public static let multicastPKeyTrapSuppressionEnabled = Field("MulticastPKeyTrapSuppressionEnabled", bits: Bits.multicastPKeyTrapSuppressionEnabled, .decimal)
        public static let subnetTimeout = Field("SubnetTimeOut", bits: Bits.subnetTimeout, .decimal)
        public static let reserved416 = Field("Reserved416", bits: Bits.reserved416, .reserved)
        public static let respTimeValue = Field("RespTimeValue", bits: Bits.respTimeValue, .decimal)
        public static let localPhyErrors = Field("LocalPhyErrors", bits: Bits.localPhyErrors, .decimal)
        public static let overrunErrors = Field("OverrunErrors", bits: Bits.overrunErrors, .decimal)
        public static let maxCreditHint = Field("MaxCreditHint", bits: Bits.maxCreditHint, .decimal)
        // Byte 56 was reserved through IBA 1.6; XDR (IBA 1.7) puts LinkSpeedExt*2 in its low
        // 7 bits, as rdma-core's libibmad reads them (newer than the installed libibmad 44).
        public static let reserved448 = Field("Reserved448", bits: Bits.reserved448, .reserved)
        public static let linkSpeedExtActive2 = Field("LinkSpeedExtActive2", bits: Bits.linkSpeedExtActive2, .enumerated(LinkSpeedExtended2.activeNames))
        public static let linkSpeedExtSupported2 = Field("LinkSpeedExtSupported2", bits: Bits.linkSpeedExtSupported2, .bitmask(LinkSpeedExtended2.names))
        public static let linkSpeedExtEnabled2 = Field("LinkSpeedExtEnabled2", bits: Bits.linkSpeedExtEnabled2, .bitmask(LinkSpeedExtended2.names))
        public static let linkRoundTripLatency = Field("LinkRoundTripLatency", bits: Bits.linkRoundTripLatency, .decimal)
        public static let capabilityMask2 = Field("CapabilityMask2", bits: Bits.capabilityMask2, .bitmask(PortCapabilities2.names))
        public static let linkSpeedExtActive = Field("LinkSpeedExtActive", bits: Bits.linkSpeedExtActive, .enumerated(LinkSpeedExtended.activeNames))
        public static let linkSpeedExtSupported = Field("LinkSpeedExtSupported", bits: Bits.linkSpeedExtSupported, .bitmask(LinkSpeedExtended.names))
        public static let reserved504 = Field("Reserved504", bits: Bits.reserved504, .reserved)
        public static let linkSpeedExtEnabled = Field("LinkSpeedExtEnabled", bits: Bits.linkSpeedExtEnabled, .bitmask(LinkSpeedExtended.names))
    }

    /// Where each field lives: the table above and the accessors below both take it
    /// from here, so an accessor compiles to a load at a fixed offset.
    @usableFromInline enum Bits {
        @inlinable static var mKey: BitField { BitField(byte: 0, width: 64) }
        @inlinable static var gidPrefix: BitField { BitField(byte: 8, width: 64) }
        @inlinable static var lid: BitField { BitField(byte: 16, width: 16) }
        @inlinable static var masterSMLID: BitField { BitField(byte: 18, width: 16) }
        @inlinable static var capabilityMask: BitField { BitField(byte: 20, width: 32) }
        @inlinable static var diagCode: BitField { BitField(byte: 24, width: 16) }
        @inlinable static var mKeyLeasePeriod: BitField { BitField(byte: 26, width: 16) }
        @inlinable static var localPortNumber: BitField { BitField(byte: 28, width: 8) }
        @inlinable static var linkWidthEnabled: BitField { BitField(byte: 29, width: 8) }
        @inlinable static var linkWidthSupported: BitField { BitField(byte: 30, width: 8) }
        @inlinable static var linkWidthActive: BitField { BitField(byte: 31, width: 8) }
        @inlinable static var linkSpeedSupported: BitField { BitField(byte: 32, bit: 0, width: 4) }
        @inlinable static var portState: BitField { BitField(byte: 32, bit: 4, width: 4) }
        @inlinable static var portPhysicalState: BitField { BitField(byte: 33, bit: 0, width: 4) }
        @inlinable static var linkDownDefaultState: BitField { BitField(byte: 33, bit: 4, width: 4) }
        @inlinable static var mKeyProtectBits: BitField { BitField(byte: 34, bit: 0, width: 2) }
        @inlinable static var reserved274: BitField { BitField(byte: 34, bit: 2, width: 3) }
        @inlinable static var lmc: BitField { BitField(byte: 34, bit: 5, width: 3) }
        @inlinable static var linkSpeedActive: BitField { BitField(byte: 35, bit: 0, width: 4) }
        @inlinable static var linkSpeedEnabled: BitField { BitField(byte: 35, bit: 4, width: 4) }
        @inlinable static var neighborMTU: BitField { BitField(byte: 36, bit: 0, width: 4) }
        @inlinable static var masterSMSL: BitField { BitField(byte: 36, bit: 4, width: 4) }
        @inlinable static var vlCap: BitField { BitField(byte: 37, bit: 0, width: 4) }
        @inlinable static var initType: BitField { BitField(byte: 37, bit: 4, width: 4) }
        @inlinable static var vlHighLimit: BitField { BitField(byte: 38, width: 8) }
        @inlinable static var vlArbitrationHighCap: BitField { BitField(byte: 39, width: 8) }
        @inlinable static var vlArbitrationLowCap: BitField { BitField(byte: 40, width: 8) }
        @inlinable static var initTypeReply: BitField { BitField(byte: 41, bit: 0, width: 4) }
        @inlinable static var mtuCap: BitField { BitField(byte: 41, bit: 4, width: 4) }
        @inlinable static var vlStallCount: BitField { BitField(byte: 42, bit: 0, width: 3) }
        @inlinable static var hoqLife: BitField { BitField(byte: 42, bit: 3, width: 5) }
        @inlinable static var operationalVLs: BitField { BitField(byte: 43, bit: 0, width: 4) }
        @inlinable static var partitionEnforcementInbound: BitField { BitField(byte: 43, bit: 4, width: 1) }
        @inlinable static var partitionEnforcementOutbound: BitField { BitField(byte: 43, bit: 5, width: 1) }
        @inlinable static var filterRawInbound: BitField { BitField(byte: 43, bit: 6, width: 1) }
        @inlinable static var filterRawOutbound: BitField { BitField(byte: 43, bit: 7, width: 1) }
        @inlinable static var mKeyViolations: BitField { BitField(byte: 44, width: 16) }
        @inlinable static var pKeyViolations: BitField { BitField(byte: 46, width: 16) }
        @inlinable static var qKeyViolations: BitField { BitField(byte: 48, width: 16) }
        @inlinable static var guidCap: BitField { BitField(byte: 50, width: 8) }
        @inlinable static var clientReregister: BitField { BitField(byte: 51, bit: 0, width: 1) }
        @inlinable static var multicastPKeyTrapSuppressionEnabled: BitField { BitField(byte: 51, bit: 1, width: 2) }
        @inlinable static var subnetTimeout: BitField { BitField(byte: 51, bit: 3, width: 5) }
        @inlinable static var reserved416: BitField { BitField(byte: 52, bit: 0, width: 3) }
        @inlinable static var respTimeValue: BitField { BitField(byte: 52, bit: 3, width: 5) }
        @inlinable static var localPhyErrors: BitField { BitField(byte: 53, bit: 0, width: 4) }
        @inlinable static var overrunErrors: BitField { BitField(byte: 53, bit: 4, width: 4) }
        @inlinable static var maxCreditHint: BitField { BitField(byte: 54, width: 16) }
        @inlinable static var reserved448: BitField { BitField(byte: 56, bit: 0, width: 1) }
        @inlinable static var linkSpeedExtActive2: BitField { BitField(byte: 56, bit: 1, width: 2) }
        @inlinable static var linkSpeedExtSupported2: BitField { BitField(byte: 56, bit: 3, width: 2) }
        @inlinable static var linkSpeedExtEnabled2: BitField { BitField(byte: 56, bit: 5, width: 3) }
        @inlinable static var linkRoundTripLatency: BitField { BitField(byte: 57, width: 24) }
        @inlinable static var capabilityMask2: BitField { BitField(byte: 60, width: 16) }
        @inlinable static var linkSpeedExtActive: BitField { BitField(byte: 62, bit: 0, width: 4) }
        @inlinable static var linkSpeedExtSupported: BitField { BitField(byte: 62, bit: 4, width: 4) }
        @inlinable static var reserved504: BitField { BitField(byte: 63, bit: 0, width: 3) }
        @inlinable static var linkSpeedExtEnabled: BitField { BitField(byte: 63, bit: 3, width: 5) }
    }

    public static let layout = WireLayout(
        name: "PortInfo", byteCount: 64, specReference: "IBA 14.2.5.6",
        fields: [
            Fields.mKey, Fields.gidPrefix, Fields.lid, Fields.masterSMLID, Fields.capabilityMask,
            Fields.diagCode, Fields.mKeyLeasePeriod, Fields.localPortNumber, Fields.linkWidthEnabled,
            Fields.linkWidthSupported, Fields.linkWidthActive, Fields.linkSpeedSupported, Fields.portState,
            Fields.portPhysicalState, Fields.linkDownDefaultState, Fields.mKeyProtectBits, Fields.reserved274,
            Fields.lmc, Fields.linkSpeedActive, Fields.linkSpeedEnabled, Fields.neighborMTU, Fields.masterSMSL,
            Fields.vlCap, Fields.initType, Fields.vlHighLimit, Fields.vlArbitrationHighCap,
            Fields.vlArbitrationLowCap, Fields.initTypeReply, Fields.mtuCap, Fields.vlStallCount, Fields.hoqLife,
            Fields.operationalVLs, Fields.partitionEnforcementInbound, Fields.partitionEnforcementOutbound,
            Fields.filterRawInbound, Fields.filterRawOutbound, Fields.mKeyViolations, Fields.pKeyViolations,
            Fields.qKeyViolations, Fields.guidCap, Fields.clientReregister,
            Fields.multicastPKeyTrapSuppressionEnabled, Fields.subnetTimeout, Fields.reserved416,
            Fields.respTimeValue, Fields.localPhyErrors, Fields.overrunErrors, Fields.maxCreditHint,
            Fields.reserved448, Fields.linkSpeedExtActive2, Fields.linkSpeedExtSupported2,
            Fields.linkSpeedExtEnabled2, Fields.linkRoundTripLatency, Fields.capabilityMask2,
            Fields.linkSpeedExtActive, Fields.linkSpeedExtSupported, Fields.reserved504, Fields.linkSpeedExtEnabled,
        ])

    @inlinable public var mKey: UInt64 { get { read(Bits.mKey) } set { write(Bits.mKey, newValue) } }
    @inlinable public var gidPrefix: UInt64 { get { read(Bits.gidPrefix) } set { write(Bits.gidPrefix, newValue) } }
    @inlinable public var lid: UInt16 { get { read(Bits.lid) } set { write(Bits.lid, newValue) } }
    @inlinable public var masterSMLID: UInt16 { get { read(Bits.masterSMLID) } set { write(Bits.masterSMLID, newValue) } }
    @inlinable public var capabilityMask: PortCapabilities {
        get { PortCapabilities(rawValue: read(Bits.capabilityMask)) }
        set { write(Bits.capabilityMask, newValue.rawValue) }
    }
    @inlinable public var diagCode: UInt16 { get { read(Bits.diagCode) } set { write(Bits.diagCode, newValue) } }
    /// Seconds the M_Key protection lasts after a violation; 0 = forever.
    @inlinable public var mKeyLeasePeriod: UInt16 { get { read(Bits.mKeyLeasePeriod) } set { write(Bits.mKeyLeasePeriod, newValue) } }
    @inlinable public var localPortNumber: UInt8 { get { read(Bits.localPortNumber) } set { write(Bits.localPortNumber, newValue) } }
    @inlinable public var linkWidthEnabled: LinkWidth {
        get { LinkWidth(rawValue: read(Bits.linkWidthEnabled)) }
        set { write(Bits.linkWidthEnabled, newValue.rawValue) }
    }
    @inlinable public var linkWidthSupported: LinkWidth {
        get { LinkWidth(rawValue: read(Bits.linkWidthSupported)) }
        set { write(Bits.linkWidthSupported, newValue.rawValue) }
    }
    @inlinable public var linkWidthActive: LinkWidth {
        get { LinkWidth(rawValue: read(Bits.linkWidthActive)) }
        set { write(Bits.linkWidthActive, newValue.rawValue) }
    }
    @inlinable public var linkSpeedSupported: LinkSpeed {
        get { LinkSpeed(rawValue: read(Bits.linkSpeedSupported)) }
        set { write(Bits.linkSpeedSupported, newValue.rawValue) }
    }
    @inlinable public var portState: PortState {
        get { PortState(rawValue: read(Bits.portState)) }
        set { write(Bits.portState, newValue.rawValue) }
    }
    @inlinable public var portPhysicalState: PhysicalPortState {
        get { PhysicalPortState(rawValue: read(Bits.portPhysicalState)) }
        set { write(Bits.portPhysicalState, newValue.rawValue) }
    }
    @inlinable public var linkDownDefaultState: LinkDownDefaultState {
        get { LinkDownDefaultState(rawValue: read(Bits.linkDownDefaultState)) }
        set { write(Bits.linkDownDefaultState, newValue.rawValue) }
    }
    @inlinable public var mKeyProtectBits: UInt8 { get { read(Bits.mKeyProtectBits) } set { write(Bits.mKeyProtectBits, newValue) } }
    @inlinable public var lmc: UInt8 { get { read(Bits.lmc) } set { write(Bits.lmc, newValue) } }
    @inlinable public var linkSpeedActive: LinkSpeed {
        get { LinkSpeed(rawValue: read(Bits.linkSpeedActive)) }
        set { write(Bits.linkSpeedActive, newValue.rawValue) }
    }
    @inlinable public var linkSpeedEnabled: LinkSpeed {
        get { LinkSpeed(rawValue: read(Bits.linkSpeedEnabled)) }
        set { write(Bits.linkSpeedEnabled, newValue.rawValue) }
    }
    @inlinable public var neighborMTU: MTU { get { MTU(rawValue: read(Bits.neighborMTU)) } set { write(Bits.neighborMTU, newValue.rawValue) } }
    @inlinable public var masterSMSL: UInt8 { get { read(Bits.masterSMSL) } set { write(Bits.masterSMSL, newValue) } }
    @inlinable public var vlCap: VirtualLanes { get { VirtualLanes(rawValue: read(Bits.vlCap)) } set { write(Bits.vlCap, newValue.rawValue) } }
    @inlinable public var initType: UInt8 { get { read(Bits.initType) } set { write(Bits.initType, newValue) } }
    @inlinable public var vlHighLimit: UInt8 { get { read(Bits.vlHighLimit) } set { write(Bits.vlHighLimit, newValue) } }
    @inlinable public var vlArbitrationHighCap: UInt8 { get { read(Bits.vlArbitrationHighCap) } set { write(Bits.vlArbitrationHighCap, newValue) } }
    @inlinable public var vlArbitrationLowCap: UInt8 { get { read(Bits.vlArbitrationLowCap) } set { write(Bits.vlArbitrationLowCap, newValue) } }
    @inlinable public var initTypeReply: UInt8 { get { read(Bits.initTypeReply) } set { write(Bits.initTypeReply, newValue) } }
    @inlinable public var mtuCap: MTU { get { MTU(rawValue: read(Bits.mtuCap)) } set { write(Bits.mtuCap, newValue.rawValue) } }
    @inlinable public var vlStallCount: UInt8 { get { read(Bits.vlStallCount) } set { write(Bits.vlStallCount, newValue) } }
    @inlinable public var hoqLife: UInt8 { get { read(Bits.hoqLife) } set { write(Bits.hoqLife, newValue) } }
    @inlinable public var operationalVLs: VirtualLanes {
        get { VirtualLanes(rawValue: read(Bits.operationalVLs)) }
        set { write(Bits.operationalVLs, newValue.rawValue) }
    }
    @inlinable public var partitionEnforcementInbound: Bool {
        get { flag(Bits.partitionEnforcementInbound) }
        set { setFlag(Bits.partitionEnforcementInbound, newValue) }
    }
    @inlinable public var partitionEnforcementOutbound: Bool {
        get { flag(Bits.partitionEnforcementOutbound) }
        set { setFlag(Bits.partitionEnforcementOutbound, newValue) }
    }
    @inlinable public var filterRawInbound: Bool { get { flag(Bits.filterRawInbound) } set { setFlag(Bits.filterRawInbound, newValue) } }
    @inlinable public var filterRawOutbound: Bool { get { flag(Bits.filterRawOutbound) } set { setFlag(Bits.filterRawOutbound, newValue) } }
    @inlinable public var mKeyViolations: UInt16 { get { read(Bits.mKeyViolations) } set { write(Bits.mKeyViolations, newValue) } }
    @inlinable public var pKeyViolations: UInt16 { get { read(Bits.pKeyViolations) } set { write(Bits.pKeyViolations, newValue) } }
    @inlinable public var qKeyViolations: UInt16 { get { read(Bits.qKeyViolations) } set { write(Bits.qKeyViolations, newValue) } }
    @inlinable public var guidCap: UInt8 { get { read(Bits.guidCap) } set { write(Bits.guidCap, newValue) } }
    @inlinable public var clientReregister: Bool { get { flag(Bits.clientReregister) } set { setFlag(Bits.clientReregister, newValue) } }
    @inlinable public var multicastPKeyTrapSuppressionEnabled: UInt8 {
        get { read(Bits.multicastPKeyTrapSuppressionEnabled) }
        set { write(Bits.multicastPKeyTrapSuppressionEnabled, newValue) }
    }
    /// 4.096 µs × 2^SubnetTimeOut: the subnet's maximum propagation delay.
    @inlinable public var subnetTimeout: UInt8 { get { read(Bits.subnetTimeout) } set { write(Bits.subnetTimeout, newValue) } }
    /// 4.096 µs × 2^RespTimeValue: how long this port may take to answer an SMP.
    @inlinable public var respTimeValue: UInt8 { get { read(Bits.respTimeValue) } set { write(Bits.respTimeValue, newValue) } }
    @inlinable public var localPhyErrors: UInt8 { get { read(Bits.localPhyErrors) } set { write(Bits.localPhyErrors, newValue) } }
    @inlinable public var overrunErrors: UInt8 { get { read(Bits.overrunErrors) } set { write(Bits.overrunErrors, newValue) } }
    @inlinable public var maxCreditHint: UInt16 { get { read(Bits.maxCreditHint) } set { write(Bits.maxCreditHint, newValue) } }
    @inlinable public var linkSpeedExtActive2: LinkSpeedExtended2 {
        get { LinkSpeedExtended2(rawValue: read(Bits.linkSpeedExtActive2)) }
        set { write(Bits.linkSpeedExtActive2, newValue.rawValue) }
    }
    @inlinable public var linkSpeedExtSupported2: LinkSpeedExtended2 {
        get { LinkSpeedExtended2(rawValue: read(Bits.linkSpeedExtSupported2)) }
        set { write(Bits.linkSpeedExtSupported2, newValue.rawValue) }
    }
    @inlinable public var linkSpeedExtEnabled2: LinkSpeedExtended2 {
        get { LinkSpeedExtended2(rawValue: read(Bits.linkSpeedExtEnabled2)) }
        set { write(Bits.linkSpeedExtEnabled2, newValue.rawValue) }
    }
    /// Microseconds, 24 bits.
    @inlinable public var linkRoundTripLatency: UInt32 { get { read(Bits.linkRoundTripLatency) } set { write(Bits.linkRoundTripLatency, newValue) } }
    @inlinable public var capabilityMask2: PortCapabilities2 {
        get { PortCapabilities2(rawValue: read(Bits.capabilityMask2)) }
        set { write(Bits.capabilityMask2, newValue.rawValue) }
    }
    @inlinable public var linkSpeedExtActive: LinkSpeedExtended {
        get { LinkSpeedExtended(rawValue: read(Bits.linkSpeedExtActive)) }
        set { write(Bits.linkSpeedExtActive, newValue.rawValue) }
    }
    @inlinable public var linkSpeedExtSupported: LinkSpeedExtended {
        get { LinkSpeedExtended(rawValue: read(Bits.linkSpeedExtSupported)) }
        set { write(Bits.linkSpeedExtSupported, newValue.rawValue) }
    }
    @inlinable public var linkSpeedExtEnabled: LinkSpeedExtended {
        get { LinkSpeedExtended(rawValue: read(Bits.linkSpeedExtEnabled)) }
        set { write(Bits.linkSpeedExtEnabled, newValue.rawValue) }
    }
}
