import MADWire

/// ibnetdiscover --diff: what changed between a topology file taken earlier and the fabric
/// now (or another file), as ibnetdiscover.c's diff() prints it.
extension IBNetDiscoverText {
    /// --diffcheck's keys (ibnetdiscover.c DIFF_FLAG_*).
    public struct DiffChecks: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Which node types are compared ("sw", "ca", "router").
        public static let switches = DiffChecks(rawValue: 0x01)
        public static let channelAdapters = DiffChecks(rawValue: 0x02)
        public static let routers = DiffChecks(rawValue: 0x04)
        /// "port": which port is cabled to which port GUID.
        public static let portConnections = DiffChecks(rawValue: 0x08)
        /// "lid": the switches' LIDs and every port's.
        public static let lids = DiffChecks(rawValue: 0x10)
        /// "nodedesc": node descriptions.
        public static let nodeDescriptions = DiffChecks(rawValue: 0x20)
        /// Without --diffcheck: every node type and the port connections.
        public static let `default`: DiffChecks = [.switches, .channelAdapters, .routers, .portConnections]

        static let keys: [(String, DiffChecks)] = [
            ("sw", .switches), ("ca", .channelAdapters), ("router", .routers),
            ("port", .portConnections), ("lid", .lids), ("nodedesc", .nodeDescriptions),
        ]

        /// --diffcheck's comma-separated keys in any case (strcasecmp), which replace the
        /// default: "sw,port" compares switches' connections only. Empty keys are
        /// skipped, as strtok skips them.
        public init(parsing text: String) throws(InvalidKey) {
            self = []
            for key in text.split(separator: ",") {
                guard let check = Self.keys.first(where: { $0.0 == key.lowercased() })?.1 else {
                    throw InvalidKey(key: String(key))
                }
                insert(check)
            }
        }

        public struct InvalidKey: Error, CustomStringConvertible {
            public let key: String
            public var description: String {
                "invalid diff check key: '\(key)' (expected a comma-separated list of "
                    + DiffChecks.keys.map(\.0).joined(separator: ", ") + ")"
            }
        }
    }

    /// The differences between `old` and `new`: for each node type checked (switches,
    /// then CAs, then routers), each node of `old` in listing order that `new` lacks
    /// ("< " before every line of it) or that differs in what `checks` asks (its header,
    /// then the differing ports, "< " as they were and "> " as they are); then each node of
    /// `new` that `old` lacks ("> "). Nothing when nothing differs.
    ///
    /// A port counts as cabled when the topology has its link; a topology file lists only
    /// cabled ports, so a port down in one and absent in the other is no difference. A
    /// port with no cable has no line to print: where the C tool would print one (and
    /// crash on its missing remote port), nothing is printed.
    public static func diff(from old: Topology, to new: Topology, checks: DiffChecks = .default,
                            nodeNames: NodeNameMap = NodeNameMap()) -> String {
        var out = TextOutput(capacity: 4096)
        let oldOrder = old.canonicalOrder().reversed().compactMap { old.nodes[$0] }
        let newOrder = new.canonicalOrder().reversed().compactMap { new.nodes[$0] }
        let before = DiffSide(topology: old, prefix: "< ")
        let after = DiffSide(topology: new, prefix: "> ")
        for (check, kind) in [(DiffChecks.switches, NodeType.switch), (.channelAdapters, .channelAdapter), (.routers, .router)]
        where checks.contains(check) {
            for node in oldOrder where node.info.nodeType == kind {
                diffNode(node, from: before, to: after, checks: checks, nodeNames: nodeNames, &out)
            }
            // The other way round only nodes `old` lacks: the rest is compared above.
            let presence = checks.subtracting([.portConnections, .lids, .nodeDescriptions])
            for node in newOrder where node.info.nodeType == kind {
                diffNode(node, from: after, to: before, checks: presence, nodeNames: nodeNames, &out)
            }
        }
        return out.text
    }

    /// A port with a cable, the node at the other end and the port there.
    struct Link {
        var port: Topology.Port
        var far: Topology.Node
        var farPort: UInt8
    }

    private struct DiffSide {
        var topology: Topology
        var prefix: StaticString
    }

    /// diff_iter_func: `node` of `first` against the node with its GUID in `second`.
    private static func diffNode(_ node: Topology.Node, from first: DiffSide, to second: DiffSide, checks: DiffChecks,
                                 nodeNames: NodeNameMap, _ out: inout TextOutput) {
        guard let other = second.topology.nodes[node.guid] else {
            header(node, nodeNames: nodeNames, idPrefix: first.prefix, detailPrefix: first.prefix, &out)
            for number in 1...max(1, Int(node.info.numberOfPorts)) {
                if let link = first.topology.link(of: node, port: UInt8(number)) {
                    port(link, of: node, nodeNames: nodeNames, prefix: first.prefix, &out)
                }
            }
            return
        }
        guard !checks.isDisjoint(with: [.portConnections, .lids, .nodeDescriptions]) else { return }
        var headerShown = false
        // A switch's LID is its port 0's; libibnetdisc keeps 0 for other nodes (their
        // ports' LIDs are compared below).
        let lidChanged = node.isSwitch && node.lid != other.lid
        if (checks.contains(.lids) && lidChanged) || (checks.contains(.nodeDescriptions) && node.description != other.description) {
            header(node, nodeNames: nodeNames, detailPrefix: first.prefix, &out)
            if node.isSwitch {
                switchDetail(other, nodeNames: nodeNames, prefix: second.prefix, &out)
            } else {
                channelAdapterDetail(other, prefix: second.prefix, &out)
            }
            out.append("\n")
            headerShown = true
        }
        func showHeader(_ out: inout TextOutput) {
            if !headerShown { header(node, nodeNames: nodeNames, &out) }
            headerShown = true
        }
        if node.info.numberOfPorts != other.info.numberOfPorts {
            showHeader(&out)
            for (side, count) in [(first, node.info.numberOfPorts), (second, other.info.numberOfPorts)] {
                out.append(side.prefix)
                out.append("numports = ")
                out.decimal(count)
                out.append("\n")
            }
            return
        }
        guard !checks.isDisjoint(with: [.portConnections, .lids]) else { return }
        for number in 1...max(1, Int(node.info.numberOfPorts)) {
            let (was, now) = (node.ports[UInt8(number)], other.ports[UInt8(number)])
            let (wasLink, nowLink) = (first.topology.link(of: node, port: UInt8(number)),
                                      second.topology.link(of: other, port: UInt8(number)))
            var (showWas, showNow) = (false, false)
            if checks.contains(.portConnections) {
                if let wasLink, let nowLink {
                    if wasLink.port.guid != nowLink.port.guid || farPortGUID(wasLink) != farPortGUID(nowLink) {
                        (showWas, showNow) = (true, true)
                    }
                } else if wasLink != nil {
                    showWas = true
                } else if nowLink != nil {
                    showNow = true
                }
            }
            if checks.contains(.lids), let was, let now,
               lid(of: node, port: was.number) != lid(of: other, port: now.number) {
                (showWas, showNow) = (true, true)
            }
            if checks.contains(.portConnections), let wasLink, let nowLink {
                let descriptionChanged = wasLink.far.description != nowLink.far.description
                let farLIDChanged = lid(of: wasLink.far, port: wasLink.farPort) != lid(of: nowLink.far, port: nowLink.farPort)
                if (checks.contains(.nodeDescriptions) && descriptionChanged) || (checks.contains(.lids) && farLIDChanged) {
                    (showWas, showNow) = (true, true)
                }
            }
            if showWas, let wasLink {
                showHeader(&out)
                port(wasLink, of: node, nodeNames: nodeNames, prefix: first.prefix, &out)
            }
            if showNow, let nowLink {
                showHeader(&out)
                port(nowLink, of: other, nodeNames: nodeNames, prefix: second.prefix, &out)
            }
        }
    }

    private static func farPortGUID(_ link: Link) -> UInt64 { link.far.ports[link.farPort]?.guid ?? 0 }

    private static func header(_ node: Topology.Node, nodeNames: NodeNameMap, idPrefix: StaticString = "",
                               detailPrefix: StaticString = "", _ out: inout TextOutput) {
        if node.isSwitch {
            switchHeader(node, nodeNames: nodeNames, idPrefix: idPrefix, detailPrefix: detailPrefix, &out)
        } else {
            channelAdapterHeader(node, idPrefix: idPrefix, detailPrefix: detailPrefix, &out)
        }
    }

    private static func port(_ link: Link, of node: Topology.Node, nodeNames: NodeNameMap, prefix: StaticString,
                             _ out: inout TextOutput) {
        if node.isSwitch {
            switchPort(link.port, to: link.far, farPort: link.farPort, capabilities: node.ports[0]?.info.capabilityMask,
                       nodeNames: nodeNames, full: false, prefix: prefix, &out)
        } else {
            channelAdapterPort(link.port, to: link.far, farPort: link.farPort, nodeNames: nodeNames, full: false,
                               prefix: prefix, &out)
        }
    }
}

extension Topology {
    /// Port `number` of `node` when it has a cable to a node of this topology.
    func link(of node: Node, port number: UInt8) -> IBNetDiscoverText.Link? {
        guard let port = node.ports[number], let remote = port.remote, let far = nodes[remote.node] else { return nil }
        return IBNetDiscoverText.Link(port: port, far: far, farPort: remote.port)
    }
}
