public import MADWire

/// A subnet as discovery found it: nodes by GUID, each with the ports it answered for and
/// where they lead, plus whatever could not be reached.
public struct Topology: Sendable {
    public var nodes: [UInt64: Node] = [:]
    /// Node GUIDs in the order discovery first reached them (breadth first from the local
    /// node), so that output is stable for a given fabric.
    public var order: [UInt64] = []
    /// What discovery could not learn, with the reason; empty when it is complete.
    public var unreachable: [Unreachable] = []
    /// Every NodeInfo answer in the order it came, when discovery was asked to keep them
    /// (`Discovery.Options.recordsSightings`, ibnetdiscover -s); otherwise empty.
    public var sightings: [Sighting] = []

    public init() {}

    public var isComplete: Bool { unreachable.isEmpty }
    public var switches: [Node] { order.compactMap { nodes[$0] }.filter { $0.info.nodeType == .switch } }
    public var channelAdapters: [Node] { order.compactMap { nodes[$0] }.filter { $0.info.nodeType != .switch } }

    /// Every link once, from the end that sorts first (node GUID, then port), in
    /// discovery order.
    public var links: [Link] {
        var result: [Link] = []
        for guid in canonicalOrder() {
            guard let node = nodes[guid] else { continue }
            for port in node.ports.values.sorted(by: { $0.number < $1.number }) {
                guard let remote = port.remote else { continue }
                let here = PortReference(node: guid, port: port.number)
                if (here.node, here.port) <= (remote.node, remote.port) { result.append(Link(here, remote)) }
            }
        }
        return result
    }

    public struct Node: Sendable {
        public var info: NodeInfo
        public var description: String
        /// False when discovery did not ask for the NodeDescription
        /// (`Discovery.Options.nodeDescriptions`); `description` is then empty until
        /// someone who needs it asks (the error sweep, for the nodes it names).
        public var descriptionKnown = true
        /// Switches only.
        public var switchInfo: SwitchInfo?
        /// The directed route discovery first reached this node by.
        public var path: DirectedRoutePath
        /// Ports that answered a PortInfo query, by number (port 0 of a switch included).
        public var ports: [UInt8: Port] = [:]

        public var guid: UInt64 { info.nodeGUID }
        public var isSwitch: Bool { info.nodeType == .switch }
        /// The LID of the node: port 0's for a switch, else the lowest-numbered port's.
        public var lid: UInt16 {
            (isSwitch ? ports[0] : ports.values.min { $0.number < $1.number })?.info.lid ?? 0
        }
    }

    public struct Port: Sendable {
        public var number: UInt8
        public var info: PortInfo
        /// The port GUID (a switch's ports all share port 0's, IBA 14.2.5.3).
        public var guid: UInt64
        /// The node and port at the other end of the link, if it is up and answered.
        public var remote: PortReference?
    }

    public struct PortReference: Sendable, Hashable {
        public var node: UInt64
        public var port: UInt8
        public init(node: UInt64, port: UInt8) {
            self.node = node
            self.port = port
        }
    }

    public struct Link: Sendable, Hashable {
        public var a: PortReference
        public var b: PortReference
        public init(_ a: PortReference, _ b: PortReference) {
            self.a = a
            self.b = b
        }
    }

    /// One NodeInfo answer and what was known of its node when it came: libibnetdisc's
    /// dump_endnode, which ibnetdiscover -s prints as discovery goes. A node's LID and
    /// description are those of answers that had arrived by then (0 and "" for a new one).
    public struct Sighting: Sendable {
        public var path: DirectedRoutePath
        /// False: the node had answered before (a loop, or a link seen from its other end).
        public var isNew: Bool
        public var nodeType: NodeType
        public var guid: UInt64
        /// The port the SMP entered by (0 for a switch, as the C tool prints it).
        public var port: UInt8
        public var lid: UInt16
        public var lmc: UInt8
        public var description: String
    }

    /// Something discovery asked and never got an answer to.
    public struct Unreachable: Sendable, CustomStringConvertible {
        /// The route asked along.
        public var path: DirectedRoutePath
        /// The node whose attribute was asked, when it was known (nil: the node beyond the
        /// path's last hop never answered NodeInfo).
        public var node: UInt64?
        public var attribute: AttributeID
        public var reason: String

        public var description: String {
            let whom = node.map { "node 0x\(String($0, radix: 16))" } ?? "the node"
            return "\(whom) at DR path \(path): \(AttributeCatalog.name(of: attribute, in: .subnetDirectedRoute) ?? "attribute 0x\(String(attribute.rawValue, radix: 16))") got no answer (\(reason))"
        }
    }
}
