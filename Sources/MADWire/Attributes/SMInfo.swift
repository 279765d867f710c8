/// SMInfo (IBA 14.2.5.13): a subnet manager's identity, priority and state, exchanged
/// between SMs to elect the master. 21 bytes; the rest of the SMP data area is reserved.
public struct SMInfo: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.smInfo
    public var raw: FixedBytes<21>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let guid = Field("GUID", byte: 0, width: 64, .hex)
        /// Returned as 0 unless the requester presented the right SM_Key (IBA 14.4.1).
        public static let smKey = Field("SM_Key", byte: 8, width: 64, .hex)
        public static let actCount = Field("ActCount", byte: 16, width: 32)
        public static let priority = Field("Priority", byte: 20, bit: 0, width: 4)
        public static let smState = Field("SMState", byte: 20, bit: 4, width: 4, .enumerated(SMState.names))
    }

    public static let layout = WireLayout(
        name: "SMInfo", byteCount: 21, specReference: "IBA 14.2.5.13",
        fields: [Fields.guid, Fields.smKey, Fields.actCount, Fields.priority, Fields.smState])

    public var guid: UInt64 { get { read(Fields.guid) } set { write(Fields.guid, newValue) } }
    public var smKey: UInt64 { get { read(Fields.smKey) } set { write(Fields.smKey, newValue) } }
    /// Incremented by a master SM as it works: standby SMs poll it to see the master alive.
    public var actCount: UInt32 { get { read(Fields.actCount) } set { write(Fields.actCount, newValue) } }
    public var priority: UInt8 { get { read(Fields.priority) } set { write(Fields.priority, newValue) } }
    public var smState: SMState { get { SMState(rawValue: read(Fields.smState)) } set { write(Fields.smState, newValue.rawValue) } }
}

/// SMState (IBA 14.4.1). `names` are spelled as infiniband-diags' sminfo prints them
/// ("SMINFO_MASTER"); `specNames` as the IBA spells them ("MASTER").
public struct SMState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let notActive = SMState(rawValue: 0)
    public static let discovering = SMState(rawValue: 1)
    public static let standby = SMState(rawValue: 2)
    public static let master = SMState(rawValue: 3)

    public static let names = ValueNames([(0, "SMINFO_NOTACT"), (1, "SMINFO_DISCOVER"), (2, "SMINFO_STANDBY"), (3, "SMINFO_MASTER")])
    public static let specNames = ValueNames([(0, "NOTACTIVE"), (1, "DISCOVERING"), (2, "STANDBY"), (3, "MASTER")])
    public var description: String { Self.specNames.name(of: UInt64(rawValue)) ?? "\(rawValue)" }
}
