public import MADWire

/// What the built-in responders of a ``MemoryFabric`` node answer.
public struct SimulatedAgents: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// A subnet management agent: Get of NodeInfo, NodeDescription and PortInfo, for
    /// LID-routed (0x01) and directed-route (0x81) SMPs. Anything else is answered with
    /// GetResp and status 0x000C (unsupported method/attribute), as a real SMA does.
    public static let subnetManagement = SimulatedAgents(rawValue: 1)
    /// A performance management agent (class 0x04): Get of ClassPortInfo, PortCounters
    /// and PortCountersExtended, Set of PortCounters clears the selected counters.
    public static let performance = SimulatedAgents(rawValue: 2)
}

/// The identity a node's simulated SMA reports. Defaults derive GUIDs from the LID so
/// every node of a fabric differs.
public struct SimulatedNode: Sendable, Hashable {
    public var nodeType: NodeType
    public var numberOfPorts: UInt8
    public var nodeGUID: UInt64
    public var systemImageGUID: UInt64
    /// Port GUID of port 1 (a channel adapter) or port 0 (a switch); other ports of a CA
    /// add their number - 1.
    public var portGUID: UInt64
    public var description: String
    public var deviceID: UInt16
    public var vendorID: UInt32
    public var revision: UInt32
    /// The master SM's LID reported in PortInfo.
    public var masterSMLID: UInt16

    public init(nodeType: NodeType, numberOfPorts: UInt8, nodeGUID: UInt64, systemImageGUID: UInt64? = nil,
                portGUID: UInt64? = nil, description: String, deviceID: UInt16 = 0x1003,
                vendorID: UInt32 = 0x0002C9, revision: UInt32 = 0, masterSMLID: UInt16 = 1) {
        self.nodeType = nodeType
        self.numberOfPorts = numberOfPorts
        self.nodeGUID = nodeGUID
        self.systemImageGUID = systemImageGUID ?? nodeGUID
        self.portGUID = portGUID ?? (nodeType == .switch ? nodeGUID : nodeGUID + 1)
        self.description = description
        self.deviceID = deviceID
        self.vendorID = vendorID
        self.revision = revision
        self.masterSMLID = masterSMLID
    }

    /// A one-port channel adapter with GUIDs derived from `lid`.
    public static func channelAdapter(lid: UInt16, description: String? = nil) -> SimulatedNode {
        SimulatedNode(nodeType: .channelAdapter, numberOfPorts: 1, nodeGUID: 0x0002_C903_0000_0000 | UInt64(lid) << 8,
                      description: description ?? "memfabric HCA lid \(lid)")
    }

    /// A switch of `ports` ports with GUIDs derived from `lid`.
    public static func `switch`(lid: UInt16, ports: UInt8, description: String? = nil) -> SimulatedNode {
        SimulatedNode(nodeType: .switch, numberOfPorts: ports, nodeGUID: 0x0002_C904_0000_0000 | UInt64(lid) << 8,
                      description: description ?? "memfabric switch lid \(lid)")
    }
}
