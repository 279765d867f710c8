import CIBMadOracle
import MADWire
import Testing

@Suite struct PortCountersTests {
    typealias F = PortCounters.Fields

    // PMA attribute fields: libibmad's offsets are relative to the attribute (base 0).
    static let pairs: [OraclePair] = [
        OraclePair(IB_PC_PORT_SELECT_F, F.portSelect),
        OraclePair(IB_PC_COUNTER_SELECT_F, F.counterSelect),
        OraclePair(IB_PC_ERR_SYM_F, F.symbolErrorCounter),
        OraclePair(IB_PC_LINK_RECOVERS_F, F.linkErrorRecoveryCounter),
        OraclePair(IB_PC_LINK_DOWNED_F, F.linkDownedCounter),
        OraclePair(IB_PC_ERR_RCV_F, F.portRcvErrors),
        OraclePair(IB_PC_ERR_PHYSRCV_F, F.portRcvRemotePhysicalErrors),
        OraclePair(IB_PC_ERR_SWITCH_REL_F, F.portRcvSwitchRelayErrors),
        OraclePair(IB_PC_XMT_DISCARDS_F, F.portXmitDiscards),
        OraclePair(IB_PC_ERR_XMTCONSTR_F, F.portXmitConstraintErrors),
        OraclePair(IB_PC_ERR_RCVCONSTR_F, F.portRcvConstraintErrors),
        OraclePair(IB_PC_COUNTER_SELECT2_F, F.counterSelect2),
        OraclePair(IB_PC_ERR_LOCALINTEG_F, F.localLinkIntegrityErrors),
        OraclePair(IB_PC_ERR_EXCESS_OVR_F, F.excessiveBufferOverrunErrors),
        OraclePair(IB_PC_VL15_DROPPED_F, F.vl15Dropped),
        OraclePair(IB_PC_XMT_BYTES_F, F.portXmitData),
        OraclePair(IB_PC_RCV_BYTES_F, F.portRcvData),
        OraclePair(IB_PC_XMT_PKTS_F, F.portXmitPkts),
        OraclePair(IB_PC_RCV_PKTS_F, F.portRcvPkts),
        OraclePair(IB_PC_XMT_WAIT_F, F.portXmitWait),
    ]

    /// libibmad fields that disagree with the IBA, each with the reason. The IBA wins.
    /// - IB_PC_QP1_DROP_F: fields.c declares it as `{160, 16}` without BITSOFFS(), so its
    ///   32-bit-word byte swizzle lands it on bytes 22–23, VL15Dropped's place. IBA 16.1.3.5
    ///   puts QP1Dropped at bit 160 = bytes 20–21 (reserved before IBA 1.3).
    static let knownDisagreements: [MAD_FIELDS] = [IB_PC_QP1_DROP_F]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(PortCounters.self, pair)
    }

    @Test func everyLibibmadFieldIsPairedOrAKnownDisagreement() {
        SARecordChecks.expectAllPaired(
            Self.pairs, [(IB_PC_PORT_SELECT_F, IB_PC_XMT_WAIT_F), (IB_PC_QP1_DROP_F, IB_PC_QP1_DROP_F)],
            except: Self.knownDisagreements)
    }

    /// Records libibmad's QP1Dropped as it is, so a fixed libibmad makes this fail and the
    /// exception gets removed.
    @Test func libibmadQP1DroppedOverlapsVL15Dropped() {
        var first: Int32 = 0, width: Int32 = 0
        #expect(CIBMadOracle_field_extent(Int32(IB_PC_QP1_DROP_F.rawValue), &first, &width) == 0)
        #expect(first == 176 && width == 16, "libibmad QP1Dropped now at bit \(first) width \(width)")
        #expect(F.qp1Dropped.bits.absoluteBitOffset == 160 && F.qp1Dropped.bits.width == 16)
        #expect(F.vl15Dropped.bits.absoluteBitOffset == 176)
        // opensm's ib_port_counters_t agrees with the IBA: qp1_dropped, then vl15_dropped.
        var counters = PortCounters()
        counters.qp1Dropped = 0x1234
        counters.vl15Dropped = 0x5678
        #expect(Array(counters.encoded[20..<24]) == [0x12, 0x34, 0x56, 0x78])
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(PortCounters.layout)
    }

    /// The 4-bit pair in byte 19: LocalLinkIntegrityErrors is the high nibble.
    @Test func nibbleCountersShareByte19() {
        var counters = PortCounters()
        counters.localLinkIntegrityErrors = 0xA
        counters.excessiveBufferOverrunErrors = 0x5
        #expect(counters.encoded[19] == 0xA5)
    }

    /// ibqueryerrors clears errors with mask 0xFFF, traffic with 0xF000, and PortXmitWait
    /// with bit 16 (CounterSelect2 bit 0).
    @Test func counterSelectMatchesIbqueryerrorsMasks() {
        typealias S = PortCounters.CounterSelect
        let errors: S = [.symbolErrorCounter, .linkErrorRecoveryCounter, .linkDownedCounter, .portRcvErrors,
                         .portRcvRemotePhysicalErrors, .portRcvSwitchRelayErrors, .portXmitDiscards,
                         .portXmitConstraintErrors, .portRcvConstraintErrors, .localLinkIntegrityErrors,
                         .excessiveBufferOverrunErrors, .vl15Dropped]
        let traffic: S = [.portXmitData, .portRcvData, .portXmitPkts, .portRcvPkts]
        #expect(errors.rawValue == 0x0FFF)
        #expect(traffic.rawValue == 0xF000)
        #expect(UInt32(PortCounters.CounterSelect2.portXmitWait.rawValue) << 16 == 0x10000)
    }

    @Test func truncatedInputNamesTheField() {
        let short = [UInt8](repeating: 0, count: 40)
        #expect(throws: MADWireError.truncated("PortCounters", field: "PortXmitWait", needed: 44, available: 40)) {
            try PortCounters(decoding: short)
        }
    }
}
