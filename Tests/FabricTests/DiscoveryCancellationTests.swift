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
        // Every response takes 20 ms: with one SMP at a time the whole walk (~60 SMPs)
        // would take over a second.
        fabric.addFault(FaultRule(.delay(.milliseconds(20)), match: .init(direction: .responses)))
        let agent = try MADAgent(port: local, configuration: .init(window: 1))
        defer { agent.close() }

        let progress = SweepProgress()
        let walk = Task {
            await Discovery(agent: agent, options: .init(window: 1, request: RequestOptions(timeoutMilliseconds: 5000)),
                            progress: progress).run()
        }
        while progress.done < 3 { try await Task.sleep(for: .milliseconds(5)) }
        walk.cancel()
        let topology = await walk.value
        let sent = agent.statistics.sent
        #expect(sent < 20, "the walk went on after it was cancelled: \(sent) SMPs")
        #expect(!topology.isComplete)
        #expect(topology.unreachable.allSatisfy { $0.reason.contains("cancel") }, "\(topology.unreachable)")
        #expect(topology.nodes.count >= 1)
        // Nothing is left on the wire or in the window.
        #expect(agent.statistics.outstanding == 0)
    }
}
