import MADWire
import Testing

/// libibmad has no PortInfoRecord fields; PortInfo's own fields are paired with libibmad in
/// PortInfoTests, so here the embedding and the component bits are checked.
@Suite struct PortInfoRecordTests {
    typealias F = PortInfoRecord.Fields
    typealias M = PortInfoRecord.ComponentMask

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(PortInfoRecord.layout)
    }

    @Test func embedsPortInfo() {
        SARecordChecks.expectEmbeds(PortInfoRecord.self, PortInfo.self, at: 4, prefix: "PortInfo",
                                    get: { $0.portInfo }, set: { $0.portInfo = $1 })
    }

    /// Up to MaxCreditHint, PortInfo's table and ours list the same components, so bit
    /// 3 + i is PortInfo's i-th field.
    @Test func componentMaskFollowsPortInfosTable() {
        let named: [(M, String)] = [
            (.mKey, "M_Key"), (.gidPrefix, "GidPrefix"), (.baseLID, "LID"), (.masterSMLID, "MasterSMLID"),
            (.capabilityMask, "CapabilityMask"), (.diagCode, "DiagCode"), (.mKeyLeasePeriod, "M_KeyLeasePeriod"),
            (.localPortNumber, "LocalPortNum"), (.linkWidthEnabled, "LinkWidthEnabled"),
            (.linkWidthSupported, "LinkWidthSupported"), (.linkWidthActive, "LinkWidthActive"),
            (.linkSpeedSupported, "LinkSpeedSupported"), (.portState, "PortState"),
            (.portPhysicalState, "PortPhysicalState"), (.linkDownDefaultState, "LinkDownDefaultState"),
            (.mKeyProtectBits, "M_KeyProtectBits"), (.lmc, "LMC"), (.linkSpeedActive, "LinkSpeedActive"),
            (.linkSpeedEnabled, "LinkSpeedEnabled"), (.neighborMTU, "NeighborMTU"), (.masterSMSL, "MasterSMSL"),
            (.vlCap, "VLCap"), (.initType, "InitType"), (.vlHighLimit, "VLHighLimit"),
            (.vlArbitrationHighCap, "VLArbitrationHighCap"), (.vlArbitrationLowCap, "VLArbitrationLowCap"),
            (.initTypeReply, "InitTypeReply"), (.mtuCap, "MTUCap"), (.vlStallCount, "VLStallCount"),
            (.hoqLife, "HOQLife"), (.operationalVLs, "OperationalVLs"),
            (.partitionEnforcementInbound, "PartitionEnforcementInbound"),
            (.partitionEnforcementOutbound, "PartitionEnforcementOutbound"), (.filterRawInbound, "FilterRawInbound"),
            (.filterRawOutbound, "FilterRawOutbound"), (.mKeyViolations, "M_KeyViolations"),
            (.pKeyViolations, "P_KeyViolations"), (.qKeyViolations, "Q_KeyViolations"), (.guidCap, "GUIDCap"),
            (.clientReregister, "ClientReregister"),
            (.multicastPKeyTrapSuppressionEnabled, "MulticastPKeyTrapSuppressionEnabled"),
            (.subnetTimeout, "SubnetTimeOut"), (.respTimeValue, "RespTimeValue"), (.localPhyErrors, "LocalPhyErrors"),
            (.overrunErrors, "OverrunErrors"), (.maxCreditHint, "MaxCreditHint"),
        ]
        let layout = PortInfoRecord.layout
        SARecordChecks.expectMaskMatchesLayout(layout, named.compactMap { mask, name in
            layout.field(named: "PortInfo.\(name)").map { (mask.rawValue, $0) }
        })
        #expect(named.allSatisfy { layout.field(named: "PortInfo.\($0.1)") != nil })
    }

    /// opensm's IB_PIR_COMPMASK_* values, transcribed from ib_types.h.
    @Test func componentMaskMatchesOpenSM() {
        let expected: [(M, Int)] = [
            (.endportLID, 0), (.portNum, 1), (.options, 2), (.mKey, 3), (.gidPrefix, 4), (.baseLID, 5),
            (.capabilityMask, 7), (.portState, 15), (.portInfoReserved274, 19), (.lmc, 20), (.mtuCap, 31),
            (.vlStallCount, 32), (.clientReregister, 43), (.subnetTimeout, 45), (.respTimeValue, 47),
            (.maxCreditHint, 50), (.portInfoReserved448, 51), (.linkRoundTripLatency, 52),
            (.capabilityMask2, 53), (.linkSpeedExtActive, 54), (.linkSpeedExtSupported, 55),
            (.portInfoReserved504, 56), (.linkSpeedExtEnabled, 57),
        ]
        for (mask, bit) in expected {
            #expect(mask.rawValue == 1 << UInt64(bit), "bit \(bit)")
        }
    }
}
