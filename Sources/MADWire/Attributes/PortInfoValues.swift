// Code points of PortInfo components (IBA 14.2.5.6). Open structs, so values a newer spec
// (or a broken device) sends survive decode/encode unchanged. Names are spelled as
// infiniband-diags prints them (libibmad dump.c), so our output reads like smpquery's.

/// LinkWidthEnabled/Supported (bit masks) and LinkWidthActive (one bit set).
public struct LinkWidth: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let x1 = LinkWidth(rawValue: 0x01)
    public static let x4 = LinkWidth(rawValue: 0x02)
    public static let x8 = LinkWidth(rawValue: 0x04)
    public static let x12 = LinkWidth(rawValue: 0x08)
    /// IBA 1.4 (CapabilityMask2.IsLinkWidth2xSupported).
    public static let x2 = LinkWidth(rawValue: 0x10)
    /// LinkWidthEnabled 255: set to LinkWidthSupported. 0 means no state change.
    public static let setToSupported = LinkWidth(rawValue: 0xFF)

    public static let names = ValueNames([(0x01, "1X"), (0x02, "4X"), (0x04, "8X"), (0x08, "12X"), (0x10, "2X")])
    public var description: String { describeMask(UInt64(rawValue), Self.names) }
}

/// LinkSpeedSupported/Enabled (4-bit masks) and LinkSpeedActive (one value).
public struct LinkSpeed: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let sdr = LinkSpeed(rawValue: 0x1)
    public static let ddr = LinkSpeed(rawValue: 0x2)
    public static let qdr = LinkSpeed(rawValue: 0x4)
    /// LinkSpeedEnabled 15: set to LinkSpeedSupported. 0 means no state change.
    public static let setToSupported = LinkSpeed(rawValue: 0xF)

    public static let names = ValueNames([(0x1, "2.5 Gbps"), (0x2, "5.0 Gbps"), (0x4, "10.0 Gbps")])
    /// LinkSpeedActive 0: the link runs at the speed in LinkSpeedExtActive.
    public static let activeNames = ValueNames([(0x0, "Extended speed")] + names.entries.map { ($0.value, $0.name) })
    public var description: String { describeMask(UInt64(rawValue), Self.names) }
}

/// LinkSpeedExtSupported/Enabled (masks) and LinkSpeedExtActive (one value), IBA 1.3+.
public struct LinkSpeedExtended: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fdr = LinkSpeedExtended(rawValue: 0x1)
    public static let edr = LinkSpeedExtended(rawValue: 0x2)
    public static let hdr = LinkSpeedExtended(rawValue: 0x4)
    public static let ndr = LinkSpeedExtended(rawValue: 0x8)
    /// LinkSpeedExtEnabled 30: extended speeds disabled; 31: set to supported.
    public static let disabled = LinkSpeedExtended(rawValue: 30)
    public static let setToSupported = LinkSpeedExtended(rawValue: 31)

    public static let names = ValueNames([(0x1, "14.0625 Gbps"), (0x2, "25.78125 Gbps"), (0x4, "53.125 Gbps"), (0x8, "106.25 Gbps")])
    public static let activeNames = ValueNames([(0x0, "No Extended Speed")] + names.entries.map { ($0.value, $0.name) })
    public var description: String { describeMask(UInt64(rawValue), Self.names) }
}

/// LinkSpeedExt*2 (XDR and later), in PortInfo byte 56 (rdma-core libibmad, IBA 1.7).
public struct LinkSpeedExtended2: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let xdr = LinkSpeedExtended2(rawValue: 0x1)

    public static let names = ValueNames([(0x1, "212.5 Gbps")])
    public static let activeNames = ValueNames([(0x0, "No Extended Speed 2"), (0x1, "212.5 Gbps")])
    public var description: String { describeMask(UInt64(rawValue), Self.names) }
}

/// PortState (IBA 14.2.5.6): the logical link state.
public struct PortState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// In a Set: leave the state alone.
    public static let noChange = PortState(rawValue: 0)
    public static let down = PortState(rawValue: 1)
    public static let initialize = PortState(rawValue: 2)
    public static let armed = PortState(rawValue: 3)
    public static let active = PortState(rawValue: 4)
    /// IBA 1.2 ActDefer; libibmad has no name for it.
    public static let activeDefer = PortState(rawValue: 5)

    public static let names = ValueNames([(0, "NoChange"), (1, "Down"), (2, "Initialize"), (3, "Armed"), (4, "Active"), (5, "ActDefer")])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// PortPhysicalState (IBA 14.2.5.6).
public struct PhysicalPortState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let noChange = PhysicalPortState(rawValue: 0)
    public static let sleep = PhysicalPortState(rawValue: 1)
    public static let polling = PhysicalPortState(rawValue: 2)
    public static let disabled = PhysicalPortState(rawValue: 3)
    public static let portConfigurationTraining = PhysicalPortState(rawValue: 4)
    public static let linkUp = PhysicalPortState(rawValue: 5)
    public static let linkErrorRecovery = PhysicalPortState(rawValue: 6)
    public static let phyTest = PhysicalPortState(rawValue: 7)

    public static let names = ValueNames([
        (0, "NoChange"), (1, "Sleep"), (2, "Polling"), (3, "Disabled"), (4, "PortConfigurationTraining"),
        (5, "LinkUp"), (6, "LinkErrorRecovery"), (7, "PhyTest"),
    ])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// LinkDownDefaultState (IBA 14.2.5.6): the physical state a port falls back to.
public struct LinkDownDefaultState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let noChange = LinkDownDefaultState(rawValue: 0)
    public static let sleep = LinkDownDefaultState(rawValue: 1)
    public static let polling = LinkDownDefaultState(rawValue: 2)

    public static let names = ValueNames([(0, "NoChange"), (1, "Sleep"), (2, "Polling")])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// MTU code (IBA 14.2.5.6 NeighborMTU/MTUCap; also PathRecord, IBA 15.2.5.16): 1 = 256 bytes
/// up to 5 = 4096.
public struct MTU: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let mtu256 = MTU(rawValue: 1)
    public static let mtu512 = MTU(rawValue: 2)
    public static let mtu1024 = MTU(rawValue: 3)
    public static let mtu2048 = MTU(rawValue: 4)
    public static let mtu4096 = MTU(rawValue: 5)

    /// Payload bytes, or nil for a reserved code.
    public var byteCount: Int? { (1...5).contains(rawValue) ? 128 << Int(rawValue) : nil }

    public static let names = ValueNames([(1, "256"), (2, "512"), (3, "1024"), (4, "2048"), (5, "4096")])
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// VLCap and OperationalVLs (IBA 14.2.5.6): how many data VLs.
public struct VirtualLanes: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// OperationalVLs 0 in a Set: no change.
    public static let noChange = VirtualLanes(rawValue: 0)
    public static let vl0 = VirtualLanes(rawValue: 1)
    public static let vl0to1 = VirtualLanes(rawValue: 2)
    public static let vl0to3 = VirtualLanes(rawValue: 3)
    public static let vl0to7 = VirtualLanes(rawValue: 4)
    public static let vl0to14 = VirtualLanes(rawValue: 5)

    /// Number of data VLs, or nil for 0 and reserved codes.
    public var count: Int? { (1...5).contains(rawValue) ? [1, 2, 4, 8, 15][Int(rawValue) - 1] : nil }

    public static let names = ValueNames([(1, "VL0"), (2, "VL0-1"), (3, "VL0-3"), (4, "VL0-7"), (5, "VL0-14")])
    public static let operationalNames = ValueNames([(0, "No change")] + names.entries.map { ($0.value, $0.name) })
    public var description: String { Self.names.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}

/// PortInfo.CapabilityMask (IBA 14.2.5.6, Table 146's CapabilityMask bits).
public struct PortCapabilities: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let isSM = PortCapabilities(rawValue: 1 << 1)
    public static let isNoticeSupported = PortCapabilities(rawValue: 1 << 2)
    public static let isTrapSupported = PortCapabilities(rawValue: 1 << 3)
    public static let isOptionalIPDSupported = PortCapabilities(rawValue: 1 << 4)
    public static let isAutomaticMigrationSupported = PortCapabilities(rawValue: 1 << 5)
    public static let isSLMappingSupported = PortCapabilities(rawValue: 1 << 6)
    public static let isMKeyNVRAM = PortCapabilities(rawValue: 1 << 7)
    public static let isPKeyNVRAM = PortCapabilities(rawValue: 1 << 8)
    public static let isLEDInfoSupported = PortCapabilities(rawValue: 1 << 9)
    public static let isSMDisabled = PortCapabilities(rawValue: 1 << 10)
    public static let isSystemImageGUIDSupported = PortCapabilities(rawValue: 1 << 11)
    public static let isPKeySwitchExternalPortTrapSupported = PortCapabilities(rawValue: 1 << 12)
    public static let isCableInfoSupported = PortCapabilities(rawValue: 1 << 13)
    public static let isExtendedSpeedsSupported = PortCapabilities(rawValue: 1 << 14)
    public static let isCapabilityMask2Supported = PortCapabilities(rawValue: 1 << 15)
    public static let isCommunicationManagementSupported = PortCapabilities(rawValue: 1 << 16)
    public static let isSNMPTunnelingSupported = PortCapabilities(rawValue: 1 << 17)
    public static let isReinitSupported = PortCapabilities(rawValue: 1 << 18)
    public static let isDeviceManagementSupported = PortCapabilities(rawValue: 1 << 19)
    public static let isVendorClassSupported = PortCapabilities(rawValue: 1 << 20)
    public static let isDRNoticeSupported = PortCapabilities(rawValue: 1 << 21)
    public static let isCapabilityMaskNoticeSupported = PortCapabilities(rawValue: 1 << 22)
    public static let isBootManagementSupported = PortCapabilities(rawValue: 1 << 23)
    public static let isLinkRoundTripLatencySupported = PortCapabilities(rawValue: 1 << 24)
    public static let isClientReregistrationSupported = PortCapabilities(rawValue: 1 << 25)
    public static let isOtherLocalChangesNoticeSupported = PortCapabilities(rawValue: 1 << 26)
    public static let isLinkSpeedWidthPairsTableSupported = PortCapabilities(rawValue: 1 << 27)
    public static let isVendorSpecificMADsTableSupported = PortCapabilities(rawValue: 1 << 28)
    public static let isMulticastPKeyTrapSuppressionSupported = PortCapabilities(rawValue: 1 << 29)
    public static let isMulticastFDBTopSupported = PortCapabilities(rawValue: 1 << 30)
    public static let isHierarchyInfoSupported = PortCapabilities(rawValue: 1 << 31)

    // libibmad's spellings, except bit 13 (it prints nothing) and bit 16 (it prints the
    // misspelling "IsCommunicatonManagementSupported"): see PortInfoTests.
    public static let names = ValueNames([
        (1 << 1, "IsSM"), (1 << 2, "IsNoticeSupported"), (1 << 3, "IsTrapSupported"),
        (1 << 4, "IsOptionalIPDSupported"), (1 << 5, "IsAutomaticMigrationSupported"),
        (1 << 6, "IsSLMappingSupported"), (1 << 7, "IsMKeyNVRAM"), (1 << 8, "IsPKeyNVRAM"),
        (1 << 9, "IsLedInfoSupported"), (1 << 10, "IsSMdisabled"), (1 << 11, "IsSystemImageGUIDsupported"),
        (1 << 12, "IsPkeySwitchExternalPortTrapSupported"), (1 << 13, "IsCableInfoSupported"),
        (1 << 14, "IsExtendedSpeedsSupported"), (1 << 15, "IsCapabilityMask2Supported"),
        (1 << 16, "IsCommunicationManagementSupported"), (1 << 17, "IsSNMPTunnelingSupported"),
        (1 << 18, "IsReinitSupported"), (1 << 19, "IsDeviceManagementSupported"),
        (1 << 20, "IsVendorClassSupported"), (1 << 21, "IsDRNoticeSupported"),
        (1 << 22, "IsCapabilityMaskNoticeSupported"), (1 << 23, "IsBootManagementSupported"),
        (1 << 24, "IsLinkRoundTripLatencySupported"), (1 << 25, "IsClientRegistrationSupported"),
        (1 << 26, "IsOtherLocalChangesNoticeSupported"), (1 << 27, "IsLinkSpeedWidthPairsTableSupported"),
        (1 << 28, "IsVendorSpecificMadsTableSupported"), (1 << 29, "IsMcastPkeyTrapSuppressionSupported"),
        (1 << 30, "IsMulticastFDBTopSupported"), (1 << 31, "IsHierarchyInfoSupported"),
    ])
    public var description: String { describeMask(UInt64(rawValue), Self.names) }
}

/// PortInfo.CapabilityMask2 (IBA 14.2.5.6, IBA 1.3+).
public struct PortCapabilities2: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let isSetNodeDescriptionSupported = PortCapabilities2(rawValue: 1 << 0)
    public static let isPortInfoExtendedSupported = PortCapabilities2(rawValue: 1 << 1)
    public static let isVirtualizationSupported = PortCapabilities2(rawValue: 1 << 2)
    public static let isSwitchPortStateTableSupported = PortCapabilities2(rawValue: 1 << 3)
    public static let isLinkWidth2xSupported = PortCapabilities2(rawValue: 1 << 4)
    public static let isLinkSpeedHDRSupported = PortCapabilities2(rawValue: 1 << 5)
    public static let isMKeyProtectBitsExtSupported = PortCapabilities2(rawValue: 1 << 6)
    public static let isEnhancedTrap128Supported = PortCapabilities2(rawValue: 1 << 7)
    public static let isPartitionTopSupported = PortCapabilities2(rawValue: 1 << 8)
    public static let isEnhancedQoSArbiterSupported = PortCapabilities2(rawValue: 1 << 9)
    public static let isLinkSpeedNDRSupported = PortCapabilities2(rawValue: 1 << 10)

    public static let names = ValueNames([
        (1 << 0, "IsSetNodeDescriptionSupported"), (1 << 1, "IsPortInfoExtendedSupported"),
        (1 << 2, "IsVirtualizationSupported"), (1 << 3, "IsSwitchPortStateTableSupported"),
        (1 << 4, "IsLinkWidth2xSupported"), (1 << 5, "IsLinkSpeedHDRSupported"),
        (1 << 6, "IsMKeyProtectBitsExtSupported"), (1 << 7, "IsEnhancedTrap128Supported"),
        (1 << 8, "IsPartitionTopSupported"), (1 << 9, "IsEnhancedQoSArbiterSupported"),
        (1 << 10, "IsLinkSpeedNDRSupported"),
    ])
    public var description: String { describeMask(UInt64(rawValue), Self.names) }
}

/// "4X or 12X" for a mask, as libibmad joins them; leftover unnamed bits as hex; "0" for none.
fileprivate func describeMask(_ value: UInt64, _ names: ValueNames) -> String {
    var parts: [String] = []
    var rest = value
    for entry in names.entries where entry.value != 0 && value & entry.value == entry.value {
        parts.append(entry.name)
        rest &= ~entry.value
    }
    if rest != 0 { parts.append("0x" + hexDigits(rest, width: 1)) }
    return parts.isEmpty ? "0" : parts.joined(separator: " or ")
}
