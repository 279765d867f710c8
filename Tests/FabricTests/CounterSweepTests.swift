import Fabric
import MADAgents
import MADTransport
import MADWire
import Testing

/// `perfquery --all-nodes`' sweep on the in-process fabric: which ports it reads, what it
/// sends, and how a port whose PMA does not answer is named when discovery asked no
/// NodeDescriptions. The text is compared with a loop of the C perfquery on ibsim
/// (DiscoverFabricTests.perfqueryAllNodes).
@Suite struct CounterSweepTests {
    /// Our channel adapter (LID 1) and another (LID 2) on switch 100's ports 1 and 2.
    private static func subnet() throws -> (MemoryFabric, MADAgent) {
        let fabric = MemoryFabric(.init(seed: 11, failLostSendsImmediately: true))
        let local = try fabric.addPort(lid: 1, answering: [.subnetManagement, .performance])
        _ = try fabric.addPort(lid: 2, answering: [.subnetManagement, .performance])
        try fabric.addSwitch(lid: 100, ports: 4)
        try fabric.connect(1, port: 1, to: 100, port: 1)
        try fabric.connect(2, port: 1, to: 100, port: 2)
        return (fabric, try MADAgent(port: local, configuration: .init(window: 16)))
    }

    private static let request = RequestOptions(timeoutMilliseconds: 200, retries: 1)

    @Test("Every port once, and the names of failed ports asked only then")
    func failedPortsAreNamed() async throws {
        let (fabric, agent) = try Self.subnet()
        defer { agent.close(); fabric.close() }
        var options = Discovery.Options(request: Self.request)
        options.nodeDescriptions = false
        let topology = await Discovery(agent: agent, options: options).run()
        #expect(topology.isComplete && topology.nodes.count == 3)

        let clean = await CounterSweep(agent: agent, request: Self.request).run(topology, extended: false)
        // The switch's 4 ports and one per adapter; ClassPortInfo of 3 PMAs.
        #expect(clean.ports.map(\.lid).sorted() == [1, 2, 100, 100, 100, 100])
        #expect(clean.failed.isEmpty && clean.undescribed.isEmpty)
        #expect(clean.madsSent == 3 + 6 && clean.pmaMADsSent == clean.madsSent)
        #expect(clean.ports.allSatisfy { $0.counters != nil && $0.nodeName.isEmpty })

        // LID 2's PMA stops answering PortCounters: its port is named by a NodeDescription
        // asked now, one SMP, along the route discovery found.
        fabric.addFault(FaultRule(.drop, match: .init(link: FabricLink(from: 1, to: 2), direction: .requests,
                                                     attributeID: .portCounters)))
        let lost = await CounterSweep(agent: agent, request: Self.request).run(topology, extended: false)
        #expect(lost.failed.map(\.lid) == [2])
        #expect(lost.failed.first?.nodeName == "memfabric HCA lid 2")
        #expect(lost.madsSent - lost.pmaMADsSent == 1)
        #expect(lost.ports.filter { $0.counters != nil }.count == 5)

        // A node the name map names needs no NodeDescription; one that never answers is
        // reported and its name left empty.
        let guid = try #require(topology.nodes.values.first { $0.lid == 2 }?.guid)
        let map = try NodeNameMap(parsing: "0x\(String(guid, radix: 16)) \"mapped-h2\"\n", source: "test map")
        let mapped = await CounterSweep(agent: agent, request: Self.request).run(topology, extended: false, nodeNames: map)
        #expect(mapped.failed.first?.nodeName == "mapped-h2" && mapped.madsSent == mapped.pmaMADsSent)
        fabric.addFault(FaultRule(.drop, match: .init(direction: .requests, attributeID: .nodeDescription)))
        let unnamed = await CounterSweep(agent: agent, request: Self.request).run(topology, extended: false)
        #expect(unnamed.undescribed.map(\.node) == [guid])
        #expect(unnamed.failed.first?.nodeName == "")
    }
}
