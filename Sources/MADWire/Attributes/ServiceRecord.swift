/// ServiceRecord (IBA 15.2.5.14): a service registered with the SA under a ServiceID, a
/// GID and a P_Key, for a lease time, with a name and 64 bytes of service data.
public struct ServiceRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.serviceRecord
    public var raw: FixedBytes<176>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let serviceID = Field("ServiceID", byte: 0, width: 64, .hex)
        public static let serviceGID = Field("ServiceGID", byte: 8, width: 128, .gid)
        public static let servicePKey = Field("ServiceP_Key", byte: 24, width: 16, .hex)
        public static let reserved = Field("Reserved", byte: 26, width: 16, .reserved)
        /// Seconds; 0xFFFFFFFF is indefinite.
        public static let serviceLease = Field("ServiceLease", byte: 28, width: 32)
        public static let serviceKey = Field("ServiceKey", byte: 32, width: 128, .bytes)
        public static let serviceName = Field("ServiceName", byte: 48, width: 512, .text)
        public static let serviceData8: [Field] = (0..<16).map {
            Field("ServiceData8.\($0)", byte: 112 + $0, width: 8, .hex)
        }
        public static let serviceData16: [Field] = (0..<8).map {
            Field("ServiceData16.\($0)", byte: 128 + 2 * $0, width: 16, .hex)
        }
        public static let serviceData32: [Field] = (0..<4).map {
            Field("ServiceData32.\($0)", byte: 144 + 4 * $0, width: 32, .hex)
        }
        public static let serviceData64: [Field] = (0..<2).map {
            Field("ServiceData64.\($0)", byte: 160 + 8 * $0, width: 64, .hex)
        }
        /// All of ServiceData8/16/32/64 as one 64-byte run (libibmad's ServRecData view; not a
        /// component, so not in `layout`).
        public static let serviceData = Field("ServiceData", byte: 112, width: 512, .bytes)
    }

    public static let layout = WireLayout(
        name: "ServiceRecord", byteCount: 176, specReference: "IBA 15.2.5.14",
        fields: [
            Fields.serviceID, Fields.serviceGID, Fields.servicePKey, Fields.reserved, Fields.serviceLease,
            Fields.serviceKey, Fields.serviceName,
        ] + Fields.serviceData8 + Fields.serviceData16 + Fields.serviceData32 + Fields.serviceData64)

    public var serviceID: UInt64 { get { read(Fields.serviceID) } set { write(Fields.serviceID, newValue) } }
    public var serviceGID: [UInt8] { get { bytes(of: Fields.serviceGID) } set { setBytes(newValue, of: Fields.serviceGID) } }
    public var servicePKey: UInt16 { get { read(Fields.servicePKey) } set { write(Fields.servicePKey, newValue) } }
    public var serviceLease: UInt32 { get { read(Fields.serviceLease) } set { write(Fields.serviceLease, newValue) } }
    /// 16 bytes; shorter input is zero-padded.
    public var serviceKey: [UInt8] { get { bytes(of: Fields.serviceKey) } set { setBytes(newValue, of: Fields.serviceKey) } }
    /// Up to 64 bytes of UTF-8, NUL-terminated when shorter.
    public var serviceName: String {
        get { recordText(Fields.serviceName) }
        set { setRecordText(newValue, of: Fields.serviceName) }
    }
    /// ServiceData8/16/32/64 element `index`; an index outside the array is API misuse.
    public func serviceData8(_ index: Int) -> UInt8 { read(Fields.serviceData8[index]) }
    public mutating func setServiceData8(_ index: Int, _ value: UInt8) { write(Fields.serviceData8[index], value) }
    public func serviceData16(_ index: Int) -> UInt16 { read(Fields.serviceData16[index]) }
    public mutating func setServiceData16(_ index: Int, _ value: UInt16) { write(Fields.serviceData16[index], value) }
    public func serviceData32(_ index: Int) -> UInt32 { read(Fields.serviceData32[index]) }
    public mutating func setServiceData32(_ index: Int, _ value: UInt32) { write(Fields.serviceData32[index], value) }
    public func serviceData64(_ index: Int) -> UInt64 { read(Fields.serviceData64[index]) }
    public mutating func setServiceData64(_ index: Int, _ value: UInt64) { write(Fields.serviceData64[index], value) }

    /// ServiceRecord components (opensm's IB_SR_COMPMASK_*): one bit per ServiceData element.
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let serviceID = ComponentMask(rawValue: 1 << 0)
        public static let serviceGID = ComponentMask(rawValue: 1 << 1)
        public static let servicePKey = ComponentMask(rawValue: 1 << 2)
        public static let reserved = ComponentMask(rawValue: 1 << 3)
        public static let serviceLease = ComponentMask(rawValue: 1 << 4)
        public static let serviceKey = ComponentMask(rawValue: 1 << 5)
        public static let serviceName = ComponentMask(rawValue: 1 << 6)
        /// ServiceData8[`index`] (0..<16): bits 7–22.
        public static func serviceData8(_ index: Int) -> ComponentMask { bit(7, index, count: 16) }
        /// ServiceData16[`index`] (0..<8): bits 23–30.
        public static func serviceData16(_ index: Int) -> ComponentMask { bit(23, index, count: 8) }
        /// ServiceData32[`index`] (0..<4): bits 31–34.
        public static func serviceData32(_ index: Int) -> ComponentMask { bit(31, index, count: 4) }
        /// ServiceData64[`index`] (0..<2): bits 35–36.
        public static func serviceData64(_ index: Int) -> ComponentMask { bit(35, index, count: 2) }

        private static func bit(_ first: Int, _ index: Int, count: Int) -> ComponentMask {
            precondition((0..<count).contains(index), "ServiceData index \(index) outside 0..<\(count)")
            return ComponentMask(rawValue: 1 << UInt64(first + index))
        }
    }
}
