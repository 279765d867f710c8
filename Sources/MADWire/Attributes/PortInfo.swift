/// PortInfo (IBA 14.2.5.6): one port's addresses, link state, speeds, VLs and error counts.
/// The attribute modifier selects the port (0 for a switch's management port or the port
/// the SMP arrived on). 64 bytes, the whole SMP data area.
public struct PortInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.portInfo
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let mKey = Field("M_Key", byte: 0, width: 64, .hex)
        public static let gidPrefix = Field("GidPrefix", byte: 8, width: 64, .hex)
        public static let lid = Field("LID", byte: 16, width: 16)
        public static let masterSMLID = Field("MasterSMLID", byte: 18, width: 16)
        public static let capabilityMask = Field("CapabilityMask", byte: 20, width: 32, .bitmask(PortCapabilities.names))
        public static let diagCode = Field("DiagCode", byte: 24, width: 16, .hex)
        public static let mKeyLeasePeriod = Field("M_KeyLeasePeriod", byte: 26, width: 16)
        public static let localPortNumber = Field("LocalPortNum", byte: 28, width: 8)
        public static let linkWidthEnabled = Field("LinkWidthEnabled", byte: 29, width: 8, .bitmask(LinkWidth.names))
        public static let linkWidthSupported = Field("LinkWidthSupported", byte: 30, width: 8, .bitmask(LinkWidth.names))
        public static let linkWidthActive = Field("LinkWidthActive", byte: 31, width: 8, .enumerated(LinkWidth.names))
        public static let linkSpeedSupported = Field("LinkSpeedSupported", byte: 32, bit: 0, width: 4, .bitmask(LinkSpeed.names))
        public static let portState = Field("PortState", byte: 32, bit: 4, width: 4, .enumerated(PortState.names))
        public static let portPhysicalState = Field("PortPhysicalState", byte: 33, bit: 0, width: 4, .enumerated(PhysicalPortState.names))
        public static let linkDownDefaultState = Field("LinkDownDefaultState", byte: 33, bit: 4, width: 4, .enumerated(LinkDownDefaultState.names))
        public static let mKeyProtectBits = Field("M_KeyProtectBits", byte: 34, bit: 0, width: 2)
        public static let reserved274 = Field("Reserved274", byte: 34, bit: 2, width: 3, .reserved)
        public static let lmc = Field("LMC", byte: 34, bit: 5, width: 3)
        public static let linkSpeedActive = Field("LinkSpeedActive", byte: 35, bit: 0, width: 4, .enumerated(LinkSpeed.activeNames))
        public static let linkSpeedEnabled = Field("LinkSpeedEnabled", byte: 35, bit: 4, width: 4, .bitmask(LinkSpeed.names))
        public static let neighborMTU = Field("NeighborMTU", byte: 36, bit: 0, width: 4, .enumerated(MTU.names))
        public static let masterSMSL = Field("MasterSMSL", byte: 36, bit: 4, width: 4)
        public static let vlCap = Field("VLCap", byte: 37, bit: 0, width: 4, .enumerated(VirtualLanes.names))
        public static let initType = Field("InitType", byte: 37, bit: 4, width: 4, .hex)
        public static let vlHighLimit = Field("VLHighLimit", byte: 38, width: 8)
        public static let vlArbitrationHighCap = Field("VLArbitrationHighCap", byte: 39, width: 8)
        public static let vlArbitrationLowCap = Field("VLArbitrationLowCap", byte: 40, width: 8)
        public static let initTypeReply = Field("InitTypeReply", byte: 41, bit: 0, width: 4, .hex)
        public static let mtuCap = Field("MTUCap", byte: 41, bit: 4, width: 4, .enumerated(MTU.names))
        public static let vlStallCount = Field("VLStallCount", byte: 42, bit: 0, width: 3)
        public static let hoqLife = Field("HOQLife", byte: 42, bit: 3, width: 5)
        public static let operationalVLs = Field("OperationalVLs", byte: 43, bit: 0, width: 4, .enumerated(VirtualLanes.operationalNames))
        public static let partitionEnforcementInbound = Field("PartitionEnforcementInbound", byte: 43, bit: 4, width: 1, .flag)
        public static let partitionEnforcementOutbound = Field("PartitionEnforcementOutbound", byte: 43, bit: 5, width: 1, .flag)
        public static let filterRawInbound = Field("FilterRawInbound", byte: 43, bit: 6, width: 1, .flag)
        public static let filterRawOutbound = Field("FilterRawOutbound", byte: 43, bit: 7, width: 1, .flag)
        public static let mKeyViolations = Field("M_KeyViolations", byte: 44, width: 16)
        public static let pKeyViolations = Field("P_KeyViolations", byte: 46, width: 16)
        public static let qKeyViolations = Field("Q_KeyViolations", byte: 48, width: 16)
        public static let guidCap = Field("GUIDCap", byte: 50, width: 8)
        public static let clientReregister = Field("ClientReregister", byte: 51, bit: 0, width: 1, .flag)
        public static let multicastPKeyTrapSuppressionEnabled = Field("MulticastPKeyTrapSuppressionEnabled", byte: 51, bit: 1, width: 2)
        public static let subnetTimeout = Field("SubnetTimeOut", byte: 51, bit: 3, width: 5)
        public static let reserved416 = Field("Reserved416", byte: 52, bit: 0, width: 3, .reserved)
        public static let respTimeValue = Field("RespTimeValue", byte: 52, bit: 3, width: 5)
        public static let localPhyErrors = Field("LocalPhyErrors", byte: 53, bit: 0, width: 4)
        public static let overrunErrors = Field("OverrunErrors", byte: 53, bit: 4, width: 4)
        public static let maxCreditHint = Field("MaxCreditHint", byte: 54, width: 16)
        // Byte 56 was reserved through IBA 1.6; XDR (IBA 1.7) puts LinkSpeedExt*2 in its low
        // 7 bits, as rdma-core's libibmad reads them (newer than the installed libibmad 44).
        public static let reserved448 = Field("Reserved448", byte: 56, bit: 0, width: 1, .reserved)
        public static let linkSpeedExtActive2 = Field("LinkSpeedExtActive2", byte: 56, bit: 1, width: 2, .enumerated(LinkSpeedExtended2.activeNames))
        public static let linkSpeedExtSupported2 = Field("LinkSpeedExtSupported2", byte: 56, bit: 3, width: 2, .bitmask(LinkSpeedExtended2.names))
        public static let linkSpeedExtEnabled2 = Field("LinkSpeedExtEnabled2", byte: 56, bit: 5, width: 3, .bitmask(LinkSpeedExtended2.names))
        public static let linkRoundTripLatency = Field("LinkRoundTripLatency", byte: 57, width: 24)
        public static let capabilityMask2 = Field("CapabilityMask2", byte: 60, width: 16, .bitmask(PortCapabilities2.names))
        public static let linkSpeedExtActive = Field("LinkSpeedExtActive", byte: 62, bit: 0, width: 4, .enumerated(LinkSpeedExtended.activeNames))
        public static let linkSpeedExtSupported = Field("LinkSpeedExtSupported", byte: 62, bit: 4, width: 4, .bitmask(LinkSpeedExtended.names))
        public static let reserved504 = Field("Reserved504", byte: 63, bit: 0, width: 3, .reserved)
        public static let linkSpeedExtEnabled = Field("LinkSpeedExtEnabled", byte: 63, bit: 3, width: 5, .bitmask(LinkSpeedExtended.names))
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

    public var mKey: UInt64 { get { read(Fields.mKey) } set { write(Fields.mKey, newValue) } }
    public var gidPrefix: UInt64 { get { read(Fields.gidPrefix) } set { write(Fields.gidPrefix, newValue) } }
    public var lid: UInt16 { get { read(Fields.lid) } set { write(Fields.lid, newValue) } }
    public var masterSMLID: UInt16 { get { read(Fields.masterSMLID) } set { write(Fields.masterSMLID, newValue) } }
    public var capabilityMask: PortCapabilities {
        get { PortCapabilities(rawValue: read(Fields.capabilityMask)) }
        set { write(Fields.capabilityMask, newValue.rawValue) }
    }
    public var diagCode: UInt16 { get { read(Fields.diagCode) } set { write(Fields.diagCode, newValue) } }
    /// Seconds the M_Key protection lasts after a violation; 0 = forever.
    public var mKeyLeasePeriod: UInt16 { get { read(Fields.mKeyLeasePeriod) } set { write(Fields.mKeyLeasePeriod, newValue) } }
    public var localPortNumber: UInt8 { get { read(Fields.localPortNumber) } set { write(Fields.localPortNumber, newValue) } }
    public var linkWidthEnabled: LinkWidth {
        get { LinkWidth(rawValue: read(Fields.linkWidthEnabled)) }
        set { write(Fields.linkWidthEnabled, newValue.rawValue) }
    }
    public var linkWidthSupported: LinkWidth {
        get { LinkWidth(rawValue: read(Fields.linkWidthSupported)) }
        set { write(Fields.linkWidthSupported, newValue.rawValue) }
    }
    public var linkWidthActive: LinkWidth {
        get { LinkWidth(rawValue: read(Fields.linkWidthActive)) }
        set { write(Fields.linkWidthActive, newValue.rawValue) }
    }
    public var linkSpeedSupported: LinkSpeed {
        get { LinkSpeed(rawValue: read(Fields.linkSpeedSupported)) }
        set { write(Fields.linkSpeedSupported, newValue.rawValue) }
    }
    public var portState: PortState {
        get { PortState(rawValue: read(Fields.portState)) }
        set { write(Fields.portState, newValue.rawValue) }
    }
    public var portPhysicalState: PhysicalPortState {
        get { PhysicalPortState(rawValue: read(Fields.portPhysicalState)) }
        set { write(Fields.portPhysicalState, newValue.rawValue) }
    }
    public var linkDownDefaultState: LinkDownDefaultState {
        get { LinkDownDefaultState(rawValue: read(Fields.linkDownDefaultState)) }
        set { write(Fields.linkDownDefaultState, newValue.rawValue) }
    }
    public var mKeyProtectBits: UInt8 { get { read(Fields.mKeyProtectBits) } set { write(Fields.mKeyProtectBits, newValue) } }
    public var lmc: UInt8 { get { read(Fields.lmc) } set { write(Fields.lmc, newValue) } }
    public var linkSpeedActive: LinkSpeed {
        get { LinkSpeed(rawValue: read(Fields.linkSpeedActive)) }
        set { write(Fields.linkSpeedActive, newValue.rawValue) }
    }
    public var linkSpeedEnabled: LinkSpeed {
        get { LinkSpeed(rawValue: read(Fields.linkSpeedEnabled)) }
        set { write(Fields.linkSpeedEnabled, newValue.rawValue) }
    }
    public var neighborMTU: MTU { get { MTU(rawValue: read(Fields.neighborMTU)) } set { write(Fields.neighborMTU, newValue.rawValue) } }
    public var masterSMSL: UInt8 { get { read(Fields.masterSMSL) } set { write(Fields.masterSMSL, newValue) } }
    public var vlCap: VirtualLanes { get { VirtualLanes(rawValue: read(Fields.vlCap)) } set { write(Fields.vlCap, newValue.rawValue) } }
    public var initType: UInt8 { get { read(Fields.initType) } set { write(Fields.initType, newValue) } }
    public var vlHighLimit: UInt8 { get { read(Fields.vlHighLimit) } set { write(Fields.vlHighLimit, newValue) } }
    public var vlArbitrationHighCap: UInt8 { get { read(Fields.vlArbitrationHighCap) } set { write(Fields.vlArbitrationHighCap, newValue) } }
    public var vlArbitrationLowCap: UInt8 { get { read(Fields.vlArbitrationLowCap) } set { write(Fields.vlArbitrationLowCap, newValue) } }
    public var initTypeReply: UInt8 { get { read(Fields.initTypeReply) } set { write(Fields.initTypeReply, newValue) } }
    public var mtuCap: MTU { get { MTU(rawValue: read(Fields.mtuCap)) } set { write(Fields.mtuCap, newValue.rawValue) } }
    public var vlStallCount: UInt8 { get { read(Fields.vlStallCount) } set { write(Fields.vlStallCount, newValue) } }
    public var hoqLife: UInt8 { get { read(Fields.hoqLife) } set { write(Fields.hoqLife, newValue) } }
    public var operationalVLs: VirtualLanes {
        get { VirtualLanes(rawValue: read(Fields.operationalVLs)) }
        set { write(Fields.operationalVLs, newValue.rawValue) }
    }
    public var partitionEnforcementInbound: Bool {
        get { flag(Fields.partitionEnforcementInbound) }
        set { setFlag(Fields.partitionEnforcementInbound, newValue) }
    }
    public var partitionEnforcementOutbound: Bool {
        get { flag(Fields.partitionEnforcementOutbound) }
        set { setFlag(Fields.partitionEnforcementOutbound, newValue) }
    }
    public var filterRawInbound: Bool { get { flag(Fields.filterRawInbound) } set { setFlag(Fields.filterRawInbound, newValue) } }
    public var filterRawOutbound: Bool { get { flag(Fields.filterRawOutbound) } set { setFlag(Fields.filterRawOutbound, newValue) } }
    public var mKeyViolations: UInt16 { get { read(Fields.mKeyViolations) } set { write(Fields.mKeyViolations, newValue) } }
    public var pKeyViolations: UInt16 { get { read(Fields.pKeyViolations) } set { write(Fields.pKeyViolations, newValue) } }
    public var qKeyViolations: UInt16 { get { read(Fields.qKeyViolations) } set { write(Fields.qKeyViolations, newValue) } }
    public var guidCap: UInt8 { get { read(Fields.guidCap) } set { write(Fields.guidCap, newValue) } }
    public var clientReregister: Bool { get { flag(Fields.clientReregister) } set { setFlag(Fields.clientReregister, newValue) } }
    public var multicastPKeyTrapSuppressionEnabled: UInt8 {
        get { read(Fields.multicastPKeyTrapSuppressionEnabled) }
        set { write(Fields.multicastPKeyTrapSuppressionEnabled, newValue) }
    }
    /// 4.096 µs × 2^SubnetTimeOut: the subnet's maximum propagation delay.
    public var subnetTimeout: UInt8 { get { read(Fields.subnetTimeout) } set { write(Fields.subnetTimeout, newValue) } }
    /// 4.096 µs × 2^RespTimeValue: how long this port may take to answer an SMP.
    public var respTimeValue: UInt8 { get { read(Fields.respTimeValue) } set { write(Fields.respTimeValue, newValue) } }
    public var localPhyErrors: UInt8 { get { read(Fields.localPhyErrors) } set { write(Fields.localPhyErrors, newValue) } }
    public var overrunErrors: UInt8 { get { read(Fields.overrunErrors) } set { write(Fields.overrunErrors, newValue) } }
    public var maxCreditHint: UInt16 { get { read(Fields.maxCreditHint) } set { write(Fields.maxCreditHint, newValue) } }
    public var linkSpeedExtActive2: LinkSpeedExtended2 {
        get { LinkSpeedExtended2(rawValue: read(Fields.linkSpeedExtActive2)) }
        set { write(Fields.linkSpeedExtActive2, newValue.rawValue) }
    }
    public var linkSpeedExtSupported2: LinkSpeedExtended2 {
        get { LinkSpeedExtended2(rawValue: read(Fields.linkSpeedExtSupported2)) }
        set { write(Fields.linkSpeedExtSupported2, newValue.rawValue) }
    }
    public var linkSpeedExtEnabled2: LinkSpeedExtended2 {
        get { LinkSpeedExtended2(rawValue: read(Fields.linkSpeedExtEnabled2)) }
        set { write(Fields.linkSpeedExtEnabled2, newValue.rawValue) }
    }
    /// Microseconds, 24 bits.
    public var linkRoundTripLatency: UInt32 { get { read(Fields.linkRoundTripLatency) } set { write(Fields.linkRoundTripLatency, newValue) } }
    public var capabilityMask2: PortCapabilities2 {
        get { PortCapabilities2(rawValue: read(Fields.capabilityMask2)) }
        set { write(Fields.capabilityMask2, newValue.rawValue) }
    }
    public var linkSpeedExtActive: LinkSpeedExtended {
        get { LinkSpeedExtended(rawValue: read(Fields.linkSpeedExtActive)) }
        set { write(Fields.linkSpeedExtActive, newValue.rawValue) }
    }
    public var linkSpeedExtSupported: LinkSpeedExtended {
        get { LinkSpeedExtended(rawValue: read(Fields.linkSpeedExtSupported)) }
        set { write(Fields.linkSpeedExtSupported, newValue.rawValue) }
    }
    public var linkSpeedExtEnabled: LinkSpeedExtended {
        get { LinkSpeedExtended(rawValue: read(Fields.linkSpeedExtEnabled)) }
        set { write(Fields.linkSpeedExtEnabled, newValue.rawValue) }
    }
}
