/// PathRecord (IBA 15.2.5.16): the addressing, QoS and timing a requester needs to reach a
/// destination port (an address vector's contents, plus what the SA chose).
public struct PathRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.pathRecord
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let serviceID = Field("ServiceID", byte: 0, width: 64, .hex)
        public static let dgid = Field("DGID", byte: 8, width: 128, .gid)
        public static let sgid = Field("SGID", byte: 24, width: 128, .gid)
        public static let dlid = Field("DLID", byte: 40, width: 16)
        public static let slid = Field("SLID", byte: 42, width: 16)
        /// Set: the path carries raw packets, not IBA transport (DGID/SGID unused).
        public static let rawTraffic = Field("RawTraffic", byte: 44, width: 1, .flag)
        public static let reserved1 = Field("Reserved", byte: 44, bit: 1, width: 3, .reserved)
        public static let flowLabel = Field("FlowLabel", byte: 44, bit: 4, width: 20, .hex)
        public static let hopLimit = Field("HopLimit", byte: 47, width: 8)
        public static let tClass = Field("TClass", byte: 48, width: 8, .hex)
        /// In a query: only reversible paths; in a response: this path is reversible.
        public static let reversible = Field("Reversible", byte: 49, width: 1, .flag)
        /// In a query: the most paths to return (GetTable); reserved in responses.
        public static let numbPath = Field("NumbPath", byte: 49, bit: 1, width: 7)
        public static let pKey = Field("P_Key", byte: 50, width: 16, .hex)
        public static let qosClass = Field("QoSClass", byte: 52, width: 12)
        public static let sl = Field("SL", byte: 53, bit: 4, width: 4)
        public static let mtuSelector = Field("MTUSelector", byte: 54, width: 2, .enumerated(RecordSelector.names))
        public static let mtu = Field("MTU", byte: 54, bit: 2, width: 6, .enumerated(MTU.names))
        public static let rateSelector = Field("RateSelector", byte: 55, width: 2, .enumerated(RecordSelector.names))
        public static let rate = Field("Rate", byte: 55, bit: 2, width: 6, .enumerated(StaticRate.names))
        public static let packetLifeTimeSelector = Field("PacketLifeTimeSelector", byte: 56, width: 2, .enumerated(RecordSelector.names))
        /// 4.096 µs × 2^value, one way.
        public static let packetLifeTime = Field("PacketLifeTime", byte: 56, bit: 2, width: 6)
        /// Lower is better: the SA's ranking among the paths of one GetTable answer.
        public static let preference = Field("Preference", byte: 57, width: 8)
        public static let reserved2 = Field("Reserved", byte: 58, width: 48, .reserved)
    }

    public static let layout = WireLayout(
        name: "PathRecord", byteCount: 64, specReference: "IBA 15.2.5.16",
        fields: [
            Fields.serviceID, Fields.dgid, Fields.sgid, Fields.dlid, Fields.slid, Fields.rawTraffic,
            Fields.reserved1, Fields.flowLabel, Fields.hopLimit, Fields.tClass, Fields.reversible,
            Fields.numbPath, Fields.pKey, Fields.qosClass, Fields.sl, Fields.mtuSelector, Fields.mtu,
            Fields.rateSelector, Fields.rate, Fields.packetLifeTimeSelector, Fields.packetLifeTime,
            Fields.preference, Fields.reserved2,
        ])

    public var serviceID: UInt64 { get { read(Fields.serviceID) } set { write(Fields.serviceID, newValue) } }
    public var dgid: [UInt8] { get { bytes(of: Fields.dgid) } set { setBytes(newValue, of: Fields.dgid) } }
    public var sgid: [UInt8] { get { bytes(of: Fields.sgid) } set { setBytes(newValue, of: Fields.sgid) } }
    public var dlid: UInt16 { get { read(Fields.dlid) } set { write(Fields.dlid, newValue) } }
    public var slid: UInt16 { get { read(Fields.slid) } set { write(Fields.slid, newValue) } }
    public var rawTraffic: Bool { get { flag(Fields.rawTraffic) } set { setFlag(Fields.rawTraffic, newValue) } }
    /// 20 bits.
    public var flowLabel: UInt32 { get { read(Fields.flowLabel) } set { write(Fields.flowLabel, newValue) } }
    public var hopLimit: UInt8 { get { read(Fields.hopLimit) } set { write(Fields.hopLimit, newValue) } }
    public var tClass: UInt8 { get { read(Fields.tClass) } set { write(Fields.tClass, newValue) } }
    public var reversible: Bool { get { flag(Fields.reversible) } set { setFlag(Fields.reversible, newValue) } }
    /// 7 bits.
    public var numbPath: UInt8 { get { read(Fields.numbPath) } set { write(Fields.numbPath, newValue) } }
    public var pKey: UInt16 { get { read(Fields.pKey) } set { write(Fields.pKey, newValue) } }
    /// 12 bits.
    public var qosClass: UInt16 { get { read(Fields.qosClass) } set { write(Fields.qosClass, newValue) } }
    public var sl: UInt8 { get { read(Fields.sl) } set { write(Fields.sl, newValue) } }
    public var mtuSelector: RecordSelector {
        get { RecordSelector(rawValue: read(Fields.mtuSelector)) }
        set { write(Fields.mtuSelector, newValue.rawValue) }
    }
    public var mtu: MTU { get { MTU(rawValue: read(Fields.mtu)) } set { write(Fields.mtu, newValue.rawValue) } }
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
    public var preference: UInt8 { get { read(Fields.preference) } set { write(Fields.preference, newValue) } }

    /// PathRecord components. ServiceID took the place of two 32-bit reserved components
    /// and keeps both of their bits (0 and 1), so every later component is one bit further
    /// than its place in `layout` (the kernel's IB_SA_PATH_REC_*, opensm's IB_PR_COMPMASK_*).
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let serviceIDHigh = ComponentMask(rawValue: 1 << 0)
        public static let serviceIDLow = ComponentMask(rawValue: 1 << 1)
        /// Both ServiceID bits: a query on ServiceID sets both.
        public static let serviceID: ComponentMask = [.serviceIDHigh, .serviceIDLow]
        public static let dgid = ComponentMask(rawValue: 1 << 2)
        public static let sgid = ComponentMask(rawValue: 1 << 3)
        public static let dlid = ComponentMask(rawValue: 1 << 4)
        public static let slid = ComponentMask(rawValue: 1 << 5)
        public static let rawTraffic = ComponentMask(rawValue: 1 << 6)
        public static let reserved1 = ComponentMask(rawValue: 1 << 7)
        public static let flowLabel = ComponentMask(rawValue: 1 << 8)
        public static let hopLimit = ComponentMask(rawValue: 1 << 9)
        public static let tClass = ComponentMask(rawValue: 1 << 10)
        public static let reversible = ComponentMask(rawValue: 1 << 11)
        public static let numbPath = ComponentMask(rawValue: 1 << 12)
        public static let pKey = ComponentMask(rawValue: 1 << 13)
        public static let qosClass = ComponentMask(rawValue: 1 << 14)
        public static let sl = ComponentMask(rawValue: 1 << 15)
        public static let mtuSelector = ComponentMask(rawValue: 1 << 16)
        public static let mtu = ComponentMask(rawValue: 1 << 17)
        public static let rateSelector = ComponentMask(rawValue: 1 << 18)
        public static let rate = ComponentMask(rawValue: 1 << 19)
        public static let packetLifeTimeSelector = ComponentMask(rawValue: 1 << 20)
        public static let packetLifeTime = ComponentMask(rawValue: 1 << 21)
        public static let preference = ComponentMask(rawValue: 1 << 22)
    }
}
