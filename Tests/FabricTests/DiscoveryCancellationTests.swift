import Fabric
import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

/// Cancelling a walk: it stops asking, waits for what is on the wire, and returns what it
/// found with everything it did not ask marked unreachable ("cancelled").
@Suite struct DiscoveryCancellationTests {
    @Test func aCancelledWalkStopsAskingAndSaysWhatItDidNotAsk() async throws {
        let fabric = MemoryFabric(.init(seed: 3))
        defer { fabric.close() }
        let local = try fabric.addPort(lid: 1, answering: .subnetManagement)
        for lid: UInt16 in 10...13 { try fabric.addSwitch(lid: lid, ports: 8) }
        try fabric.connect(1, port: 1, to: 10, port: 1)
        for lid: UInt16 in 11...13 { try fabric.connect(10, port: UInt8(lid - 9), to: lid, port: 1) }
        // Every response takes 100 ms: with one SMP at a time the whole walk (~60 SMPs)
        // would take 6 s, far longer than it takes to see 3 answers and cancel.
        fabric.addFault(FaultRule(.delay(.milliseconds(100)), match: .init(direction: .responses)))
        let agent = try MADAgent(port: local, configuration: .init(window: 1))
        defer { agent.close() }

        let progress = SweepProgress()
        let walk = Task {
            await Discovery(agent: agent, options: .init(window: 1, request: RequestOptions(timeoutMilliseconds: 5000)),
                            progress: progress).run()
        }
        while progress.done < 3 { try await Task.sleep(for: .milliseconds(5)) }
        walk.cancel()
        // After cancel() returns the walk asks for nothing more: at most the one SMP it had
        // taken but not yet sent still goes out. (No timing in this bound: a loaded
        // machine may deschedule this task for any time before the cancel.)
        let sentAtCancel = agent.statistics.sent
        let topology = await walk.value
        let sent = agent.statistics.sent
        #expect(sent <= sentAtCancel + 1, "the walk went on after it was cancelled: \(sentAtCancel) then \(sent) SMPs")
        #expect(!topology.isComplete)
        #expect(!topology.unreachable.isEmpty)
        #expect(topology.unreachable.allSatisfy { $0.reason.contains("cancel") }, "\(topology.unreachable)")
        #expect(topology.nodes.count >= 1)
        // Nothing is left on the wire or in the window.
        #expect(agent.statistics.outstanding == 0)
    }
}
