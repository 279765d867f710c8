/// MCMemberRecord (IBA 15.2.5.17): a port's membership in a multicast group, and the
/// group's MLID and path properties. Set joins, Delete leaves.
public struct MCMemberRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.mcMemberRecord
    public var raw: FixedBytes<52>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let mgid = Field("MGID", byte: 0, width: 128, .gid)
        public static let portGID = Field("PortGID", byte: 16, width: 128, .gid)
        public static let qKey = Field("Q_Key", byte: 32, width: 32, .hex)
        public static let mlid = Field("MLID", byte: 36, width: 16, .hex)
        public static let mtuSelector = Field("MTUSelector", byte: 38, width: 2, .enumerated(RecordSelector.names))
        public static let mtu = Field("MTU", byte: 38, bit: 2, width: 6, .enumerated(MTU.names))
        public static let tClass = Field("TClass", byte: 39, width: 8, .hex)
        public static let pKey = Field("P_Key", byte: 40, width: 16, .hex)
        public static let rateSelector = Field("RateSelector", byte: 42, width: 2, .enumerated(RecordSelector.names))
        public static let rate = Field("Rate", byte: 42, bit: 2, width: 6, .enumerated(StaticRate.names))
        public static let packetLifeTimeSelector = Field("PacketLifeTimeSelector", byte: 43, width: 2, .enumerated(RecordSelector.names))
        public static let packetLifeTime = Field("PacketLifeTime", byte: 43, bit: 2, width: 6)
        public static let sl = Field("SL", byte: 44, width: 4)
        public static let flowLabel = Field("FlowLabel", byte: 44, bit: 4, width: 20, .hex)
        public static let hopLimit = Field("HopLimit", byte: 47, width: 8)
        /// The MGID's scope nibble (2 link-local, 5 site-local, 8 organization, 14 global).
        public static let scope = Field("Scope", byte: 48, width: 4)
        public static let joinState = Field("JoinState", byte: 48, bit: 4, width: 4, .bitmask(JoinState.names))
        /// The request joins or leaves on behalf of PortGID, not the requesting port.
        public static let proxyJoin = Field("ProxyJoin", byte: 49, width: 1, .flag)
        public static let reserved = Field("Reserved", byte: 49, bit: 1, width: 23, .reserved)
    }

    public static let layout = WireLayout(
        name: "MCMemberRecord", byteCount: 52, specReference: "IBA 15.2.5.17",
        fields: [
            Fields.mgid, Fields.portGID, Fields.qKey, Fields.mlid, Fields.mtuSelector, Fields.mtu,
            Fields.tClass, Fields.pKey, Fields.rateSelector, Fields.rate, Fields.packetLifeTimeSelector,
            Fields.packetLifeTime, Fields.sl, Fields.flowLabel, Fields.hopLimit, Fields.scope,
            Fields.joinState, Fields.proxyJoin, Fields.reserved,
        ])

    public var mgid: [UInt8] { get { bytes(of: Fields.mgid) } set { setBytes(newValue, of: Fields.mgid) } }
    public var portGID: [UInt8] { get { bytes(of: Fields.portGID) } set { setBytes(newValue, of: Fields.portGID) } }
    public var qKey: UInt32 { get { read(Fields.qKey) } set { write(Fields.qKey, newValue) } }
    public var mlid: UInt16 { get { read(Fields.mlid) } set { write(Fields.mlid, newValue) } }
    public var mtuSelector: RecordSelector {
        get { RecordSelector(rawValue: read(Fields.mtuSelector)) }
        set { write(Fields.mtuSelector, newValue.rawValue) }
    }
    public var mtu: MTU { get { MTU(rawValue: read(Fields.mtu)) } set { write(Fields.mtu, newValue.rawValue) } }
    public var tClass: UInt8 { get { read(Fields.tClass) } set { write(Fields.tClass, newValue) } }
    public var pKey: UInt16 { get { read(Fields.pKey) } set { write(Fields.pKey, newValue) } }
    public var rateSelector: RecordSelector {
        get { RecordSelector(rawValue: read(Fields.rateSelector)) }
        set { write(Fields.rateSelector, newValue.rawValue) }
    }
    public var rate: StaticRate { get { StaticRate(rawValue: read(Fields.rate)) } set { write(Fields.rate, newValue.rawValue) } }
    public var packetLifeTimeSelector: RecordSelector {
        get { RecordSelector(rawValue: read(Fields.packetLifeTimeSelector)) }
        set { write(Fields.packetLifeTimeSelector, newValue.rawValue) }
    }
    /// 6 bits: 4.096 µs × 2^value.
    public var packetLifeTime: UInt8 { get { read(Fields.packetLifeTime) } set { write(Fields.packetLifeTime, newValue) } }
    public var sl: UInt8 { get { read(Fields.sl) } set { write(Fields.sl, newValue) } }
    /// 20 bits.
    public var flowLabel: UInt32 { get { read(Fields.flowLabel) } set { write(Fields.flowLabel, newValue) } }
    public var hopLimit: UInt8 { get { read(Fields.hopLimit) } set { write(Fields.hopLimit, newValue) } }
    public var scope: UInt8 { get { read(Fields.scope) } set { write(Fields.scope, newValue) } }
    public var joinState: JoinState {
        get { JoinState(rawValue: read(Fields.joinState)) }
        set { write(Fields.joinState, newValue.rawValue) }
    }
    public var proxyJoin: Bool { get { flag(Fields.proxyJoin) } set { setFlag(Fields.proxyJoin, newValue) } }

    /// MCMemberRecord:JoinState (IBA 15.2.5.17): one bit per membership kind.
    public struct JoinState: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let fullMember = JoinState(rawValue: 1 << 0)
        public static let nonMember = JoinState(rawValue: 1 << 1)
        public static let sendOnlyNonMember = JoinState(rawValue: 1 << 2)
        public static let sendOnlyFullMember = JoinState(rawValue: 1 << 3)

        public static let names = ValueNames([
            (1 << 0, "FullMember"), (1 << 1, "NonMember"), (1 << 2, "SendOnlyNonMember"),
            (1 << 3, "SendOnlyFullMember"),
        ])
    }

    /// MCMemberRecord components (opensm's IB_MCR_COMPMASK_*).
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let mgid = ComponentMask(rawValue: 1 << 0)
        public static let portGID = ComponentMask(rawValue: 1 << 1)
        public static let qKey = ComponentMask(rawValue: 1 << 2)
        public static let mlid = ComponentMask(rawValue: 1 << 3)
        public static let mtuSelector = ComponentMask(rawValue: 1 << 4)
        public static let mtu = ComponentMask(rawValue: 1 << 5)
        public static let tClass = ComponentMask(rawValue: 1 << 6)
        public static let pKey = ComponentMask(rawValue: 1 << 7)
        public static let rateSelector = ComponentMask(rawValue: 1 << 8)
        public static let rate = ComponentMask(rawValue: 1 << 9)
        public static let packetLifeTimeSelector = ComponentMask(rawValue: 1 << 10)
        public static let packetLifeTime = ComponentMask(rawValue: 1 << 11)
        public static let sl = ComponentMask(rawValue: 1 << 12)
        public static let flowLabel = ComponentMask(rawValue: 1 << 13)
        public static let hopLimit = ComponentMask(rawValue: 1 << 14)
        public static let scope = ComponentMask(rawValue: 1 << 15)
        public static let joinState = ComponentMask(rawValue: 1 << 16)
        public static let proxyJoin = ComponentMask(rawValue: 1 << 17)
    }
}
