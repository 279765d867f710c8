public import MADWire

/// How one management class lays out RMPP segments (IBA 13.6.2.1, Figure 173): the 24-byte
/// common header, the 12-byte RMPP header, the class header (repeated in every segment),
/// then this segment's share of the data.
///
/// Exact numbers, as the kernel's `ib_get_mad_data_offset` / `ib_is_mad_class_rmpp`
/// (drivers/infiniband/core/mad.c) give them:
///
/// | class                         | data offset | class header | data per segment |
/// |-------------------------------|-------------|--------------|------------------|
/// | SA (0x03)                     | 56          | 20           | 200              |
/// | DevMgt, DevAdm, BIS (0x06, 0x10, 0x12) | 64 | 28          | 192              |
/// | vendor range 2 (0x30–0x4F)    | 40          | 4 (OUI)      | 216              |
///
/// (220 = 256 − 36 is the RMPP payload of a segment: class header plus data;
/// IB_MGMT_RMPP_DATA.) PayloadLength counts that 220-byte payload per segment, class header
/// included: the first segment carries the whole transfer's (segments × 220 − pad), the
/// last its own (220 − pad), where pad is the unused tail of the last segment's data
/// (mad_rmpp.c `send_next_seg` and `get_mad_len`).
public struct RMPPLayout: Sendable, Hashable {
    public let managementClass: ManagementClass
    /// Where the data starts in every segment.
    public let dataOffset: Int

    /// Bytes after the RMPP header in one segment (IB_MGMT_RMPP_DATA).
    public static let payloadPerSegment = 220
    /// First byte after the RMPP header.
    public static let rmppHeaderEnd = 36
    /// The only RMPP version (IBA 13.6.2.1; IB_MGMT_RMPP_VERSION).
    public static let version: UInt8 = 1
    /// RRespTime meaning "no time given", what the kernel puts in the segments it builds
    /// (IB_MGMT_RMPP_NO_RESPTIME).
    public static let noResponseTime: UInt8 = 0x1F

    /// The layout of an RMPP-capable class, nil for the others (SMPs, PerfMgt, CM, vendor
    /// range 1, ...: the kernel never runs RMPP for them either).
    public init?(_ managementClass: ManagementClass) {
        switch managementClass.rawValue {
        case 0x03: dataOffset = 56
        case 0x06, 0x10, 0x12: dataOffset = 64
        case 0x30...0x4F: dataOffset = 40
        default: return nil
        }
        self.managementClass = managementClass
    }

    /// Data bytes per segment.
    public var segmentDataSize: Int { MAD.size - dataOffset }
    /// Class header bytes between the RMPP header and the data.
    public var classHeaderSize: Int { dataOffset - Self.rmppHeaderEnd }

    /// Segments for `dataCount` bytes of data: at least one (an empty transfer is one
    /// segment carrying only the class header, as the kernel's `get_pad_size` makes it).
    public func segmentCount(dataCount: Int) -> Int {
        max(1, (dataCount + segmentDataSize - 1) / segmentDataSize)
    }

    /// Unused data bytes in the last segment.
    public func pad(dataCount: Int) -> Int {
        segmentCount(dataCount: dataCount) * segmentDataSize - dataCount
    }

    /// The first segment's PayloadLength: the whole transfer's payload.
    public func firstPayloadLength(dataCount: Int) -> UInt32 {
        UInt32(segmentCount(dataCount: dataCount) * Self.payloadPerSegment - pad(dataCount: dataCount))
    }

    /// The last segment's PayloadLength: its own payload.
    public func lastPayloadLength(dataCount: Int) -> UInt32 {
        UInt32(Self.payloadPerSegment - pad(dataCount: dataCount))
    }

    /// The data bytes a first-segment PayloadLength announces, nil when it cannot be one
    /// (some segment would carry less than its class header).
    public func dataCount(firstPayloadLength length: UInt32) -> Int? {
        let length = Int(length)
        let segments = max(1, (length + Self.payloadPerSegment - 1) / Self.payloadPerSegment)
        let lastPayload = length - (segments - 1) * Self.payloadPerSegment
        guard lastPayload >= classHeaderSize else { return nil }
        return (segments - 1) * segmentDataSize + lastPayload - classHeaderSize
    }
}

/// RMPPStatus (IBA 13.6.2.1, Table 171): 0 in DATA and ACK, 1 in STOP, 118–127 in ABORT.
public struct RMPPStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let normal = RMPPStatus(rawValue: 0)
    /// STOP: the receiver cannot take more (our reassembly cap, or too many transfers).
    public static let resourcesExhausted = RMPPStatus(rawValue: 1)
    public static let totalTimeTooLong = RMPPStatus(rawValue: 118)
    public static let inconsistentLastAndPayloadLength = RMPPStatus(rawValue: 119)
    public static let inconsistentFirstAndSegmentNumber = RMPPStatus(rawValue: 120)
    public static let badRMPPType = RMPPStatus(rawValue: 121)
    public static let newWindowLastTooSmall = RMPPStatus(rawValue: 122)
    public static let segmentNumberTooBig = RMPPStatus(rawValue: 123)
    public static let illegalStatus = RMPPStatus(rawValue: 124)
    public static let unsupportedVersion = RMPPStatus(rawValue: 125)
    public static let tooManyRetries = RMPPStatus(rawValue: 126)
    public static let unspecified = RMPPStatus(rawValue: 127)

    /// Statuses an ABORT may carry (IB_MGMT_RMPP_STATUS_ABORT_MIN...MAX).
    public var isAbortStatus: Bool { (118...127).contains(rawValue) }

    public var description: String {
        let name: String = switch rawValue {
        case 0: "normal"
        case 1: "resources exhausted"
        case 118: "total time too long"
        case 119: "inconsistent last and PayloadLength"
        case 120: "inconsistent first and SegmentNumber"
        case 121: "bad RMPPType"
        case 122: "NewWindowLast too small"
        case 123: "SegmentNumber too big"
        case 124: "illegal status"
        case 125: "unsupported version"
        case 126: "too many retries"
        case 127: "unspecified"
        case 128...191: "class specific"
        default: "reserved"
        }
        return "\(rawValue) (\(name))"
    }
}
