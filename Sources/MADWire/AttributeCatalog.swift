/// Which wire structure an attribute ID means in a management class, and how each class
/// lays out its header. Attribute IDs repeat across classes (0x0011 is NodeInfo to the SMA,
/// PortSamplesResult to the PMA and NodeRecord to the SA), so lookups always take the class.
public enum AttributeCatalog {
    /// Classes that share one attribute table.
    public enum Scope: Sendable, Hashable {
        /// SubnLID (0x01) and SubnDirectedRoute (0x81) (IBA 14.2.5, Table 145).
        case subnetManagement
        /// SubnAdm (0x03) (IBA 15.2.5, Table 204).
        case subnetAdministration
        /// PerfMgt (0x04) (IBA 16.1.3, Table 244).
        case performance
        /// ClassPortInfo, Notice, InformInfo: common to all classes (IBA 13.4.8).
        case common

        public func contains(_ managementClass: ManagementClass) -> Bool {
            switch self {
            case .subnetManagement: managementClass.isSubnetManagement
            case .subnetAdministration: managementClass == .subnetAdministration
            case .performance: managementClass == .performance
            case .common: true
            }
        }

        /// The short names `--class` accepts for the scope.
        public var name: String {
            switch self {
            case .subnetManagement: "SMP"
            case .subnetAdministration: "SA"
            case .performance: "PerfMgt"
            case .common: "any"
            }
        }
    }

    /// One registered attribute.
    public struct Entry: Sendable {
        public let scope: Scope
        public let attributeID: AttributeID
        public let type: any WireStructure.Type
        public var layout: WireLayout { type.layout }
        /// The IBA name of the attribute ("PortInfo", "P_KeyTable", "PathRecord").
        public var name: String { layout.name }
        /// The Swift type's name, for tests that check every type is registered.
        public var typeName: String { String(describing: type) }

        init(_ scope: Scope, _ attributeID: AttributeID, _ type: any WireStructure.Type) {
            self.scope = scope
            self.attributeID = attributeID
            self.type = type
        }
    }

    private static func smp<A: MADAttribute>(_ type: A.Type) -> Entry { Entry(.subnetManagement, A.attributeID, type) }
    private static func perf<A: MADAttribute>(_ type: A.Type) -> Entry { Entry(.performance, A.attributeID, type) }
    private static func common<A: MADAttribute>(_ type: A.Type) -> Entry { Entry(.common, A.attributeID, type) }
    private static func sa<R: SARecord>(_ type: R.Type) -> Entry { Entry(.subnetAdministration, R.attributeID, type) }

    /// Every attribute with a layout. Class-specific entries come before common ones, so a
    /// class's own meaning of an ID wins.
    public static let entries: [Entry] = [
        // Subnet management (IBA 14.2.5).
        smp(NodeDescription.self),
        smp(NodeInfo.self),
        smp(SwitchInfo.self),
        smp(GUIDInfo.self),
        smp(PortInfo.self),
        smp(PKeyTable.self),
        smp(SLToVLMappingTable.self),
        smp(VLArbitrationTable.self),
        smp(LinearForwardingTable.self),
        smp(MulticastForwardingTable.self),
        smp(SMInfo.self),
        // Performance management (IBA 16.1.3).
        perf(PortCounters.self),
        perf(PortCountersExtended.self),
        // Subnet administration records (IBA 15.2.5).
        sa(NodeRecord.self),
        sa(PortInfoRecord.self),
        sa(SwitchInfoRecord.self),
        sa(SMInfoRecord.self),
        sa(LinkRecord.self),
        sa(GUIDInfoRecord.self),
        sa(ServiceRecord.self),
        sa(PKeyTableRecord.self),
        sa(PathRecord.self),
        sa(MCMemberRecord.self),
        // Common to all classes (IBA 13.4.8).
        common(ClassPortInfo.self),
        common(Notice.self),
        common(InformInfo.self),
    ]

    /// The entry for `attribute` in `managementClass`, if one has a layout.
    public static func entry(for managementClass: ManagementClass, attribute: AttributeID) -> Entry? {
        entries.first { $0.attributeID == attribute && $0.scope.contains(managementClass) }
    }

    /// Entries whose name matches `name` ignoring case and underscores ("pkeytable" finds
    /// P_KeyTable), restricted to `managementClass` when given.
    public static func entries(named name: String, in managementClass: ManagementClass? = nil) -> [Entry] {
        let key = normalized(name)
        return entries.filter { entry in
            normalized(entry.name) == key && (managementClass.map { entry.scope.contains($0) } ?? true)
        }
    }

    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    /// The attribute's IBA name, also for attributes without a layout yet; nil if unknown.
    public static func name(of attribute: AttributeID, in managementClass: ManagementClass) -> String? {
        if let entry = entry(for: managementClass, attribute: attribute) { return entry.name }
        let table: [UInt16: String]
        switch managementClass {
        case _ where managementClass.isSubnetManagement: table = smpNames
        case .subnetAdministration: table = saNames
        case .performance: table = perfNames
        default: table = [:]
        }
        return table[attribute.rawValue] ?? commonNames[attribute.rawValue]
    }

    // Names of attributes that have no layout here (yet), so that a decode still names them.
    static let commonNames: [UInt16: String] = [0x0001: "ClassPortInfo", 0x0002: "Notice", 0x0003: "InformInfo"]
    static let smpNames: [UInt16: String] = [
        0x0010: "NodeDescription", 0x0011: "NodeInfo", 0x0012: "SwitchInfo", 0x0014: "GUIDInfo",
        0x0015: "PortInfo", 0x0016: "P_KeyTable", 0x0017: "SLtoVLMappingTable", 0x0018: "VLArbitrationTable",
        0x0019: "LinearForwardingTable", 0x001A: "RandomForwardingTable", 0x001B: "MulticastForwardingTable",
        0x0020: "SMInfo", 0x0030: "VendorDiag", 0x0031: "LedInfo",
    ]
    static let perfNames: [UInt16: String] = [
        0x0010: "PortSamplesControl", 0x0011: "PortSamplesResult", 0x0012: "PortCounters",
        0x0013: "PortRcvErrorDetails", 0x0014: "PortXmitDiscardDetails", 0x0015: "PortOpRcvCounters",
        0x0016: "PortFlowCtlCounters", 0x0017: "PortVLOpPackets", 0x0018: "PortVLOpData",
        0x0019: "PortVLXmitFlowCtlUpdateErrors", 0x001A: "PortVLXmitWaitCounters",
        0x001B: "SwPortVLCongestion", 0x001C: "PortSamplesResultExtended", 0x001D: "PortCountersExtended",
    ]
    static let saNames: [UInt16: String] = [
        0x0011: "NodeRecord", 0x0012: "PortInfoRecord", 0x0013: "SLtoVLMappingTableRecord",
        0x0014: "SwitchInfoRecord", 0x0015: "LinearForwardingTableRecord", 0x0016: "RandomForwardingTableRecord",
        0x0017: "MulticastForwardingTableRecord", 0x0018: "SMInfoRecord",
        0x0020: "LinkRecord", 0x0030: "GUIDInfoRecord", 0x0031: "ServiceRecord", 0x0033: "P_KeyTableRecord",
        0x0035: "PathRecord", 0x0036: "VLArbitrationTableRecord", 0x0038: "MCMemberRecord",
        0x0039: "TraceRecord", 0x003A: "MultiPathRecord", 0x003B: "ServiceAssociationRecord",
        0x00F3: "InformInfoRecord",
    ]

    // MARK: Class headers

    /// What a class puts between the common header and the attribute data.
    public enum HeaderKind: Sendable, Hashable {
        case smpLIDRouted, smpDirectedRoute, subnetAdministration, vendorRange2, gmpReserved, commonOnly
    }

    public static func headerKind(for managementClass: ManagementClass) -> HeaderKind {
        switch managementClass {
        case .subnetLIDRouted: .smpLIDRouted
        case .subnetDirectedRoute: .smpDirectedRoute
        case .subnetAdministration: .subnetAdministration
        case .performance, .baseboard, .deviceManagement: .gmpReserved
        case _ where managementClass.isVendorRange2: .vendorRange2
        default: .commonOnly
        }
    }

    /// Header fields of a MAD of `managementClass`, offsets from the MAD's start, up to the
    /// attribute data (DR SMPs also list their paths, which follow the data).
    public static func headerFields(for managementClass: ManagementClass) -> [Field] {
        switch headerKind(for: managementClass) {
        case .smpLIDRouted:
            SMPLayout.lidRoutedFields.filter { $0.bits != SMPLayout.data.bits }
        case .smpDirectedRoute:
            SMPLayout.directedRouteFields.filter { $0.bits != SMPLayout.data.bits }
        case .subnetAdministration:
            MADHeader.fields + RMPPHeader.fields + SAHeader.fields
        case .vendorRange2:
            MADHeader.fields + RMPPHeader.fields + VendorRange2Header.fields
        case .gmpReserved:
            MADHeader.fields + [GMPLayout.reserved]
        case .commonOnly:
            MADHeader.fields
        }
    }

    /// Where the attribute data starts and how long it is, for the header kind. Classes
    /// with only the common header carry raw data from byte 24.
    public static func dataRange(for managementClass: ManagementClass) -> Range<Int> {
        switch headerKind(for: managementClass) {
        case .smpLIDRouted, .smpDirectedRoute: 64..<(64 + SMPLayout.dataSize)
        case .subnetAdministration: SAHeader.dataOffset..<MAD.size
        case .vendorRange2: VendorRange2Header.dataOffset..<MAD.size
        case .gmpReserved: GMPLayout.dataOffset..<MAD.size
        case .commonOnly: MADHeader.byteCount..<MAD.size
        }
    }

    /// The IBA sections defining the class's header.
    public static func headerReference(for managementClass: ManagementClass) -> String {
        switch headerKind(for: managementClass) {
        case .smpLIDRouted: "IBA 13.4.3, 14.2.1.1"
        case .smpDirectedRoute: "IBA 13.4.3, 14.2.1.2"
        case .subnetAdministration: "IBA 13.4.3, 13.6.2.1, 15.2.1.1"
        case .vendorRange2: "IBA 13.4.3, 13.6.2.1, 13.4.9.1"
        case .gmpReserved: "IBA 13.4.3, 16.1.1"
        case .commonOnly: "IBA 13.4.3"
        }
    }
}
