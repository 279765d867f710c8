public import MADAgents
public import MADWire

/// Every port's PortCounters (or PortCountersExtended) across a `Topology`, in one window:
/// what a shell loop of `perfquery LID PORT` over the fabric prints, without waiting for
/// each answer before the next question. Nodes in discovery order, ports ascending
/// (a switch's external ports; a CA's cabled ports).
public struct CounterSweep: Sendable {
    public struct PortResult: Sendable {
        public var lid: UInt16
        public var port: Int
        /// The PMA's ClassPortInfo masks (IBA 16.1.3.1), which decide what is printed.
        public var capabilityMask: UInt16
        public var capabilityMask2: UInt32
        public var counters: PortCounters?
        public var extended: PortCountersExtended?
        public var nodeGUID: UInt64
        /// The name map's name, else the NodeDescription (empty where that was never
        /// known: a port that answered needs none, `Discovery.Options.nodeDescriptions`).
        public var nodeName: String
    }

    public let agent: MADAgent
    public let request: RequestOptions
    public let progress: SweepProgress?

    public init(agent: MADAgent, request: RequestOptions, progress: SweepProgress? = nil) {
        self.agent = agent
        self.request = request
        self.progress = progress
    }

    public struct Report: Sendable {
        /// Every port, in the order the text prints them.
        public var ports: [PortResult]
        /// NodeDescriptions asked for the names of failed ports that got no answer.
        public var undescribed: [Topology.Unreachable] = []
        public var madsSent = 0
        /// The PerfMgt MADs among `madsSent` (the rest: NodeDescriptions for names).
        public var pmaMADsSent = 0
        public var failed: [PortResult] { ports.filter { $0.counters == nil && $0.extended == nil } }
    }

    /// A port whose PMA did not answer is named: by the name map, else by its node's
    /// NodeDescription, asked now if discovery left it out.
    public func run(_ topology: Topology, extended: Bool, nodeNames: NodeNameMap = NodeNameMap()) async -> Report {
        let before = agent.statistics.sent
        let nodes = topology.canonicalOrder().compactMap { topology.nodes[$0] }
        let targets: [(node: Topology.Node, lid: UInt16, ports: [UInt8])] = nodes.map { node in
            let ports = node.ports.keys.filter { $0 != 0 }.sorted()
            let lid = node.isSwitch ? node.lid : ports.first.flatMap { node.ports[$0]?.info.lid } ?? 0
            return (node, lid, ports)
        }
        let classInfo = await agent.performanceGets(targets.map { ($0.lid, $0.ports.first ?? 1, AttributeID.classPortInfo) },
                                                    options: request, progress: progress)
        var asks: [(lid: UInt16, port: UInt8, attribute: AttributeID)] = []
        var owners: [(target: Int, port: UInt8)] = []
        for (index, target) in targets.enumerated() {
            for port in target.ports {
                // A CA port's own LID (a multi-port CA has one per port).
                let lid = target.node.isSwitch ? target.lid : target.node.ports[port]?.info.lid ?? target.lid
                asks.append((lid, port, extended ? .portCountersExtended : .portCounters))
                owners.append((index, port))
            }
        }
        let answers = await agent.performanceGets(asks, options: request, progress: progress)
        var report = Report(ports: owners.enumerated().map { item, owner in
            let target = targets[owner.target]
            let info = classInfo[owner.target].flatMap { try? $0.attribute(ClassPortInfo.self) }
            let (mask, mask2) = info.map(PerfQueryText.capabilities) ?? (0, 0)
            let mad = answers[item]
            return PortResult(lid: asks[item].lid, port: Int(owner.port), capabilityMask: mask, capabilityMask2: mask2,
                              counters: extended ? nil : mad.flatMap { try? $0.attribute(PortCounters.self) },
                              extended: extended ? mad.flatMap { try? $0.attribute(PortCountersExtended.self) } : nil,
                              nodeGUID: target.node.guid, nodeName: "")
        })
        report.pmaMADsSent = agent.statistics.sent - before
        var described = topology
        let failedNodes = Set(report.failed.map(\.nodeGUID)).filter { !nodeNames.contains($0) }
        report.undescribed = await agent.describe(failedNodes, in: &described, options: request, progress: progress)
        for index in report.ports.indices {
            let guid = report.ports[index].nodeGUID
            report.ports[index].nodeName = nodeNames.name(for: guid, nodeDescription: described.nodes[guid]?.description ?? "")
        }
        report.madsSent = agent.statistics.sent - before
        return report
    }
}
