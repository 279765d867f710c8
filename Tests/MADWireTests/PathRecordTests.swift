import CIBMadOracle
import MADWire
import Testing

@Suite struct PathRecordTests {
    typealias F = PathRecord.Fields

    // SA record fields: libibmad's offsets are relative to the record (base 0).
    static let pairs: [OraclePair] = [
        OraclePair(IB_SA_PR_DGID_F, F.dgid),
        OraclePair(IB_SA_PR_SGID_F, F.sgid),
        OraclePair(IB_SA_PR_DLID_F, F.dlid),
        OraclePair(IB_SA_PR_SLID_F, F.slid),
        OraclePair(IB_SA_PR_NPATH_F, F.numbPath),
        OraclePair(IB_SA_PR_SL_F, F.sl),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(PathRecord.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [(IB_SA_PR_DGID_F, IB_SA_PR_SL_F)])
    }

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(PathRecord.layout)
        #expect(PathRecord.layout.byteCount == Int(IB_SA_PR_RECSZ))
    }

    /// The packed bytes as opensm's ib_path_rec_t packs them: hop_flow_raw (RawTraffic,
    /// 3 reserved, FlowLabel, HopLimit), num_path (Reversible, NumbPath), qos_class_sl,
    /// and the selector/value bytes (selector in the top 2 bits).
    @Test func packsTheSharedWords() {
        var path = PathRecord()
        path.rawTraffic = true
        path.flowLabel = 0xABCDE
        path.hopLimit = 0x40
        path.reversible = true
        path.numbPath = 0x7F
        path.qosClass = 0xABC
        path.sl = 0x5
        path.mtuSelector = .exactly
        path.mtu = .mtu4096
        path.rateSelector = .bestAvailable
        path.rate = .gbps100
        path.packetLifeTimeSelector = .lessThan
        path.packetLifeTime = 0x13
        path.preference = 7
        let bytes = path.encoded
        #expect(Array(bytes[44..<48]) == [0x8A, 0xBC, 0xDE, 0x40])
        #expect(bytes[49] == 0xFF)
        #expect(Array(bytes[52..<54]) == [0xAB, 0xC5])
        #expect(bytes[54] == 0x80 | 5 && bytes[55] == 0xC0 | 16 && bytes[56] == 0x40 | 0x13 && bytes[57] == 7)
        #expect(path.rate == .gbps100 && path.mtu.byteCount == 4096 && path.rateSelector == .bestAvailable)
    }

    /// ServiceID holds bits 0 and 1; every later component is one bit past its layout index
    /// (kernel IB_SA_PATH_REC_*, opensm IB_PR_COMPMASK_*: DGID 1<<2 ... PKTLIFETIME 1<<21).
    @Test func componentMaskFollowsTheTable() {
        typealias M = PathRecord.ComponentMask
        #expect(M.serviceID.rawValue == 0b11)
        SARecordChecks.expectMaskMatchesLayout(PathRecord.layout, [
            (M.dgid.rawValue, F.dgid), (M.sgid.rawValue, F.sgid), (M.dlid.rawValue, F.dlid),
            (M.slid.rawValue, F.slid), (M.rawTraffic.rawValue, F.rawTraffic), (M.reserved1.rawValue, F.reserved1),
            (M.flowLabel.rawValue, F.flowLabel), (M.hopLimit.rawValue, F.hopLimit), (M.tClass.rawValue, F.tClass),
            (M.reversible.rawValue, F.reversible), (M.numbPath.rawValue, F.numbPath), (M.pKey.rawValue, F.pKey),
            (M.qosClass.rawValue, F.qosClass), (M.sl.rawValue, F.sl), (M.mtuSelector.rawValue, F.mtuSelector),
            (M.mtu.rawValue, F.mtu), (M.rateSelector.rawValue, F.rateSelector), (M.rate.rawValue, F.rate),
            (M.packetLifeTimeSelector.rawValue, F.packetLifeTimeSelector),
            (M.packetLifeTime.rawValue, F.packetLifeTime), (M.preference.rawValue, F.preference),
        ], shift: 1)
        #expect(M.dgid.rawValue == 1 << 2 && M.packetLifeTime.rawValue == 1 << 21 && M.preference.rawValue == 1 << 22)
    }

    /// The kernel's enum ib_rate: the codes are not in speed order.
    @Test func rateCodesMatchTheKernel() {
        #expect(StaticRate.gbps2_5.rawValue == 2 && StaticRate.gbps10.rawValue == 3 && StaticRate.gbps30.rawValue == 4)
        #expect(StaticRate.gbps5.rawValue == 5 && StaticRate.gbps56.rawValue == 12 && StaticRate.gbps600.rawValue == 22)
        #expect(StaticRate(rawValue: 63).description == "63")
    }
}
