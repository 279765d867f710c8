/// LinkRecord (IBA 15.2.5.13): one link, from a port of the node at FromLID to a port of
/// the node at ToLID (switch links use the switch's port-0 LID).
public struct LinkRecord: SARecord, RawWireStructure {
    public static let attributeID = AttributeID.linkRecord
    public var raw: FixedBytes<6>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let fromLID = Field("FromLID", byte: 0, width: 16)
        public static let fromPort = Field("FromPort", byte: 2, width: 8)
        public static let toPort = Field("ToPort", byte: 3, width: 8)
        public static let toLID = Field("ToLID", byte: 4, width: 16)
    }

    /// 6 bytes; a GetTable response pads each record to AttributeOffset × 8 bytes.
    public static let layout = WireLayout(
        name: "LinkRecord", byteCount: 6, specReference: "IBA 15.2.5.13",
        fields: [Fields.fromLID, Fields.fromPort, Fields.toPort, Fields.toLID])

    public var fromLID: UInt16 { get { read(Fields.fromLID) } set { write(Fields.fromLID, newValue) } }
    public var fromPort: UInt8 { get { read(Fields.fromPort) } set { write(Fields.fromPort, newValue) } }
    public var toPort: UInt8 { get { read(Fields.toPort) } set { write(Fields.toPort, newValue) } }
    public var toLID: UInt16 { get { read(Fields.toLID) } set { write(Fields.toLID, newValue) } }

    /// LinkRecord components (opensm's IB_LR_COMPMASK_*).
    public struct ComponentMask: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let fromLID = ComponentMask(rawValue: 1 << 0)
        public static let fromPort = ComponentMask(rawValue: 1 << 1)
        public static let toPort = ComponentMask(rawValue: 1 << 2)
        public static let toLID = ComponentMask(rawValue: 1 << 3)
    }
}
