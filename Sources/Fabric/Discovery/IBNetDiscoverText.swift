#if canImport(Glibc)
import Glibc
#endif
public import MADWire

/// ibnetdiscover's text outputs (infiniband-diags ibnetdiscover.c) for a `Topology`: the
/// topology file, the node lists (-l, -H, -S, -R) and the ports report (-p).
///
/// Order: libibnetdisc prepends each node to its lists as it finds it, breadth first from
/// the local node with ports in ascending order, so every listing runs in reverse
/// discovery order. `Topology.canonicalOrder()` recomputes that order from the links,
/// whatever order a windowed walk's answers came in.
public enum IBNetDiscoverText {
    public enum NodeList: Sendable { case all, channelAdapters, switches, routers }

    /// The topology file. `generated` is the ctime(3) text (with its newline). `grouping`
    /// is -g: libibnetdisc groups the nodes of vendor chassis it recognises by their
    /// GUIDs; that recognition is not reproduced, so every node is printed under
    /// "Non-Chassis Nodes", as the C tool does for a fabric without recognised chassis.
    /// `full` is -f: each port line ends with the raw LinkSpeedActive, LinkWidthActive and
    /// VLCap (" s=4 w=2 v=4"). `madsUsed` is -m: the header then also reports
    /// `Topology.maxHopsDiscovered` and that count of MADs.
    public static func topology(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap(), generated: String,
                                grouping: Bool = false, full: Bool = false, madsUsed: Int? = nil) -> String {
        let order = topology.canonicalOrder().reversed().compactMap { topology.nodes[$0] }
        var out = TextOutput(capacity: estimatedSize(topology))
        out.append("#\n# Topology file: generated on ")
        out.append(text: generated)
        out.append("#\n")
        if let madsUsed {
            out.append("# Reported max hops discovered: ")
            out.decimal(topology.maxHopsDiscovered)
            out.append("\n# Total MADs used: ")
            out.decimal(madsUsed)
            out.append("\n")
        }
        if let local = topology.order.first.flatMap({ topology.nodes[$0] }) {
            out.append("# Initiated from node ")
            out.hex(local.guid, digits: 16)
            out.append(" port ")
            out.hex(local.info.portGUID, digits: 16)
            out.append("\n")
        }
        if grouping { out.append("\nNon-Chassis Nodes\n") }
        for node in order where node.isSwitch {
            switchHeader(node, nodeNames: nodeNames, grouping: grouping, &out)
            let capabilities = node.ports[0]?.info.capabilityMask
            for number in 1...max(1, Int(node.info.numberOfPorts)) {
                guard let port = node.ports[UInt8(number)], let remote = port.remote,
                      let far = topology.nodes[remote.node] else { continue }
                switchPort(port, to: far, farPort: remote.port, capabilities: capabilities, nodeNames: nodeNames, full: full, &out)
            }
        }
        for kind in [NodeType.channelAdapter, .router] {
            for node in order where node.info.nodeType == kind {
                channelAdapterHeader(node, &out)
                for number in 1...max(1, Int(node.info.numberOfPorts)) {
                    guard let port = node.ports[UInt8(number)], let remote = port.remote,
                          let far = topology.nodes[remote.node] else { continue }
                    channelAdapterPort(port, to: far, farPort: remote.port, nodeNames: nodeNames, full: full, &out)
                }
            }
        }
        return out.text
    }

    /// Room for the topology file: a little over the longest lines the C tool writes.
    private static func estimatedSize(_ topology: Topology) -> Int {
        topology.nodes.values.reduce(256) { $0 + 200 + 100 * $1.ports.count }
    }

    /// -l (all: CAs, then switches, then routers), -H, -S, -R.
    public static func list(_ topology: Topology, _ which: NodeList, nodeNames: NodeNameMap = NodeNameMap()) -> String {
        let order = topology.canonicalOrder().reversed().compactMap { topology.nodes[$0] }
        let kinds: [NodeType] = switch which {
        case .all: [.channelAdapter, .switch, .router]
        case .channelAdapters: [.channelAdapter]
        case .switches: [.switch]
        case .routers: [.router]
        }
        var out = TextOutput(capacity: 128 * order.count)
        for kind in kinds {
            let label: StaticString = kind == .switch ? "Switch\t : 0x" : kind == .router ? "Router\t : 0x" : "Ca\t : 0x"
            for node in order where node.info.nodeType == kind {
                out.append(label)
                out.hex(node.guid, digits: 16)
                out.append(" ports ")
                out.decimal(node.info.numberOfPorts)
                out.append(" devid 0x")
                out.hex(UInt64(node.info.deviceID))
                out.append(" vendid 0x")
                out.hex(UInt64(node.info.vendorID))
                out.append(" \"")
                out.name(for: node.guid, nodeDescription: node.description, in: nodeNames)
                out.append("\"\n")
            }
        }
        return out.text
    }

    /// -p: every port that answered, nodes in reverse discovery order, ports high to low.
    public static func portsReport(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap()) -> String {
        var out = TextOutput(capacity: estimatedSize(topology))
        for node in topology.canonicalOrder().reversed().compactMap({ topology.nodes[$0] }) {
            let name = nodeNames.name(for: node.guid, nodeDescription: node.description)
            for number in stride(from: Int(node.info.numberOfPorts), through: 1, by: -1) {
                guard let port = node.ports[UInt8(number)] else { continue }
                typeCode(node, &out)
                out.append(" ")
                out.decimal(lid(of: node, port: port.number), width: 5)
                out.append(" ")
                out.decimal(number, width: 2)
                out.append(" 0x")
                out.hex(port.guid, digits: 16)
                out.append(" ")
                let capabilities = node.isSwitch ? node.ports[0]?.info.capabilityMask : port.info.capabilityMask
                if capabilities == nil && node.isSwitch { out.append("?? ???") }
                else { rate(port.info, capabilities: capabilities, separator: " ", &out) }
                if let remote = port.remote, let far = topology.nodes[remote.node] {
                    out.append(" - ")
                    typeCode(far, &out)
                    out.append(" ")
                    out.decimal(lid(of: far, port: remote.port), width: 5)
                    out.append(" ")
                    out.decimal(remote.port, width: 2)
                    out.append(" 0x")
                    out.hex(far.ports[remote.port]?.guid ?? 0, digits: 16)
                    out.append(" ( '")
                    out.append(text: name)
                    out.append("' - '")
                    out.name(for: far.guid, nodeDescription: far.description, in: nodeNames)
                    out.append("' )\n")
                } else {
                    out.spaces(36)
                    out.append("'")
                    out.append(text: name)
                    out.append("'\n")
                }
            }
        }
        return out.text
    }

    /// -s: each NodeInfo answer as libibnetdisc's dump_endnode prints it during the walk,
    /// `DR path slid 0; dlid 0; 0,1 -> new Switch {…} portnum 0 lid 0-0 ""`.
    public static func sightings(_ topology: Topology) -> String {
        var out = TextOutput(capacity: 112 * topology.sightings.count)
        for sighting in topology.sightings {
            out.append("DR path slid 0; dlid 0; ")
            out.append(text: sighting.path.description)
            out.append(sighting.isNew ? " -> new " : " -> known ")
            switch sighting.nodeType {
            case .channelAdapter: out.append("Channel Adapter")
            case .switch: out.append("Switch")
            case .router: out.append("Router")
            default:
                out.append("?(")
                out.decimal(sighting.nodeType.rawValue)
                out.append(")?")
            }
            out.append(" {")
            out.hex(sighting.guid, digits: 16)
            out.append("} portnum ")
            out.decimal(sighting.port)
            out.append(" lid ")
            out.decimal(sighting.lid)
            out.append("-")
            out.decimal(Int(sighting.lid) + (1 << Int(sighting.lmc)) - 1)
            out.append(" \"")
            out.append(text: sighting.description)
            out.append("\"\n")
        }
        return out.text
    }

    /// ctime(3) of now, as the C tool prints it in the header.
    public static func now() -> String {
        var clock = time(nil)
        var buffer = [CChar](repeating: 0, count: 64)
        guard ctime_r(&clock, &buffer) != nil else { return "\n" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Pieces

    /// out_ids: vendid, devid and (when set) sysimgguid, each line after `prefix`.
    private static func identities(_ node: Topology.Node, prefix: StaticString = "", _ out: inout TextOutput) {
        out.append("\n")
        out.append(prefix)
        out.append("vendid=0x")
        out.hex(UInt64(node.info.vendorID))
        out.append("\n")
        out.append(prefix)
        out.append("devid=0x")
        out.hex(UInt64(node.info.deviceID))
        out.append("\n")
        if node.info.systemImageGUID != 0 {
            out.append(prefix)
            out.append("sysimgguid=0x")
            out.hex(node.info.systemImageGUID)
            out.append("\n")
        }
    }

    /// out_switch: the identities, `switchguid=0x…(…)` and the Switch line. --diff puts
    /// `idPrefix` before the first and `detailPrefix` before the last ("< ", "> ").
    static func switchHeader(_ node: Topology.Node, nodeNames: NodeNameMap, grouping: Bool = false,
                             idPrefix: StaticString = "", detailPrefix: StaticString = "", _ out: inout TextOutput) {
        identities(node, prefix: idPrefix, &out)
        out.append(idPrefix)
        out.append("switchguid=0x")
        out.hex(node.guid)
        out.append("(")
        out.hex(node.info.portGUID)
        out.append(grouping ? ")\t# \n" : ")\n")
        switchDetail(node, nodeNames: nodeNames, prefix: detailPrefix, &out)
        out.append("\n")
    }

    /// out_switch_detail: `Switch\t6 "S-…"\t\t# "leaf1" enhanced port 0 lid 3 lmc 0`, no newline.
    static func switchDetail(_ node: Topology.Node, nodeNames: NodeNameMap, prefix: StaticString = "",
                             _ out: inout TextOutput) {
        let port0 = node.ports[0]?.info
        out.append(prefix)
        out.append("Switch\t")
        out.decimal(node.info.numberOfPorts)
        out.append(" ")
        quotedName(node, &out)
        out.append("\t\t# \"")
        out.name(for: node.guid, nodeDescription: node.description, in: nodeNames)
        out.append(node.switchInfo?.enhancedPort0 == true ? "\" enhanced port 0 lid " : "\" base port 0 lid ")
        out.decimal(port0?.lid ?? 0)
        out.append(" lmc ")
        out.decimal(port0?.lmc ?? 0)
    }

    /// out_switch_port: `[1]\t"H-…"[1](…) \t\t# "H1 HCA-1" lid 1 4xEDR`, `port` cabled to
    /// `farPort` of `far`. `capabilities` is the switch's port 0 CapabilityMask (the rate's
    /// extended speeds count only with it).
    static func switchPort(_ port: Topology.Port, to far: Topology.Node, farPort: UInt8, capabilities: PortCapabilities?,
                           nodeNames: NodeNameMap, full: Bool, prefix: StaticString = "", _ out: inout TextOutput) {
        out.append(prefix)
        out.append("[")
        out.decimal(port.number)
        out.append("]\t")
        farEnd(far, port: farPort, guidOpening: "(", &out)
        out.append("\t\t# \"")
        farNameAndRate(far, port: farPort, info: port.info, capabilities: capabilities, nodeNames: nodeNames, full: full, &out)
    }

    /// out_ca (routers too): the identities, `caguid=0x…` (`rtguid=`) and the Ca (Rt)
    /// line, prefixed as `switchHeader`'s.
    static func channelAdapterHeader(_ node: Topology.Node, idPrefix: StaticString = "", detailPrefix: StaticString = "",
                                     _ out: inout TextOutput) {
        identities(node, prefix: idPrefix, &out)
        out.append(idPrefix)
        out.append(node.info.nodeType == .router ? "rtguid=0x" : "caguid=0x")
        out.hex(node.guid)
        out.append("\n")
        channelAdapterDetail(node, prefix: detailPrefix, &out)
        out.append("\n")
    }

    /// out_ca_detail: `Ca\t1 "H-…"\t\t# "H1 HCA-1"` (the node description, never the
    /// node-name-map's name), no newline.
    static func channelAdapterDetail(_ node: Topology.Node, prefix: StaticString = "", _ out: inout TextOutput) {
        out.append(prefix)
        out.append(node.info.nodeType == .router ? "Rt\t" : "Ca\t")
        out.decimal(node.info.numberOfPorts)
        out.append(" ")
        quotedName(node, &out)
        out.append("\t\t# \"")
        out.nodeDescription(node.description)
        out.append("\"")
    }

    /// out_ca_port: `[1](…) \t"S-…"[1]\t\t# lid 1 lmc 0 "leaf1" lid 3 4xEDR`.
    static func channelAdapterPort(_ port: Topology.Port, to far: Topology.Node, farPort: UInt8, nodeNames: NodeNameMap,
                                   full: Bool, prefix: StaticString = "", _ out: inout TextOutput) {
        out.append(prefix)
        out.append("[")
        out.decimal(port.number)
        out.append("](")
        out.hex(port.guid)
        out.append(") \t")
        farEnd(far, port: farPort, guidOpening: " (", &out)
        out.append("\t\t# lid ")
        out.decimal(port.info.lid)
        out.append(" lmc ")
        out.decimal(port.info.lmc)
        out.append(" \"")
        farNameAndRate(far, port: farPort, info: port.info, capabilities: port.info.capabilityMask, nodeNames: nodeNames,
                       full: full, &out)
    }

    /// A port line's far end, `"S-…"[3]`, then a CA's or router's port GUID in
    /// parentheses (opened by "(" on a switch's line and " (" on a CA's, as
    /// ibnetdiscover.c has them).
    private static func farEnd(_ far: Topology.Node, port farPort: UInt8, guidOpening: StaticString, _ out: inout TextOutput) {
        quotedName(far, &out)
        out.append("[")
        out.decimal(farPort)
        out.append("]")
        if !far.isSwitch {
            out.append(guidOpening)
            out.hex(far.ports[farPort]?.guid ?? 0)
            out.append(") ")
        }
    }

    /// A port line from the far node's name on: `"leaf1" lid 3 4xEDR` (and -f's raw
    /// values) and the newline. `info` and `capabilities` are this side's port.
    private static func farNameAndRate(_ far: Topology.Node, port farPort: UInt8, info: PortInfo,
                                       capabilities: PortCapabilities?, nodeNames: NodeNameMap, full: Bool,
                                       _ out: inout TextOutput) {
        out.name(for: far.guid, nodeDescription: far.description, in: nodeNames)
        out.append("\" lid ")
        out.decimal(lid(of: far, port: farPort))
        out.append(" ")
        rate(info, capabilities: capabilities, &out)
        if full { rawRate(info, capabilities: capabilities, &out) }
        out.append("\n")
    }

    /// "S-<guid>", "H-<guid>", "R-<guid>" in quotes (node_name()).
    private static func quotedName(_ node: Topology.Node, _ out: inout TextOutput) {
        let letter: StaticString = switch node.info.nodeType {
        case .switch: "\"S-"
        case .channelAdapter: "\"H-"
        case .router: "\"R-"
        default: "\"?-"
        }
        out.append(letter)
        out.hex(node.guid, digits: 16)
        out.append("\"")
    }

    private static func typeCode(_ node: Topology.Node, _ out: inout TextOutput) {
        let code: StaticString = switch node.info.nodeType {
        case .switch: "SW"
        case .channelAdapter: "CA"
        case .router: "RT"
        default: "??"
        }
        out.append(code)
    }

    /// A switch is addressed by its port 0 LID, anything else by the port's own.
    static func lid(of node: Topology.Node, port: UInt8) -> UInt16 {
        node.isSwitch ? node.ports[0]?.info.lid ?? 0 : node.ports[port]?.info.lid ?? 0
    }

    /// -f's " s=%d w=%d v=%d" (ibnetdiscover.c out_switch_port/out_ca_port, rdma-core 44:
    /// later versions add " e=%d" for an extended speed). A switch without port 0 in the
    /// topology prints s=0: the C tool zeroes the speed when it has no port 0 to read the
    /// capability mask from.
    private static func rawRate(_ info: PortInfo, capabilities: PortCapabilities?, _ out: inout TextOutput) {
        out.append(" s=")
        out.decimal(capabilities == nil ? 0 : info.linkSpeedActive.rawValue)
        out.append(" w=")
        out.decimal(info.linkWidthActive.rawValue)
        out.append(" v=")
        out.decimal(info.vlCap.rawValue)
    }

    /// "4xEDR": the compat width and speed names of ibnetdiscover.c. The extended speed
    /// counts only when the capability mask (port 0's for a switch) has
    /// IsExtendedSpeedsSupported; FDR10 (a Mellanox extension) is never reported here.
    static func rate(_ info: PortInfo, capabilities: PortCapabilities?, separator: StaticString = "") -> String {
        var out = TextOutput(capacity: 16)
        rate(info, capabilities: capabilities, separator: separator, &out)
        return out.text
    }

    private static func rate(_ info: PortInfo, capabilities: PortCapabilities?, separator: StaticString = "",
                             _ out: inout TextOutput) {
        let width: StaticString = switch info.linkWidthActive.rawValue {
        case 1: "1x"
        case 2: "4x"
        case 4: "8x"
        case 8: "12x"
        case 16: "2x"
        default: "??"
        }
        out.append(width)
        out.append(separator)
        let speed = info.linkSpeedActive.rawValue
        let extended = capabilities?.contains(.isExtendedSpeedsSupported) == true ? info.linkSpeedExtActive.rawValue : 0
        let base: StaticString = switch speed {
        case 1: "SDR"
        case 2: "DDR"
        case 4: "QDR"
        default: "???"
        }
        if speed != 4 && extended == 0 { return out.append(base) }
        let name: StaticString = switch extended {
        case 0: base
        case 1: "FDR"
        case 2: "EDR"
        case 4: "HDR"
        case 8: "NDR"
        default: "???"
        }
        out.append(name)
    }
}

extension Topology {
    /// Discovery order as libibnetdisc has it: breadth first from the local node, each
    /// node's ports in ascending order (a switch's all, the local node's own), a node
    /// taking the place where it was first met.
    public func canonicalOrder() -> [UInt64] { canonicalSteps().map(\.guid) }

    /// `canonicalOrder()` with the directed route each node is first met by on that walk
    /// and the port it is entered by (both nil for nodes found but not linked back, listed
    /// last in walk order; the local node's entry is nil too).
    public func canonicalWalk() -> [(guid: UInt64, path: DirectedRoutePath?, entry: UInt8?)] {
        var result: [(guid: UInt64, path: DirectedRoutePath?, entry: UInt8?)] = []
        let steps = canonicalSteps()
        result.reserveCapacity(steps.count)
        for (index, step) in steps.enumerated() {
            if let from = step.from {
                result.append((step.guid, result[from.index].path.flatMap { try? $0.appending(from.exit) }, from.entry))
            } else {
                result.append((step.guid, index == 0 ? .local : nil, nil))
            }
        }
        return result
    }

    /// The walk without its routes (a route is 65 bytes; the order alone is asked for
    /// every text): each node with where it was met from, the index of that node and the
    /// ports leaving it and entering this one.
    private func canonicalSteps() -> [(guid: UInt64, from: (index: Int, exit: UInt8, entry: UInt8)?)] {
        guard let start = order.first else { return [] }
        var seen: Set<UInt64> = [start]
        seen.reserveCapacity(nodes.count)
        var result: [(guid: UInt64, from: (index: Int, exit: UInt8, entry: UInt8)?)] = [(start, nil)]
        result.reserveCapacity(nodes.count)
        var next = 0
        while next < result.count {
            let index = next
            next += 1
            // Only switches lead on, and the local node, where the walk starts.
            guard let walks = nodes[result[index].guid]?.isSwitch, walks || index == 0,
                  let ports = nodes[result[index].guid]?.ports else { continue }
            var links: [(port: UInt8, remote: PortReference)] = []
            links.reserveCapacity(ports.count)
            for (number, port) in ports where number != 0 {
                if let remote = port.remote { links.append((number, remote)) }
            }
            links.sort { $0.port < $1.port }
            for (number, remote) in links where nodes.index(forKey: remote.node) != nil && seen.insert(remote.node).inserted {
                result.append((remote.node, (index, number, remote.port)))
            }
        }
        for guid in order where !seen.contains(guid) { result.append((guid, nil)) }
        return result
    }
}

extension Topology {
    /// ibnetdiscover -m's "max hops discovered": the longest directed route the walk sent
    /// NodeInfo along. libibnetdisc (extend_dpath) counts a hop for each route it extends:
    /// from a switch through every port whose PhysState is LinkUp but the one its SMPs
    /// enter by, and from the local channel adapter through its own port. Computed from
    /// the topology on `canonicalWalk()`'s routes, so that a loaded file reports what a
    /// walk of it would.
    public var maxHopsDiscovered: Int {
        canonicalWalk().enumerated().reduce(0) { deepest, step in
            let (index, (guid, path, entry)) = step
            guard let path, let node = nodes[guid], node.isSwitch || index == 0 else { return deepest }
            // The local adapter leaves by the port NodeInfo said it answered on (0: a
            // loaded file does not say).
            let own = node.info.localPortNumber
            let leaves = node.ports.values.contains { port in
                port.number != 0 && port.info.portPhysicalState == .linkUp
                    && (node.isSwitch ? port.number != entry : own == 0 || port.number == own)
            }
            return leaves ? max(deepest, path.hopCount + 1) : deepest
        }
    }
}
