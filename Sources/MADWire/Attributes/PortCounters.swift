/// PortCounters (PerfMgt, IBA 16.1.3.5): the mandatory error and traffic
/// counters of one port. Counters saturate at their maximum; a Set with CounterSelect bits
/// clears the selected counters. PortXmitData/PortRcvData count 4-byte words.
public struct PortCounters: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.portCounters
    public var raw: FixedBytes<44>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let reserved = Field("Reserved", byte: 0, width: 8, .reserved)
        /// The port the counters are for; 0xFF selects all ports (if AllPortSelect is supported).
        public static let portSelect = Field("PortSelect", byte: 1, width: 8)
        public static let counterSelect = Field("CounterSelect", byte: 2, width: 16, .hex)
        public static let symbolErrorCounter = Field("SymbolErrorCounter", byte: 4, width: 16)
        public static let linkErrorRecoveryCounter = Field("LinkErrorRecoveryCounter", byte: 6, width: 8)
        public static let linkDownedCounter = Field("LinkDownedCounter", byte: 7, width: 8)
        public static let portRcvErrors = Field("PortRcvErrors", byte: 8, width: 16)
        public static let portRcvRemotePhysicalErrors = Field("PortRcvRemotePhysicalErrors", byte: 10, width: 16)
        public static let portRcvSwitchRelayErrors = Field("PortRcvSwitchRelayErrors", byte: 12, width: 16)
        public static let portXmitDiscards = Field("PortXmitDiscards", byte: 14, width: 16)
        public static let portXmitConstraintErrors = Field("PortXmitConstraintErrors", byte: 16, width: 8)
        public static let portRcvConstraintErrors = Field("PortRcvConstraintErrors", byte: 17, width: 8)
        public static let counterSelect2 = Field("CounterSelect2", byte: 18, width: 8, .hex)
        public static let localLinkIntegrityErrors = Field("LocalLinkIntegrityErrors", byte: 19, width: 4)
        public static let excessiveBufferOverrunErrors = Field("ExcessiveBufferOverrunErrors", byte: 19, bit: 4, width: 4)
        /// Bytes 20–21 (reserved before IBA 1.3); libibmad's IB_PC_QP1_DROP_F reads 22–23.
        public static let qp1Dropped = Field("QP1Dropped", byte: 20, width: 16)
        public static let vl15Dropped = Field("VL15Dropped", byte: 22, width: 16)
        public static let portXmitData = Field("PortXmitData", byte: 24, width: 32)
        public static let portRcvData = Field("PortRcvData", byte: 28, width: 32)
        public static let portXmitPkts = Field("PortXmitPkts", byte: 32, width: 32)
        public static let portRcvPkts = Field("PortRcvPkts", byte: 36, width: 32)
        public static let portXmitWait = Field("PortXmitWait", byte: 40, width: 32)
    }

    public static let layout = WireLayout(
        name: "PortCounters", byteCount: 44, specReference: "IBA 16.1.3.5",
        fields: [
            Fields.reserved, Fields.portSelect, Fields.counterSelect, Fields.symbolErrorCounter,
            Fields.linkErrorRecoveryCounter, Fields.linkDownedCounter, Fields.portRcvErrors,
            Fields.portRcvRemotePhysicalErrors, Fields.portRcvSwitchRelayErrors,
            Fields.portXmitDiscards, Fields.portXmitConstraintErrors, Fields.portRcvConstraintErrors,
            Fields.counterSelect2, Fields.localLinkIntegrityErrors,
            Fields.excessiveBufferOverrunErrors, Fields.qp1Dropped, Fields.vl15Dropped,
            Fields.portXmitData, Fields.portRcvData, Fields.portXmitPkts, Fields.portRcvPkts,
            Fields.portXmitWait,
        ])

    public var portSelect: UInt8 { get { read(Fields.portSelect) } set { write(Fields.portSelect, newValue) } }
    public var counterSelect: CounterSelect {
        get { CounterSelect(rawValue: read(Fields.counterSelect)) }
        set { write(Fields.counterSelect, newValue.rawValue) }
    }
    public var symbolErrorCounter: UInt16 { get { read(Fields.symbolErrorCounter) } set { write(Fields.symbolErrorCounter, newValue) } }
    public var linkErrorRecoveryCounter: UInt8 { get { read(Fields.linkErrorRecoveryCounter) } set { write(Fields.linkErrorRecoveryCounter, newValue) } }
    public var linkDownedCounter: UInt8 { get { read(Fields.linkDownedCounter) } set { write(Fields.linkDownedCounter, newValue) } }
    public var portRcvErrors: UInt16 { get { read(Fields.portRcvErrors) } set { write(Fields.portRcvErrors, newValue) } }
    public var portRcvRemotePhysicalErrors: UInt16 { get { read(Fields.portRcvRemotePhysicalErrors) } set { write(Fields.portRcvRemotePhysicalErrors, newValue) } }
    public var portRcvSwitchRelayErrors: UInt16 { get { read(Fields.portRcvSwitchRelayErrors) } set { write(Fields.portRcvSwitchRelayErrors, newValue) } }
    public var portXmitDiscards: UInt16 { get { read(Fields.portXmitDiscards) } set { write(Fields.portXmitDiscards, newValue) } }
    public var portXmitConstraintErrors: UInt8 { get { read(Fields.portXmitConstraintErrors) } set { write(Fields.portXmitConstraintErrors, newValue) } }
    public var portRcvConstraintErrors: UInt8 { get { read(Fields.portRcvConstraintErrors) } set { write(Fields.portRcvConstraintErrors, newValue) } }
    public var counterSelect2: CounterSelect2 {
        get { CounterSelect2(rawValue: read(Fields.counterSelect2)) }
        set { write(Fields.counterSelect2, newValue.rawValue) }
    }
    /// 4 bits.
    public var localLinkIntegrityErrors: UInt8 { get { read(Fields.localLinkIntegrityErrors) } set { write(Fields.localLinkIntegrityErrors, newValue) } }
    /// 4 bits.
    public var excessiveBufferOverrunErrors: UInt8 { get { read(Fields.excessiveBufferOverrunErrors) } set { write(Fields.excessiveBufferOverrunErrors, newValue) } }
    public var qp1Dropped: UInt16 { get { read(Fields.qp1Dropped) } set { write(Fields.qp1Dropped, newValue) } }
    public var vl15Dropped: UInt16 { get { read(Fields.vl15Dropped) } set { write(Fields.vl15Dropped, newValue) } }
    public var portXmitData: UInt32 { get { read(Fields.portXmitData) } set { write(Fields.portXmitData, newValue) } }
    public var portRcvData: UInt32 { get { read(Fields.portRcvData) } set { write(Fields.portRcvData, newValue) } }
    public var portXmitPkts: UInt32 { get { read(Fields.portXmitPkts) } set { write(Fields.portXmitPkts, newValue) } }
    public var portRcvPkts: UInt32 { get { read(Fields.portRcvPkts) } set { write(Fields.portRcvPkts, newValue) } }
    public var portXmitWait: UInt32 { get { read(Fields.portXmitWait) } set { write(Fields.portXmitWait, newValue) } }

    /// PortCounters:CounterSelect (IBA 16.1.3.5): which counters a Set clears, bit i for the
    /// i-th counter after CounterSelect (bit 0 SymbolErrorCounter ... bit 15 PortXmitWait).
    public struct CounterSelect: OptionSet, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let symbolErrorCounter = CounterSelect(rawValue: 1 << 0)
        public static let linkErrorRecoveryCounter = CounterSelect(rawValue: 1 << 1)
        public static let linkDownedCounter = CounterSelect(rawValue: 1 << 2)
        public static let portRcvErrors = CounterSelect(rawValue: 1 << 3)
        public static let portRcvRemotePhysicalErrors = CounterSelect(rawValue: 1 << 4)
        public static let portRcvSwitchRelayErrors = CounterSelect(rawValue: 1 << 5)
        public static let portXmitDiscards = CounterSelect(rawValue: 1 << 6)
        public static let portXmitConstraintErrors = CounterSelect(rawValue: 1 << 7)
        public static let portRcvConstraintErrors = CounterSelect(rawValue: 1 << 8)
        public static let localLinkIntegrityErrors = CounterSelect(rawValue: 1 << 9)
        public static let excessiveBufferOverrunErrors = CounterSelect(rawValue: 1 << 10)
        public static let vl15Dropped = CounterSelect(rawValue: 1 << 11)
        public static let portXmitData = CounterSelect(rawValue: 1 << 12)
        public static let portRcvData = CounterSelect(rawValue: 1 << 13)
        public static let portXmitPkts = CounterSelect(rawValue: 1 << 14)
        public static let portRcvPkts = CounterSelect(rawValue: 1 << 15)
        public static let all = CounterSelect(rawValue: 0xFFFF)
    }

    /// PortCounters:CounterSelect2 (IBA 16.1.3.5): bit 0 clears PortXmitWait (ibqueryerrors
    /// sends it as bit 16 of its combined mask); other bits round-trip unnamed.
    public struct CounterSelect2: OptionSet, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let portXmitWait = CounterSelect2(rawValue: 1 << 0)
    }
}
