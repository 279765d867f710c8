/// ClassPortInfo (IBA 13.4.8.1): what a management class supports, where to
/// redirect requests, and where to send traps. Common to every GMP class (and the SMA).
public struct ClassPortInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.classPortInfo
    public var raw: FixedBytes<72>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let baseVersion = Field("BaseVersion", byte: 0, width: 8)
        public static let classVersion = Field("ClassVersion", byte: 1, width: 8)
        public static let capabilityMask = Field("CapabilityMask", byte: 2, width: 16, .bitmask(CapabilityMask.names))
        /// 27 bits, followed in the same 32-bit word by RespTimeValue.
        public static let capabilityMask2 = Field("CapabilityMask2", byte: 4, width: 27, .hex)
        public static let respTimeValue = Field("RespTimeValue", byte: 7, bit: 3, width: 5)
        public static let redirectGID = Field("RedirectGID", byte: 8, width: 128, .gid)
        public static let redirectTC = Field("RedirectTC", byte: 24, width: 8, .hex)
        public static let redirectSL = Field("RedirectSL", byte: 25, width: 4)
        public static let redirectFL = Field("RedirectFL", byte: 25, bit: 4, width: 20, .hex)
        public static let redirectLID = Field("RedirectLID", byte: 28, width: 16)
        public static let redirectPKey = Field("RedirectP_Key", byte: 30, width: 16, .hex)
        public static let reserved = Field("Reserved", byte: 32, width: 8, .reserved)
        public static let redirectQP = Field("RedirectQP", byte: 33, width: 24, .hex)
        public static let redirectQKey = Field("RedirectQ_Key", byte: 36, width: 32, .hex)
        public static let trapGID = Field("TrapGID", byte: 40, width: 128, .gid)
        public static let trapTC = Field("TrapTC", byte: 56, width: 8, .hex)
        public static let trapSL = Field("TrapSL", byte: 57, width: 4)
        public static let trapFL = Field("TrapFL", byte: 57, bit: 4, width: 20, .hex)
        public static let trapLID = Field("TrapLID", byte: 60, width: 16)
        public static let trapPKey = Field("TrapP_Key", byte: 62, width: 16, .hex)
        public static let trapHL = Field("TrapHL", byte: 64, width: 8)
        public static let trapQP = Field("TrapQP", byte: 65, width: 24, .hex)
        public static let trapQKey = Field("TrapQ_Key", byte: 68, width: 32, .hex)
    }

    public static let layout = WireLayout(
        name: "ClassPortInfo", byteCount: 72, specReference: "IBA 13.4.8.1",
        fields: [
            Fields.baseVersion, Fields.classVersion, Fields.capabilityMask, Fields.capabilityMask2,
            Fields.respTimeValue, Fields.redirectGID, Fields.redirectTC, Fields.redirectSL,
            Fields.redirectFL, Fields.redirectLID, Fields.redirectPKey, Fields.reserved,
            Fields.redirectQP, Fields.redirectQKey, Fields.trapGID, Fields.trapTC, Fields.trapSL,
            Fields.trapFL, Fields.trapLID, Fields.trapPKey, Fields.trapHL, Fields.trapQP,
            Fields.trapQKey,
        ])

    public var baseVersion: UInt8 { get { read(Fields.baseVersion) } set { write(Fields.baseVersion, newValue) } }
    public var classVersion: UInt8 { get { read(Fields.classVersion) } set { write(Fields.classVersion, newValue) } }
    public var capabilityMask: CapabilityMask {
        get { CapabilityMask(rawValue: read(Fields.capabilityMask)) }
        set { write(Fields.capabilityMask, newValue.rawValue) }
    }
    /// 27 bits; higher bits of a new value are dropped.
    public var capabilityMask2: UInt32 { get { read(Fields.capabilityMask2) } set { write(Fields.capabilityMask2, newValue) } }
    /// 5 bits: the class's response time is 4.096 µs × 2^RespTimeValue (IBA 13.4.6.2).
    public var respTimeValue: UInt8 { get { read(Fields.respTimeValue) } set { write(Fields.respTimeValue, newValue) } }
    public var redirectGID: [UInt8] { get { bytes(of: Fields.redirectGID) } set { setBytes(newValue, of: Fields.redirectGID) } }
    public var redirectTC: UInt8 { get { read(Fields.redirectTC) } set { write(Fields.redirectTC, newValue) } }
    public var redirectSL: UInt8 { get { read(Fields.redirectSL) } set { write(Fields.redirectSL, newValue) } }
    /// 20-bit flow label.
    public var redirectFL: UInt32 { get { read(Fields.redirectFL) } set { write(Fields.redirectFL, newValue) } }
    public var redirectLID: UInt16 { get { read(Fields.redirectLID) } set { write(Fields.redirectLID, newValue) } }
    public var redirectPKey: UInt16 { get { read(Fields.redirectPKey) } set { write(Fields.redirectPKey, newValue) } }
    /// 24-bit QP number.
    public var redirectQP: UInt32 { get { read(Fields.redirectQP) } set { write(Fields.redirectQP, newValue) } }
    public var redirectQKey: UInt32 { get { read(Fields.redirectQKey) } set { write(Fields.redirectQKey, newValue) } }
    public var trapGID: [UInt8] { get { bytes(of: Fields.trapGID) } set { setBytes(newValue, of: Fields.trapGID) } }
    public var trapTC: UInt8 { get { read(Fields.trapTC) } set { write(Fields.trapTC, newValue) } }
    public var trapSL: UInt8 { get { read(Fields.trapSL) } set { write(Fields.trapSL, newValue) } }
    /// 20-bit flow label.
    public var trapFL: UInt32 { get { read(Fields.trapFL) } set { write(Fields.trapFL, newValue) } }
    public var trapLID: UInt16 { get { read(Fields.trapLID) } set { write(Fields.trapLID, newValue) } }
    public var trapPKey: UInt16 { get { read(Fields.trapPKey) } set { write(Fields.trapPKey, newValue) } }
    public var trapHL: UInt8 { get { read(Fields.trapHL) } set { write(Fields.trapHL, newValue) } }
    /// 24-bit QP number.
    public var trapQP: UInt32 { get { read(Fields.trapQP) } set { write(Fields.trapQP, newValue) } }
    public var trapQKey: UInt32 { get { read(Fields.trapQKey) } set { write(Fields.trapQKey, newValue) } }

    /// How long this class may take to answer: 4.096 µs × 2^RespTimeValue (IBA 13.4.6.2).
    /// RMPP's response and total-transaction timers (IBA 13.6.3.1) start from this; a
    /// requester adds the path's packet lifetime for the round trip.
    public var responseTime: Duration { Self.responseTime(respTimeValue: respTimeValue) }

    /// 4.096 µs × 2^`respTimeValue` for any 5-bit RespTimeValue (the same encoding is used by
    /// PortInfo:RespTimeValue, InformInfo:RespTimeValue and RMPP's RRespTime). Only the low
    /// 5 bits count, as on the wire; 31 gives about 2.4 hours.
    public static func responseTime(respTimeValue: UInt8) -> Duration {
        .nanoseconds(Int64(4096) << Int64(respTimeValue & 0x1F))
    }

    /// ClassPortInfo:CapabilityMask (IBA 13.4.8.1). Bits 0–7 are common to all
    /// classes; bits 8–15 are class-specific (the PerfMgt ones are named here; unknown bits
    /// round-trip).
    public struct CapabilityMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        /// The class can generate traps.
        public static let isTrapSupported = CapabilityMask(rawValue: 1 << 0)
        /// The class implements Get(Notice) and Set(Notice).
        public static let isNoticeSupported = CapabilityMask(rawValue: 1 << 1)
        /// CapabilityMask2 is valid.
        public static let isCapabilityMask2Supported = CapabilityMask(rawValue: 1 << 2)

        // PerfMgt class-specific bits (IBA 16.1.2; opensm's IB_PM_* constants).
        public static let perfAllPortSelect = CapabilityMask(rawValue: 1 << 8)
        public static let perfExtendedWidthSupported = CapabilityMask(rawValue: 1 << 9)
        public static let perfExtendedWidthNoIETFSupported = CapabilityMask(rawValue: 1 << 10)
        public static let perfSamplesOnlySupported = CapabilityMask(rawValue: 1 << 11)
        public static let perfPortXmitWaitSupported = CapabilityMask(rawValue: 1 << 12)
        public static let perfQP1DroppedSupported = CapabilityMask(rawValue: 1 << 15)

        public static let names = ValueNames([
            (1 << 0, "IsTrapSupported"), (1 << 1, "IsNoticeSupported"),
            (1 << 2, "IsCapabilityMask2Supported"),
        ])
    }
}
