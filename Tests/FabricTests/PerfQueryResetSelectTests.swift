import Testing

@testable import Fabric

/// The CounterSelect/CounterSelect2 perfquery -r/-R sends (perfquery.c main, libibmad
/// performance_reset_via), worked out by hand from the C code for each case.
@Suite struct PerfQueryResetSelectTests {
    typealias S = PerfQueryText.ResetSelect

    @Test func defaultMaskAddsWhatClassPortInfoClaims() {
        // ibsim's PMA: CapMask 0x1300 (AllPortSelect, ExtendedWidth, PortXmitWait).
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: nil, capabilityMask: 0x1300) == S(counterSelect: 0xFFFF, counterSelect2: 0x1))
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: nil, capabilityMask: 0x9300) == S(counterSelect: 0xFFFF, counterSelect2: 0x3))
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: nil, capabilityMask: 0x0100) == S(counterSelect: 0xFFFF, counterSelect2: 0))
    }

    @Test func aMaskArgumentIsTakenAsGiven() {
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: 0x0FFF, capabilityMask: 0x9300) == S(counterSelect: 0x0FFF, counterSelect2: 0))
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: 0xF000, capabilityMask: 0x1300) == S(counterSelect: 0xF000, counterSelect2: 0))
        // Bits above 15 go to CounterSelect2, cut to its 8 bits in PortCounters.
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: 0x1FF_0001, capabilityMask: 0) == S(counterSelect: 1, counterSelect2: 0xFF))
        // 0 is "everything" (~0); a 64-bit argument is cut to a C int first.
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: 0, capabilityMask: 0) == S(counterSelect: 0xFFFF, counterSelect2: 0xFF))
        #expect(PerfQueryText.resetSelect(extended: false, maskArgument: 0x1_0000_0000, capabilityMask: 0) == S(counterSelect: 0xFFFF, counterSelect2: 0xFF))
    }

    @Test func extendedAlwaysSelectsTheExtendedCounters() {
        #expect(PerfQueryText.resetSelect(extended: true, maskArgument: nil, capabilityMask: 0x1300) == S(counterSelect: 0xFFFF, counterSelect2: 0x1FFF))
        #expect(PerfQueryText.resetSelect(extended: true, maskArgument: nil, capabilityMask: 0x9300) == S(counterSelect: 0xFFFF, counterSelect2: 0x3FFF))
        #expect(PerfQueryText.resetSelect(extended: true, maskArgument: 0x1, capabilityMask: 0x0100) == S(counterSelect: 0x1, counterSelect2: 0xFFF))
    }
}
