/// NodeInfo (IBA 14.2.5.3, Table 146): what a node is and how many ports it has.
public struct NodeInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.nodeInfo
    public var raw: FixedBytes<40>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let baseVersion = Field("BaseVersion", bits: Bits.baseVersion, .decimal)
        public static let classVersion = Field("ClassVersion", bits: Bits.classVersion, .decimal)
        public static let nodeType = Field("NodeType", bits: Bits.nodeType, .enumerated(NodeType.names))
        public static let numberOfPorts = Field("NumPorts", bits: Bits.numberOfPorts, .decimal)
        public static let systemImageGUID = Field("SystemImageGUID", bits: Bits.systemImageGUID, .hex)
        public static let nodeGUID = Field("NodeGUID", bits: Bits.nodeGUID, .hex)
        public static let portGUID = Field("PortGUID", bits: Bits.portGUID, .hex)
        public static let partitionCap = Field("PartitionCap", bits: Bits.partitionCap, .decimal)
        public static let deviceID = Field("DeviceID", bits: Bits.deviceID, .hex)
        public static let revision = Field("Revision", bits: Bits.revision, .hex)
        public static let localPortNumber = Field("LocalPortNum", bits: Bits.localPortNumber, .decimal)
        public static let vendorID = Field("VendorID", bits: Bits.vendorID, .hex)
    }

    /// Where each field lives: the table above and the accessors below both take it
    /// from here, so an accessor compiles to a load at a fixed offset.
    @usableFromInline enum Bits {
        @inlinable static var baseVersion: BitField { BitField(byte: 0, width: 8) }
        @inlinable static var classVersion: BitField { BitField(byte: 1, width: 8) }
        @inlinable static var nodeType: BitField { BitField(byte: 2, width: 8) }
        @inlinable static var numberOfPorts: BitField { BitField(byte: 3, width: 8) }
        @inlinable static var systemImageGUID: BitField { BitField(byte: 4, width: 64) }
        @inlinable static var nodeGUID: BitField { BitField(byte: 12, width: 64) }
        @inlinable static var portGUID: BitField { BitField(byte: 20, width: 64) }
        @inlinable static var partitionCap: BitField { BitField(byte: 28, width: 16) }
        @inlinable static var deviceID: BitField { BitField(byte: 30, width: 16) }
        @inlinable static var revision: BitField { BitField(byte: 32, width: 32) }
        @inlinable static var localPortNumber: BitField { BitField(byte: 36, width: 8) }
        @inlinable static var vendorID: BitField { BitField(byte: 37, width: 24) }
    }

    public static let layout = WireLayout(
        name: "NodeInfo", byteCount: 40, specReference: "IBA 14.2.5.3",
        fields: [
            Fields.baseVersion, Fields.classVersion, Fields.nodeType, Fields.numberOfPorts,
            Fields.systemImageGUID, Fields.nodeGUID, Fields.portGUID, Fields.partitionCap,
            Fields.deviceID, Fields.revision, Fields.localPortNumber, Fields.vendorID,
        ])

    @inlinable public var baseVersion: UInt8 { get { read(Bits.baseVersion) } set { write(Bits.baseVersion, newValue) } }
    @inlinable public var classVersion: UInt8 { get { read(Bits.classVersion) } set { write(Bits.classVersion, newValue) } }
    @inlinable public var nodeType: NodeType {
        get { NodeType(rawValue: read(Bits.nodeType)) }
        set { write(Bits.nodeType, newValue.rawValue) }
    }
    @inlinable public var numberOfPorts: UInt8 { get { read(Bits.numberOfPorts) } set { write(Bits.numberOfPorts, newValue) } }
    @inlinable public var systemImageGUID: UInt64 { get { read(Bits.systemImageGUID) } set { write(Bits.systemImageGUID, newValue) } }
    @inlinable public var nodeGUID: UInt64 { get { read(Bits.nodeGUID) } set { write(Bits.nodeGUID, newValue) } }
    @inlinable public var portGUID: UInt64 { get { read(Bits.portGUID) } set { write(Bits.portGUID, newValue) } }
    @inlinable public var partitionCap: UInt16 { get { read(Bits.partitionCap) } set { write(Bits.partitionCap, newValue) } }
    @inlinable public var deviceID: UInt16 { get { read(Bits.deviceID) } set { write(Bits.deviceID, newValue) } }
    @inlinable public var revision: UInt32 { get { read(Bits.revision) } set { write(Bits.revision, newValue) } }
    @inlinable public var localPortNumber: UInt8 { get { read(Bits.localPortNumber) } set { write(Bits.localPortNumber, newValue) } }
    /// 24-bit IEEE OUI of the vendor.
    @inlinable public var vendorID: UInt32 { get { read(Bits.vendorID) } set { write(Bits.vendorID, newValue) } }
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
