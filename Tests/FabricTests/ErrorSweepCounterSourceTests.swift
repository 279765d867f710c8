import Fabric
import MADAgents
import MADTransport
import MADWire
import Testing

/// Which PMA attribute the error sweep reads, on the in-process fabric, whose PMA can
/// advertise what ibsim's cannot: CapabilityMask2's IsAdditionalPortCountersExtendedSupported
/// (bit 1), with which ibqueryerrors' check_threshold takes the error counters from
/// PortCountersExtended. The comparisons with the C tool (ErrorSweepFabricTests) cover the
/// PortCounters side on ibsim.
@Suite struct ErrorSweepCounterSourceTests {
    /// Our channel adapter (LID 1) and another (LID 2) on switch 100's ports 1 and 2.
    private struct Subnet {
        let fabric = MemoryFabric(.init(seed: 7, failLostSendsImmediately: true))
        let agent: MADAgent
        let topology: Topology

        init(capabilities: MemoryFabric.PerformanceCapabilities = .init(), nodeDescriptions: Bool = true) async throws {
            let local = try fabric.addPort(lid: 1, answering: [.subnetManagement, .performance])
            _ = try fabric.addPort(lid: 2, answering: [.subnetManagement, .performance])
            try fabric.addSwitch(lid: 100, ports: 4)
            try fabric.connect(1, port: 1, to: 100, port: 1)
            try fabric.connect(2, port: 1, to: 100, port: 2)
            for lid: UInt16 in [1, 2, 100] { try fabric.setPerformanceCapabilities(lid: lid, capabilities) }
            agent = try MADAgent(port: local, configuration: .init(window: 16))
            var options = Discovery.Options(request: RequestOptions(timeoutMilliseconds: 200, retries: 1))
            options.nodeDescriptions = nodeDescriptions
            topology = await Discovery(agent: agent, options: options).run()
        }

        func sweep(_ configure: (inout ErrorSweep.Options) -> Void = { _ in }) async -> ErrorSweep.Report {
            var options = ErrorSweep.Options()
            options.request = RequestOptions(timeoutMilliseconds: 200, retries: 1)
            configure(&options)
            return await ErrorSweep(agent: agent, options: options).run(topology)
        }

        func close() {
            agent.close()
            fabric.close()
        }
    }

    /// LID 2's port 1: PortCounters saturated at 0xFFFF, the extended counter 70,000.
    private func seedCounters(_ subnet: Subnet) throws {
        var counters = PortCounters()
        counters.symbolErrorCounter = 0xFFFF
        try subnet.fabric.setPortCounters(lid: 2, port: 1, counters)
        var extended = PortCountersExtended()
        extended.symbolErrorCounter = 70_000
        try subnet.fabric.setPortCountersExtended(lid: 2, port: 1, extended)
    }

    @Test("Extended width alone: errors from PortCounters, and PortCountersExtended not read")
    func extendedWidthOnly() async throws {
        let subnet = try await Subnet(capabilities: .init(mask: [.perfExtendedWidthSupported, .perfPortXmitWaitSupported]))
        defer { subnet.close() }
        #expect(subnet.topology.isComplete)
        try seedCounters(subnet)
        let report = await subnet.sweep()
        #expect(report.failures == 0, "\(report.warnings)")
        #expect(report.findings.map(\.counters.first?.1) == [0xFFFF])
        #expect(report.text.contains(" [SymbolErrorCounter == 65535]\n"), "\(report.text)")
        // ClassPortInfo of 3 PMAs, PortCounters of 6 ports (the switch's 4, one per adapter).
        #expect(report.madsSent == 3 + 6)
        // --data shows the extended data counters, so they are read then.
        let data = await subnet.sweep { $0.dataCounters = true }
        #expect(data.madsSent == 3 + 6 + 6)
        #expect(data.failures == 0, "\(data.warnings)")
    }

    @Test("AdditionalPortCountersExtended: errors from PortCountersExtended, in check_threshold's form")
    func additionalPortCountersExtended() async throws {
        let subnet = try await Subnet(capabilities: .init(mask: [.perfExtendedWidthSupported], mask2: 1 << 1))
        defer { subnet.close() }
        try seedCounters(subnet)
        var extended = PortCountersExtended()
        extended.portXmitWait = 3 << 20  // no PortXmitWait bit in CapabilityMask: still a counter here
        try subnet.fabric.setPortCountersExtended(lid: 100, port: 2, extended)
        let report = await subnet.sweep()
        #expect(report.failures == 0, "\(report.warnings)")
        #expect(report.text.contains(" [SymbolErrorCounter == 70000 (68.359K)]\n"), "\(report.text)")
        #expect(report.text.contains(" [PortXmitWait == 3145728 (3.000M)]\n"), "\(report.text)")
        #expect(report.badPorts == 2)
        #expect(report.madsSent == 3 + 6 + 6)
        // Thresholds and -s apply to the extended counters by the same names.
        let quiet = await subnet.sweep {
            $0.thresholds = ["SymbolErrorCounter": 70_000]
            $0.suppressed = ["PortXmitWait"]
        }
        #expect(quiet.findings.isEmpty, "\(quiet.text)")
        // A PortCountersExtended that does not answer fails the port, as print_errors does.
        subnet.fabric.addFault(FaultRule(.drop, match: .init(link: FabricLink(from: 1, to: 2), direction: .requests,
                                                             attributeID: .portCountersExtended)))
        let lost = await subnet.sweep()
        #expect(lost.failures == 1)
        #expect(lost.warnings.contains { $0.hasPrefix("IB_GSI_PORT_COUNTERS_EXT query failed on") }, "\(lost.warnings)")
    }

    @Test("Discovered without NodeDescriptions, the sweep asks only for those of the nodes it names")
    func namesOnlyWhatItReports() async throws {
        let subnet = try await Subnet(nodeDescriptions: false)
        defer { subnet.close() }
        #expect(subnet.topology.isComplete && subnet.topology.nodes.count == 3)
        #expect(subnet.topology.nodes.values.allSatisfy { !$0.descriptionKnown && $0.description.isEmpty })
        let described = try await Subnet()
        defer { described.close() }
        // One NodeDescription SMP per node fewer in discovery.
        #expect(subnet.agent.statistics.sent == described.agent.statistics.sent - 3)

        // A clean subnet: no names needed, no SMP sent.
        let clean = await subnet.sweep()
        #expect(clean.madsSent == 3 + 6 && clean.pmaMADsSent == clean.madsSent && clean.undescribed.isEmpty)
        let reference = await described.sweep()
        #expect(clean.text == reference.text)

        // An error on LID 2: its description is asked, and the report reads as with it known.
        var counters = PortCounters()
        counters.portRcvErrors = 4
        for fabric in [subnet.fabric, described.fabric] { try fabric.setPortCounters(lid: 2, port: 1, counters) }
        let errors = await subnet.sweep()
        let expected = await described.sweep()
        #expect(errors.madsSent == 3 + 6 + 1 && errors.pmaMADsSent == 3 + 6)
        #expect(errors.undescribed.isEmpty, "\(errors.undescribed)")
        #expect(errors.text == expected.text, "\(errors.text)")
        #expect(errors.text.contains("Errors for \"memfabric"), "\(errors.text)")
        #expect(errors.findings.map(\.name) == expected.findings.map(\.name))

        // A node the node name map names needs no NodeDescription.
        let guid = try #require(subnet.topology.nodes.values.first { $0.lid == 2 }?.guid)
        let map = try NodeNameMap(parsing: "0x\(String(guid, radix: 16)) \"mapped-h2\"\n", source: "test map")
        let mapped = await ErrorSweep(agent: subnet.agent, options: {
            var options = ErrorSweep.Options()
            options.request = RequestOptions(timeoutMilliseconds: 200, retries: 1)
            return options
        }()).run(subnet.topology, nodeNames: map)
        #expect(mapped.madsSent == 3 + 6 && mapped.undescribed.isEmpty)
        #expect(mapped.text.contains("Errors for \"mapped-h2\"\n"), "\(mapped.text)")

        // A NodeDescription that never answers: reported, the name left empty.
        subnet.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests, attributeID: .nodeDescription)))
        let unnamed = await subnet.sweep()
        #expect(unnamed.undescribed.map(\.node) == [subnet.topology.nodes.values.first { $0.lid == 2 }?.guid])
        #expect(unnamed.text.contains("Errors for \"\"\n"), "\(unnamed.text)")
    }
}
