import Fabric
import MADAgents
import MADTransport
import MADWire
import Testing

/// Windowed directed-route discovery on the in-process fabric: a two-level tree with a
/// parallel link (a loop), seeded loss, and a node that never answers.
@Suite struct DiscoveryTests {
    /// Spines 100-101, leaves 110-112 (8 ports each); leaf port 7 to spine 100 and port 8
    /// to spine 101, leaf 110 port 6 to spine 100 port 6 as well (a second, parallel link);
    /// channel adapters: LID 1 (ours) on leaf 110 port 1, LIDs 2-4 on leaves 110-112 port 2.
    private struct Tree {
        let fabric: MemoryFabric
        let agent: MADAgent
        let ports: [MemoryFabricPort]
        /// Every cable, as (lid, port) pairs.
        let cables: [((UInt16, UInt8), (UInt16, UInt8))]

        init(seed: UInt64 = 1, timeout: Int = 100, window: Int = 64) throws {
            fabric = MemoryFabric(.init(seed: seed, failLostSendsImmediately: true))
            // Every channel adapter's SMA answers, as an HCA's firmware or the kernel does.
            var ports: [MemoryFabricPort] = []
            for lid in 1...4 as ClosedRange<UInt16> { ports.append(try fabric.addPort(lid: lid, answering: .subnetManagement)) }
            for lid: UInt16 in [100, 101, 110, 111, 112] { try fabric.addSwitch(lid: lid, ports: 8) }
            var cables: [((UInt16, UInt8), (UInt16, UInt8))] = [((1, 1), (110, 1))]
            for (index, leaf) in [110, 111, 112].enumerated() as EnumeratedSequence<[UInt16]> {
                cables.append(((UInt16(2 + index), 1), (leaf, 2)))
                cables.append(((leaf, 7), (100, UInt8(1 + index))))
                cables.append(((leaf, 8), (101, UInt8(1 + index))))
            }
            cables.append(((110, 6), (100, 6)))
            for cable in cables { try fabric.connect(cable.0.0, port: cable.0.1, to: cable.1.0, port: cable.1.1) }
            self.cables = cables
            self.ports = ports
            agent = try MADAgent(port: ports[0], configuration: .init(window: window))
        }

        func close() {
            agent.close()
            fabric.close()
        }

        func guid(_ lid: UInt16) -> UInt64 {
            lid >= 100 ? SimulatedNode.switch(lid: lid, ports: 8).nodeGUID : SimulatedNode.channelAdapter(lid: lid).nodeGUID
        }

        var expectedLinks: Set<Topology.Link> {
            Set(cables.map { cable in
                let a = Topology.PortReference(node: guid(cable.0.0), port: cable.0.1)
                let b = Topology.PortReference(node: guid(cable.1.0), port: cable.1.1)
                return (a.node, a.port) <= (b.node, b.port) ? Topology.Link(a, b) : Topology.Link(b, a)
            })
        }
    }

    @Test("Every node, port and link is found once, loops included, with LIDs and descriptions")
    func completeTree() async throws {
        let tree = try Tree()
        defer { tree.close() }
        let topology = await Discovery(agent: tree.agent, options: .init(window: 64)).run()
        #expect(topology.unreachable.map(\.description) == [])
        #expect(topology.isComplete)
        #expect(topology.nodes.count == 9 && topology.order.count == 9)
        #expect(topology.switches.count == 5 && topology.channelAdapters.count == 4)
        #expect(Set(topology.links) == tree.expectedLinks)
        #expect(topology.links.count == tree.expectedLinks.count)
        for lid: UInt16 in [1, 2, 3, 4, 100, 101, 110, 111, 112] {
            let node = try #require(topology.nodes[tree.guid(lid)], "LID \(lid) not found")
            #expect(node.lid == lid)
            #expect(node.description.hasPrefix("memfabric") && node.description.hasSuffix("lid \(lid)"))
            #expect(node.isSwitch == (node.switchInfo != nil))
            if node.isSwitch { #expect(node.ports.count == 9) }  // ports 0-8 all answered
        }
        // The local node first, then breadth first: our leaf is second.
        #expect(topology.order.prefix(2) == [tree.guid(1), tree.guid(110)])
        #expect(topology.nodes[tree.guid(112)]?.path.hopCount == 3)
    }

    @Test("-s: every NodeInfo answer is a sighting, each node new once; -m: the deepest route walked")
    func sightingsAndMaxHops() async throws {
        let tree = try Tree()
        defer { tree.close() }
        var options = Discovery.Options(window: 64)
        options.recordsSightings = true
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(topology.isComplete)
        let new = topology.sightings.filter(\.isNew)
        #expect(new.count == 9 && Set(new.map(\.guid)) == Set(topology.nodes.keys))
        // A new node is shown before any other answer about it arrived.
        #expect(new.allSatisfy { $0.lid == 0 && $0.lmc == 0 && $0.description.isEmpty })
        #expect(new.allSatisfy { $0.path.hopCount == topology.nodes[$0.guid]?.path.hopCount })
        #expect(new.allSatisfy { $0.port == ($0.nodeType == .switch ? 0 : topology.nodes[$0.guid]?.info.localPortNumber) })
        let first = try #require(topology.sightings.first)
        #expect(first.isNew && first.guid == tree.guid(1) && first.path == .local && first.port == 1)
        // 11 cables, 8 of which lead to a new node: each of the other 3 is crossed by
        // NodeInfo from one end at least, to a node already known.
        let known = topology.sightings.filter { !$0.isNew }
        #expect(known.count >= tree.cables.count - 8 && known.allSatisfy { topology.nodes[$0.guid] != nil })
        // Leaves 111 and 112 are 3 hops out and lead on to LIDs 3 and 4: 4 hops, as
        // libibnetdisc counts; the walk went no deeper.
        #expect(topology.maxHopsDiscovered == 4)
        #expect(topology.sightings.map(\.path.hopCount).max() == 4)
        // Without -s nothing is kept.
        let plain = await Discovery(agent: tree.agent, options: .init(window: 64)).run()
        #expect(plain.sightings.isEmpty && plain.maxHopsDiscovered == 4)
    }

    /// The links among `lids` as `Topology.Link`s.
    private func links(_ tree: Tree, _ pairs: [((UInt16, UInt8), (UInt16, UInt8))]) -> Set<Topology.Link> {
        Set(pairs.map { pair in
            let a = Topology.PortReference(node: tree.guid(pair.0.0), port: pair.0.1)
            let b = Topology.PortReference(node: tree.guid(pair.1.0), port: pair.1.1)
            return (a.node, a.port) <= (b.node, b.port) ? Topology.Link(a, b) : Topology.Link(b, a)
        })
    }

    @Test("A partial scan from a directed route stops where libibnetdisc's hop count does", arguments: [1, 64])
    func partialScanFromAPath(window: Int) async throws {
        let tree = try Tree(window: 64)
        defer { tree.close() }
        var options = Discovery.Options(window: window)
        options.start = try DirectedRoutePath(ports: [1])  // leaf 110
        options.partial = .init(hops: 1)
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(topology.isComplete)
        #expect(topology.order.first == tree.guid(110))
        // Leaf 110's ports, its entry port (to LID 1) included, each lead one hop; the
        // first port of spine 100 followed is the second hop, after which nothing is
        // followed: leaves 111 and 112 stay unknown.
        #expect(Set(topology.order) == Set([110, 1, 2, 100, 101].map(tree.guid)))
        #expect(Set(topology.links) == links(tree, [((1, 1), (110, 1)), ((2, 1), (110, 2)), ((110, 6), (100, 6)),
                                                    ((110, 7), (100, 1)), ((110, 8), (101, 1))]))
        #expect(topology.nodes[tree.guid(100)]?.ports[2]?.remote == nil)
    }

    @Test("A hop limit from the local port: the first node two hops away ends the walk")
    func partialScanFromTheLocalPort() async throws {
        let tree = try Tree()
        defer { tree.close() }
        var options = Discovery.Options(window: 1)
        options.partial = .init(hops: 1)
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(topology.isComplete)
        #expect(topology.order == [1, 110, 2].map(tree.guid))
        #expect(Set(topology.links) == links(tree, [((1, 1), (110, 1)), ((2, 1), (110, 2))]))
    }

    @Test("A start reached by LID (iblinkinfo -G) that is a channel adapter is not left")
    func partialScanFromAnAdapterByLID() async throws {
        let tree = try Tree()
        defer { tree.close() }
        var options = Discovery.Options(window: 4)
        options.start = try DirectedRoutePath(ports: [1, 2])  // LID 2
        options.partial = .init(hops: 1, startIsLIDRouted: true)
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(topology.isComplete && topology.order == [tree.guid(2)])
        #expect(topology.nodes[tree.guid(2)]?.ports[1]?.remote == nil)
    }

    @Test("A start route that leads nowhere is reported, not an empty success")
    func partialScanFromADeadEnd() async throws {
        let tree = try Tree(timeout: 20)
        defer { tree.close() }
        var options = Discovery.Options(window: 4, request: RequestOptions(timeoutMilliseconds: 20, retries: 1), quickRetries: 1)
        options.start = try DirectedRoutePath(ports: [1, 3])  // leaf 110 port 3: no cable
        options.partial = .init(hops: 1)
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(topology.nodes.isEmpty)
        #expect(topology.unreachable.map(\.attribute) == [.nodeInfo])
        #expect(topology.unreachable.first?.path == options.start)
    }

    @Test("More than libibnetdisc's two SMPs are outstanding, never more than the window", arguments: [1, 4, 64])
    func windowIsUsedAndBounded(window: Int) async throws {
        let tree = try Tree(window: 64)
        defer { tree.close() }
        let topology = await Discovery(agent: tree.agent, options: .init(window: window)).run()
        #expect(topology.isComplete && topology.nodes.count == 9)
        let statistics = tree.agent.statistics
        #expect(statistics.maxOutstanding <= window)
        if window > 2 { #expect(statistics.maxOutstanding > 2) }
    }

    @Test("With 5 % and 20 % of MADs lost on every link, retries still find the same topology", arguments: [5.0, 20.0])
    func lossIsRetried(percent: Double) async throws {
        let reference = try Tree()
        let expected = await Discovery(agent: reference.agent).run()
        reference.close()

        let tree = try Tree(seed: 7)
        defer { tree.close() }
        _ = tree.fabric.addFault(FaultRule(.drop, selector: .percent(percent)))
        let options = Discovery.Options(window: 64, request: RequestOptions(timeoutMilliseconds: 100, retries: 12))
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(topology.unreachable.map(\.description) == [])
        #expect(Set(topology.links) == Set(expected.links))
        #expect(Set(topology.nodes.keys) == Set(expected.nodes.keys))
        #expect(tree.agent.statistics.retries > 0)
    }

    @Test("A switch that never answers is reported, and everything reachable without it is found")
    func deadSwitchIsReported() async throws {
        let tree = try Tree()
        defer { tree.close() }
        try tree.fabric.setAnswering(lid: 101, [])
        // Live nodes must not look dead: in the full parallel suite on 2 cores (verifier on)
        // an answer came later than 2 × 50 ms once and a live switch went missing. Five
        // attempts keep the dead spine's cost at 250 ms.
        let options = Discovery.Options(window: 64, request: RequestOptions(timeoutMilliseconds: 50, retries: 4))
        let topology = await Discovery(agent: tree.agent, options: options).run()
        #expect(!topology.isComplete)
        #expect(topology.nodes[tree.guid(101)] == nil)
        #expect(topology.nodes.count == 8)
        // Each leaf's port 8 leads to the dead spine: three NodeInfo queries without answer.
        let lost = topology.unreachable.filter { $0.attribute == .nodeInfo }
        #expect(lost.count == 3)
        #expect(lost.allSatisfy { $0.path.ports.last == 8 && $0.node == nil })
    }
}
