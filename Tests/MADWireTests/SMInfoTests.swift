import CIBMadOracle
import MADWire
import Testing

@Suite struct SMInfoTests {
    static let pairs: [OraclePair] = [
        OraclePair(IB_SMINFO_GUID_F, SMInfo.Fields.guid),
        OraclePair(IB_SMINFO_KEY_F, SMInfo.Fields.smKey),
        OraclePair(IB_SMINFO_ACT_F, SMInfo.Fields.actCount),
        OraclePair(IB_SMINFO_PRIO_F, SMInfo.Fields.priority),
        OraclePair(IB_SMINFO_STATE_F, SMInfo.Fields.smState),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(SMInfo.self, pair)
    }

    @Test func everyLibibmadSMInfoFieldIsPaired() {
        SMPAttributeChecks.expectPairsCover(Self.pairs, [IB_SMINFO_GUID_F.rawValue..<(IB_SMINFO_STATE_F.rawValue + 1)])
    }

    @Test func layoutCoversEveryBit() {
        SMPAttributeChecks.expectCompleteLayout(SMInfo.layout)
        #expect(SMInfo.attributeID == AttributeID(rawValue: 0x0020))
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("SMInfo", field: "ActCount", needed: 20, available: 17)) {
            try SMInfo(decoding: [UInt8](repeating: 0, count: 17))
        }
        #expect(throws: MADWireError.truncated("SMInfo", field: "Priority", needed: 21, available: 20)) {
            try SMInfo(decoding: [UInt8](repeating: 0, count: 20))
        }
    }

    @Test func typedAccessorsAgreeWithLibibmad() throws {
        var info = SMInfo()
        info.guid = 0x0002_C903_0000_1234
        info.smKey = 0x1122_3344_5566_7788
        info.actCount = 0xDEAD_BEEF
        info.priority = 14
        info.smState = .master
        let bytes = info.encoded
        #expect(SMPAttributeChecks.libibmadValue(IB_SMINFO_GUID_F, in: bytes) == 0x0002_C903_0000_1234)
        #expect(SMPAttributeChecks.libibmadValue(IB_SMINFO_KEY_F, in: bytes) == 0x1122_3344_5566_7788)
        #expect(SMPAttributeChecks.libibmadValue(IB_SMINFO_ACT_F, in: bytes) == 0xDEAD_BEEF)
        #expect(SMPAttributeChecks.libibmadValue(IB_SMINFO_PRIO_F, in: bytes) == 14)
        #expect(SMPAttributeChecks.libibmadValue(IB_SMINFO_STATE_F, in: bytes) == 3)
        let back = try SMInfo(decoding: bytes)
        #expect(back.guid == info.guid && back.smKey == info.smKey && back.actCount == info.actCount)
        #expect(back.priority == 14 && back.smState == .master && back.smState.description == "MASTER")
    }

    @Test func unknownStateSurvives() throws {
        var bytes = [UInt8](repeating: 0, count: 21)
        bytes[20] = 0x5C  // priority 5, state 12 (reserved)
        let info = try SMInfo(decoding: bytes)
        #expect(info.priority == 5 && info.smState.rawValue == 12 && info.smState.description == "12")
        #expect(info.encoded == bytes)
    }

    /// `names` are sminfo's own strings ("SMINFO_MASTER"); `specNames` the IBA's.
    @Test func stateNames() {
        #expect((0...3).map { SMState.names.name(of: $0) } == ["SMINFO_NOTACT", "SMINFO_DISCOVER", "SMINFO_STANDBY", "SMINFO_MASTER"])
        #expect((0...3).map { SMState(rawValue: UInt8($0)).description } == ["NOTACTIVE", "DISCOVERING", "STANDBY", "MASTER"])
    }
}
