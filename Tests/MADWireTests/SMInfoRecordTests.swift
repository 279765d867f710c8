import MADWire
import Testing

/// libibmad has no SMInfoRecord fields; SMInfo's own fields are paired in SMInfoTests.
@Suite struct SMInfoRecordTests {
    typealias F = SMInfoRecord.Fields
    typealias M = SMInfoRecord.ComponentMask

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(SMInfoRecord.layout)
    }

    @Test func embedsSMInfo() {
        SARecordChecks.expectEmbeds(SMInfoRecord.self, SMInfo.self, at: 4, prefix: "SMInfo",
                                    get: { $0.smInfo }, set: { $0.smInfo = $1 })
    }

    /// opensm IB_SMIR_COMPMASK_LID 1<<0, RESV0 1<<1, GUID 1<<2, SMKEY 1<<3, ACTCOUNT 1<<4,
    /// PRIORITY 1<<5, SMSTATE 1<<6.
    @Test func componentMaskFollowsTheTable() {
        let masks: [M] = [.lid, .reserved, .guid, .smKey, .actCount, .priority, .smState]
        let fields = SMInfoRecord.layout.fields
        #expect(masks.count == fields.count)
        SARecordChecks.expectMaskMatchesLayout(SMInfoRecord.layout, Array(zip(masks.map(\.rawValue), fields)))
        #expect(M.smState.rawValue == 1 << 6)
    }
}
