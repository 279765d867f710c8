public import MADWire

/// Where a MAD goes or came from, as the ports below the agent layer address it.
public struct MADAddress: Sendable, Hashable {
    /// Destination or source LID (0xFFFF, the permissive LID, for directed-route SMPs).
    public var lid: UInt16
    /// Remote QP: 0 for SMPs, 1 for the GSI unless redirected.
    public var queuePair: UInt32
    public var queueKey: UInt32
    public var serviceLevel: UInt8
    public var pKeyIndex: UInt16
    /// Global route (GRH): required on RoCE, optional on InfiniBand.
    public var globalRoute: GlobalRoute?

    /// The GSI's well-known Q_Key (IBA 13.5.1). Privileged: the high bit is set.
    public static let gsiQueueKey: UInt32 = 0x8001_0000

    public init(lid: UInt16, queuePair: UInt32, queueKey: UInt32 = MADAddress.gsiQueueKey,
                serviceLevel: UInt8 = 0, pKeyIndex: UInt16 = 0, globalRoute: GlobalRoute? = nil) {
        self.lid = lid
        self.queuePair = queuePair
        self.queueKey = queueKey
        self.serviceLevel = serviceLevel
        self.pKeyIndex = pKeyIndex
        self.globalRoute = globalRoute
    }

    /// An SMP's destination: QP0, LID-routed to `lid` or directed (permissive LID 0xFFFF).
    public static func subnetManagement(lid: UInt16 = 0xFFFF) -> MADAddress {
        MADAddress(lid: lid, queuePair: 0, queueKey: 0)
    }

    /// A GMP's destination: the GSI (QP1) of `lid`.
    public static func generalServices(lid: UInt16) -> MADAddress {
        MADAddress(lid: lid, queuePair: 1)
    }
}

/// The GRH part of an address (IBA 8.3): destination GID in network byte order.
public struct GlobalRoute: Sendable, Hashable {
    public var destinationGID: [UInt8]
    public var flowLabel: UInt32
    public var hopLimit: UInt8
    public var trafficClass: UInt8
    /// Local GID table index to send from.
    public var sourceGIDIndex: UInt8

    public init(destinationGID: [UInt8], flowLabel: UInt32 = 0, hopLimit: UInt8 = 255,
                trafficClass: UInt8 = 0, sourceGIDIndex: UInt8 = 0) {
        precondition(destinationGID.count == 16, "a GID is 16 bytes")
        self.destinationGID = destinationGID
        self.flowLabel = flowLabel
        self.hopLimit = hopLimit
        self.trafficClass = trafficClass
        self.sourceGIDIndex = sourceGIDIndex
    }
}

/// What an agent registers with a port (as umad_register does): the class and version it
/// speaks and the request methods it answers. Responses to its own requests reach it
/// whatever `methods` holds.
public struct AgentRegistration: Sendable, Hashable {
    public var managementClass: ManagementClass
    public var classVersion: UInt8
    /// Request methods delivered unsolicited (Get, Set, Trap, ...); empty for a requester.
    public var methods: Set<Method>
    /// RMPP version the kernel should run for this agent (0: none; IBA 13.6).
    public var rmppVersion: UInt8
    /// OUI for vendor class range 2 (0x30–0x4F).
    public var oui: UInt32?

    public init(class managementClass: ManagementClass, version classVersion: UInt8,
                methods: Set<Method> = [], rmppVersion: UInt8 = 0, oui: UInt32? = nil) {
        self.managementClass = managementClass
        self.classVersion = classVersion
        self.methods = methods
        self.rmppVersion = rmppVersion
        self.oui = oui
    }
}

/// A registered agent, as the port names it (ib_umad's agent id).
public struct AgentID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
}

/// A MAD that arrived, in the pool slot it was received into.
public struct ReceivedMAD: ~Copyable, Sendable {
    public var slot: MADSlot
    public let source: MADAddress
    public let agent: AgentID
    /// How many bytes of the MAD the transport received (at most 256). ib_umad delivers
    /// whole MADs; libumad2sim passes on the length the sender wrote, and opensm's SA
    /// writes only its header and the records (56 + n × AttributeOffset × 8, IBA 15.2.1.1).
    /// Bytes past it in the slot are not the message's.
    public let length: Int

    public init(slot: consuming MADSlot, source: MADAddress, agent: AgentID, length: Int = MAD.size) {
        self.slot = slot
        self.source = source
        self.agent = agent
        self.length = min(max(length, 0), MAD.size)
    }
}

/// How a send ended when the port reports it. Through ib_umad a send with a timeout is
/// held by the kernel until its response arrives; when none does, the kernel hands the
/// send back with ETIMEDOUT (ibsim does so at once for a lost MAD).
public struct SendFailure: Sendable, Hashable {
    public let transactionID: UInt64
    public let agent: AgentID
    /// errno-style status: 110 (ETIMEDOUT) for no response.
    public let status: Int32

    public init(transactionID: UInt64, agent: AgentID, status: Int32) {
        self.transactionID = transactionID
        self.agent = agent
        self.status = status
    }
}

/// Receives a port's events on the port's single I/O thread. Must not block.
public protocol MADPortDelegate: AnyObject, Sendable {
    func port(received mad: consuming ReceivedMAD)
    func port(sendFailed failure: SendFailure)
}

/// One local port that sends and receives MADs through the common buffer pool: UmadPort
/// (libibumad, QP0 and QP1 through the kernel), VerbsGSIPort (own UD QP) or MemoryFabric
/// (in-process, for tests). The agent layer above is the same for all of them.
public protocol MADPort: AnyObject, Sendable {
    /// The pool every slot this port sends or receives comes from.
    var pool: MADBufferPool { get }
    /// The port's own LID (0 while the SM has not assigned one).
    var localLID: UInt16 { get }
    /// Whether the transport matches responses to sends itself (ib_umad does, by TID, and
    /// drops unmatched responses; a verbs UD QP or MemoryFabric does not).
    var matchesResponsesInTransport: Bool { get }

    func register(_ registration: AgentRegistration) throws -> AgentID
    func unregister(_ agent: AgentID)
    /// Starts delivering events to `delegate` (one I/O thread per port).
    func start(delegate: any MADPortDelegate) throws
    /// Sends the MAD in `slot` to `address` for `agent`. `timeoutMilliseconds` > 0 asks a
    /// transport that matches responses to hold the send until its response (ib_umad);
    /// retries are the requester's job, so ports are always given 0 kernel retries.
    func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws
    /// Stops the I/O thread and releases the device; idempotent.
    func close()
}
