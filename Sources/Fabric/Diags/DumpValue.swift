// How libibmad (rdma-core 44, libibmad/dump.c) prints one field's value, so that our tools
// print what infiniband-diags prints. Each case names the libibmad dumper it reproduces;
// quirks are kept on purpose (output compatibility) and marked "libibmad quirk".

/// One of libibmad's value dumpers (`mad_dump_uint`, `mad_dump_linkwidth`, ...).
public enum DumpStyle: Sendable, Hashable {
    /// mad_dump_uint: decimal.
    case uint
    /// mad_dump_hex: `0x`, zero-padded to the field's width rounded up to whole bytes.
    case hex
    /// mad_dump_linkwidth (LinkWidthActive): one width.
    case linkWidth
    /// mad_dump_linkwidthsup: a mask, plus " (IBA extension)" for masks IBA 1.0 lacked.
    case linkWidthSupported
    /// mad_dump_linkwidthen: a mask.
    case linkWidthEnabled
    /// mad_dump_linkspeed (LinkSpeedActive).
    case linkSpeed
    /// mad_dump_linkspeedsup / mad_dump_linkspeeden (same text).
    case linkSpeedMask
    /// mad_dump_linkspeedext (LinkSpeedExtActive).
    case linkSpeedExt
    /// mad_dump_linkspeedextsup.
    case linkSpeedExtSupported
    /// mad_dump_linkspeedexten (30 means "disabled").
    case linkSpeedExtEnabled
    case portState, physPortState, linkDownDefState, mtu, vlCap, operVLs, nodeType
    /// mad_dump_portcapmask: `0x…` then one tab-indented line per known bit.
    case portCapMask
    /// mad_dump_portcapmask2.
    case portCapMask2

    /// The text libibmad's dumper produces for `value` of a field `bits` wide.
    public func text(_ value: UInt64, bits: Int) -> String {
        let v = Int(truncatingIfNeeded: value)
        switch self {
        case .uint: return String(value)
        case .hex: return "0x" + DumpValue.hex(value, digits: 2 * ((bits + 7) / 8))
        case .linkWidth: return DumpValue.name(v, DumpValue.widths) ?? "undefined (\(v))"
        case .linkWidthSupported: return DumpValue.linkWidthSupported(v)
        case .linkWidthEnabled: return DumpValue.linkWidthMask(v)
        case .linkSpeed: return v == 0 ? "Extended speed" : DumpValue.name(v, DumpValue.speeds) ?? "undefined (\(v))"
        case .linkSpeedMask: return DumpValue.linkSpeedMask(v)
        case .linkSpeedExt:
            return v == 0 ? "No Extended Speed" : DumpValue.name(v, DumpValue.extSpeeds) ?? "undefined (\(v))"
        case .linkSpeedExtSupported: return DumpValue.linkSpeedExtMask(v)
        case .linkSpeedExtEnabled: return v == 30 ? "Extended link speeds disabled" : DumpValue.linkSpeedExtMask(v)
        case .portState: return DumpValue.listed(v, ["NoChange", "Down", "Initialize", "Armed", "Active"])
        case .physPortState:
            return DumpValue.listed(v, ["NoChange", "Sleep", "Polling", "Disabled", "PortConfigurationTraining",
                                        "LinkUp", "LinkErrorRecovery", "PhyTest"])
        case .linkDownDefState: return DumpValue.listed(v, ["NoChange", "Sleep", "Polling"])
        case .mtu: return DumpValue.listed(v, ["?(0)", "256", "512", "1024", "2048", "4096"])
        case .vlCap: return DumpValue.listed(v, ["?(0)", "VL0", "VL0-1", "VL0-3", "VL0-7", "VL0-14"])
        case .operVLs: return DumpValue.listed(v, ["No change", "VL0", "VL0-1", "VL0-3", "VL0-7", "VL0-14"])
        case .nodeType:
            return (1...3).contains(v) ? ["Channel Adapter", "Switch", "Router"][v - 1] : "?(\(v))?"
        case .portCapMask: return DumpValue.capabilityLines(UInt32(truncatingIfNeeded: value), DumpValue.portCapabilities)
        case .portCapMask2: return DumpValue.capabilityLines(UInt32(truncatingIfNeeded: value), DumpValue.portCapabilities2)
        }
    }
}

/// The pieces the dumpers share.
public enum DumpValue {
    static let widths = [(1, "1X"), (2, "4X"), (4, "8X"), (8, "12X"), (16, "2X")]
    static let speeds = [(1, "2.5 Gbps"), (2, "5.0 Gbps"), (4, "10.0 Gbps")]
    static let extSpeeds = [(1, "14.0625 Gbps"), (2, "25.78125 Gbps"), (4, "53.125 Gbps"), (8, "106.25 Gbps")]

    static func name(_ value: Int, _ table: [(Int, String)]) -> String? {
        table.first { $0.0 == value }?.1
    }

    /// Names from a dense table starting at 0, else "?(value)".
    static func listed(_ value: Int, _ names: [String]) -> String {
        names.indices.contains(value) ? names[value] : "?(\(value))"
    }

    /// printf("%0*x"): lowercase hex, at least `digits` wide. `TextOutput.hex` appends
    /// the same digits to a byte buffer, for long listings.
    public static func hex(_ value: UInt64, digits: Int, uppercase: Bool = false) -> String {
        let text = String(value, radix: 16, uppercase: uppercase)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }

    /// The names of the set bits joined by " or ".
    private static func joined(_ value: Int, _ table: [(Int, String)]) -> [String] {
        table.filter { value & $0.0 != 0 }.map(\.1)
    }

    /// dump_linkwidth: 0 and bits above 2X print "undefined (n)" after the known names.
    static func linkWidthMask(_ width: Int) -> String {
        let names = joined(width, widths)
        if width == 0 || width >> 5 != 0 { return (names + ["undefined (\(width))"]).joined(separator: " or ") }
        return names.joined(separator: " or ")
    }

    /// mad_dump_linkwidthsup. libibmad quirk: 0 prints "undefined (0) (IBA extension)".
    static func linkWidthSupported(_ width: Int) -> String {
        let text = linkWidthMask(width)
        let iba10 = [1, 3, 7, 11, 15, 17, 19, 23, 27, 31]
        return iba10.contains(width) || width >> 5 != 0 ? text : text + " (IBA extension)"
    }

    /// dump_linkspeed (supported and enabled). libibmad quirk: 0 prints
    /// "undefined (0) (IBA extension)", and a lone 5.0 or 10.0 Gbps is an "IBA extension".
    static func linkSpeedMask(_ speed: Int) -> String {
        let names = joined(speed, speeds)
        if speed == 0 || speed >> 3 != 0 {
            let text = (names + ["undefined (\(speed))"]).joined(separator: " or ")
            return speed >> 3 == 0 ? text + " (IBA extension)" : text
        }
        let text = names.joined(separator: " or ")
        return [1, 3, 5, 7].contains(speed) ? text : text + " (IBA extension)"
    }

    /// dump_linkspeedext: 0 prints "0"; bits above 106.25 Gbps add "undefined (n)".
    static func linkSpeedExtMask(_ speed: Int) -> String {
        if speed == 0 { return "0" }
        let names = joined(speed, extSpeeds)
        if speed >> 4 != 0 { return (names + ["undefined (\(speed))"]).joined(separator: " or ") }
        return names.joined(separator: " or ")
    }

    /// mad_dump_portcapmask(2): "0x%x", then "\n\t\t\t\tName" per named bit that is set.
    static func capabilityLines(_ mask: UInt32, _ names: [(Int, String)]) -> String {
        var text = "0x" + String(mask, radix: 16)
        for (bit, name) in names where mask & (1 << UInt32(bit)) != 0 { text += "\n\t\t\t\t" + name }
        return text
    }

    /// PortInfo:CapabilityMask bits as libibmad names them (IBA 14.2.5.6, Table 164).
    /// libibmad quirk: "IsCommunicatonManagementSupported" is misspelt; bits 0 and 13 are
    /// never printed.
    static let portCapabilities: [(Int, String)] = [
        (1, "IsSM"), (2, "IsNoticeSupported"), (3, "IsTrapSupported"), (4, "IsOptionalIPDSupported"),
        (5, "IsAutomaticMigrationSupported"), (6, "IsSLMappingSupported"), (7, "IsMKeyNVRAM"),
        (8, "IsPKeyNVRAM"), (9, "IsLedInfoSupported"), (10, "IsSMdisabled"),
        (11, "IsSystemImageGUIDsupported"), (12, "IsPkeySwitchExternalPortTrapSupported"),
        (14, "IsExtendedSpeedsSupported"), (15, "IsCapabilityMask2Supported"),
        (16, "IsCommunicatonManagementSupported"), (17, "IsSNMPTunnelingSupported"),
        (18, "IsReinitSupported"), (19, "IsDeviceManagementSupported"), (20, "IsVendorClassSupported"),
        (21, "IsDRNoticeSupported"), (22, "IsCapabilityMaskNoticeSupported"),
        (23, "IsBootManagementSupported"), (24, "IsLinkRoundTripLatencySupported"),
        (25, "IsClientRegistrationSupported"), (26, "IsOtherLocalChangesNoticeSupported"),
        (27, "IsLinkSpeedWidthPairsTableSupported"), (28, "IsVendorSpecificMadsTableSupported"),
        (29, "IsMcastPkeyTrapSuppressionSupported"), (30, "IsMulticastFDBTopSupported"),
        (31, "IsHierarchyInfoSupported"),
    ]

    /// PortInfo:CapabilityMask2 bits (IBA 14.2.5.6) as libibmad 44 names them.
    static let portCapabilities2: [(Int, String)] = [
        (0, "IsSetNodeDescriptionSupported"), (1, "IsPortInfoExtendedSupported"),
        (2, "IsVirtualizationSupported"), (3, "IsSwitchPortStateTableSupported"),
        (4, "IsLinkWidth2xSupported"), (5, "IsLinkSpeedHDRSupported"),
        (6, "IsMKeyProtectBitsExtSupported"), (7, "IsEnhancedTrap128Supported"),
        (8, "IsPartitionTopSupported"), (9, "IsEnhancedQoSArbiterSupported"),
        (10, "IsLinkSpeedNDRSupported"),
    ]

    /// libibmad's "Name:....value" line: the name, a colon, dots up to column 33.
    /// libibmad quirk: a name of 32 characters or more is followed by uninitialised
    /// bytes in C; no field we print has one, so we print no dots there.
    public static func line(_ name: String, _ value: String) -> String {
        let dots = name.utf8.count < 32 ? String(repeating: ".", count: 32 - name.utf8.count) : ""
        return name + ":" + dots + value
    }
}
