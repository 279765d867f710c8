import MADWire
import Testing

/// libibmad has no SwitchInfoRecord fields; SwitchInfo's own fields are paired in
/// SwitchInfoTests.
@Suite struct SwitchInfoRecordTests {
    typealias F = SwitchInfoRecord.Fields
    typealias M = SwitchInfoRecord.ComponentMask

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(SwitchInfoRecord.layout)
    }

    @Test func embedsSwitchInfo() {
        SARecordChecks.expectEmbeds(SwitchInfoRecord.self, SwitchInfo.self, at: 4, prefix: "SwitchInfo",
                                    get: { $0.switchInfo }, set: { $0.switchInfo = $1 })
    }

    /// LID, Reserved (opensm IB_SWIR_COMPMASK_LID 1<<0, _RESERVED1 1<<1), then SwitchInfo's
    /// components in table order.
    @Test func componentMaskFollowsTheTable() {
        let masks: [M] = [
            .lid, .reserved, .linearFDBCap, .randomFDBCap, .multicastFDBCap, .linearFDBTop, .defaultPort,
            .defaultMulticastPrimaryPort, .defaultMulticastNotPrimaryPort, .lifeTimeValue, .portStateChange,
            .optimizedSLtoVLMappingProgramming, .lidsPerPort, .partitionEnforcementCap, .inboundEnforcementCap,
            .outboundEnforcementCap, .filterRawInboundCap, .filterRawOutboundCap, .enhancedPort0,
            .switchInfoReserved, .multicastFDBTop,
        ]
        let fields = SwitchInfoRecord.layout.fields
        #expect(masks.count == fields.count)
        SARecordChecks.expectMaskMatchesLayout(SwitchInfoRecord.layout, Array(zip(masks.map(\.rawValue), fields)))
        #expect(fields[2].name == "SwitchInfo.LinearFDBCap" && fields.last?.name == "SwitchInfo.MulticastFDBTop")
    }
}
