/// NodeInfo (IBA 14.2.5.3, Table 146): what a node is and how many ports it has.
public struct NodeInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.nodeInfo
    public var raw: FixedBytes<40>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let baseVersion = Field("BaseVersion", byte: 0, width: 8)
        public static let classVersion = Field("ClassVersion", byte: 1, width: 8)
        public static let nodeType = Field("NodeType", byte: 2, width: 8, .enumerated(NodeType.names))
        public static let numberOfPorts = Field("NumPorts", byte: 3, width: 8)
        public static let systemImageGUID = Field("SystemImageGUID", byte: 4, width: 64, .hex)
        public static let nodeGUID = Field("NodeGUID", byte: 12, width: 64, .hex)
        public static let portGUID = Field("PortGUID", byte: 20, width: 64, .hex)
        public static let partitionCap = Field("PartitionCap", byte: 28, width: 16)
        public static let deviceID = Field("DeviceID", byte: 30, width: 16, .hex)
        public static let revision = Field("Revision", byte: 32, width: 32, .hex)
        public static let localPortNumber = Field("LocalPortNum", byte: 36, width: 8)
        public static let vendorID = Field("VendorID", byte: 37, width: 24, .hex)
    }

    public static let layout = WireLayout(
        name: "NodeInfo", byteCount: 40, specReference: "IBA 14.2.5.3",
        fields: [
            Fields.baseVersion, Fields.classVersion, Fields.nodeType, Fields.numberOfPorts,
            Fields.systemImageGUID, Fields.nodeGUID, Fields.portGUID, Fields.partitionCap,
            Fields.deviceID, Fields.revision, Fields.localPortNumber, Fields.vendorID,
        ])

    public var baseVersion: UInt8 { get { read(Fields.baseVersion) } set { write(Fields.baseVersion, newValue) } }
    public var classVersion: UInt8 { get { read(Fields.classVersion) } set { write(Fields.classVersion, newValue) } }
    public var nodeType: NodeType {
        get { NodeType(rawValue: read(Fields.nodeType)) }
        set { write(Fields.nodeType, newValue.rawValue) }
    }
    public var numberOfPorts: UInt8 { get { read(Fields.numberOfPorts) } set { write(Fields.numberOfPorts, newValue) } }
    public var systemImageGUID: UInt64 { get { read(Fields.systemImageGUID) } set { write(Fields.systemImageGUID, newValue) } }
    public var nodeGUID: UInt64 { get { read(Fields.nodeGUID) } set { write(Fields.nodeGUID, newValue) } }
    public var portGUID: UInt64 { get { read(Fields.portGUID) } set { write(Fields.portGUID, newValue) } }
    public var partitionCap: UInt16 { get { read(Fields.partitionCap) } set { write(Fields.partitionCap, newValue) } }
    public var deviceID: UInt16 { get { read(Fields.deviceID) } set { write(Fields.deviceID, newValue) } }
    public var revision: UInt32 { get { read(Fields.revision) } set { write(Fields.revision, newValue) } }
    public var localPortNumber: UInt8 { get { read(Fields.localPortNumber) } set { write(Fields.localPortNumber, newValue) } }
    /// 24-bit IEEE OUI of the vendor.
    public var vendorID: UInt32 { get { read(Fields.vendorID) } set { write(Fields.vendorID, newValue) } }
}

/// NodeType (IBA 14.2.5.3): 1 channel adapter, 2 switch, 3 router.
public struct NodeType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let channelAdapter = NodeType(rawValue: 1)
    public static let `switch` = NodeType(rawValue: 2)
    public static let router = NodeType(rawValue: 3)

    public static let names = ValueNames([(1, "Channel Adapter"), (2, "Switch"), (3, "Router")])
}
