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
    public static func topology(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap(), generated: String,
                                grouping: Bool = false) -> String {
        let order = topology.canonicalOrder().reversed().compactMap { topology.nodes[$0] }
        var out = "#\n# Topology file: generated on \(generated)#\n"
        if let local = topology.order.first.flatMap({ topology.nodes[$0] }) {
            out += "# Initiated from node \(hex16(local.guid)) port \(hex16(local.info.portGUID))\n"
        }
        if grouping { out += "\nNon-Chassis Nodes\n" }
        for node in order where node.isSwitch {
            out += identities(node)
            out += "switchguid=0x\(hex(node.guid))(\(hex(node.info.portGUID)))" + (grouping ? "\t# " : "") + "\n"
            let port0 = node.ports[0]?.info
            out += "Switch\t\(node.info.numberOfPorts) \(quotedName(node))\t\t# \"\(nodeNames.name(for: node.guid, nodeDescription: node.description))\" "
                + "\(node.switchInfo?.enhancedPort0 == true ? "enhanced" : "base") port 0 lid \(port0?.lid ?? 0) lmc \(port0?.lmc ?? 0)\n"
            for number in 1...max(1, Int(node.info.numberOfPorts)) {
                guard let port = node.ports[UInt8(number)], let remote = port.remote,
                      let far = topology.nodes[remote.node] else { continue }
                out += "[\(number)]\t\(quotedName(far))[\(remote.port)]"
                if !far.isSwitch { out += "(\(hex(far.ports[remote.port]?.guid ?? 0))) " }
                out += "\t\t# \"\(nodeNames.name(for: far.guid, nodeDescription: far.description))\" lid \(lid(of: far, port: remote.port)) "
                    + rate(port.info, capabilities: node.ports[0]?.info.capabilityMask) + "\n"
            }
        }
        for kind in [NodeType.channelAdapter, .router] {
            for node in order where node.info.nodeType == kind {
                out += identities(node)
                out += "\(kind == .router ? "rt" : "ca")guid=0x\(hex(node.guid))\n"
                out += "\(kind == .router ? "Rt" : "Ca")\t\(node.info.numberOfPorts) \(quotedName(node))\t\t# \"\(NodeNameMap.cleanNodeDescription(node.description))\"\n"
                for number in 1...max(1, Int(node.info.numberOfPorts)) {
                    guard let port = node.ports[UInt8(number)], let remote = port.remote,
                          let far = topology.nodes[remote.node] else { continue }
                    out += "[\(number)](\(hex(port.guid))) \t\(quotedName(far))[\(remote.port)]"
                    if !far.isSwitch { out += " (\(hex(far.ports[remote.port]?.guid ?? 0))) " }
                    out += "\t\t# lid \(port.info.lid) lmc \(port.info.lmc) \"\(nodeNames.name(for: far.guid, nodeDescription: far.description))\" "
                        + "lid \(lid(of: far, port: remote.port)) " + rate(port.info, capabilities: port.info.capabilityMask) + "\n"
                }
            }
        }
        return out
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
        var out = ""
        for kind in kinds {
            let label = kind == .switch ? "Switch" : kind == .router ? "Router" : "Ca"
            for node in order where node.info.nodeType == kind {
                out += "\(label)\t : 0x\(hex16(node.guid)) ports \(node.info.numberOfPorts) devid 0x\(hex(node.info.deviceID)) "
                    + "vendid 0x\(hex(node.info.vendorID)) \"\(nodeNames.name(for: node.guid, nodeDescription: node.description))\"\n"
            }
        }
        return out
    }

    /// -p: every port that answered, nodes in reverse discovery order, ports high to low.
    public static func portsReport(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap()) -> String {
        var out = ""
        for node in topology.canonicalOrder().reversed().compactMap({ topology.nodes[$0] }) {
            let name = nodeNames.name(for: node.guid, nodeDescription: node.description)
            for number in stride(from: Int(node.info.numberOfPorts), through: 1, by: -1) {
                guard let port = node.ports[UInt8(number)] else { continue }
                let capabilities = node.isSwitch ? node.ports[0]?.info.capabilityMask : port.info.capabilityMask
                let speed = capabilities == nil && node.isSwitch ? "?? ???" : rate(port.info, capabilities: capabilities, separator: " ")
                out += "\(pad(typeCode(node), 2)) \(pad(String(lid(of: node, port: port.number)), 5)) \(pad(String(number), 2)) "
                    + "0x\(hex16(port.guid)) \(speed)"
                if let remote = port.remote, let far = topology.nodes[remote.node] {
                    out += " - \(pad(typeCode(far), 2)) \(pad(String(lid(of: far, port: remote.port)), 5)) \(pad(String(remote.port), 2)) "
                        + "0x\(hex16(far.ports[remote.port]?.guid ?? 0)) ( '\(name)' - '\(nodeNames.name(for: far.guid, nodeDescription: far.description))' )\n"
                } else {
                    out += String(repeating: " ", count: 36) + "'\(name)'\n"
                }
            }
        }
        return out
    }

    /// ctime(3) of now, as the C tool prints it in the header.
    public static func now() -> String {
        var clock = time(nil)
        var buffer = [CChar](repeating: 0, count: 64)
        guard ctime_r(&clock, &buffer) != nil else { return "\n" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Pieces

    private static func identities(_ node: Topology.Node) -> String {
        var out = "\nvendid=0x\(hex(node.info.vendorID))\ndevid=0x\(hex(node.info.deviceID))\n"
        if node.info.systemImageGUID != 0 { out += "sysimgguid=0x\(hex(node.info.systemImageGUID))\n" }
        return out
    }

    /// "S-<guid>", "H-<guid>", "R-<guid>" in quotes (node_name()).
    private static func quotedName(_ node: Topology.Node) -> String {
        let letter = switch node.info.nodeType {
        case .switch: "S"
        case .channelAdapter: "H"
        case .router: "R"
        default: "?"
        }
        return "\"\(letter)-\(hex16(node.guid))\""
    }

    private static func typeCode(_ node: Topology.Node) -> String {
        switch node.info.nodeType {
        case .switch: "SW"
        case .channelAdapter: "CA"
        case .router: "RT"
        default: "??"
        }
    }

    /// A switch is addressed by its port 0 LID, anything else by the port's own.
    private static func lid(of node: Topology.Node, port: UInt8) -> UInt16 {
        node.isSwitch ? node.ports[0]?.info.lid ?? 0 : node.ports[port]?.info.lid ?? 0
    }

    /// "4xEDR": the compat width and speed names of ibnetdiscover.c. The extended speed
    /// counts only when the capability mask (port 0's for a switch) has
    /// IsExtendedSpeedsSupported; FDR10 (a Mellanox extension) is never reported here.
    static func rate(_ info: PortInfo, capabilities: PortCapabilities?, separator: String = "") -> String {
        let width = switch info.linkWidthActive.rawValue {
        case 1: "1x"
        case 2: "4x"
        case 4: "8x"
        case 8: "12x"
        case 16: "2x"
        default: "??"
        }
        let speed = info.linkSpeedActive.rawValue
        let extended = capabilities?.contains(.isExtendedSpeedsSupported) == true ? info.linkSpeedExtActive.rawValue : 0
        let base = switch speed {
        case 1: "SDR"
        case 2: "DDR"
        case 4: "QDR"
        default: "???"
        }
        let name: String
        if speed != 4 && extended == 0 {
            name = base
        } else {
            name = switch extended {
            case 0: base
            case 1: "FDR"
            case 2: "EDR"
            case 4: "HDR"
            case 8: "NDR"
            default: "???"
            }
        }
        return width + separator + name
    }

    private static func hex(_ value: some BinaryInteger) -> String { String(value, radix: 16) }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

extension Topology {
    /// Discovery order as libibnetdisc has it: breadth first from the local node, each
    /// node's ports in ascending order (a switch's all, the local node's own), a node
    /// taking the place where it was first met.
    public func canonicalOrder() -> [UInt64] { canonicalWalk().map(\.guid) }

    /// `canonicalOrder()` with the directed route each node is first met by on that walk
    /// (nil for nodes found but not linked back, listed last in walk order).
    public func canonicalWalk() -> [(guid: UInt64, path: DirectedRoutePath?)] {
        guard let start = order.first else { return [] }
        var seen: Set<UInt64> = [start]
        var result: [(guid: UInt64, path: DirectedRoutePath?)] = [(start, .local)]
        var next = 0
        while next < result.count {
            let (guid, path) = result[next]
            guard let node = nodes[guid] else { next += 1; continue }
            let walks = node.isSwitch || next == 0
            next += 1
            guard walks else { continue }
            for number in node.ports.keys.sorted() where number != 0 {
                guard let remote = node.ports[number]?.remote, nodes[remote.node] != nil,
                      seen.insert(remote.node).inserted else { continue }
                result.append((remote.node, path.flatMap { try? $0.appending(number) }))
            }
        }
        for guid in order where !seen.contains(guid) { result.append((guid, nil)) }
        return result
    }
}
