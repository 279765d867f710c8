// Open code points (the swift-asn1 rule): every value of the wire field is representable,
// so unknown classes, methods, attributes and status bits round-trip unchanged.

/// Management class (IBA 13.4.4, Table 118).
public struct ManagementClass: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let subnetLIDRouted = ManagementClass(rawValue: 0x01)
    public static let subnetDirectedRoute = ManagementClass(rawValue: 0x81)
    public static let subnetAdministration = ManagementClass(rawValue: 0x03)
    public static let performance = ManagementClass(rawValue: 0x04)
    public static let baseboard = ManagementClass(rawValue: 0x05)
    public static let deviceManagement = ManagementClass(rawValue: 0x06)
    public static let communicationManagement = ManagementClass(rawValue: 0x07)
    public static let snmpTunneling = ManagementClass(rawValue: 0x08)
    public static let congestionControl = ManagementClass(rawValue: 0x21)

    /// Subnet management (QP0): LID-routed or directed-route SMPs.
    public var isSubnetManagement: Bool { self == .subnetLIDRouted || self == .subnetDirectedRoute }
    /// Vendor-specific class range 1 (0x09–0x0F): data follows the common header.
    public var isVendorRange1: Bool { (0x09...0x0F).contains(rawValue) }
    /// Vendor-specific class range 2 (0x30–0x4F): RMPP header and OUI, RMPP-capable.
    public var isVendorRange2: Bool { (0x30...0x4F).contains(rawValue) }

    public var name: String? {
        switch rawValue {
        case 0x01: "SubnLID"
        case 0x81: "SubnDirectedRoute"
        case 0x03: "SubnAdm"
        case 0x04: "PerfMgt"
        case 0x05: "BM"
        case 0x06: "DevMgt"
        case 0x07: "ComMgt"
        case 0x08: "SNMP"
        case 0x21: "CongestionControl"
        case 0x09...0x0F: "VendorRange1"
        case 0x30...0x4F: "VendorRange2"
        default: nil
        }
    }

    public var description: String {
        let hex = "0x" + hexDigits(UInt64(rawValue), width: 2)
        return name.map { "\($0) (\(hex))" } ?? hex
    }
}

/// Method (IBA 13.4.5, Table 119), with the response bit (bit 7) kept as sent.
public struct Method: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let get = Method(rawValue: 0x01)
    public static let set = Method(rawValue: 0x02)
    public static let send = Method(rawValue: 0x03)
    public static let trap = Method(rawValue: 0x05)
    public static let report = Method(rawValue: 0x06)
    public static let trapRepress = Method(rawValue: 0x07)
    public static let getTable = Method(rawValue: 0x12)
    public static let getTraceTable = Method(rawValue: 0x13)
    public static let getMulti = Method(rawValue: 0x14)
    public static let delete = Method(rawValue: 0x15)
    public static let getResponse = Method(rawValue: 0x81)
    public static let reportResponse = Method(rawValue: 0x86)
    public static let getTableResponse = Method(rawValue: 0x92)
    public static let getMultiResponse = Method(rawValue: 0x94)
    public static let deleteResponse = Method(rawValue: 0x95)

    /// The R bit: this MAD answers a request.
    public var isResponse: Bool { rawValue & 0x80 != 0 }
    /// The method without its R bit.
    public var request: Method { Method(rawValue: rawValue & 0x7F) }
    /// The response method for this request (GetResp answers Get and Set; IBA 13.4.5).
    public var response: Method {
        switch request {
        case .set: .getResponse
        default: Method(rawValue: rawValue | 0x80)
        }
    }

    public var name: String? {
        switch rawValue {
        case 0x01: "Get"
        case 0x02: "Set"
        case 0x03: "Send"
        case 0x05: "Trap"
        case 0x06: "Report"
        case 0x07: "TrapRepress"
        case 0x12: "GetTable"
        case 0x13: "GetTraceTable"
        case 0x14: "GetMulti"
        case 0x15: "Delete"
        case 0x81: "GetResp"
        case 0x86: "ReportResp"
        case 0x92: "GetTableResp"
        case 0x94: "GetMultiResp"
        case 0x95: "DeleteResp"
        default: nil
        }
    }

    public var description: String {
        let hex = "0x" + hexDigits(UInt64(rawValue), width: 2)
        return name.map { "\($0) (\(hex))" } ?? hex
    }
}

/// Attribute ID (IBA 14.2.5, 16.1.3, 15.2.5). IDs repeat across classes, so a name needs
/// the class: see `AttributeCatalog`.
public struct AttributeID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    // Common to all classes (IBA 13.4.8).
    public static let classPortInfo = AttributeID(rawValue: 0x0001)
    public static let notice = AttributeID(rawValue: 0x0002)
    public static let informInfo = AttributeID(rawValue: 0x0003)

    // Subnet management (IBA 14.2.5, Table 145).
    public static let nodeDescription = AttributeID(rawValue: 0x0010)
    public static let nodeInfo = AttributeID(rawValue: 0x0011)
    public static let switchInfo = AttributeID(rawValue: 0x0012)
    public static let guidInfo = AttributeID(rawValue: 0x0014)
    public static let portInfo = AttributeID(rawValue: 0x0015)
    public static let pKeyTable = AttributeID(rawValue: 0x0016)
    public static let slToVLMappingTable = AttributeID(rawValue: 0x0017)
    public static let vlArbitrationTable = AttributeID(rawValue: 0x0018)
    public static let linearForwardingTable = AttributeID(rawValue: 0x0019)
    public static let randomForwardingTable = AttributeID(rawValue: 0x001A)
    public static let multicastForwardingTable = AttributeID(rawValue: 0x001B)
    public static let smInfo = AttributeID(rawValue: 0x0020)
    public static let vendorDiag = AttributeID(rawValue: 0x0030)
    public static let ledInfo = AttributeID(rawValue: 0x0031)

    // Performance management (IBA 16.1.3, Table 244).
    public static let portSamplesControl = AttributeID(rawValue: 0x0010)
    public static let portSamplesResult = AttributeID(rawValue: 0x0011)
    public static let portCounters = AttributeID(rawValue: 0x0012)
    public static let portCountersExtended = AttributeID(rawValue: 0x001D)

    // Subnet administration (IBA 15.2.5, Table 204).
    public static let nodeRecord = AttributeID(rawValue: 0x0011)
    public static let portInfoRecord = AttributeID(rawValue: 0x0012)
    public static let slToVLMappingTableRecord = AttributeID(rawValue: 0x0013)
    public static let switchInfoRecord = AttributeID(rawValue: 0x0014)
    public static let linearForwardingTableRecord = AttributeID(rawValue: 0x0015)
    public static let multicastForwardingTableRecord = AttributeID(rawValue: 0x0017)
    public static let smInfoRecord = AttributeID(rawValue: 0x0018)
    public static let linkRecord = AttributeID(rawValue: 0x0020)
    public static let guidInfoRecord = AttributeID(rawValue: 0x0030)
    public static let serviceRecord = AttributeID(rawValue: 0x0031)
    public static let pKeyTableRecord = AttributeID(rawValue: 0x0033)
    public static let pathRecord = AttributeID(rawValue: 0x0035)
    public static let vlArbitrationTableRecord = AttributeID(rawValue: 0x0036)
    public static let mcMemberRecord = AttributeID(rawValue: 0x0038)
    public static let traceRecord = AttributeID(rawValue: 0x0039)
    public static let multiPathRecord = AttributeID(rawValue: 0x003A)
    public static let informInfoRecord = AttributeID(rawValue: 0x00F3)
}

/// The MAD Status field (IBA 13.4.7, Table 120). Bits 0–4 are common to all classes,
/// bits 8–14/15 are class-specific. For directed-route SMPs the top bit is the D
/// (direction) bit, not status: use `DirectedRouteSMP.status`, which removes it.
public struct MADStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let success = MADStatus(rawValue: 0)
    /// Whole status words a responder sends (IBA 13.4.7, Table 120).
    public static let busy = MADStatus(rawValue: 0x0001)
    public static let badVersion = MADStatus(rawValue: 0x0004)
    public static let unsupportedMethod = MADStatus(rawValue: 0x0008)
    public static let unsupportedMethodAttribute = MADStatus(rawValue: 0x000C)
    public static let invalidField = MADStatus(rawValue: 0x001C)

    /// The responder is busy: retry later (bit 0).
    public var isBusy: Bool { rawValue & 0x0001 != 0 }
    /// Redirect required: ask ClassPortInfo for the redirect address (bit 1).
    public var isRedirect: Bool { rawValue & 0x0002 != 0 }
    /// The invalid-field code in bits 2–4.
    public var code: Code { Code(rawValue: UInt8((rawValue >> 2) & 0x7)) }
    /// Bits 5–7: reserved, kept as received.
    public var reservedBits: UInt8 { UInt8((rawValue >> 5) & 0x7) }
    /// The class-specific byte (bits 8–15), e.g. SA status codes (IBA 15.2.1.1).
    public var classSpecific: UInt8 { UInt8(rawValue >> 8) }

    public var isSuccess: Bool { rawValue == 0 }

    /// Bits 2–4 of the status (IBA 13.4.7, Table 120).
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let noInvalidFields = Code(rawValue: 0)
        public static let badVersion = Code(rawValue: 1)
        public static let unsupportedMethod = Code(rawValue: 2)
        public static let unsupportedMethodAttribute = Code(rawValue: 3)
        public static let invalidField = Code(rawValue: 7)

        public var name: String {
            switch rawValue {
            case 0: "no invalid fields"
            case 1: "bad version"
            case 2: "unsupported method"
            case 3: "unsupported method/attribute"
            case 7: "invalid attribute or attribute modifier"
            default: "reserved code \(rawValue)"
            }
        }
    }

    public var description: String {
        if rawValue == 0 { return "success (0x0000)" }
        var parts: [String] = []
        if isBusy { parts.append("busy") }
        if isRedirect { parts.append("redirect") }
        if code.rawValue != 0 { parts.append(code.name) }
        if reservedBits != 0 { parts.append("reserved bits 0x\(hexDigits(UInt64(reservedBits), width: 1))") }
        if classSpecific != 0 { parts.append("class-specific 0x\(hexDigits(UInt64(classSpecific), width: 2))") }
        return parts.joined(separator: ", ") + " (0x\(hexDigits(UInt64(rawValue), width: 4)))"
    }
}

/// Lower-case hex digits of `value`, zero-padded to `width` digits (no Foundation).
@inlinable
public func hexDigits(_ value: UInt64, width: Int) -> String {
    let digits = String(value, radix: 16)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
