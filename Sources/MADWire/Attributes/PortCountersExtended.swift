/// PortCountersExtended (PerfMgt, IBA 16.1.4.11): 64-bit traffic counters of one port and,
/// where ClassPortInfo:CapabilityMask2 bit 1 (IsAdditionalPortCountersExtendedSupported)
/// is set, 64-bit forms of every PortCounters error counter. PortXmitData/PortRcvData count
/// 4-byte words.
public struct PortCountersExtended: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.portCountersExtended
    public var raw: FixedBytes<184>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let reserved = Field("Reserved", byte: 0, width: 8, .reserved)
        public static let portSelect = Field("PortSelect", byte: 1, width: 8)
        /// Which counters a Set clears: bit i for the i-th 64-bit counter, PortXmitData first.
        public static let counterSelect = Field("CounterSelect", byte: 2, width: 16, .hex)
        /// Clear bits for the optional counters (reserved before IBA 1.3).
        public static let counterSelect2 = Field("CounterSelect2", byte: 4, width: 32, .hex)
        public static let portXmitData = Field("PortXmitData", byte: 8, width: 64)
        public static let portRcvData = Field("PortRcvData", byte: 16, width: 64)
        public static let portXmitPkts = Field("PortXmitPkts", byte: 24, width: 64)
        public static let portRcvPkts = Field("PortRcvPkts", byte: 32, width: 64)
        public static let portUnicastXmitPkts = Field("PortUnicastXmitPkts", byte: 40, width: 64)
        public static let portUnicastRcvPkts = Field("PortUnicastRcvPkts", byte: 48, width: 64)
        public static let portMulticastXmitPkts = Field("PortMulticastXmitPkts", byte: 56, width: 64)
        public static let portMulticastRcvPkts = Field("PortMulticastRcvPkts", byte: 64, width: 64)
        // Optional since IBA 1.3 (CapabilityMask2 IsAdditionalPortCountersExtendedSupported):
        // the 64-bit forms of the PortCounters error counters, VL15Dropped, PortXmitWait, QP1Dropped.
        public static let symbolErrorCounter = Field("SymbolErrorCounter", byte: 72, width: 64)
        public static let linkErrorRecoveryCounter = Field("LinkErrorRecoveryCounter", byte: 80, width: 64)
        public static let linkDownedCounter = Field("LinkDownedCounter", byte: 88, width: 64)
        public static let portRcvErrors = Field("PortRcvErrors", byte: 96, width: 64)
        public static let portRcvRemotePhysicalErrors = Field("PortRcvRemotePhysicalErrors", byte: 104, width: 64)
        public static let portRcvSwitchRelayErrors = Field("PortRcvSwitchRelayErrors", byte: 112, width: 64)
        public static let portXmitDiscards = Field("PortXmitDiscards", byte: 120, width: 64)
        public static let portXmitConstraintErrors = Field("PortXmitConstraintErrors", byte: 128, width: 64)
        public static let portRcvConstraintErrors = Field("PortRcvConstraintErrors", byte: 136, width: 64)
        public static let localLinkIntegrityErrors = Field("LocalLinkIntegrityErrors", byte: 144, width: 64)
        public static let excessiveBufferOverrunErrors = Field("ExcessiveBufferOverrunErrors", byte: 152, width: 64)
        public static let vl15Dropped = Field("VL15Dropped", byte: 160, width: 64)
        public static let portXmitWait = Field("PortXmitWait", byte: 168, width: 64)
        public static let qp1Dropped = Field("QP1Dropped", byte: 176, width: 64)
    }

    public static let layout = WireLayout(
        name: "PortCountersExtended", byteCount: 184, specReference: "IBA 16.1.4.11",
        fields: [Fields.reserved, Fields.portSelect, Fields.counterSelect, Fields.counterSelect2]
            + counterFields)

    /// The 22 counters in wire order, PortXmitData first.
    public static let counterFields: [Field] = [
        Fields.portXmitData, Fields.portRcvData, Fields.portXmitPkts, Fields.portRcvPkts,
        Fields.portUnicastXmitPkts, Fields.portUnicastRcvPkts, Fields.portMulticastXmitPkts,
        Fields.portMulticastRcvPkts, Fields.symbolErrorCounter, Fields.linkErrorRecoveryCounter,
        Fields.linkDownedCounter, Fields.portRcvErrors, Fields.portRcvRemotePhysicalErrors,
        Fields.portRcvSwitchRelayErrors, Fields.portXmitDiscards, Fields.portXmitConstraintErrors,
        Fields.portRcvConstraintErrors, Fields.localLinkIntegrityErrors,
        Fields.excessiveBufferOverrunErrors, Fields.vl15Dropped, Fields.portXmitWait,
        Fields.qp1Dropped,
    ]

    public var portSelect: UInt8 { get { read(Fields.portSelect) } set { write(Fields.portSelect, newValue) } }
    public var counterSelect: UInt16 { get { read(Fields.counterSelect) } set { write(Fields.counterSelect, newValue) } }
    public var counterSelect2: UInt32 { get { read(Fields.counterSelect2) } set { write(Fields.counterSelect2, newValue) } }
    public var portXmitData: UInt64 { get { read(Fields.portXmitData) } set { write(Fields.portXmitData, newValue) } }
    public var portRcvData: UInt64 { get { read(Fields.portRcvData) } set { write(Fields.portRcvData, newValue) } }
    public var portXmitPkts: UInt64 { get { read(Fields.portXmitPkts) } set { write(Fields.portXmitPkts, newValue) } }
    public var portRcvPkts: UInt64 { get { read(Fields.portRcvPkts) } set { write(Fields.portRcvPkts, newValue) } }
    public var portUnicastXmitPkts: UInt64 { get { read(Fields.portUnicastXmitPkts) } set { write(Fields.portUnicastXmitPkts, newValue) } }
    public var portUnicastRcvPkts: UInt64 { get { read(Fields.portUnicastRcvPkts) } set { write(Fields.portUnicastRcvPkts, newValue) } }
    public var portMulticastXmitPkts: UInt64 { get { read(Fields.portMulticastXmitPkts) } set { write(Fields.portMulticastXmitPkts, newValue) } }
    public var portMulticastRcvPkts: UInt64 { get { read(Fields.portMulticastRcvPkts) } set { write(Fields.portMulticastRcvPkts, newValue) } }
    public var symbolErrorCounter: UInt64 { get { read(Fields.symbolErrorCounter) } set { write(Fields.symbolErrorCounter, newValue) } }
    public var linkErrorRecoveryCounter: UInt64 { get { read(Fields.linkErrorRecoveryCounter) } set { write(Fields.linkErrorRecoveryCounter, newValue) } }
    public var linkDownedCounter: UInt64 { get { read(Fields.linkDownedCounter) } set { write(Fields.linkDownedCounter, newValue) } }
    public var portRcvErrors: UInt64 { get { read(Fields.portRcvErrors) } set { write(Fields.portRcvErrors, newValue) } }
    public var portRcvRemotePhysicalErrors: UInt64 { get { read(Fields.portRcvRemotePhysicalErrors) } set { write(Fields.portRcvRemotePhysicalErrors, newValue) } }
    public var portRcvSwitchRelayErrors: UInt64 { get { read(Fields.portRcvSwitchRelayErrors) } set { write(Fields.portRcvSwitchRelayErrors, newValue) } }
    public var portXmitDiscards: UInt64 { get { read(Fields.portXmitDiscards) } set { write(Fields.portXmitDiscards, newValue) } }
    public var portXmitConstraintErrors: UInt64 { get { read(Fields.portXmitConstraintErrors) } set { write(Fields.portXmitConstraintErrors, newValue) } }
    public var portRcvConstraintErrors: UInt64 { get { read(Fields.portRcvConstraintErrors) } set { write(Fields.portRcvConstraintErrors, newValue) } }
    public var localLinkIntegrityErrors: UInt64 { get { read(Fields.localLinkIntegrityErrors) } set { write(Fields.localLinkIntegrityErrors, newValue) } }
    public var excessiveBufferOverrunErrors: UInt64 { get { read(Fields.excessiveBufferOverrunErrors) } set { write(Fields.excessiveBufferOverrunErrors, newValue) } }
    public var vl15Dropped: UInt64 { get { read(Fields.vl15Dropped) } set { write(Fields.vl15Dropped, newValue) } }
    public var portXmitWait: UInt64 { get { read(Fields.portXmitWait) } set { write(Fields.portXmitWait, newValue) } }
    public var qp1Dropped: UInt64 { get { read(Fields.qp1Dropped) } set { write(Fields.qp1Dropped, newValue) } }
}
