import MADWire

/// Where a MAD goes or came from, as the ports below the agent layer address it.
public struct MADAddress: Sendable, Hashable {
    /// Destination or source LID (0xFFFF, the permissive LID, for directed-route SMPs).
    public var lid: UInt16
    /// Remote QP: 0 for SMPs, 1 for the GSI unless redirected.
    public var queuePair: UInt32
    public var queueKey: UInt32
    public var serviceLevel: UInt8
    public var pKeyIndex: UInt16

    /// The GSI's well-known Q_Key (IBA 13.5.1). Privileged: the high bit is set.
    public static let gsiQueueKey: UInt32 = 0x8001_0000

    public init(lid: UInt16, queuePair: UInt32, queueKey: UInt32 = MADAddress.gsiQueueKey,
                serviceLevel: UInt8 = 0, pKeyIndex: UInt16 = 0) {
        self.lid = lid
        self.queuePair = queuePair
        self.queueKey = queueKey
        self.serviceLevel = serviceLevel
        self.pKeyIndex = pKeyIndex
    }
}
