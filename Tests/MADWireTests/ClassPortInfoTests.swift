import CIBMadOracle
import MADWire
import Testing

@Suite struct ClassPortInfoTests {
    typealias F = ClassPortInfo.Fields

    static let pairs: [OraclePair] = [
        OraclePair(IB_CPI_BASEVER_F, F.baseVersion),
        OraclePair(IB_CPI_CLASSVER_F, F.classVersion),
        OraclePair(IB_CPI_CAPMASK_F, F.capabilityMask),
        OraclePair(IB_CPI_CAPMASK2_F, F.capabilityMask2),
        OraclePair(IB_CPI_RESP_TIME_VALUE_F, F.respTimeValue),
        OraclePair(IB_CPI_REDIRECT_GID_F, F.redirectGID),
        OraclePair(IB_CPI_REDIRECT_TC_F, F.redirectTC),
        OraclePair(IB_CPI_REDIRECT_SL_F, F.redirectSL),
        OraclePair(IB_CPI_REDIRECT_FL_F, F.redirectFL),
        OraclePair(IB_CPI_REDIRECT_LID_F, F.redirectLID),
        OraclePair(IB_CPI_REDIRECT_PKEY_F, F.redirectPKey),
        OraclePair(IB_CPI_REDIRECT_QP_F, F.redirectQP),
        OraclePair(IB_CPI_REDIRECT_QKEY_F, F.redirectQKey),
        OraclePair(IB_CPI_TRAP_GID_F, F.trapGID),
        OraclePair(IB_CPI_TRAP_TC_F, F.trapTC),
        OraclePair(IB_CPI_TRAP_SL_F, F.trapSL),
        OraclePair(IB_CPI_TRAP_FL_F, F.trapFL),
        OraclePair(IB_CPI_TRAP_LID_F, F.trapLID),
        OraclePair(IB_CPI_TRAP_PKEY_F, F.trapPKey),
        OraclePair(IB_CPI_TRAP_HL_F, F.trapHL),
        OraclePair(IB_CPI_TRAP_QP_F, F.trapQP),
        OraclePair(IB_CPI_TRAP_QKEY_F, F.trapQKey),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(ClassPortInfo.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [(IB_CPI_BASEVER_F, IB_CPI_TRAP_QKEY_F)])
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(ClassPortInfo.layout)
    }

    /// IBA 13.4.6.2: 4.096 µs × 2^RespTimeValue.
    @Test func responseTimeDoublesPerStep() {
        #expect(ClassPortInfo.responseTime(respTimeValue: 0) == .nanoseconds(4096))
        #expect(ClassPortInfo.responseTime(respTimeValue: 18) == .nanoseconds(4096 << 18))  // ≈ 1.07 s
        #expect(ClassPortInfo.responseTime(respTimeValue: 31) == .nanoseconds(Int64(4096) << 31))
        // Only the 5 wire bits count.
        #expect(ClassPortInfo.responseTime(respTimeValue: 32 + 3) == ClassPortInfo.responseTime(respTimeValue: 3))
        var info = ClassPortInfo()
        info.respTimeValue = 20
        #expect(info.responseTime == .nanoseconds(4096 << 20))
    }

    /// CapabilityMask2 and RespTimeValue share one 32-bit word: neither disturbs the other.
    @Test func capabilityMask2AndRespTimeValueShareAWord() {
        var info = ClassPortInfo()
        info.capabilityMask2 = 0x7FF_FFFF
        info.respTimeValue = 0
        #expect(Array(info.encoded[4..<8]) == [0xFF, 0xFF, 0xFF, 0xE0])
        info.capabilityMask2 = 0
        info.respTimeValue = 0x1F
        #expect(Array(info.encoded[4..<8]) == [0, 0, 0, 0x1F])
        info.capabilityMask2 = 0xFFFF_FFFF  // wider than 27 bits: cut, RespTimeValue kept
        #expect(info.respTimeValue == 0x1F && info.capabilityMask2 == 0x7FF_FFFF)
    }

    @Test func capabilityMaskBitsMatchOpenSM() {
        // opensm ib_types.h: IB_CLASS_CAP_TRAP 0x0001, _GETSET 0x0002, _CAPMASK2 0x0004;
        // IB_PM_ALL_PORT_SELECT 1<<8 ... IB_PM_IS_QP1_DROP_SUP 1<<15.
        typealias C = ClassPortInfo.CapabilityMask
        #expect(C.isTrapSupported.rawValue == 0x0001)
        #expect(C.isNoticeSupported.rawValue == 0x0002)
        #expect(C.isCapabilityMask2Supported.rawValue == 0x0004)
        #expect(C.perfAllPortSelect.rawValue == 1 << 8)
        #expect(C.perfExtendedWidthSupported.rawValue == 1 << 9)
        #expect(C.perfExtendedWidthNoIETFSupported.rawValue == 1 << 10)
        #expect(C.perfSamplesOnlySupported.rawValue == 1 << 11)
        #expect(C.perfPortXmitWaitSupported.rawValue == 1 << 12)
        #expect(C.perfQP1DroppedSupported.rawValue == 1 << 15)
    }

    @Test func truncatedInputNamesTheField() {
        let short = [UInt8](repeating: 0, count: 30)
        #expect(throws: MADWireError.truncated("ClassPortInfo", field: "RedirectP_Key", needed: 32, available: 30)) {
            try ClassPortInfo(decoding: short)
        }
    }
}
