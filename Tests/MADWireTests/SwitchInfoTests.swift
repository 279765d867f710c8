import CIBMadOracle
import MADWire
import Testing

@Suite struct SwitchInfoTests {
    typealias F = SwitchInfo.Fields
    static let pairs: [OraclePair] = [
        OraclePair(IB_SW_LINEAR_FDB_CAP_F, F.linearFDBCap),
        OraclePair(IB_SW_RANDOM_FDB_CAP_F, F.randomFDBCap),
        OraclePair(IB_SW_MCAST_FDB_CAP_F, F.multicastFDBCap),
        OraclePair(IB_SW_LINEAR_FDB_TOP_F, F.linearFDBTop),
        OraclePair(IB_SW_DEF_PORT_F, F.defaultPort),
        OraclePair(IB_SW_DEF_MCAST_PRIM_F, F.defaultMulticastPrimaryPort),
        OraclePair(IB_SW_DEF_MCAST_NOT_PRIM_F, F.defaultMulticastNotPrimaryPort),
        OraclePair(IB_SW_LIFE_TIME_F, F.lifeTimeValue),
        OraclePair(IB_SW_STATE_CHANGE_F, F.portStateChange),
        OraclePair(IB_SW_OPT_SLTOVL_MAPPING_F, F.optimizedSLtoVLMappingProgramming),
        OraclePair(IB_SW_LIDS_PER_PORT_F, F.lidsPerPort),
        OraclePair(IB_SW_PARTITION_ENFORCE_CAP_F, F.partitionEnforcementCap),
        OraclePair(IB_SW_PARTITION_ENF_INB_F, F.inboundEnforcementCap),
        OraclePair(IB_SW_PARTITION_ENF_OUTB_F, F.outboundEnforcementCap),
        OraclePair(IB_SW_FILTER_RAW_INB_F, F.filterRawInboundCap),
        OraclePair(IB_SW_FILTER_RAW_OUTB_F, F.filterRawOutboundCap),
        OraclePair(IB_SW_ENHANCED_PORT0_F, F.enhancedPort0),
        OraclePair(IB_SW_MCAST_FDB_TOP_F, F.multicastFDBTop),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(SwitchInfo.self, pair)
    }

    @Test func everyLibibmadSwitchInfoFieldIsPaired() {
        SMPAttributeChecks.expectPairsCover(Self.pairs, [IB_SW_FIRST_F.rawValue..<IB_SW_LAST_F.rawValue])
    }

    @Test func layoutCoversEveryBit() {
        SMPAttributeChecks.expectCompleteLayout(SwitchInfo.layout)
        #expect(SwitchInfo.attributeID == AttributeID(rawValue: 0x0012))
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("SwitchInfo", field: "LifeTimeValue", needed: 12, available: 11)) {
            try SwitchInfo(decoding: [UInt8](repeating: 0, count: 11))
        }
        #expect(throws: MADWireError.truncated("SwitchInfo", field: "MulticastFDBTop", needed: 20, available: 19)) {
            try SwitchInfo(decoding: [UInt8](repeating: 0, count: 19))
        }
    }

    @Test func typedAccessorsAgreeWithLibibmad() throws {
        var info = SwitchInfo()
        info.linearFDBCap = 49152
        info.randomFDBCap = 0
        info.multicastFDBCap = 1024
        info.linearFDBTop = 0x1FF
        info.defaultPort = 1
        info.defaultMulticastPrimaryPort = 0xFF
        info.defaultMulticastNotPrimaryPort = 0xFE
        info.lifeTimeValue = 18
        info.portStateChange = true
        info.optimizedSLtoVLMappingProgramming = 2
        info.lidsPerPort = 3
        info.partitionEnforcementCap = 32
        info.inboundEnforcementCap = true
        info.outboundEnforcementCap = false
        info.filterRawInboundCap = true
        info.filterRawOutboundCap = false
        info.enhancedPort0 = true
        info.multicastFDBTop = 0xC3FF
        let bytes = info.encoded
        let expected: [(MAD_FIELDS, UInt64)] = [
            (IB_SW_LINEAR_FDB_CAP_F, 49152), (IB_SW_RANDOM_FDB_CAP_F, 0), (IB_SW_MCAST_FDB_CAP_F, 1024),
            (IB_SW_LINEAR_FDB_TOP_F, 0x1FF), (IB_SW_DEF_PORT_F, 1), (IB_SW_DEF_MCAST_PRIM_F, 0xFF),
            (IB_SW_DEF_MCAST_NOT_PRIM_F, 0xFE), (IB_SW_LIFE_TIME_F, 18), (IB_SW_STATE_CHANGE_F, 1),
            (IB_SW_OPT_SLTOVL_MAPPING_F, 2), (IB_SW_LIDS_PER_PORT_F, 3), (IB_SW_PARTITION_ENFORCE_CAP_F, 32),
            (IB_SW_PARTITION_ENF_INB_F, 1), (IB_SW_PARTITION_ENF_OUTB_F, 0), (IB_SW_FILTER_RAW_INB_F, 1),
            (IB_SW_FILTER_RAW_OUTB_F, 0), (IB_SW_ENHANCED_PORT0_F, 1), (IB_SW_MCAST_FDB_TOP_F, 0xC3FF),
        ]
        for (field, value) in expected {
            #expect(SMPAttributeChecks.libibmadValue(field, in: bytes) == value, "\(String(cString: mad_field_name(field)))")
        }
        #expect(info[F.reserved133] == 0)
        let back = try SwitchInfo(decoding: bytes)
        #expect(back.encoded == bytes && back.lifeTimeValue == 18 && back.portStateChange && back.enhancedPort0)
    }

    @Test func reservedBitsSurvive() throws {
        var bytes = [UInt8](repeating: 0, count: 20)
        bytes[16] = 0x07  // low bits of byte 16 and all of 17 are reserved
        bytes[17] = 0xA5
        var info = try SwitchInfo(decoding: bytes)
        #expect(info[F.reserved133] == 0x7A5)
        info.enhancedPort0 = true
        info.inboundEnforcementCap = true
        #expect(info.raw[16] == 0x8F && info.raw[17] == 0xA5)
    }
}
