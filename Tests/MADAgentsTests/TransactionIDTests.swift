import Testing

@testable import MADAgents

@Suite struct TransactionIDTests {
    @Test func splitsTheKernelAgentPartFromTheRequesterSequence() {
        let tid = TransactionID(high: 0xDEAD_BEEF, sequence: 0x0000_0042)
        #expect(tid.rawValue == 0xDEAD_BEEF_0000_0042)
        #expect(tid.high == 0xDEAD_BEEF)
        #expect(tid.sequence == 0x42)
        // ib_umad overwrites the high half with its agent id; matching uses the sequence.
        let rewritten = TransactionID(rawValue: 0x0000_0007_0000_0042)
        #expect(rewritten.sequence == tid.sequence)
    }
}
