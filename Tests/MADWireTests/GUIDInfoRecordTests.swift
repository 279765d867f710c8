import CIBMadOracle
import MADWire
import Testing

@Suite struct GUIDInfoRecordTests {
    typealias F = GUIDInfoRecord.Fields

    // SA record fields: libibmad's offsets are relative to the record (base 0).
    static let pairs: [OraclePair] = [
        OraclePair(IB_SA_GIR_LID_F, F.lid),
        OraclePair(IB_SA_GIR_BLOCKNUM_F, F.blockNum),
        OraclePair(IB_SA_GIR_GUID0_F, F.guid[0]),
        OraclePair(IB_SA_GIR_GUID1_F, F.guid[1]),
        OraclePair(IB_SA_GIR_GUID2_F, F.guid[2]),
        OraclePair(IB_SA_GIR_GUID3_F, F.guid[3]),
        OraclePair(IB_SA_GIR_GUID4_F, F.guid[4]),
        OraclePair(IB_SA_GIR_GUID5_F, F.guid[5]),
        OraclePair(IB_SA_GIR_GUID6_F, F.guid[6]),
        OraclePair(IB_SA_GIR_GUID7_F, F.guid[7]),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(GUIDInfoRecord.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [(IB_SA_GIR_LID_F, IB_SA_GIR_GUID7_F)])
    }

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(GUIDInfoRecord.layout)
        #expect(GUIDInfoRecord.layout.byteCount == Int(IB_SA_GIR_RECSZ))
    }

    @Test func embedsGUIDInfo() {
        SARecordChecks.expectEmbeds(GUIDInfoRecord.self, GUIDInfo.self, at: 8, prefix: "GUIDInfo",
                                    get: { $0.guidInfo }, set: { $0.guidInfo = $1 })
    }

    /// opensm IB_GIR_COMPMASK_LID 1<<0, BLOCKNUM 1<<1, RESV1/2, GID0 1<<4 ... GID7 1<<11.
    @Test func componentMaskFollowsTheTable() {
        typealias M = GUIDInfoRecord.ComponentMask
        SARecordChecks.expectMaskMatchesLayout(GUIDInfoRecord.layout, [
            (M.lid.rawValue, F.lid), (M.blockNum.rawValue, F.blockNum),
            (M.reserved1.rawValue, F.reserved1), (M.reserved2.rawValue, F.reserved2),
        ] + (0..<8).map { (M.guid($0).rawValue, F.guid[$0]) })
        #expect(M.guid(7).rawValue == 1 << 11)
    }
}
