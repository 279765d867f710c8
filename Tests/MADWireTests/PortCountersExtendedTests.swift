import CIBMadOracle
import MADWire
import Testing

@Suite struct PortCountersExtendedTests {
    typealias F = PortCountersExtended.Fields

    // PMA attribute fields: libibmad's offsets are relative to the attribute (base 0).
    static let pairs: [OraclePair] = [
        OraclePair(IB_PC_EXT_PORT_SELECT_F, F.portSelect),
        OraclePair(IB_PC_EXT_COUNTER_SELECT_F, F.counterSelect),
        OraclePair(IB_PC_EXT_XMT_BYTES_F, F.portXmitData),
        OraclePair(IB_PC_EXT_RCV_BYTES_F, F.portRcvData),
        OraclePair(IB_PC_EXT_XMT_PKTS_F, F.portXmitPkts),
        OraclePair(IB_PC_EXT_RCV_PKTS_F, F.portRcvPkts),
        OraclePair(IB_PC_EXT_XMT_UPKTS_F, F.portUnicastXmitPkts),
        OraclePair(IB_PC_EXT_RCV_UPKTS_F, F.portUnicastRcvPkts),
        OraclePair(IB_PC_EXT_XMT_MPKTS_F, F.portMulticastXmitPkts),
        OraclePair(IB_PC_EXT_RCV_MPKTS_F, F.portMulticastRcvPkts),
        // The optional error counters (IB_PC_EXT_ERR_* and friends).
        OraclePair(IB_PC_EXT_COUNTER_SELECT2_F, F.counterSelect2),
        OraclePair(IB_PC_EXT_ERR_SYM_F, F.symbolErrorCounter),
        OraclePair(IB_PC_EXT_LINK_RECOVERS_F, F.linkErrorRecoveryCounter),
        OraclePair(IB_PC_EXT_LINK_DOWNED_F, F.linkDownedCounter),
        OraclePair(IB_PC_EXT_ERR_RCV_F, F.portRcvErrors),
        OraclePair(IB_PC_EXT_ERR_PHYSRCV_F, F.portRcvRemotePhysicalErrors),
        OraclePair(IB_PC_EXT_ERR_SWITCH_REL_F, F.portRcvSwitchRelayErrors),
        OraclePair(IB_PC_EXT_XMT_DISCARDS_F, F.portXmitDiscards),
        OraclePair(IB_PC_EXT_ERR_XMTCONSTR_F, F.portXmitConstraintErrors),
        OraclePair(IB_PC_EXT_ERR_RCVCONSTR_F, F.portRcvConstraintErrors),
        OraclePair(IB_PC_EXT_ERR_LOCALINTEG_F, F.localLinkIntegrityErrors),
        OraclePair(IB_PC_EXT_ERR_EXCESS_OVR_F, F.excessiveBufferOverrunErrors),
        OraclePair(IB_PC_EXT_VL15_DROPPED_F, F.vl15Dropped),
        OraclePair(IB_PC_EXT_XMT_WAIT_F, F.portXmitWait),
        OraclePair(IB_PC_EXT_QP1_DROP_F, F.qp1Dropped),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(PortCountersExtended.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [
            (IB_PC_EXT_PORT_SELECT_F, IB_PC_EXT_RCV_MPKTS_F),
            (IB_PC_EXT_COUNTER_SELECT2_F, IB_PC_EXT_QP1_DROP_F),
        ])
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(PortCountersExtended.layout)
        #expect(PortCountersExtended.counterFields.count == 22)
    }

    /// The 64-bit counters are big-endian on the wire.
    @Test func countersAreBigEndian() {
        var counters = PortCountersExtended()
        counters.portXmitData = 0x0102_0304_0506_0708
        counters.qp1Dropped = 0x1122_3344_5566_7788
        #expect(Array(counters.encoded[8..<16]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(counters.encoded[176..<184]) == [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])
    }

    @Test func truncatedInputNamesTheField() {
        // A responder without the optional counters still sends the whole MAD, but a short
        // buffer must name the first counter it cuts.
        let short = [UInt8](repeating: 0, count: 72)
        #expect(throws: MADWireError.truncated("PortCountersExtended", field: "SymbolErrorCounter", needed: 80, available: 72)) {
            try PortCountersExtended(decoding: short)
        }
    }
}
