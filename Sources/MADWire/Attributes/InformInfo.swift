/// InformInfo (IBA 13.4.8.3): a subscription (Set to the SA) to traps matching
/// a GID or LID range, generic/vendor kind, type and trap number or device ID.
public struct InformInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.informInfo
    public var raw: FixedBytes<36>
    public init() { raw = FixedBytes() }

    public enum Fields {
        /// The subscribed-to port; all zeros means "use the LID range".
        public static let gid = Field("GID", byte: 0, width: 128, .gid)
        /// 0xFFFF: all LIDs.
        public static let lidRangeBegin = Field("LIDRangeBegin", byte: 16, width: 16)
        public static let lidRangeEnd = Field("LIDRangeEnd", byte: 18, width: 16)
        public static let reserved1 = Field("Reserved", byte: 20, width: 16, .reserved)
        public static let isGeneric = Field("IsGeneric", byte: 22, width: 8)
        /// 1 subscribe, 0 unsubscribe.
        public static let subscribe = Field("Subscribe", byte: 23, width: 8)
        public static let type = Field("Type", byte: 24, width: 16, .enumerated(NoticeType.names))
        /// TrapNumber when IsGeneric, otherwise DeviceID; 0xFFFF matches all.
        public static let trapNumberOrDeviceID = Field("TrapNumber/DeviceID", byte: 26, width: 16, .hex)
        public static let qpn = Field("QPN", byte: 28, width: 24, .hex)
        public static let reserved2 = Field("Reserved", byte: 31, width: 3, .reserved)
        public static let respTimeValue = Field("RespTimeValue", byte: 31, bit: 3, width: 5)
        public static let reserved3 = Field("Reserved", byte: 32, width: 8, .reserved)
        /// ProducerType (a NodeType) when IsGeneric, otherwise the 24-bit VendorID; 0xFFFFFF all.
        public static let producerTypeOrVendorID = Field("ProducerType/VendorID", byte: 33, width: 24, .hex)
    }

    public static let layout = WireLayout(
        name: "InformInfo", byteCount: 36, specReference: "IBA 13.4.8.3",
        fields: [
            Fields.gid, Fields.lidRangeBegin, Fields.lidRangeEnd, Fields.reserved1, Fields.isGeneric,
            Fields.subscribe, Fields.type, Fields.trapNumberOrDeviceID, Fields.qpn, Fields.reserved2,
            Fields.respTimeValue, Fields.reserved3, Fields.producerTypeOrVendorID,
        ])

    public var gid: [UInt8] { get { bytes(of: Fields.gid) } set { setBytes(newValue, of: Fields.gid) } }
    public var lidRangeBegin: UInt16 { get { read(Fields.lidRangeBegin) } set { write(Fields.lidRangeBegin, newValue) } }
    public var lidRangeEnd: UInt16 { get { read(Fields.lidRangeEnd) } set { write(Fields.lidRangeEnd, newValue) } }
    /// Reads any non-zero byte as true; writes 1 or 0.
    public var isGeneric: Bool { get { flag(Fields.isGeneric) } set { setFlag(Fields.isGeneric, newValue) } }
    /// Reads any non-zero byte as true; writes 1 or 0.
    public var subscribe: Bool { get { flag(Fields.subscribe) } set { setFlag(Fields.subscribe, newValue) } }
    public var type: NoticeType {
        get { NoticeType(rawValue: read(Fields.type)) }
        set { write(Fields.type, newValue.rawValue) }
    }
    public var trapNumberOrDeviceID: UInt16 {
        get { read(Fields.trapNumberOrDeviceID) }
        set { write(Fields.trapNumberOrDeviceID, newValue) }
    }
    /// 24-bit QP that receives the reports.
    public var qpn: UInt32 { get { read(Fields.qpn) } set { write(Fields.qpn, newValue) } }
    /// 5 bits: 4.096 µs × 2^value (see `ClassPortInfo.responseTime(respTimeValue:)`).
    public var respTimeValue: UInt8 { get { read(Fields.respTimeValue) } set { write(Fields.respTimeValue, newValue) } }
    /// 24 bits.
    public var producerTypeOrVendorID: UInt32 {
        get { read(Fields.producerTypeOrVendorID) }
        set { write(Fields.producerTypeOrVendorID, newValue) }
    }

    /// Notice Type (IBA 13.4.8.2); InformInfo adds 0xFFFF for "all". Nested so
    /// that a Notice attribute can define its own without a clash.
    public struct NoticeType: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let fatal = NoticeType(rawValue: 0)
        public static let urgent = NoticeType(rawValue: 1)
        public static let security = NoticeType(rawValue: 2)
        public static let subnetManagement = NoticeType(rawValue: 3)
        public static let informational = NoticeType(rawValue: 4)
        public static let all = NoticeType(rawValue: 0xFFFF)

        public static let names = ValueNames([
            (0, "Fatal"), (1, "Urgent"), (2, "Security"), (3, "SubnetManagement"),
            (4, "Informational"), (0xFFFF, "All"),
        ])
    }
}
