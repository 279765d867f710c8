public import MADTransport
import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// The agent layer over one port: the port's delegate, a requester (TIDs, deadlines,
/// retries, a window with backpressure), responders and unsolicited-MAD subscribers.
/// The same code serves ports that match responses in the transport (ib_umad: sends carry
/// a timeout and the kernel hands lost ones back with ETIMEDOUT) and ports that do not
/// (verbs UD QP, MemoryFabric: the requester's own deadlines decide).
///
/// One lock guards all state and one timer thread sleeps on it until the earliest
/// deadline. Call `close()` when done: it fails what is outstanding and stops the thread.
public final class MADAgent: MADPortDelegate, @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Requests outstanding at once; further callers wait (backpressure).
        public var window: Int
        public var defaultOptions: RequestOptions
        public init(window: Int = 16, defaultOptions: RequestOptions = RequestOptions()) {
            self.window = window
            self.defaultOptions = defaultOptions
        }
    }

    public let port: any MADPort
    public let configuration: Configuration
    let lock = ConditionLock()
    let table: PendingTable
    /// Guarded by `lock`.
    var requestAgents: [ClassKey: AgentID] = [:]
    /// The last entry of `requestAgents` used: a sweep asks for the same one per MAD, and
    /// hashing the key every time showed in profiles.
    var lastRequestAgent: (key: ClassKey, agent: AgentID)?
    var responders = ResponderRegistry()
    /// Userspace RMPP (RMPP/), sharing this agent's port agents.
    let rmpp: RMPPEngine
    private var timerThread: pthread_t?

    /// A port agent's identity: class and version, plus the OUI for vendor class range 2,
    /// where ib_mad routes requests by OUI too (IBA 13.4.4, ib_mad's vendor class tables).
    struct ClassKey: Hashable {
        var managementClass: ManagementClass
        var version: UInt8
        var oui: UInt32? = nil

        /// The key `mad` belongs to.
        init(of mad: borrowing MAD) {
            self.init(managementClass: mad.managementClass, version: mad.classVersion,
                      oui: mad.managementClass.isVendorRange2 ? mad.vendorOUI : nil)
        }

        init(managementClass: ManagementClass, version: UInt8, oui: UInt32? = nil) {
            self.managementClass = managementClass
            self.version = version
            self.oui = managementClass.isVendorRange2 ? oui : nil
        }

        var registration: AgentRegistration {
            AgentRegistration(class: managementClass, version: version, oui: oui)
        }
    }

    /// Starts `port` with this agent as its delegate, and the timer thread.
    public init(port: any MADPort, configuration: Configuration = Configuration()) throws {
        self.port = port
        self.configuration = configuration
        table = PendingTable(window: configuration.window)
        rmpp = RMPPEngine(port: port)
        rmpp.owner = self
        try port.start(delegate: self)
        do {
            timerThread = try startThread { self.runTimer() }
        } catch {
            throw MADAgentError.transport("cannot start the MAD agent's timer thread: errno \(error.errno)")
        }
    }

    /// Fails every outstanding request, sweep item and waiting caller with `.closed`,
    /// unregisters this layer's agents from the port, finishes the `unsolicited` streams and
    /// stops the timer thread. The port stays open (close it yourself). Idempotent; do not
    /// call it from a sweep callback running on the timer thread.
    public func close() {
        rmpp.close()
        var deliveries: [Delivery] = []
        var idleSweeps: [SweepRun] = []
        var agents: [AgentID] = []
        var finishers: [@Sendable () -> Void] = []
        let (waiters, thread) = lock.withLock { () -> ([EntryWaiter], pthread_t?) in
            if table.closed { return ([], nil) }
            // A run with requests outstanding ends as they fail below; an idle one (its next
            // request parked for an entry) is ended here.
            idleSweeps = table.sweeps.filter { $0.inFlight == 0 }
            table.sweeps.removeAll { $0.inFlight == 0 }
            agents = Array(requestAgents.values) + responders.agents.values.map(\.agent)
            requestAgents.removeAll()
            lastRequestAgent = nil
            responders.agents.removeAll()
            responders.subscriptions.removeAll()
            finishers = responders.finishers
            responders.finishers.removeAll()
            table.closed = true
            for index in table.entries.indices where table.entries[index].armed {
                deliveries.append(table.finish(index, failure: .closed))
            }
            let waiters = Array(table.waiters)
            table.waiters.removeAll()
            lock.signal()
            let thread = timerThread
            timerThread = nil
            return (waiters, thread)
        }
        for delivery in deliveries { deliver(delivery) }
        for run in idleSweeps { run.end() }
        for waiter in waiters { waiter.continuation.resume(returning: -1) }
        for agent in agents { port.unregister(agent) }
        for finish in finishers { finish() }
        if let thread { pthread_join(thread, nil) }
    }

    /// What the requester has counted so far.
    public var statistics: RequesterStatistics { lock.withLock { table.statistics } }

    // MARK: Port delegate (the port's I/O thread)

    public func port(received mad: consuming ReceivedMAD) {
        let message = mad.slot.mad
        let source = mad.source
        let length = mad.length
        _ = consume mad  // the receive slot goes back to the pool at once
        if rmpp.intercept(message, from: source) { return }
        if message.method.isResponse {
            handleResponse(message, length: length)
        } else {
            handleUnsolicited(message, from: source)
        }
    }

    public func port(sendFailed failure: SendFailure) {
        let sequence = TransactionID(rawValue: failure.transactionID).sequence
        let action: AgentAction? = lock.withLock {
            let index = Int(sequence & table.indexMask)
            guard index < table.entries.count, table.entries[index].armed, table.entries[index].sequence == sequence else {
                table.statistics.staleSendFailures += 1
                return nil
            }
            // ETIMEDOUT: the transport gave up waiting for the response (ib_umad, and
            // ibsim at once for a lost MAD): the attempt is over, retry as libibmad does.
            if failure.status == 110 {
                table.statistics.transportTimeouts += 1
                let waited = monotonicNanoseconds() &- table.entries[index].attemptStarted
                let timeout = UInt64(table.entries[index].options.timeoutMilliseconds) * 1_000_000
                return expire(index, quickLoss: waited < timeout / 2)
            }
            return .deliver(table.finish(index, failure: .transport(
                "the port reported send failure status \(failure.status) for TID 0x\(hexDigits(failure.transactionID, width: 16))")))
        }
        if let action { perform(action) }
    }

    // MARK: Agents

    /// The port agent this layer sends `request`'s class/version (and vendor OUI) through,
    /// registered on first use (lock held).
    func requestAgent(for request: borrowing MAD) throws -> AgentID {
        let key = ClassKey(of: request)
        if let last = lastRequestAgent, last.key == key { return last.agent }
        let agent = try requestAgents[key] ?? port.register(key.registration)
        requestAgents[key] = agent
        lastRequestAgent = (key, agent)
        return agent
    }
}
