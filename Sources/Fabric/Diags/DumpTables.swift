public import MADWire

/// One line of a libibmad attribute dump: the name libibmad prints, the MADWire field that
/// holds the bits, and the dumper that formats them.
public struct DumpField: Sendable {
    public let name: String
    public let field: Field
    public let style: DumpStyle

    public init(_ name: String, _ field: Field, _ style: DumpStyle = .uint) {
        self.name = name
        self.field = field
        self.style = style
    }

    /// "Name:.....value" for this field of `structure`.
    public func line(in structure: some WireStructure) -> String {
        DumpValue.line(name, value(in: structure))
    }

    /// The value text alone (mad_dump_val).
    public func value(in structure: some WireStructure) -> String {
        style.text(structure[field], bits: field.bits.width)
    }
}

/// The field lists libibmad's mad_dump_<attribute> functions walk, in their order, with
/// libibmad's names (rdma-core libibmad/fields.c and dump.c, release 44).
public enum DumpTables {
    typealias PI = PortInfo.Fields

    /// mad_dump_nodeinfo (IBA 14.2.5.3).
    public static let nodeInfo: [DumpField] = {
        typealias F = NodeInfo.Fields
        return [
            DumpField("BaseVers", F.baseVersion), DumpField("ClassVers", F.classVersion),
            DumpField("NodeType", F.nodeType, .nodeType), DumpField("NumPorts", F.numberOfPorts),
            DumpField("SystemGuid", F.systemImageGUID, .hex), DumpField("Guid", F.nodeGUID, .hex),
            DumpField("PortGuid", F.portGUID, .hex), DumpField("PartCap", F.partitionCap),
            DumpField("DevId", F.deviceID, .hex), DumpField("Revision", F.revision, .hex),
            DumpField("LocalPort", F.localPortNumber), DumpField("VendorId", F.vendorID, .hex),
        ]
    }()

    /// The first run of mad_dump_portinfo / dump_portinfo (IB_PORT_FIRST_F..IB_PORT_LAST_F).
    public static let portInfo: [DumpField] = [
        DumpField("Mkey", PI.mKey, .hex), DumpField("GidPrefix", PI.gidPrefix, .hex),
        DumpField("Lid", PI.lid), DumpField("SMLid", PI.masterSMLID),
        DumpField("CapMask", PI.capabilityMask, .portCapMask), DumpField("DiagCode", PI.diagCode, .hex),
        DumpField("MkeyLeasePeriod", PI.mKeyLeasePeriod), DumpField("LocalPort", PI.localPortNumber),
        DumpField("LinkWidthEnabled", PI.linkWidthEnabled, .linkWidthEnabled),
        DumpField("LinkWidthSupported", PI.linkWidthSupported, .linkWidthSupported),
        DumpField("LinkWidthActive", PI.linkWidthActive, .linkWidth),
        DumpField("LinkSpeedSupported", PI.linkSpeedSupported, .linkSpeedMask),
        DumpField("LinkState", PI.portState, .portState),
        DumpField("PhysLinkState", PI.portPhysicalState, .physPortState),
        DumpField("LinkDownDefState", PI.linkDownDefaultState, .linkDownDefState),
        DumpField("ProtectBits", PI.mKeyProtectBits), DumpField("LMC", PI.lmc),
        DumpField("LinkSpeedActive", PI.linkSpeedActive, .linkSpeed),
        DumpField("LinkSpeedEnabled", PI.linkSpeedEnabled, .linkSpeedMask),
        DumpField("NeighborMTU", PI.neighborMTU, .mtu), DumpField("SMSL", PI.masterSMSL),
        DumpField("VLCap", PI.vlCap, .vlCap), DumpField("InitType", PI.initType, .hex),
        DumpField("VLHighLimit", PI.vlHighLimit), DumpField("VLArbHighCap", PI.vlArbitrationHighCap),
        DumpField("VLArbLowCap", PI.vlArbitrationLowCap), DumpField("InitReply", PI.initTypeReply, .hex),
        DumpField("MtuCap", PI.mtuCap, .mtu), DumpField("VLStallCount", PI.vlStallCount),
        DumpField("HoqLife", PI.hoqLife), DumpField("OperVLs", PI.operationalVLs, .operVLs),
        DumpField("PartEnforceInb", PI.partitionEnforcementInbound),
        DumpField("PartEnforceOutb", PI.partitionEnforcementOutbound),
        DumpField("FilterRawInb", PI.filterRawInbound), DumpField("FilterRawOutb", PI.filterRawOutbound),
        DumpField("MkeyViolations", PI.mKeyViolations), DumpField("PkeyViolations", PI.pKeyViolations),
        DumpField("QkeyViolations", PI.qKeyViolations), DumpField("GuidCap", PI.guidCap),
        DumpField("ClientReregister", PI.clientReregister),
        DumpField("McastPkeyTrapSuppressionEnabled", PI.multicastPKeyTrapSuppressionEnabled),
        DumpField("SubnetTimeout", PI.subnetTimeout), DumpField("RespTimeVal", PI.respTimeValue),
        DumpField("LocalPhysErr", PI.localPhyErrors), DumpField("OverrunErr", PI.overrunErrors),
        DumpField("MaxCreditHint", PI.maxCreditHint), DumpField("RoundTrip", PI.linkRoundTripLatency),
    ]

    /// The second run of mad_dump_portinfo (IB_PORT_CAPMASK2_F..IB_PORT_LINK_SPEED_EXT_LAST_F).
    /// libibmad 44 has no field for the XDR LinkSpeedExt*2 bits of byte 56: never printed.
    public static let portInfoExtendedSpeeds: [DumpField] = [
        DumpField("CapabilityMask2", PI.capabilityMask2, .portCapMask2),
        DumpField("LinkSpeedExtActive", PI.linkSpeedExtActive, .linkSpeedExt),
        DumpField("LinkSpeedExtSupported", PI.linkSpeedExtSupported, .linkSpeedExtSupported),
        DumpField("LinkSpeedExtEnabled", PI.linkSpeedExtEnabled, .linkSpeedExtEnabled),
    ]

    /// mad_dump_switchinfo (IBA 14.2.5.4).
    public static let switchInfo: [DumpField] = {
        typealias F = SwitchInfo.Fields
        return [
            DumpField("LinearFdbCap", F.linearFDBCap), DumpField("RandomFdbCap", F.randomFDBCap),
            DumpField("McastFdbCap", F.multicastFDBCap), DumpField("LinearFdbTop", F.linearFDBTop),
            DumpField("DefPort", F.defaultPort), DumpField("DefMcastPrimPort", F.defaultMulticastPrimaryPort),
            DumpField("DefMcastNotPrimPort", F.defaultMulticastNotPrimaryPort),
            DumpField("LifeTime", F.lifeTimeValue), DumpField("StateChange", F.portStateChange),
            DumpField("OptSLtoVLMapping", F.optimizedSLtoVLMappingProgramming),
            DumpField("LidsPerPort", F.lidsPerPort), DumpField("PartEnforceCap", F.partitionEnforcementCap),
            DumpField("InboundPartEnf", F.inboundEnforcementCap),
            DumpField("OutboundPartEnf", F.outboundEnforcementCap),
            DumpField("FilterRawInbound", F.filterRawInboundCap),
            DumpField("FilterRawOutbound", F.filterRawOutboundCap),
            DumpField("EnhancedPort0", F.enhancedPort0), DumpField("MulticastFDBTop", F.multicastFDBTop, .hex),
        ]
    }()

    /// mad_dump_perfcounters (IBA 16.1.3.5): QP1Dropped printed before VL15Dropped, as
    /// libibmad does. libibmad bug kept for compatibility: its QP1Dropped entry is
    /// `{160, 16}` where `BITSOFFS(160, 16)` was meant, which is where VL15Dropped lives, so
    /// the line "QP1Dropped" shows VL15Dropped (bytes 22-23), never IBA's QP1Dropped (bytes
    /// 20-21). `portCountersCorrected` has the IBA field, for JSON.
    public static let portCounters: [DumpField] = portCountersTable(qp1Dropped: PortCounters.Fields.vl15Dropped)

    /// `portCounters` with QP1Dropped read where IBA 16.1.3.5 puts it.
    public static let portCountersCorrected: [DumpField] = portCountersTable(qp1Dropped: PortCounters.Fields.qp1Dropped)

    static func portCountersTable(qp1Dropped: Field) -> [DumpField] {
        typealias F = PortCounters.Fields
        return [
            DumpField("PortSelect", F.portSelect), DumpField("CounterSelect", F.counterSelect, .hex),
            DumpField("SymbolErrorCounter", F.symbolErrorCounter),
            DumpField("LinkErrorRecoveryCounter", F.linkErrorRecoveryCounter),
            DumpField("LinkDownedCounter", F.linkDownedCounter), DumpField("PortRcvErrors", F.portRcvErrors),
            DumpField("PortRcvRemotePhysicalErrors", F.portRcvRemotePhysicalErrors),
            DumpField("PortRcvSwitchRelayErrors", F.portRcvSwitchRelayErrors),
            DumpField("PortXmitDiscards", F.portXmitDiscards),
            DumpField("PortXmitConstraintErrors", F.portXmitConstraintErrors),
            DumpField("PortRcvConstraintErrors", F.portRcvConstraintErrors),
            DumpField("CounterSelect2", F.counterSelect2, .hex),
            DumpField("LocalLinkIntegrityErrors", F.localLinkIntegrityErrors),
            DumpField("ExcessiveBufferOverrunErrors", F.excessiveBufferOverrunErrors),
            DumpField("QP1Dropped", qp1Dropped), DumpField("VL15Dropped", F.vl15Dropped),
            DumpField("PortXmitData", F.portXmitData), DumpField("PortRcvData", F.portRcvData),
            DumpField("PortXmitPkts", F.portXmitPkts), DumpField("PortRcvPkts", F.portRcvPkts),
            DumpField("PortXmitWait", F.portXmitWait),
        ]
    }

    /// PortCountersExtended (IBA 16.1.4.11) as mad_dump_perfcounters_ext walks it: the
    /// first six fields, the unicast/multicast four, then the IBA 1.3 error counters.
    public static let portCountersExtendedBase: [DumpField] = {
        typealias F = PortCountersExtended.Fields
        return [
            DumpField("PortSelect", F.portSelect), DumpField("CounterSelect", F.counterSelect, .hex),
            DumpField("PortXmitData", F.portXmitData), DumpField("PortRcvData", F.portRcvData),
            DumpField("PortXmitPkts", F.portXmitPkts), DumpField("PortRcvPkts", F.portRcvPkts),
        ]
    }()

    public static let portCountersExtendedWidth: [DumpField] = {
        typealias F = PortCountersExtended.Fields
        return [
            DumpField("PortUnicastXmitPkts", F.portUnicastXmitPkts),
            DumpField("PortUnicastRcvPkts", F.portUnicastRcvPkts),
            DumpField("PortMulticastXmitPkts", F.portMulticastXmitPkts),
            DumpField("PortMulticastRcvPkts", F.portMulticastRcvPkts),
        ]
    }()

    public static let portCountersExtendedErrors: [DumpField] = {
        typealias F = PortCountersExtended.Fields
        return [
            DumpField("CounterSelect2", F.counterSelect2, .hex),
            DumpField("SymbolErrorCounter", F.symbolErrorCounter),
            DumpField("LinkErrorRecoveryCounter", F.linkErrorRecoveryCounter),
            DumpField("LinkDownedCounter", F.linkDownedCounter), DumpField("PortRcvErrors", F.portRcvErrors),
            DumpField("PortRcvRemotePhysicalErrors", F.portRcvRemotePhysicalErrors),
            DumpField("PortRcvSwitchRelayErrors", F.portRcvSwitchRelayErrors),
            DumpField("PortXmitDiscards", F.portXmitDiscards),
            DumpField("PortXmitConstraintErrors", F.portXmitConstraintErrors),
            DumpField("PortRcvConstraintErrors", F.portRcvConstraintErrors),
            DumpField("LocalLinkIntegrityErrors", F.localLinkIntegrityErrors),
            DumpField("ExcessiveBufferOverrunErrors", F.excessiveBufferOverrunErrors),
            DumpField("VL15Dropped", F.vl15Dropped), DumpField("PortXmitWait", F.portXmitWait),
            DumpField("QP1Dropped", F.qp1Dropped),
        ]
    }()

    /// Each field's line followed by a newline, as libibmad's _dump_fields writes them.
    public static func lines(_ fields: [DumpField], of structure: some WireStructure, indent: String = "") -> String {
        var text = ""
        for field in fields { text += indent + field.line(in: structure) + "\n" }
        return text
    }
}
