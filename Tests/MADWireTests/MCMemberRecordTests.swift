import CIBMadOracle
import MADWire
import Testing

@Suite struct MCMemberRecordTests {
    typealias F = MCMemberRecord.Fields

    // SA record fields: libibmad's offsets are relative to the record (base 0).
    static let pairs: [OraclePair] = [
        OraclePair(IB_SA_MCM_MGID_F, F.mgid),
        OraclePair(IB_SA_MCM_PORTGID_F, F.portGID),
        OraclePair(IB_SA_MCM_QKEY_F, F.qKey),
        OraclePair(IB_SA_MCM_MLID_F, F.mlid),
        OraclePair(IB_SA_MCM_SL_F, F.sl),
        OraclePair(IB_SA_MCM_MTU_F, F.mtu),
        OraclePair(IB_SA_MCM_RATE_F, F.rate),
        OraclePair(IB_SA_MCM_TCLASS_F, F.tClass),
        OraclePair(IB_SA_MCM_PKEY_F, F.pKey),
        OraclePair(IB_SA_MCM_FLOW_LABEL_F, F.flowLabel),
        OraclePair(IB_SA_MCM_JOIN_STATE_F, F.joinState),
        OraclePair(IB_SA_MCM_PROXY_JOIN_F, F.proxyJoin),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(MCMemberRecord.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [(IB_SA_MCM_MGID_F, IB_SA_MCM_PROXY_JOIN_F)])
    }

    /// The IBA record is 52 bytes; libibmad's IB_SA_MCM_RECSZ (53) is a record size in its
    /// own bookkeeping, not the table's length, and is not used for layout here.
    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(MCMemberRecord.layout)
    }

    /// opensm's ib_member_rec_t: sl_flow_hop (SL, FlowLabel, HopLimit), then scope_state
    /// (Scope high nibble, JoinState low), then proxy_join as the top bit of the next byte.
    @Test func packsTheSharedWords() {
        var member = MCMemberRecord()
        member.sl = 0xA
        member.flowLabel = 0xBCDEF
        member.hopLimit = 0x11
        member.scope = 0x2
        member.joinState = [.fullMember, .sendOnlyFullMember]
        member.proxyJoin = true
        let bytes = member.encoded
        #expect(Array(bytes[44..<48]) == [0xAB, 0xCD, 0xEF, 0x11])
        #expect(bytes[48] == 0x29 && bytes[49] == 0x80)
    }

    /// opensm IB_MCR_COMPMASK_MGID 1<<0 ... IB_MCR_COMPMASK_PROXY 1<<17.
    @Test func componentMaskFollowsTheTable() {
        typealias M = MCMemberRecord.ComponentMask
        SARecordChecks.expectMaskMatchesLayout(MCMemberRecord.layout, [
            (M.mgid.rawValue, F.mgid), (M.portGID.rawValue, F.portGID), (M.qKey.rawValue, F.qKey),
            (M.mlid.rawValue, F.mlid), (M.mtuSelector.rawValue, F.mtuSelector), (M.mtu.rawValue, F.mtu),
            (M.tClass.rawValue, F.tClass), (M.pKey.rawValue, F.pKey), (M.rateSelector.rawValue, F.rateSelector),
            (M.rate.rawValue, F.rate), (M.packetLifeTimeSelector.rawValue, F.packetLifeTimeSelector),
            (M.packetLifeTime.rawValue, F.packetLifeTime), (M.sl.rawValue, F.sl), (M.flowLabel.rawValue, F.flowLabel),
            (M.hopLimit.rawValue, F.hopLimit), (M.scope.rawValue, F.scope), (M.joinState.rawValue, F.joinState),
            (M.proxyJoin.rawValue, F.proxyJoin),
        ])
        #expect(M.joinState.rawValue == 1 << 16 && M.proxyJoin.rawValue == 1 << 17)
    }
}
