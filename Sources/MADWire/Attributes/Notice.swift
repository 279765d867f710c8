/// Notice (IBA 13.4.8.2): a trap or notice, 80 bytes: a 10-byte header, 54 bytes of
/// DataDetails and the 16-byte IssuerGID.
///
/// Where it travels decides how much of it there is:
/// - In an SMP (Trap/TrapRepress to the SM, IBA 14.2.5.1) the data area is 64 bytes, so
///   the Notice stops after DataDetails: there is no IssuerGID (the issuer is IssuerLID).
///   Use `init(decodingSMPData:)` and `encodeSMPData(into:)`; IssuerGID reads as zero.
/// - In a GMP (SA Report to subscribers, IBA 15.2.5.19; Trap to a class manager's GSI)
///   the whole 80 bytes are present, and the SA fills IssuerGID.
public struct Notice: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.notice
    /// The part of a Notice that fits an SMP's data area (IBA 14.2.1.1).
    public static let smpByteCount = 64
    public var raw: FixedBytes<80>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let isGeneric = Field("IsGeneric", byte: 0, bit: 0, width: 1, .flag)
        public static let type = Field("Type", byte: 0, bit: 1, width: 7, .enumerated(NoticeType.names))
        /// ProducerType if generic (a node type, or 4 = class manager), else the vendor's OUI.
        public static let producerTypeOrVendorID = Field("ProducerType/VendorID", byte: 1, width: 24, .enumerated(NoticeProducerType.names))
        /// TrapNumber if generic, else the vendor's DeviceID.
        public static let trapNumberOrDeviceID = Field("TrapNumber/DeviceID", byte: 4, width: 16)
        public static let issuerLID = Field("IssuerLID", byte: 6, width: 16)
        /// Alternates 0/1 with each new notice; a repeated toggle is a retransmission.
        public static let noticeToggle = Field("NoticeToggle", byte: 8, bit: 0, width: 1, .flag)
        public static let noticeCount = Field("NoticeCount", byte: 8, bit: 1, width: 15)
        public static let dataDetails = Field("DataDetails", byte: 10, width: 432, .bytes)
        public static let issuerGID = Field("IssuerGID", byte: 64, width: 128, .gid)
    }

    public static let layout = WireLayout(
        name: "Notice", byteCount: 80, specReference: "IBA 13.4.8.2",
        fields: [
            Fields.isGeneric, Fields.type, Fields.producerTypeOrVendorID, Fields.trapNumberOrDeviceID,
            Fields.issuerLID, Fields.noticeToggle, Fields.noticeCount, Fields.dataDetails, Fields.issuerGID,
        ])

    /// The 64-byte SMP form's table: everything up to and including DataDetails.
    public static let smpLayout = WireLayout(
        name: "Notice", byteCount: smpByteCount, specReference: "IBA 13.4.8.2, 14.2.5.1",
        fields: layout.fields.filter { $0.bits.endByte <= smpByteCount })

    /// Reads the 64-byte SMP form (no IssuerGID, which is left zero). Bytes past 64 are
    /// ignored; fewer than 64 is a truncation naming the field that did not fit.
    public init(decodingSMPData bytes: some Collection<UInt8>) throws(MADWireError) {
        guard bytes.count >= Self.smpByteCount else { throw Self.truncation(available: bytes.count) }
        self.init()
        withUnsafeMutableBytes { raw in
            for (index, byte) in bytes.prefix(Self.smpByteCount).enumerated() { raw[index] = byte }
        }
    }

    /// Writes the 64-byte SMP form (everything but IssuerGID) to the start of `buffer`.
    public func encodeSMPData(into buffer: UnsafeMutableRawBufferPointer) throws(MADWireError) {
        guard buffer.count >= Self.smpByteCount else {
            throw MADWireError(.truncated, structure: Self.layout.name,
                               detail: "output buffer of \(buffer.count) bytes cannot hold the \(Self.smpByteCount)-byte SMP form")
        }
        withUnsafeBytes { raw in
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Self.smpByteCount])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<Self.smpByteCount]))
        }
    }

    public var isGeneric: Bool { get { flag(Fields.isGeneric) } set { setFlag(Fields.isGeneric, newValue) } }
    public var type: NoticeType { get { NoticeType(rawValue: read(Fields.type)) } set { write(Fields.type, newValue.rawValue) } }
    /// Generic notices: who produced it.
    public var producerType: NoticeProducerType {
        get { NoticeProducerType(rawValue: read(Fields.producerTypeOrVendorID)) }
        set { write(Fields.producerTypeOrVendorID, newValue.rawValue) }
    }
    /// Vendor notices: the vendor's 24-bit OUI (same bits as `producerType`).
    public var vendorID: UInt32 {
        get { read(Fields.producerTypeOrVendorID) }
        set { write(Fields.producerTypeOrVendorID, newValue) }
    }
    /// Generic notices: the trap number (IBA 14.2.5.1, Table 140 for SM traps).
    public var trapNumber: UInt16 { get { read(Fields.trapNumberOrDeviceID) } set { write(Fields.trapNumberOrDeviceID, newValue) } }
    /// Vendor notices: the device ID (same bits as `trapNumber`).
    public var deviceID: UInt16 { get { read(Fields.trapNumberOrDeviceID) } set { write(Fields.trapNumberOrDeviceID, newValue) } }
    public var issuerLID: UInt16 { get { read(Fields.issuerLID) } set { write(Fields.issuerLID, newValue) } }
    public var noticeToggle: Bool { get { flag(Fields.noticeToggle) } set { setFlag(Fields.noticeToggle, newValue) } }
    public var noticeCount: UInt16 { get { read(Fields.noticeCount) } set { write(Fields.noticeCount, newValue) } }
    /// The 54 trap-specific bytes; see `TrapDetails` for the layouts of common traps.
    public var dataDetails: [UInt8] { get { bytes(of: Fields.dataDetails) } set { setBytes(newValue, of: Fields.dataDetails) } }
    /// The issuer's GID, 16 bytes: present only outside SMPs.
    public var issuerGID: [UInt8] { get { bytes(of: Fields.issuerGID) } set { setBytes(newValue, of: Fields.issuerGID) } }
}

/// DataDetails of the SM traps (IBA 14.2.5.1), as fields of the whole Notice (offsets count
/// from the Notice's first byte, so they read with `notice[field]`). Bytes a table does not
/// list are reserved.
public enum TrapDetails {
    /// Traps 64–67: GID in/out of service, multicast group created/deleted.
    public static let gidAddress = Field("GIDADDR", byte: 16, width: 128, .gid)
    public static let trap64to67: [Field] = [gidAddress]

    /// Trap 128: link state of a switch port changed; the switch's LID.
    public static let trap128LID = Field("LIDADDR", byte: 10, width: 16)
    public static let trap128: [Field] = [trap128LID]

    /// Traps 129–131: local link integrity / excessive buffer overrun thresholds reached,
    /// flow-control update watchdog expired: the port that did it.
    public static let trap129to131LID = Field("LIDADDR", byte: 12, width: 16)
    public static let trap129to131PortNumber = Field("PORTNO", byte: 14, width: 8)
    public static let trap129to131: [Field] = [trap129to131LID, trap129to131PortNumber]

    /// Trap 144: a port's CapabilityMask (or other local state) changed.
    public static let trap144LID = Field("LIDADDR", byte: 12, width: 16)
    public static let trap144OtherLocalChanges = Field("OtherLocalChanges", byte: 15, bit: 7, width: 1, .flag)
    public static let trap144CapabilityMask = Field("CapabilityMask", byte: 16, width: 32, .bitmask(PortCapabilities.names))
    /// Which other local state changed (bits 0–5 of a 16-bit field, the rest reserved).
    public static let trap144ChangeFlags = Field("ChangeFlags", byte: 20, width: 16, .bitmask(ValueNames([
        (0x01, "NodeDescriptionChange"), (0x02, "LinkWidthEnabledChange"), (0x04, "LinkSpeedEnabledChange"),
        (0x08, "SMPriorityChange"), (0x10, "HierarchyInfoChange"), (0x20, "CapabilityMask2Change"),
    ])))
    public static let trap144CapabilityMask2 = Field("CapabilityMask2", byte: 22, width: 16, .bitmask(PortCapabilities2.names))
    public static let trap144: [Field] = [
        trap144LID, trap144OtherLocalChanges, trap144CapabilityMask, trap144ChangeFlags, trap144CapabilityMask2,
    ]

    /// Trap 145: a node's SystemImageGUID changed.
    public static let trap145LID = Field("LIDADDR", byte: 12, width: 16)
    public static let trap145SystemImageGUID = Field("SystemImageGUID", byte: 16, width: 64, .hex)
    public static let trap145: [Field] = [trap145LID, trap145SystemImageGUID]

    /// The detail fields of generic trap `number`, or nil if we have no table for it.
    public static func fields(forTrap number: UInt16) -> [Field]? {
        switch number {
        case 64...67: trap64to67
        case 128: trap128
        case 129...131: trap129to131
        case 144: trap144
        case 145: trap145
        default: nil
        }
    }
}

/// Notice Type (IBA 13.4.8.2, Table 121).
public struct NoticeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fatal = NoticeType(rawValue: 0)
    public static let urgent = NoticeType(rawValue: 1)
    public static let security = NoticeType(rawValue: 2)
    public static let subnetManagement = NoticeType(rawValue: 3)
    public static let informational = NoticeType(rawValue: 4)
    /// Notice queue empty: the other fields are meaningless.
    public static let empty = NoticeType(rawValue: 0x7F)

    public static let names = ValueNames([(0, "Fatal"), (1, "Urgent"), (2, "Security"), (3, "SubnetManagement"), (4, "Info"), (0x7F, "Empty")])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// Notice ProducerType (IBA 13.4.8.2): node types 1–3, plus 4 for a class manager.
public struct NoticeProducerType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let channelAdapter = NoticeProducerType(rawValue: 1)
    public static let `switch` = NoticeProducerType(rawValue: 2)
    public static let router = NoticeProducerType(rawValue: 3)
    public static let classManager = NoticeProducerType(rawValue: 4)

    public static let names = ValueNames([(1, "Channel Adapter"), (2, "Switch"), (3, "Router"), (4, "Class Manager")])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}
