/// PortInfoRecord (IBA 15.2.5.3): the PortInfo of port PortNum of the node at EndportLID.
public struct PortInfoRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.portInfoRecord
    public var raw: FixedBytes<68>
    public init() { raw = FixedBytes() }

    static let portInfoOffset = 4

    public enum Fields {
        public static let endportLID = Field("EndportLID", byte: 0, width: 16)
        public static let portNum = Field("PortNum", byte: 2, width: 8)
        /// Reserved before IBA 1.3; kept as sent.
        public static let options = Field("Options", byte: 3, width: 8, .hex)
        /// PortInfo's components, named "PortInfo.<name>".
        public static let portInfo: [Field] = PortInfo.layout.fields(embeddedAt: portInfoOffset, prefix: "PortInfo")
    }

    public static let layout = WireLayout(
        name: "PortInfoRecord", byteCount: 68, specReference: "IBA 15.2.5.3",
        fields: [Fields.endportLID, Fields.portNum, Fields.options] + Fields.portInfo)

    public var endportLID: UInt16 { get { read(Fields.endportLID) } set { write(Fields.endportLID, newValue) } }
    public var portNum: UInt8 { get { read(Fields.portNum) } set { write(Fields.portNum, newValue) } }
    public var options: UInt8 { get { read(Fields.options) } set { write(Fields.options, newValue) } }
    public var portInfo: PortInfo {
        get { recordPart(at: Self.portInfoOffset) }
        set { setRecordPart(newValue, at: Self.portInfoOffset) }
    }

    /// PortInfoRecord components (opensm's IB_PIR_COMPMASK_*): EndportLID, PortNum, Options,
    /// then PortInfo's components as IBA 1.3 lists them. Byte 56 of PortInfo is one reserved
    /// component here (bit 51) even where `PortInfo.layout` splits it for XDR's LinkSpeedExt*2.
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let endportLID = ComponentMask(rawValue: 1 << 0)
        public static let portNum = ComponentMask(rawValue: 1 << 1)
        public static let options = ComponentMask(rawValue: 1 << 2)
        public static let mKey = ComponentMask(rawValue: 1 << 3)
        public static let gidPrefix = ComponentMask(rawValue: 1 << 4)
        public static let baseLID = ComponentMask(rawValue: 1 << 5)
        public static let masterSMLID = ComponentMask(rawValue: 1 << 6)
        public static let capabilityMask = ComponentMask(rawValue: 1 << 7)
        public static let diagCode = ComponentMask(rawValue: 1 << 8)
        public static let mKeyLeasePeriod = ComponentMask(rawValue: 1 << 9)
        public static let localPortNumber = ComponentMask(rawValue: 1 << 10)
        public static let linkWidthEnabled = ComponentMask(rawValue: 1 << 11)
        public static let linkWidthSupported = ComponentMask(rawValue: 1 << 12)
        public static let linkWidthActive = ComponentMask(rawValue: 1 << 13)
        public static let linkSpeedSupported = ComponentMask(rawValue: 1 << 14)
        public static let portState = ComponentMask(rawValue: 1 << 15)
        public static let portPhysicalState = ComponentMask(rawValue: 1 << 16)
        public static let linkDownDefaultState = ComponentMask(rawValue: 1 << 17)
        public static let mKeyProtectBits = ComponentMask(rawValue: 1 << 18)
        public static let portInfoReserved274 = ComponentMask(rawValue: 1 << 19)
        public static let lmc = ComponentMask(rawValue: 1 << 20)
        public static let linkSpeedActive = ComponentMask(rawValue: 1 << 21)
        public static let linkSpeedEnabled = ComponentMask(rawValue: 1 << 22)
        public static let neighborMTU = ComponentMask(rawValue: 1 << 23)
        public static let masterSMSL = ComponentMask(rawValue: 1 << 24)
        public static let vlCap = ComponentMask(rawValue: 1 << 25)
        public static let initType = ComponentMask(rawValue: 1 << 26)
        public static let vlHighLimit = ComponentMask(rawValue: 1 << 27)
        public static let vlArbitrationHighCap = ComponentMask(rawValue: 1 << 28)
        public static let vlArbitrationLowCap = ComponentMask(rawValue: 1 << 29)
        public static let initTypeReply = ComponentMask(rawValue: 1 << 30)
        public static let mtuCap = ComponentMask(rawValue: 1 << 31)
        public static let vlStallCount = ComponentMask(rawValue: 1 << 32)
        public static let hoqLife = ComponentMask(rawValue: 1 << 33)
        public static let operationalVLs = ComponentMask(rawValue: 1 << 34)
        public static let partitionEnforcementInbound = ComponentMask(rawValue: 1 << 35)
        public static let partitionEnforcementOutbound = ComponentMask(rawValue: 1 << 36)
        public static let filterRawInbound = ComponentMask(rawValue: 1 << 37)
        public static let filterRawOutbound = ComponentMask(rawValue: 1 << 38)
        public static let mKeyViolations = ComponentMask(rawValue: 1 << 39)
        public static let pKeyViolations = ComponentMask(rawValue: 1 << 40)
        public static let qKeyViolations = ComponentMask(rawValue: 1 << 41)
        public static let guidCap = ComponentMask(rawValue: 1 << 42)
        public static let clientReregister = ComponentMask(rawValue: 1 << 43)
        public static let multicastPKeyTrapSuppressionEnabled = ComponentMask(rawValue: 1 << 44)
        public static let subnetTimeout = ComponentMask(rawValue: 1 << 45)
        public static let portInfoReserved416 = ComponentMask(rawValue: 1 << 46)
        public static let respTimeValue = ComponentMask(rawValue: 1 << 47)
        public static let localPhyErrors = ComponentMask(rawValue: 1 << 48)
        public static let overrunErrors = ComponentMask(rawValue: 1 << 49)
        public static let maxCreditHint = ComponentMask(rawValue: 1 << 50)
        public static let portInfoReserved448 = ComponentMask(rawValue: 1 << 51)
        public static let linkRoundTripLatency = ComponentMask(rawValue: 1 << 52)
        public static let capabilityMask2 = ComponentMask(rawValue: 1 << 53)
        public static let linkSpeedExtActive = ComponentMask(rawValue: 1 << 54)
        public static let linkSpeedExtSupported = ComponentMask(rawValue: 1 << 55)
        public static let portInfoReserved504 = ComponentMask(rawValue: 1 << 56)
        public static let linkSpeedExtEnabled = ComponentMask(rawValue: 1 << 57)
    }
}
