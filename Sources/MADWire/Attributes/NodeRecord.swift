/// NodeRecord (IBA 15.2.5.2): a node's NodeInfo and NodeDescription as seen
/// through one of its ports' LIDs.
public struct NodeRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.nodeRecord
    public var raw: FixedBytes<108>
    public init() { raw = FixedBytes() }

    static let nodeInfoOffset = 4
    static let nodeDescriptionOffset = 44

    public enum Fields {
        public static let lid = Field("LID", byte: 0, width: 16)
        public static let reserved = Field("Reserved", byte: 2, width: 16, .reserved)
        /// NodeInfo's components, named "NodeInfo.<name>".
        public static let nodeInfo = NodeInfo.layout.fields(embeddedAt: nodeInfoOffset, prefix: "NodeInfo")
        public static let nodeDescription = NodeDescription.Fields.nodeString
            .embedded(at: nodeDescriptionOffset, prefix: "NodeDescription")

        // NodeInfo's components by name, for pairing and queries.
        public static let baseVersion = NodeInfo.Fields.baseVersion.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let classVersion = NodeInfo.Fields.classVersion.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let nodeType = NodeInfo.Fields.nodeType.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let numberOfPorts = NodeInfo.Fields.numberOfPorts.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let systemImageGUID = NodeInfo.Fields.systemImageGUID.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let nodeGUID = NodeInfo.Fields.nodeGUID.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let portGUID = NodeInfo.Fields.portGUID.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let partitionCap = NodeInfo.Fields.partitionCap.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let deviceID = NodeInfo.Fields.deviceID.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let revision = NodeInfo.Fields.revision.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let localPortNumber = NodeInfo.Fields.localPortNumber.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
        public static let vendorID = NodeInfo.Fields.vendorID.embedded(at: nodeInfoOffset, prefix: "NodeInfo")
    }

    public static let layout = WireLayout(
        name: "NodeRecord", byteCount: 108, specReference: "IBA 15.2.5.2",
        fields: [Fields.lid, Fields.reserved] + Fields.nodeInfo + [Fields.nodeDescription])

    public var lid: UInt16 { get { read(Fields.lid) } set { write(Fields.lid, newValue) } }
    public var nodeInfo: NodeInfo {
        get { recordPart(at: Self.nodeInfoOffset) }
        set { setRecordPart(newValue, at: Self.nodeInfoOffset) }
    }
    public var nodeDescription: NodeDescription {
        get { recordPart(at: Self.nodeDescriptionOffset) }
        set { setRecordPart(newValue, at: Self.nodeDescriptionOffset) }
    }

    /// NodeRecord components (opensm's IB_NR_COMPMASK_*): LID, Reserved, NodeInfo's 12
    /// components, NodeDescription.
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let lid = ComponentMask(rawValue: 1 << 0)
        public static let reserved = ComponentMask(rawValue: 1 << 1)
        public static let baseVersion = ComponentMask(rawValue: 1 << 2)
        public static let classVersion = ComponentMask(rawValue: 1 << 3)
        public static let nodeType = ComponentMask(rawValue: 1 << 4)
        public static let numberOfPorts = ComponentMask(rawValue: 1 << 5)
        public static let systemImageGUID = ComponentMask(rawValue: 1 << 6)
        public static let nodeGUID = ComponentMask(rawValue: 1 << 7)
        public static let portGUID = ComponentMask(rawValue: 1 << 8)
        public static let partitionCap = ComponentMask(rawValue: 1 << 9)
        public static let deviceID = ComponentMask(rawValue: 1 << 10)
        public static let revision = ComponentMask(rawValue: 1 << 11)
        public static let localPortNumber = ComponentMask(rawValue: 1 << 12)
        public static let vendorID = ComponentMask(rawValue: 1 << 13)
        public static let nodeDescription = ComponentMask(rawValue: 1 << 14)
    }
}
