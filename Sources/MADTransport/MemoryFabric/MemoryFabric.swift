public import MADWire
import Synchronization

/// An in-process fabric for tests: several local ports (``MemoryFabricPort``, each a
/// `MADPort` with its own `MADBufferPool` and its own I/O thread), simulated switches, a
/// static topology for directed routes, built-in SMA/PMA responders, and deterministic
/// fault injection.
///
/// Routing. A LID-routed MAD goes straight to the node with its destination LID (no
/// forwarding tables: links matter only to directed routes). A directed-route SMP walks
/// its initial path over the links made with ``connect(_:port:to:port:)``, filling the
/// return path and hop pointer as the SMI does (IBA 14.2.2, C14-9), and a response walks
/// the return path back (C14-13), arriving with hop pointer 0. LID-routed parts of a
/// directed route (DrSLID/DrDLID other than 0xFFFF) are not simulated (counted
/// `unroutable`). At the destination, a node's built-in responders answer their class
/// first; anything else goes to an agent registered on the node's port.
///
/// Two response modes (``Options/matchesResponsesInTransport``):
/// - `true`, the ib_umad style: a request's TID gets the sending agent's id in its high 32
///   bits (as ib_umad rewrites it); a send with `timeoutMilliseconds > 0` is held until
///   its response, which goes to that agent; a response with no such send (duplicate,
///   late, or to a send without timeout) is dropped; a send not answered in time comes
///   back as `port(sendFailed:)` with status 110 (ETIMEDOUT).
/// - `false`, the verbs style: TIDs are left alone, nothing is held, responses go to the
///   agent whose id is in the TID's high 32 bits if it is registered for the class, else
///   to the first agent registered for the response's class and version; the requester
///   owns deadlines and retries.
///
/// Threads. Each port delivers on its own I/O thread; built-in responders run on the
/// requester's thread. Nothing is delivered before `start(delegate:)`. ``close()`` (also
/// run by deinit) stops and joins every thread.
///
/// Time. Delays and transport timeouts run on the monotonic clock, or on a virtual clock
/// that moves only in ``advanceClock(by:)`` (``Options/virtualClock``).
public final class MemoryFabric: Sendable {
    public struct Options: Sendable {
        /// Seeds every fault rule's generator (rule k uses a generator derived from the
        /// seed and k): the same seed and the same traffic give the same faults.
        public var seed: UInt64
        /// See the type's documentation. Default false (verbs style).
        public var matchesResponsesInTransport: Bool
        /// In the ib_umad style, hand a lost request (dropped, or to a LID with nothing
        /// attached) back at once with status 110, as ibsim does, instead of at its timeout.
        public var failLostSendsImmediately: Bool
        /// Delays and timeouts wait for ``MemoryFabric/advanceClock(by:)``.
        public var virtualClock: Bool
        /// Each port's pool unless `addPort` is given one. Default: 64 send and 64 receive
        /// slots, receive headroom 40 (the GRH, as a UD QP receives), send headroom 0,
        /// verifier mode from IBMAD_VERIFY.
        public var pool: MADBufferPool.Configuration

        public init(seed: UInt64 = 0, matchesResponsesInTransport: Bool = false, failLostSendsImmediately: Bool = false,
                    virtualClock: Bool = false,
                    pool: MADBufferPool.Configuration = .init(sendSlots: 64, receiveSlots: 64,
                                                              sendHeadroom: 0, receiveHeadroom: 40)) {
            self.seed = seed
            self.matchesResponsesInTransport = matchesResponsesInTransport
            self.failLostSendsImmediately = failLostSendsImmediately
            self.virtualClock = virtualClock
            self.pool = pool
        }
    }

    let core: FabricCore

    public var options: Options { core.options }

    public init(_ options: Options = Options()) {
        core = FabricCore(options)
    }

    deinit { core.close() }

    /// Adds a channel adapter with one port (port 1) at `lid` and returns its `MADPort`.
    /// `answering` attaches built-in responders to it (none by default: tests register
    /// agents). Throws if the LID is 0, 0xFFFF, taken, or the fabric is closed.
    public func addPort(lid: UInt16, node: SimulatedNode? = nil, answering: SimulatedAgents = [],
                        pool: MADBufferPool.Configuration? = nil) throws -> MemoryFabricPort {
        let madPool = try MADBufferPool(pool ?? core.options.pool)
        let port = MemoryFabricPort(core: core, lid: lid, pool: madPool)
        try core.addNode(lid: lid, identity: node ?? .channelAdapter(lid: lid), agents: answering, port: port)
        return port
    }

    /// Adds a simulated switch at `lid` (its port 0 holds the LID); it has no `MADPort`,
    /// only built-in responders (SMA and PMA by default).
    public func addSwitch(lid: UInt16, ports: UInt8, node: SimulatedNode? = nil,
                          answering: SimulatedAgents = [.subnetManagement, .performance]) throws {
        try core.addNode(lid: lid, identity: node ?? .switch(lid: lid, ports: ports), agents: answering, port: nil)
    }

    /// Attaches (or replaces) the built-in responders of the node at `lid`.
    public func setAnswering(lid: UInt16, _ agents: SimulatedAgents) throws {
        try core.withNode(lid) { $0.agents = agents }
    }

    /// Cables port `portA` of the node at `lidA` to port `portB` of the node at `lidB`.
    /// Directed routes follow these links; a channel adapter's port is 1.
    public func connect(_ lidA: UInt16, port portA: UInt8, to lidB: UInt16, port portB: UInt8) throws {
        try core.connect(lidA, portA, lidB, portB)
    }

    /// Sets the counters the PMA of node `lid` reports for `port`.
    public func setPortCounters(lid: UInt16, port: UInt8, _ counters: PortCounters) throws {
        try core.withNode(lid) { $0.portCounters[port] = counters }
    }

    /// The counters the PMA of node `lid` holds for `port` (zero until set).
    public func portCounters(lid: UInt16, port: UInt8) -> PortCounters? {
        core.state.withLock { $0.nodes[lid].map { $0.portCounters[port] ?? PortCounters() } }
    }

    /// What a node's PMA advertises in its ClassPortInfo (IBA 16.1.2, Table 222).
    public struct PerformanceCapabilities: Sendable, Hashable {
        /// CapabilityMask (default: PortXmitWait supported; no AllPortSelect, so ports are
        /// read one by one; no extended width).
        public var mask: ClassPortInfo.CapabilityMask
        /// CapabilityMask2 (bit 1: IsAdditionalPortCountersExtendedSupported).
        public var mask2: UInt32
        public init(mask: ClassPortInfo.CapabilityMask = [.perfPortXmitWaitSupported], mask2: UInt32 = 0) {
            self.mask = mask
            self.mask2 = mask2
        }
    }

    /// Sets what the PMA of node `lid` advertises; PortCountersExtended is answered whatever it says.
    public func setPerformanceCapabilities(lid: UInt16, _ capabilities: PerformanceCapabilities) throws {
        try core.withNode(lid) { $0.performanceCapabilities = capabilities }
    }

    /// Sets the extended counters the PMA of node `lid` reports for `port`.
    public func setPortCountersExtended(lid: UInt16, port: UInt8, _ counters: PortCountersExtended) throws {
        try core.withNode(lid) { $0.portCountersExtended[port] = counters }
    }

    // MARK: Faults

    /// Adds a fault rule after the existing ones.
    @discardableResult
    public func addFault(_ rule: FaultRule) -> FaultRuleID { core.addFault(rule) }

    public func removeFault(_ id: FaultRuleID) {
        core.state.withLock { $0.rules.removeAll { $0.id == id } }
    }

    /// How many MADs rule `id` has acted on.
    public func injections(_ id: FaultRuleID) -> Int {
        core.state.withLock { state in state.rules.first { $0.id == id }?.injected ?? 0 }
    }

    /// Everything counted so far.
    public var counters: FabricCounters { core.state.withLock { $0.counters } }

    /// Sends every MAD held by a `reorder` fault now, in the order they were held.
    public func releaseHeld() { core.releaseHeld() }

    // MARK: Time and lifetime

    /// Moves the virtual clock forward and wakes every port (no effect on the real clock).
    public func advanceClock(by duration: Duration) { core.advanceClock(by: duration) }

    /// Waits until no port has an event due now or being handled. Events scheduled in the
    /// future (delays, timeouts) and MADs held by `reorder` do not count; events queued on a
    /// port that was never started do, so then this returns false after `timeout`.
    public func waitUntilIdle(timeout: Duration = .seconds(5)) -> Bool { core.waitUntilIdle(timeout: timeout) }

    /// Closes every port (stopping and joining its I/O thread); later sends throw.
    /// Idempotent. If called on a port's own I/O thread, that thread is not joined: it ends
    /// as soon as the handler that called close returns.
    public func close() { core.close() }
}

/// Errors of the memory fabric, each naming what to fix.
public enum MemoryFabricError: Error, Sendable, Hashable, CustomStringConvertible {
    case closed
    case invalidLID(UInt16)
    case lidInUse(UInt16)
    case noSuchNode(UInt16)
    case noSuchPort(lid: UInt16, port: UInt8)
    case portInUse(lid: UInt16, port: UInt8)
    /// Another agent already takes this class, version and one of these methods (ib_umad
    /// refuses such a registration too).
    case registrationConflict(AgentRegistration)
    case unknownAgent(AgentID)
    case alreadyStarted

    public var description: String {
        switch self {
        case .closed: "the memory fabric or port is closed"
        case .invalidLID(let lid): "LID \(lid) cannot be assigned to a node (use 1...0xBFFF)"
        case .lidInUse(let lid): "LID \(lid) is already taken by another node of the fabric"
        case .noSuchNode(let lid): "no node has LID \(lid) on this fabric"
        case .noSuchPort(let lid, let port): "node \(lid) has no port \(port)"
        case .portInUse(let lid, let port): "port \(port) of node \(lid) is already connected"
        case .registrationConflict(let registration):
            "an agent for class \(registration.managementClass) version \(registration.classVersion) "
                + "already takes one of these methods"
        case .unknownAgent(let agent): "agent \(agent.rawValue) is not registered on this port"
        case .alreadyStarted: "the port was already started"
        }
    }
}
