import CIBMadOracle
import MADWire
import Testing

@Suite struct GUIDInfoTests {
    /// IB_GUID_GUID0_F is libibmad's older, duplicate name for GUID0.
    static let pairs: [OraclePair] = [
        OraclePair(IB_GI_GUID0_F, GUIDInfo.Fields.guid[0]),
        OraclePair(IB_GI_GUID1_F, GUIDInfo.Fields.guid[1]),
        OraclePair(IB_GI_GUID2_F, GUIDInfo.Fields.guid[2]),
        OraclePair(IB_GI_GUID3_F, GUIDInfo.Fields.guid[3]),
        OraclePair(IB_GI_GUID4_F, GUIDInfo.Fields.guid[4]),
        OraclePair(IB_GI_GUID5_F, GUIDInfo.Fields.guid[5]),
        OraclePair(IB_GI_GUID6_F, GUIDInfo.Fields.guid[6]),
        OraclePair(IB_GI_GUID7_F, GUIDInfo.Fields.guid[7]),
        OraclePair(IB_GUID_GUID0_F, GUIDInfo.Fields.guid[0]),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(GUIDInfo.self, pair)
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(GUIDInfo.layout)
        #expect(GUIDInfo.layout.fields.map(\.name) == (0..<8).map { "GUID\($0)" })
    }

    @Test func subscriptAndWholeTableAgreeWithLibibmad() {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<200 {
            var bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let info = try! GUIDInfo(decoding: bytes)
            let fields = [IB_GI_GUID0_F, IB_GI_GUID1_F, IB_GI_GUID2_F, IB_GI_GUID3_F,
                          IB_GI_GUID4_F, IB_GI_GUID5_F, IB_GI_GUID6_F, IB_GI_GUID7_F]
            let theirs = fields.map { field -> UInt64 in
                var value: UInt64 = 0
                CIBMadOracle_decode(Int32(field.rawValue), &bytes, &value)
                return value
            }
            #expect(info.guids == theirs, "seed \(differentialSeed)")
            #expect((0..<8).map { info[$0] } == theirs)

            var rebuilt = GUIDInfo()
            rebuilt.guids = theirs
            #expect(rebuilt.encoded == bytes)
        }
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("GUIDInfo", field: "GUID5", needed: 48, available: 47)) {
            try GUIDInfo(decoding: [UInt8](repeating: 0, count: 47))
        }
    }

    @Test func indexOutsideTheBlockIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = GUIDInfo()[8] }
        await #expect(processExitsWith: .failure) { var info = GUIDInfo(); info[-1] = 1 }
    }
}
