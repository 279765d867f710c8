import MADTransport
import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// Userspace RMPP (IBA 13.6) for one MADAgent, over any MADPort: a verbs UD QP has no
/// RMPP below it, and through ib_umad our agents register with rmpp_version 0, so the
/// kernel passes every RMPP MAD through untouched (mad.c `ib_mad_complete_recv` hands an
/// unmatched Active response to a user-RMPP agent). Every segment is therefore sent with
/// transport timeout 0: the kernel must not match or hold any of them.
///
/// One lock guards the transfers; one timer thread (started with the first transfer)
/// sleeps until the earliest deadline. Transfers are few (callers' requests plus at most
/// `maximumInboundTransfers` served ones), so finding the earliest is a scan.
final class RMPPEngine: @unchecked Sendable {
    struct Served {
        var methods: Set<Method>
        var options: RMPPOptions
        var handler: RMPPHandler
    }

    let port: any MADPort
    weak var owner: MADAgent?
    let lock = ConditionLock()
    /// Guarded by `lock`.
    var transfers: [RMPPKey: RMPPTransfer] = [:]
    var served: [MADAgent.ClassKey: Served] = [:]
    var statistics = RMPPStatistics()
    var closed = false
    /// TID sequences of RMPP requests, from the top half of the space: the plain
    /// requester's start at 0 (a response is offered to RMPP first only when an RMPP
    /// transfer of its class has its sequence).
    private var nextSequence: UInt32 = 0x8000_0000
    private var timerThread: pthread_t?
    private var timerStarted = false
    /// When the timer thread means to wake next (.max: not before a signal).
    private var plannedWake: UInt64 = 0

    init(port: any MADPort) { self.port = port }

    static func now() -> UInt64 { monotonicNanoseconds() }
    static func after(_ milliseconds: Int) -> UInt64 { now() + UInt64(milliseconds) * 1_000_000 }

    // MARK: Requester

    func request(_ message: RMPPMessage, to destination: MADAddress, options: RMPPOptions) async throws -> RMPPMessage {
        let header = message.header
        guard let layout = RMPPLayout(header.managementClass) else { throw RMPPError.notRMPPClass(header.managementClass) }
        guard !header.method.isResponse else {
            throw RMPPError.transport("an RMPP request needs a request method, not \(header.method)")
        }
        guard let owner else { throw RMPPError.closed }
        let agent: AgentID
        do {
            agent = try owner.lock.withLock { try owner.requestAgent(for: header) }
        } catch {
            throw RMPPError.transport("cannot register an agent for \(header.managementClass): \(error)")
        }
        let key: RMPPKey = lock.withLock {
            nextSequence = nextSequence == .max ? 0x8000_0000 : nextSequence + 1
            var tid = TransactionID(high: agent.rawValue, sequence: nextSequence).rawValue
            while transfers[.requester(header.managementClass, tid)] != nil {
                nextSequence = nextSequence == .max ? 0x8000_0000 : nextSequence + 1
                tid = TransactionID(high: agent.rawValue, sequence: nextSequence).rawValue
            }
            return .requester(header.managementClass, tid)
        }
        var first = header
        first.transactionID = TransactionID(high: agent.rawValue, sequence: UInt32(key.transactionID)).rawValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RMPPMessage, any Error>) in
                var effects: [RMPPEffect] = []
                lock.withLock {
                    if closed {
                        effects.append(.resume(continuation, .failure(.closed)))
                        return
                    }
                    let transfer = RMPPTransfer(key: key, layout: layout, options: options, phase: .sending,
                                                peer: destination, agent: agent, request: first)
                    transfer.continuation = continuation
                    transfer.sender = RMPPSender(layout: layout, header: first, data: message.data)
                    transfer.totalDeadline = Self.after(options.totalTimeoutMilliseconds)
                    transfers[key] = transfer
                    pump(transfer, into: &effects)
                    startTimerIfNeeded()
                }
                perform(effects)
            }
        } onCancel: {
            var effects: [RMPPEffect] = []
            lock.withLock {
                guard let transfer = transfers[key], transfer.continuation != nil else { return }
                // Tell the peer, so it does not run its timers out (ABORT 127, unspecified).
                control(transfer, .abort, status: .unspecified, about: transfer.request,
                        method: transfer.phase == .receiving ? transfer.peerDataMethod.flippingResponseBit : transfer.request.method,
                        into: &effects)
                fail(transfer, .cancelled, into: &effects)
            }
            perform(effects)
        }
    }

    // MARK: Responder

    func serve(class managementClass: ManagementClass, version: UInt8, methods: Set<Method>, oui: UInt32?,
               options: RMPPOptions, handler: @escaping RMPPHandler) throws {
        guard RMPPLayout(managementClass) != nil else { throw RMPPError.notRMPPClass(managementClass) }
        guard let owner else { throw RMPPError.closed }
        try owner.serve(class: managementClass, version: version, oui: oui, methods: methods)
        lock.withLock {
            served[MADAgent.ClassKey(managementClass: managementClass, version: version, oui: oui)] =
                Served(methods: methods, options: options, handler: handler)
        }
    }

    // MARK: Sending and timers

    /// Queues the segments the window allows now, with a fresh ACK timer (lock held).
    func pump(_ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) {
        guard var sender = transfer.sender else { return }
        while let batch = sender.nextBatch() {
            for number in batch {
                effects.append(.send(sender.segment(number), to: transfer.peer, agent: transfer.agent,
                                     key: transfer.key, segment: number))
            }
        }
        transfer.sender = sender
        setDeadline(transfer, Self.after(transfer.options.responseTimeoutMilliseconds))
    }

    /// Sets the response/ACK timer and wakes the timer thread, which may be asleep until a
    /// later deadline or none (lock held).
    func setDeadline(_ transfer: RMPPTransfer, _ deadline: UInt64, total: UInt64? = nil) {
        transfer.deadline = deadline
        if let total { transfer.totalDeadline = total }
        if transfer.nextDeadline < plannedWake {
            plannedWake = transfer.nextDeadline
            lock.signal()
        }
    }

    /// Queues an ACK, STOP or ABORT of `transfer` with `method` (lock held).
    func control(_ transfer: RMPPTransfer, _ type: RMPPHeader.PacketType, status: RMPPStatus = .normal,
                 segment: UInt32 = 0, newWindowLast: UInt32 = 0, about: MAD, method: Method,
                 into effects: inout [RMPPEffect]) {
        let mad = transfer.layout.control(type, status: status, segment: segment, newWindowLast: newWindowLast,
                                          about: about, method: method)
        switch type {
        case .ack: statistics.acksSent += 1
        case .stop: statistics.stopsSent += 1
        case .abort: statistics.abortsSent += 1
        default: break
        }
        effects.append(.send(mad, to: transfer.peer, agent: transfer.agent, key: transfer.key, segment: nil))
    }

    /// Ends `transfer` with `error`, resuming its caller (lock held).
    func fail(_ transfer: RMPPTransfer, _ error: RMPPError, into effects: inout [RMPPEffect]) {
        transfers[transfer.key] = nil
        if let continuation = transfer.continuation {
            transfer.continuation = nil
            effects.append(.resume(continuation, .failure(error)))
        }
    }

    /// Sends an ABORT with `status` in the direction of our data, and fails the transfer.
    func abort(_ transfer: RMPPTransfer, _ status: RMPPStatus, reason: String, into effects: inout [RMPPEffect]) {
        let method = transfer.phase == .receiving ? transfer.peerDataMethod.flippingResponseBit : transfer.ourDataMethod
        control(transfer, .abort, status: status, about: transfer.request, method: method, into: &effects)
        fail(transfer, .aborted(status, reason: reason), into: &effects)
    }

    /// Keeps a finished transfer to re-ACK duplicates, then drops it (lock held).
    func linger(_ transfer: RMPPTransfer) {
        transfer.phase = .finished
        transfer.sender = nil
        setDeadline(transfer, Self.after(transfer.options.lingerMilliseconds), total: .max)
    }

    /// A deadline of `transfer` passed (lock held).
    func expire(_ transfer: RMPPTransfer, now: UInt64, into effects: inout [RMPPEffect]) {
        if transfer.phase == .finished {
            transfers[transfer.key] = nil
            return
        }
        if now >= transfer.totalDeadline {
            statistics.timeouts += 1
            abort(transfer, .totalTimeTooLong,
                  reason: "not finished within the total-transaction time of \(transfer.options.totalTimeoutMilliseconds) ms",
                  into: &effects)
            return
        }
        guard now >= transfer.deadline else { return }
        switch transfer.phase {
        case .sending:
            if transfer.stalled {
                transfer.stalled = false
                pump(transfer, into: &effects)
                return
            }
            statistics.timeouts += 1
            transfer.attempts += 1
            if transfer.attempts > transfer.options.retries {
                abort(transfer, .tooManyRetries, reason: "no ACK after \(transfer.attempts) attempts", into: &effects)
                return
            }
            let before = transfer.sender?.next ?? 1
            transfer.sender?.rewind()
            statistics.segmentsResent += max(0, before - (transfer.sender?.next ?? before))
            pump(transfer, into: &effects)
        case .awaitingResponse:
            statistics.timeouts += 1
            transfer.attempts += 1
            if transfer.attempts > transfer.options.retries {
                fail(transfer, .timeout(phase: "wait for the response", attempts: transfer.attempts), into: &effects)
                return
            }
            // Probe: send the request's last segment again. A responder that has the
            // request re-ACKs it (IBA 13.6.3.2), which brings our switch-direction ACK
            // again; its own timers recover a lost response segment. (Sending the whole
            // request anew would meet an ACK of its last segment with a window of 1,
            // which is an ABORT 123 offence.)
            if let sender = transfer.sender {
                effects.append(.send(sender.segment(sender.count), to: transfer.peer, agent: transfer.agent,
                                     key: transfer.key, segment: nil))
                statistics.segmentsResent += 1
            }
            setDeadline(transfer, Self.after(transfer.options.responseTimeoutMilliseconds))
        case .receiving, .answering, .finished:
            transfer.deadline = .max
        }
    }

    func startTimerIfNeeded() {
        guard !timerStarted else { return }
        timerStarted = true
        if let thread = try? startThread({ self.runTimer() }) {
            timerThread = thread
        } else {
            timerStarted = false
        }
    }

    private func runTimer() {
        lock.lock()
        while !closed {
            let now = Self.now()
            var effects: [RMPPEffect] = []
            for transfer in Array(transfers.values) where transfer.nextDeadline <= now {
                expire(transfer, now: now, into: &effects)
            }
            if !effects.isEmpty {
                lock.unlock()
                perform(effects)
                lock.lock()
                continue
            }
            let next = transfers.values.lazy.map(\.nextDeadline).min() ?? .max
            plannedWake = next
            lock.wait(until: next == .max ? nil : next)
            plannedWake = 0
        }
        lock.unlock()
    }

    /// Sends, resumes and calls handlers, outside the lock. A DATA segment that finds no
    /// free send slot is put back (it and the rest of its batch go at the next pump, 1 ms
    /// later) without spending a retry; an ACK/STOP/ABORT that finds none is dropped (the
    /// peer's timer recovers).
    func perform(_ effects: [RMPPEffect]) {
        var stalled: Set<RMPPKey> = []
        for effect in effects {
            switch effect {
            case .send(let mad, let destination, let agent, let key, let segment):
                if segment != nil && stalled.contains(key) { continue }
                var failure: String? = nil
                var exhausted = false
                do {
                    let slot = try port.pool.tryAcquire(.send)
                    slot.store(mad)
                    try port.send(slot, to: destination, agent: agent, timeoutMilliseconds: 0)
                } catch let error as PoolError {
                    if case .exhausted = error { exhausted = true } else { failure = "\(error)" }
                } catch {
                    failure = "\(error)"
                }
                var more: [RMPPEffect] = []
                lock.withLock {
                    if failure == nil && !exhausted {
                        if segment != nil { statistics.segmentsSent += 1 }
                        return
                    }
                    guard let transfer = transfers[key] else { return }
                    if let failure {
                        fail(transfer, .transport("send to \(MADAgentError.name(destination)) failed: \(failure)"), into: &more)
                    } else if let segment, transfer.phase == .sending {
                        statistics.sendStalls += 1
                        stalled.insert(key)
                        transfer.sender?.unsent(from: segment)
                        transfer.stalled = true
                        setDeadline(transfer, Self.after(1))
                    }
                }
                if !more.isEmpty { perform(more) }
            case .resume(let continuation, let result):
                switch result {
                case .success(let message): continuation.resume(returning: message)
                case .failure(let error): continuation.resume(throwing: error)
                }
            case .answer(let key, let request, let source, let handler):
                answer(key, request, from: source, handler: handler)
            }
        }
    }

    /// Runs the handler for a reassembled request and starts the response transfer.
    private func answer(_ key: RMPPKey, _ request: RMPPMessage, from source: MADAddress, handler: RMPPHandler) {
        var response = RMPPMessage(header: request.header)
        response.header.method = request.header.method.response
        response.header.status = .success
        let answers = handler(request, source, &response)
        var effects: [RMPPEffect] = []
        lock.withLock {
            guard let transfer = transfers[key], transfer.phase == .answering else { return }
            guard answers else {
                linger(transfer)
                lock.signal()
                return
            }
            var header = response.header
            // The response answers this request: same class, version and TID; R bit set.
            header.managementClass = request.header.managementClass
            header.classVersion = request.header.classVersion
            header.transactionID = request.header.transactionID
            if !header.method.isResponse { header.method = request.header.method.response }
            transfer.responseMethod = header.method
            transfer.sender = RMPPSender(layout: transfer.layout, header: header, data: response.data,
                                         initialWindow: transfer.responseWindow)
            transfer.phase = .sending
            transfer.attempts = 0
            transfer.totalDeadline = Self.after(transfer.options.totalTimeoutMilliseconds)
            pump(transfer, into: &effects)
            lock.signal()
        }
        perform(effects)
    }

    /// Fails every transfer with `.closed` and stops the timer thread. Idempotent.
    func close() {
        var effects: [RMPPEffect] = []
        let thread: pthread_t? = lock.withLock {
            if closed { return nil }
            closed = true
            for transfer in Array(transfers.values) { fail(transfer, .closed, into: &effects) }
            transfers.removeAll()
            served.removeAll()
            lock.signal()
            defer { timerThread = nil }
            return timerThread
        }
        perform(effects)
        if let thread { pthread_join(thread, nil) }
    }
}
