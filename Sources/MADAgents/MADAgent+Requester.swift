public import MADTransport
public import MADWire

extension MADAgent {
    /// Sends `mad` (a request: Get, Set, ...) to `destination` and returns its response.
    /// Its TID is assigned here. Waits while the window is full. Retries on timeout, resends
    /// after a busy status with backoff; directed-route responses are validated against the
    /// request (IBA 14.2.2) before they are returned.
    public func request(_ mad: MAD, to destination: MADAddress, options: RequestOptions? = nil) async throws -> MAD {
        try await exchange(mad, to: destination, options: options).mad
    }

    /// `request`, also telling how many bytes of the response arrived.
    public func exchange(_ mad: MAD, to destination: MADAddress, options: RequestOptions? = nil) async throws -> ReceivedResponse {
        let options = options ?? configuration.defaultOptions
        let index = await acquireEntry()
        guard index >= 0 else { throw MADAgentError.closed }
        if Task.isCancelled {
            recycle(index)
            throw MADAgentError.cancelled
        }
        // The entry is ours until it is finished: the sequence `arm` will give it is known.
        let sequence = lock.withLock { table.nextSequence(index) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                start(index, request: mad, to: destination, options: options, completion: .single(ResponseWaiter(continuation)))
            }
        } onCancel: {
            cancel(index, sequence: sequence)
        }
    }

    /// Ends request `sequence` with `.cancelled` if it is still outstanding in entry `index`
    /// (a cancellation that comes before the send is armed is not seen: the request then
    /// ends by its response or timeout).
    func cancel(_ index: Int, sequence: UInt32) {
        let delivery = lock.withLock { () -> Delivery? in
            guard table.entries[index].armed, table.entries[index].sequence == sequence else { return nil }
            return table.finish(index, failure: .cancelled)
        }
        if let delivery { deliver(delivery) }
    }

    /// A free window entry, waiting for one (FIFO) when all are outstanding; -1 when closed.
    func acquireEntry() async -> Int {
        let immediate: Int? = lock.withLock {
            if table.closed { return -1 }
            return table.free.popFirst()
        }
        if let immediate { return immediate }
        return await withCheckedContinuation { continuation in
            let resumeWith: Int? = lock.withLock {
                if table.closed { return -1 }
                if let index = table.free.popFirst() { return index }
                table.statistics.windowWaits += 1
                table.waiters.append(EntryWaiter(continuation))
                return nil
            }
            if let resumeWith { continuation.resume(returning: resumeWith) }
        }
    }

    /// Arms the reserved entry `index` and sends its first attempt.
    func start(_ index: Int, request: MAD, to destination: MADAddress, options: RequestOptions, completion: Completion) {
        launch(index, lock.withLock {
            armForSending(index, request: request, to: destination, options: options, completion: completion)
        })
    }

    /// Sends armed entry `index`, or delivers `failure` when its request could not go out.
    func launch(_ index: Int, _ failure: Delivery?) {
        if let failure { deliver(failure) } else { transmit(index) }
    }

    /// Arms entry `index` and its deadline (lock held); what to deliver instead when the
    /// request cannot go out. The caller then transmits it.
    func armForSending(_ index: Int, request: MAD, to destination: MADAddress, options: RequestOptions,
                       completion: Completion) -> Delivery? {
        table.entries[index].request = request
        return armStoredForSending(index, to: destination, options: options, completion: completion)
    }

    /// `armForSending` for a request already stored in entry `index` (lock held).
    func armStoredForSending(_ index: Int, to destination: MADAddress, options: RequestOptions,
                             completion: Completion) -> Delivery? {
        if table.closed {
            table.arm(index, to: destination, agent: AgentID(rawValue: 0), options: options, completion: completion)
            table.entries[index].sending = false
            return table.finish(index, failure: .closed)
        }
        let agent: AgentID
        do {
            agent = try requestAgent(for: table.entries[index].request)
        } catch {
            table.arm(index, to: destination, agent: AgentID(rawValue: 0), options: options, completion: completion)
            table.entries[index].sending = false
            return table.finish(index, failure: .transport(
                "cannot register an agent for \(table.entries[index].request.managementClass): \(error)"))
        }
        table.arm(index, to: destination, agent: agent, options: options, completion: completion)
        if table.schedule(index, at: attemptDeadline(options)) { lock.signal() }
        return nil
    }

    /// When the current attempt is given up. Through a transport that matches responses
    /// the kernel reports the timeout (ETIMEDOUT); our deadline is only a backstop.
    func attemptDeadline(_ options: RequestOptions) -> UInt64 {
        let milliseconds = port.matchesResponsesInTransport ? options.timeoutMilliseconds * 2 + 100 : options.timeoutMilliseconds
        return monotonicNanoseconds() + UInt64(milliseconds) * 1_000_000
    }

    /// Sends entry `index`'s request (its `sending` flag is set). Loops while the timer
    /// asked for a resend during the send; recycles the entry when a response finished it
    /// before the send returned (as the kernel's mad.c does for early responses).
    func transmit(_ index: Int) {
        let matching = port.matchesResponsesInTransport
        while true {
            var exhausted = false
            var failure: String? = nil
            do {
                let slot = try port.pool.tryAcquire(.send)
                // The request goes from its window entry straight into the slot: no copy of
                // the entry (or of its 256-byte MAD) on the way.
                lock.lock()
                slot.store(table.entries[index].request)
                let destination = table.entries[index].destination
                let agent = table.entries[index].agent
                let timeout = matching ? table.entries[index].options.timeoutMilliseconds : 0
                table.entries[index].attemptStarted = monotonicNanoseconds()
                lock.unlock()
                try port.send(slot, to: destination, agent: agent, timeoutMilliseconds: timeout)
            } catch let error as PoolError {
                if case .exhausted = error { exhausted = true } else { failure = "\(error)" }
            } catch {
                failure = "\(error)"
            }
            var action: AgentAction? = nil
            let again: Bool = lock.withLock {
                table.entries[index].sending = false
                if failure == nil && !exhausted { table.statistics.sent += 1 }
                if table.entries[index].finishedWhileSending {
                    table.entries[index].finishedWhileSending = false
                    action = .deliver(Delivery(completion: .none, failure: nil, freedEntry: index))
                    return false
                }
                if let failure {
                    let name = MADAgentError.name(table.entries[index].destination)
                    action = .deliver(table.finish(index, failure: .transport("send to \(name) failed: \(failure)")))
                    return false
                }
                if exhausted {
                    // Every send slot is posted: try again shortly, without spending an attempt.
                    table.entries[index].deadlineResends = true
                    if table.schedule(index, at: monotonicNanoseconds() + 1_000_000) { lock.signal() }
                    return false
                }
                if table.entries[index].resendAfterSend {
                    table.entries[index].resendAfterSend = false
                    table.entries[index].sending = true
                    return true
                }
                return false
            }
            if let action { perform(action) }
            if !again { return }
        }
    }

    /// The live deadline of entry `index` passed, or the transport reported its attempt
    /// timed out (lock held).
    func expire(_ index: Int, quickLoss: Bool = false) -> AgentAction? {
        if table.entries[index].deadlineResends {
            table.entries[index].deadlineResends = false
        } else if quickLoss, table.entries[index].quickRetries < table.entries[index].options.quickRetries {
            // Handed back long before its timeout (ibsim reports a lost MAD at once): a
            // resend costs one round trip, not a timeout, so it spends a quick retry.
            table.entries[index].quickRetries += 1
            table.statistics.retries += 1
            table.statistics.quickRetries += 1
        } else if table.entries[index].attempts <= table.entries[index].options.retries {
            table.entries[index].attempts += 1
            table.statistics.retries += 1
        } else {
            table.statistics.timeouts += 1
            let request = table.entries[index].request
            return .deliver(table.finish(index, failure: .timeout(
                destination: table.entries[index].destination, managementClass: request.managementClass,
                attribute: request.attributeID, modifier: request.attributeModifier,
                attempts: table.entries[index].attempts + table.entries[index].quickRetries)))
        }
        if table.schedule(index, at: attemptDeadline(table.entries[index].options)) { lock.signal() }
        if table.entries[index].sending {
            table.entries[index].resendAfterSend = true
            return nil
        }
        table.entries[index].sending = true
        return .resend(index)
    }

    func handleResponse(_ response: MAD, length: Int = MAD.size) {
        let tid = TransactionID(rawValue: response.transactionID)
        let delivery = lock.withLock { () -> Delivery? in
            guard let index = table.match(tid.sequence, managementClass: response.managementClass) else { return nil }
            if table.entries[index].sending { table.statistics.responsesBeforeSendCompletion += 1 }
            var status = response.status
            if response.managementClass == .subnetDirectedRoute {
                // ib_umad rewrote the TID's high half on the way out; `match` compared the
                // low half, ours. The status comes back without the D bit (IBA 14.2.1.2).
                do throws(MADWireError) {
                    status = try DirectedRouteSMP.validate(response, answering: table.entries[index].request,
                                                           checksTransactionID: false)
                } catch {
                    return table.finish(index, failure: .invalidDirectedRouteResponse(error, destination: table.entries[index].destination))
                }
            }
            let options = table.entries[index].options
            if status.isBusy {
                let busyRetries = table.entries[index].busyRetries
                guard busyRetries < options.busyRetries else {
                    return table.finish(index, failure: .busy(destination: table.entries[index].destination,
                                                              attribute: table.entries[index].request.attributeID, attempts: busyRetries))
                }
                // Busy (IBA 13.4.7): resend after a backoff that doubles, capped at the timeout.
                let backoff = min(options.busyBackoffMilliseconds << busyRetries, options.timeoutMilliseconds)
                table.entries[index].busyRetries += 1
                table.entries[index].deadlineResends = true
                table.statistics.busyRetries += 1
                if table.schedule(index, at: monotonicNanoseconds() + UInt64(backoff) * 1_000_000) { lock.signal() }
                return nil
            }
            if options.throwsOnErrorStatus && !status.isSuccess {
                return table.finish(index, failure: .status(status, destination: table.entries[index].destination,
                                                            attribute: table.entries[index].request.attributeID, response: response))
            }
            var delivery = table.finish(index, failure: nil)
            delivery.receivedLength = length
            return delivery
        }
        guard let delivery else { return }
        if delivery.failure == nil { deliver(delivery, response: response) } else { deliver(delivery) }
    }

    func perform(_ action: AgentAction) {
        switch action {
        case .resend(let index): transmit(index)
        case .deliver(let delivery): deliver(delivery)
        }
    }

    /// Hands a failure to whoever waits for it (nothing for `.none`), then recycles the entry.
    func deliver(_ delivery: Delivery) {
        if let failure = delivery.failure {
            switch delivery.completion {
            case .none: break
            case .single(let waiter): waiter.continuation.resume(throwing: failure)
            case .sweep(let run, let tag): run.complete(tag, .failure(failure), agent: self)
            }
        }
        if let index = delivery.freedEntry { recycle(index) }
    }

    /// Hands `response`, which answered the delivery's request, to whoever waits for it,
    /// then recycles the entry. The outcome is built here, once, from the received MAD.
    func deliver(_ delivery: Delivery, response: borrowing MAD) {
        switch delivery.completion {
        case .none: break
        case .single(let waiter):
            waiter.continuation.resume(returning: ReceivedResponse(mad: copy response, length: delivery.receivedLength))
        case .sweep(let run, let tag):
            run.complete(tag, .response(copy response), agent: self)
        }
        if let index = delivery.freedEntry { recycle(index) }
    }

    /// Gives a finished entry to the first waiting caller, else to a sweep that has more
    /// to send, else back to the free list.
    func recycle(_ index: Int) {
        lock.lock()
        if !table.closed {
            if let waiter = table.waiters.popFirst() {
                lock.unlock()
                waiter.continuation.resume(returning: index)
                return
            }
            for run in table.sweeps {
                // Armed here, under the lock already held: the feed writes the request
                // into the entry.
                guard let entry = run.armNext(entry: index, agent: self) else { continue }
                lock.unlock()
                launch(entry.index, entry.failure)
                return
            }
        }
        table.free.append(index)
        lock.unlock()
    }

    /// The one timer thread: pops due deadlines, skips stale ones, and acts outside the lock.
    func runTimer() {
        lock.lock()
        while !table.closed {
            let now = monotonicNanoseconds()
            while let first = table.deadlines.min, first.time <= now {
                _ = table.deadlines.popMin()
                guard table.isLive(first) else { continue }
                if !table.entries[Int(first.entry)].deadlineResends { table.statistics.deadlineExpiries += 1 }
                if let action = expire(Int(first.entry)) { table.actions.append(action) }
            }
            if !table.actions.isEmpty {
                let count = table.actions.count
                for position in 0..<count {
                    let action = table.actions[position]
                    lock.unlock()
                    perform(action)
                    lock.lock()
                }
                table.actions.removeAll(keepingCapacity: true)
                continue
            }
            lock.wait(until: table.deadlines.min?.time)
        }
        lock.unlock()
    }
}
