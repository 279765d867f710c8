import MADWire
import Synchronization

/// One local port of a ``MemoryFabric``: a `MADPort` with its own pool and I/O thread.
///
/// A send posts the slot (the "device" reads the posted buffer, a bounce copy in verifier
/// mode), copies the MAD onto the fabric and completes the slot at once, as ib_umad copies
/// a MAD into the kernel. A delivery acquires a receive slot on the receiver's pool,
/// posts it, writes the MAD after the receive headroom (the GRH area is left zero),
/// completes it and hands it to the delegate; a receiver with no free receive slot drops
/// the MAD (counted `undeliverable`), as a UD QP with no posted receive does.
public final class MemoryFabricPort: MADPort {
    public let pool: MADBufferPool
    public let localLID: UInt16
    public var matchesResponsesInTransport: Bool { core.options.matchesResponsesInTransport }

    let core: FabricCore
    let loop: IOLoop
    let state = Mutex(PortState())

    struct PortState {
        var agents: [(id: AgentID, registration: AgentRegistration)] = []
        var nextAgent: UInt32 = 1
        /// ib_umad style: sends waiting for their response, by (rewritten) TID.
        /// The generation tells a retry's timeout from an earlier send's with the same TID.
        var outstanding: [UInt64: (agent: AgentID, generation: UInt64)] = [:]
        var generation: UInt64 = 0
        var delegate: (any MADPortDelegate)?
        var started = false
        var closed = false
    }

    init(core: FabricCore, lid: UInt16, pool: MADBufferPool) {
        self.core = core
        self.localLID = lid
        self.pool = pool
        self.loop = IOLoop(clock: core.clock)
    }

    /// The kernel thread id of the port's I/O thread while it runs (for leak checks:
    /// /proc/self/task/<id> exists exactly while the thread does); nil before start.
    public var ioThreadID: Int32? { loop.threadID }

    public func register(_ registration: AgentRegistration) throws -> AgentID {
        try state.withLock { state throws(MemoryFabricError) -> AgentID in
            guard !state.closed else { throw .closed }
            for (_, other) in state.agents where other.managementClass == registration.managementClass
                && other.classVersion == registration.classVersion && other.oui == registration.oui
                && !other.methods.isDisjoint(with: registration.methods) {
                throw .registrationConflict(registration)
            }
            let id = AgentID(rawValue: state.nextAgent)
            state.nextAgent += 1
            state.agents.append((id, registration))
            return id
        }
    }

    public func unregister(_ agent: AgentID) {
        state.withLock { state in
            state.agents.removeAll { $0.id == agent }
            state.outstanding = state.outstanding.filter { $0.value.agent != agent }
        }
    }

    public func start(delegate: any MADPortDelegate) throws {
        try state.withLock { state throws(MemoryFabricError) in
            guard !state.closed else { throw .closed }
            guard !state.started else { throw .alreadyStarted }
            state.started = true
            state.delegate = delegate
        }
        loop.start { [self] work in handle(work) }
    }

    public func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws {
        let headroom = pool.configuration.sendHeadroom
        let posted = slot.post()
        // The device reads the posted buffer (the bounce copy in verifier mode).
        let inRegion = pool.checkDeviceBuffer(UnsafeRawBufferPointer(posted.buffer))
        var mad = MAD()
        mad.withUnsafeMutableBytes { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: posted.buffer[headroom..<(headroom + MAD.size)]))
        }
        _ = pool.complete(posted.index)   // send completion: the slot goes back to the pool
        guard inRegion else { return }

        let closed = state.withLock { $0.closed || !$0.agents.contains { $0.id == agent } }
        if closed {
            if state.withLock({ $0.closed }) { throw MemoryFabricError.closed }
            throw MemoryFabricError.unknownAgent(agent)
        }
        var timeoutEvent: (tid: UInt64, generation: UInt64)? = nil
        if matchesResponsesInTransport && !mad.method.isResponse {
            // ib_umad puts the agent's id in the TID's high 32 bits (ib_umad_write).
            mad.transactionID = UInt64(agent.rawValue) << 32 | (mad.transactionID & 0xFFFF_FFFF)
            if timeoutMilliseconds > 0 {
                let tid = mad.transactionID
                timeoutEvent = state.withLock { state in
                    state.generation += 1
                    state.outstanding[tid] = (agent, state.generation)
                    return (tid, state.generation)
                }
            }
        }
        if let pending = timeoutEvent {
            loop.enqueue(core.event(after: .milliseconds(timeoutMilliseconds), .timeout(pending.tid, pending.generation)))
        }
        let lost = core.dispatch(mad, from: localLID, to: address, requesterLoop: loop)
        if lost, let pending = timeoutEvent, core.options.failLostSendsImmediately {
            // ibsim hands a lost MAD back at once with status 110.
            loop.enqueue(core.event(after: .zero, .timeout(pending.tid, pending.generation)))
        }
    }

    public func close() {
        let wasOpen = state.withLock { state -> Bool in
            defer { state.closed = true; state.delegate = nil }
            return !state.closed
        }
        guard wasOpen else { return }
        core.detach(self)
        loop.stop()
    }

    // MARK: I/O thread

    func handle(_ work: PortWork) {
        switch work {
        case .deliver(let mad, let source):
            deliver(mad, from: source)
        case .simulate(let request):
            core.simulate(request)
        case .timeout(let tid, let generation):
            let outcome = state.withLock { state -> (AgentID, (any MADPortDelegate)?)? in
                guard let pending = state.outstanding[tid], pending.generation == generation else { return nil }
                state.outstanding[tid] = nil
                return (pending.agent, state.delegate)
            }
            guard let (agent, delegate) = outcome else { return }
            core.count { $0.timedOut += 1 }
            delegate?.port(sendFailed: SendFailure(transactionID: tid, agent: agent, status: 110))
        }
    }

    private func deliver(_ mad: MAD, from source: MADAddress) {
        let matching = matchesResponsesInTransport
        let target = state.withLock { state -> (AgentID, (any MADPortDelegate)?)? in
            if mad.method.isResponse {
                if matching {
                    guard let pending = state.outstanding.removeValue(forKey: mad.transactionID) else { return nil }
                    return (pending.agent, state.delegate)
                }
                let candidates = state.agents.filter { Self.takesClass($0.registration, mad) }
                let owner = UInt32(truncatingIfNeeded: mad.transactionID >> 32)
                let chosen = candidates.first { $0.id.rawValue == owner } ?? candidates.first
                return chosen.map { ($0.id, state.delegate) }
            }
            let chosen = state.agents.first {
                Self.takesClass($0.registration, mad) && $0.registration.methods.contains(mad.method)
            }
            return chosen.map { ($0.id, state.delegate) }
        }
        guard let (agent, delegate) = target, let delegate else {
            core.count { mad.method.isResponse ? ($0.unmatchedResponses += 1) : ($0.undeliverable += 1) }
            return
        }
        // Receive through the pool: acquire, post (the device owns it), write, complete.
        guard let receive = try? pool.tryAcquire(.receive) else {
            core.count { $0.undeliverable += 1 }
            return
        }
        let posted = receive.post()
        let headroom = pool.configuration.receiveHeadroom
        mad.withUnsafeBytes { raw in
            UnsafeMutableRawBufferPointer(rebasing: posted.buffer[headroom..<(headroom + MAD.size)]).copyMemory(from: raw)
        }
        guard let slot = pool.complete(posted.index) else { return }
        core.count { $0.delivered += 1 }
        delegate.port(received: ReceivedMAD(slot: slot, source: source, agent: agent))
    }

    private static func takesClass(_ registration: AgentRegistration, _ mad: MAD) -> Bool {
        guard registration.managementClass == mad.managementClass,
              registration.classVersion == mad.classVersion else { return false }
        if let oui = registration.oui, mad.managementClass.isVendorRange2 { return mad.vendorOUI == oui }
        return true
    }
}
