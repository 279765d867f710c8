/// RMPP header (IBA 13.6.2.1, Figure 173), bytes 24–35 of SA and vendor-range-2 MADs.
public enum RMPPHeader {
    public static let version = Field("RMPPVersion", byte: 24, width: 8)
    public static let type = Field("RMPPType", byte: 25, width: 8, .enumerated(ValueNames([
        (0, "none"), (1, "DATA"), (2, "ACK"), (3, "STOP"), (4, "ABORT"),
    ])))
    public static let responseTime = Field("RRespTime", byte: 26, bit: 0, width: 5)
    /// RMPPFlags: Active (bit 0 of the field, the least significant), First, Last.
    public static let flags = Field("RMPPFlags", byte: 26, bit: 5, width: 3, .bitmask(ValueNames([
        (1, "Active"), (2, "First"), (4, "Last"),
    ])))
    public static let status = Field("RMPPStatus", byte: 27, width: 8)
    /// SegmentNumber for DATA and ACK.
    public static let data1 = Field("Data1", byte: 28, width: 32)
    /// PayloadLength for DATA (first and last segment), NewWindowLast for ACK.
    public static let data2 = Field("Data2", byte: 32, width: 32)
    /// Data1 and Data2 under their per-type names (aliases, not in `fields`).
    public static let segmentNumber = Field("SegmentNumber", byte: 28, width: 32)
    public static let payloadLength = Field("PayloadLength", byte: 32, width: 32)
    public static let newWindowLast = Field("NewWindowLast", byte: 32, width: 32)

    public static let fields: [Field] = [version, type, responseTime, flags, status, data1, data2]
    public static let byteCount = 12

    public struct Flags: OptionSet, Sendable, Hashable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let active = Flags(rawValue: 1)
        public static let first = Flags(rawValue: 2)
        public static let last = Flags(rawValue: 4)
    }

    /// RMPPType (IBA 13.6.2.1, Table 170).
    public struct PacketType: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let none = PacketType(rawValue: 0)
        public static let data = PacketType(rawValue: 1)
        public static let ack = PacketType(rawValue: 2)
        public static let stop = PacketType(rawValue: 3)
        public static let abort = PacketType(rawValue: 4)
    }
}

extension MAD {
    public var rmppVersion: UInt8 {
        get { read(RMPPHeader.version) }
        set { write(RMPPHeader.version, newValue) }
    }
    public var rmppType: RMPPHeader.PacketType {
        get { RMPPHeader.PacketType(rawValue: read(RMPPHeader.type)) }
        set { write(RMPPHeader.type, newValue.rawValue) }
    }
    public var rmppResponseTime: UInt8 {
        get { read(RMPPHeader.responseTime) }
        set { write(RMPPHeader.responseTime, newValue) }
    }
    public var rmppFlags: RMPPHeader.Flags {
        get { RMPPHeader.Flags(rawValue: read(RMPPHeader.flags)) }
        set { write(RMPPHeader.flags, newValue.rawValue) }
    }
    public var rmppStatus: UInt8 {
        get { read(RMPPHeader.status) }
        set { write(RMPPHeader.status, newValue) }
    }
    public var rmppData1: UInt32 {
        get { read(RMPPHeader.data1) }
        set { write(RMPPHeader.data1, newValue) }
    }
    public var rmppData2: UInt32 {
        get { read(RMPPHeader.data2) }
        set { write(RMPPHeader.data2, newValue) }
    }
}

/// SA MAD header after the RMPP header (IBA 15.2.1.1, Figure 193).
public enum SAHeader {
    public static let smKey = Field("SM_Key", byte: 36, width: 64, .hex)
    /// Record size in 8-byte words, for GetTable responses.
    public static let attributeOffset = Field("AttributeOffset", byte: 44, width: 16)
    public static let reserved = Field("Reserved", byte: 46, width: 16, .reserved)
    public static let componentMask = Field("ComponentMask", byte: 48, width: 64, .hex)
    public static let data = Field("SAData", byte: 56, width: 200 * 8, .bytes)

    public static let fields: [Field] = [smKey, attributeOffset, reserved, componentMask]
    public static let dataOffset = 56
    public static let dataSize = 200
}

extension MAD {
    public var smKey: UInt64 {
        get { read(SAHeader.smKey) }
        set { write(SAHeader.smKey, newValue) }
    }
    public var saAttributeOffset: UInt16 {
        get { read(SAHeader.attributeOffset) }
        set { write(SAHeader.attributeOffset, newValue) }
    }
    public var componentMask: UInt64 {
        get { read(SAHeader.componentMask) }
        set { write(SAHeader.componentMask, newValue) }
    }
}

/// Vendor-specific class range 2 header (IBA 13.4.9.1): RMPP header, then a reserved byte
/// and the 24-bit OUI that owns the class.
public enum VendorRange2Header {
    public static let reserved = Field("Reserved", byte: 36, width: 8, .reserved)
    public static let oui = Field("OUI", byte: 37, width: 24, .hex)
    /// Class data after the OUI, to the end of the MAD.
    public static let data = Field("VendorData", byte: 40, width: 216 * 8, .bytes)
    public static let fields: [Field] = [reserved, oui]
    public static let dataOffset = 40
}

extension MAD {
    /// OUI of a vendor-range-2 MAD.
    public var vendorOUI: UInt32 {
        get { read(VendorRange2Header.oui) }
        set { write(VendorRange2Header.oui, newValue) }
    }
}

/// GMP layout of classes with 40 reserved bytes before the data (PerfMgt, BM, DevMgt;
/// IBA 16.1.1).
public enum GMPLayout {
    public static let reserved = Field("Reserved", byte: 24, width: 320, .reserved)
    public static let data = Field("Data", byte: 64, width: 192 * 8, .bytes)
    public static let dataOffset = 64
    public static let dataSize = 192
}
