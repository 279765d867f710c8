import MADWire

/// Machine-readable forms of a `Topology`: JSON and Graphviz.
///
/// JSON schema (`ibmad ibnetdiscover --json`), nodes in discovery order:
///
///     {
///       "tool": "ibnetdiscover",
///       "complete": true,                 // false: see "unreachable"
///       "from": {"node": "0x…", "port": "0x…"},
///       "nodes": [
///         {"guid": "0x…", "type": "Switch",   // "Switch", "CA", "Router"
///          "name": "leaf1",                 // node-name-map name, else the description
///          "description": "leaf1", "ports": 36, "vendorID": 713, "deviceID": 53000,
///          "systemImageGUID": "0x…", "lid": 3, "lmc": 0, "drPath": "0,1",
///          "enhancedPort0": true}           // switches only
///       ],
///       "links": [                          // each cable once
///         {"a": {"guid": "0x…", "port": 1, "lid": 3}, "b": {"guid": "0x…", "port": 1, "lid": 1},
///          "width": "4x", "speed": "EDR"}
///       ],
///       "unreachable": [{"drPath": "0,1,8", "node": null, "attribute": "NodeInfo", "reason": "…"}]
///     }
///
/// GUIDs are "0x"-prefixed hex strings: most exceed what a JSON number holds exactly.
public enum TopologyFormats {
    public static func json(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap()) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("tool", "ibnetdiscover")
        w.member("complete", topology.isComplete)
        if let local = topology.order.first.flatMap({ topology.nodes[$0] }) {
            w.key("from")
            w.beginObject()
            w.member("node", guidText(local.guid))
            w.member("port", guidText(local.info.portGUID))
            w.endObject()
        }
        w.key("nodes")
        w.beginArray()
        for (guid, path, _) in topology.canonicalWalk() {
            guard let node = topology.nodes[guid] else { continue }
            w.beginObject()
            w.member("guid", guidText(node.guid))
            w.member("type", typeName(node))
            w.member("name", nodeNames.name(for: node.guid, nodeDescription: node.description))
            w.member("description", node.description)
            w.member("ports", Int(node.info.numberOfPorts))
            w.member("vendorID", Int(node.info.vendorID))
            w.member("deviceID", Int(node.info.deviceID))
            w.member("systemImageGUID", guidText(node.info.systemImageGUID))
            w.member("lid", Int(node.lid))
            w.member("lmc", Int(lmc(of: node)))
            w.member("drPath", pathText(path ?? node.path))
            if node.isSwitch { w.member("enhancedPort0", node.switchInfo?.enhancedPort0 == true) }
            w.endObject()
        }
        w.endArray()
        w.key("links")
        w.beginArray()
        for link in topology.links {
            w.beginObject()
            for (key, end) in [("a", link.a), ("b", link.b)] {
                w.key(key)
                w.beginObject()
                w.member("guid", guidText(end.node))
                w.member("port", Int(end.port))
                w.member("lid", Int(lid(of: end, in: topology)))
                w.endObject()
            }
            if let (width, speed) = rate(of: link, in: topology) {
                w.member("width", width)
                w.member("speed", speed)
            }
            w.endObject()
        }
        w.endArray()
        w.key("unreachable")
        w.beginArray()
        for item in topology.unreachable {
            w.beginObject()
            w.member("drPath", pathText(item.path))
            w.key("node")
            if let node = item.node { w.string(guidText(node)) } else { w.null() }
            w.member("attribute", AttributeCatalog.name(of: item.attribute, in: .subnetDirectedRoute) ?? String(item.attribute.rawValue))
            w.member("reason", item.reason)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output + "\n"
    }

    /// Graphviz: switches as filled boxes, channel adapters as ellipses, one edge per cable
    /// labelled with its ports and rate.
    public static func dot(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap()) -> String {
        var out = "graph fabric {\n\tgraph [overlap=false];\n"
        for node in topology.canonicalOrder().compactMap({ topology.nodes[$0] }) {
            let name = nodeNames.name(for: node.guid, nodeDescription: node.description)
            let style = node.isSwitch ? "shape=box, style=filled, fillcolor=\"#cfe2f3\"" : "shape=ellipse"
            out += "\t\"\(guidText(node.guid))\" [label=\(quoted(name + "\nlid \(node.lid)")), \(style)];\n"
        }
        for link in topology.links {
            var label = ""
            if let (width, speed) = rate(of: link, in: topology) { label = ", label=\(quoted(width + speed))" }
            out += "\t\"\(guidText(link.a.node))\" -- \"\(guidText(link.b.node))\" "
                + "[taillabel=\"\(link.a.port)\", headlabel=\"\(link.b.port)\"\(label)];\n"
        }
        return out + "}\n"
    }

    // MARK: Pieces

    static func guidText(_ guid: UInt64) -> String { "0x" + String(guid, radix: 16) }

    static func pathText(_ path: DirectedRoutePath) -> String {
        (["0"] + path.ports.map { String($0) }).joined(separator: ",")
    }

    static func typeName(_ node: Topology.Node) -> String {
        switch node.info.nodeType {
        case .switch: "Switch"
        case .channelAdapter: "CA"
        case .router: "Router"
        default: "Unknown(\(node.info.nodeType.rawValue))"
        }
    }

    private static func lmc(of node: Topology.Node) -> UInt8 {
        (node.isSwitch ? node.ports[0] : node.ports.values.min { $0.number < $1.number })?.info.lmc ?? 0
    }

    private static func lid(of end: Topology.PortReference, in topology: Topology) -> UInt16 {
        guard let node = topology.nodes[end.node] else { return 0 }
        return node.isSwitch ? node.lid : node.ports[end.port]?.info.lid ?? 0
    }

    /// The link's width and speed from whichever end's PortInfo answered (ibnetdiscover's
    /// names).
    private static func rate(of link: Topology.Link, in topology: Topology) -> (String, String)? {
        for end in [link.a, link.b] {
            guard let node = topology.nodes[end.node], let port = node.ports[end.port] else { continue }
            let capabilities = node.isSwitch ? node.ports[0]?.info.capabilityMask : port.info.capabilityMask
            let text = IBNetDiscoverText.rate(port.info, capabilities: capabilities, separator: " ")
            let parts = text.split(separator: " ")
            if parts.count == 2 { return (String(parts[0]), String(parts[1])) }
        }
        return nil
    }

    private static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
