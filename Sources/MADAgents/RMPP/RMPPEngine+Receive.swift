import MADTransport
import MADWire

extension RMPPEngine {
    /// Takes `mad` if it belongs to RMPP: a response (by its R bit) to one of our RMPP
    /// requests, or a request-direction MAD of a transfer we serve or of a class+method an
    /// RMPP handler serves. Everything else goes on to the plain requester and responders.
    /// Request-direction MADs reach the responder side and response-direction MADs the
    /// requester side, because every ACK, STOP and ABORT flips the R bit of what it answers
    /// (mad_rmpp.c `format_ack`, `nack_recv`).
    func intercept(_ mad: MAD, from source: MADAddress) -> Bool {
        guard let layout = RMPPLayout(mad.managementClass) else { return false }
        var effects: [RMPPEffect] = []
        let taken: Bool
        if mad.method.isResponse {
            taken = lock.withLock {
                guard let transfer = transfers[.requester(mad.managementClass, mad.transactionID)] else { return false }
                requesterReceived(mad, transfer, into: &effects)
                return true
            }
        } else {
            let key = RMPPKey.responder(mad.managementClass, mad.transactionID, source)
            enum Found { case transfer, servedClass, nothing }
            let found = lock.withLock { () -> Found in
                guard let transfer = transfers[key] else {
                    return served[MADAgent.ClassKey(of: mad)] == nil ? .nothing : .servedClass
                }
                if !mad.rmppFlags.contains(.active) && transfer.phase == .finished {
                    // A plain request asked again after we answered: the answer was lost
                    // (the requester retried; answer it again).
                    transfers[key] = nil
                    return .servedClass
                }
                responderReceived(mad, transfer, into: &effects)
                return .transfer
            }
            switch found {
            case .transfer:
                taken = true
            case .nothing:
                taken = false  // no RMPP handler for this class: the plain responders' MAD
            case .servedClass:
                // Look the port agent up before taking our lock (the agent's lock comes first).
                let agent = owner.map { owner in
                    owner.lock.withLock {
                        owner.responders.agents[MADAgent.ClassKey(of: mad)]?.agent
                    }
                } ?? nil
                taken = lock.withLock {
                    newInbound(mad, key: key, layout: layout, from: source, agent: agent, into: &effects)
                }
            }
        }
        perform(effects)
        return taken
    }

    /// Checks what every Active RMPP packet must satisfy (mad_rmpp.c
    /// `ib_process_rmpp_recv_wc`): version 1 (else ABORT 125) and a known type (else 121).
    private func checkHeader(_ mad: MAD, _ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) -> Bool {
        var status: RMPPStatus? = nil
        if mad.rmppVersion != RMPPLayout.version {
            status = .unsupportedVersion
        } else if !(1...4).contains(mad.rmppType.rawValue) {
            status = .badRMPPType
        }
        guard let status else { return true }
        control(transfer, .abort, status: status, about: mad, method: mad.method.flippingResponseBit, into: &effects)
        fail(transfer, .aborted(status, reason: "the peer sent RMPP version \(mad.rmppVersion) type \(mad.rmppType.rawValue)"),
             into: &effects)
        return false
    }

    /// A response-direction MAD of one of our requests (lock held).
    func requesterReceived(_ mad: MAD, _ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) {
        guard mad.rmppFlags.contains(.active) else {
            // A plain (non-RMPP) response: the whole answer is this one MAD.
            guard transfer.phase == .sending || transfer.phase == .awaitingResponse else { return }
            let data = mad.withUnsafeBytes { Array($0[transfer.layout.dataOffset...]) }
            complete(transfer, RMPPMessage(header: mad, data: data), into: &effects)
            return
        }
        guard checkHeader(mad, transfer, into: &effects) else { return }
        switch mad.rmppType {
        case .ack:
            statistics.acksReceived += 1
            if transfer.phase == .sending {
                senderReceivedAck(mad, transfer, into: &effects)
            } else if transfer.phase == .awaitingResponse || transfer.phase == .receiving,
                      Int(mad.rmppData1) == transfer.sender?.count {
                // The final ACK again: our switch-direction ACK was lost (`ack_ds_ack`).
                switchDirection(transfer, about: mad, into: &effects)
            }
        case .data:
            statistics.segmentsReceived += 1
            if transfer.phase == .sending || transfer.phase == .awaitingResponse {
                // The response began: every request segment arrived (a peer may skip the
                // final ACK's wait). The requester's total timer keeps running.
                transfer.phase = .receiving
                transfer.responseMethod = mad.method
                transfer.receiver = RMPPReceiver(layout: transfer.layout, window: transfer.options.window,
                                                 limit: transfer.options.maximumMessageBytes)
                transfer.deadline = .max
            }
            receiverReceived(mad, transfer, into: &effects)
        case .stop, .abort:
            peerEnded(mad, transfer, into: &effects)
        default:
            break
        }
    }

    /// A request-direction MAD of a transfer we serve (lock held).
    func responderReceived(_ mad: MAD, _ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) {
        guard mad.rmppFlags.contains(.active) else { return }  // a repeated plain request
        guard checkHeader(mad, transfer, into: &effects) else { return }
        switch mad.rmppType {
        case .data:
            statistics.segmentsReceived += 1
            if transfer.receiver != nil { receiverReceived(mad, transfer, into: &effects) }
        case .ack:
            statistics.acksReceived += 1
            if mad.rmppData1 == 0 {
                // The requester's switch-direction ACK: the response's first window.
                if transfer.phase == .answering { transfer.responseWindow = max(1, Int(mad.rmppData2)) }
            } else if transfer.phase == .sending {
                senderReceivedAck(mad, transfer, into: &effects)
            }
        case .stop, .abort:
            peerEnded(mad, transfer, into: &effects)
        default:
            break
        }
    }

    /// A request-direction MAD that no transfer claims: a new served request, or nothing of
    /// ours (lock held).
    func newInbound(_ mad: MAD, key: RMPPKey, layout: RMPPLayout, from source: MADAddress, agent: AgentID?,
                    into effects: inout [RMPPEffect]) -> Bool {
        if closed { return false }
        guard let served = served[MADAgent.ClassKey(of: mad)],
              let agent else { return false }
        let active = mad.rmppFlags.contains(.active)
        // New work only in the methods served; ACK/STOP/ABORT flip the R bit, so theirs vary.
        guard served.methods.contains(mad.method) || (active && mad.rmppType != .data) else { return false }
        var peer = source
        if peer.queuePair == 1 { peer.queueKey = MADAddress.gsiQueueKey }
        let transfer = RMPPTransfer(key: key, layout: layout, options: served.options, phase: .receiving,
                                    peer: peer, agent: agent, request: mad)
        transfer.handler = served.handler
        guard active else {
            // A plain single-MAD request: it is the whole message.
            statistics.segmentsReceived += 1
            let data = mad.withUnsafeBytes { Array($0[layout.dataOffset...]) }
            transfers[key] = transfer
            startTimerIfNeeded()
            transfer.phase = .answering
            effects.append(.answer(key, RMPPMessage(header: mad, data: data), peer, served.handler))
            return true
        }
        // A bad version or type is answered even with nothing begun (`nack_recv`).
        guard checkHeader(mad, transfer, into: &effects) else { return true }
        // An ACK, STOP or ABORT of a transfer already gone, or a segment other than the
        // first with nothing begun: dropped, as mad_rmpp.c `continue_rmpp` drops it.
        guard mad.rmppType == .data, mad.rmppData1 == 1 || mad.rmppFlags.contains(.first) else { return true }
        statistics.segmentsReceived += 1
        let inbound = transfers.values.count(where: { !$0.key.requester && $0.phase == .receiving })
        if inbound >= served.options.maximumInboundTransfers {
            control(transfer, .stop, status: .resourcesExhausted, about: mad, method: mad.method.flippingResponseBit,
                    into: &effects)
            return true
        }
        transfer.receiver = RMPPReceiver(layout: layout, window: served.options.window,
                                         limit: served.options.maximumMessageBytes)
        setDeadline(transfer, .max, total: Self.after(served.options.totalTimeoutMilliseconds))
        transfers[key] = transfer
        startTimerIfNeeded()
        receiverReceived(mad, transfer, into: &effects)
        return true
    }

    /// One DATA segment for `transfer`'s receiver (lock held).
    func receiverReceived(_ mad: MAD, _ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) {
        guard var receiver = transfer.receiver else { return }
        // Out of the transfer while it grows, so its data buffer is uniquely referenced and
        // appends in place (a second reference would copy the whole buffer per segment).
        transfer.receiver = nil
        let outcome = receiver.receive(mad)
        transfer.receiver = receiver
        let ackMethod = mad.method.flippingResponseBit
        switch outcome {
        case .accepted:
            break
        case .ack(let segment, let newWindowLast, let completed):
            control(transfer, .ack, segment: segment, newWindowLast: newWindowLast, about: mad, method: ackMethod, into: &effects)
            if completed {
                // The data leaves with the message; a lingering transfer keeps only counters.
                let message = receiver.takeMessage()
                transfer.receiver = receiver
                complete(transfer, message, into: &effects)
            }
        case .duplicate(let segment, let newWindowLast):
            statistics.duplicateSegments += 1
            control(transfer, .ack, segment: segment, newWindowLast: newWindowLast, about: mad, method: ackMethod, into: &effects)
        case .outOfOrder(let segment, let newWindowLast):
            statistics.outOfOrderSegments += 1
            control(transfer, .ack, segment: segment, newWindowLast: newWindowLast, about: mad, method: ackMethod, into: &effects)
        case .dropped:
            statistics.beyondWindowSegments += 1
        case .abort(let status):
            control(transfer, .abort, status: status, about: mad, method: ackMethod, into: &effects)
            fail(transfer, .aborted(status, reason: "segment \(mad.rmppData1) from \(MADAgentError.name(transfer.peer)) was inconsistent"),
                 into: &effects)
        case .stop:
            control(transfer, .stop, status: .resourcesExhausted, about: mad, method: ackMethod, into: &effects)
            fail(transfer, .tooLarge(limit: transfer.options.maximumMessageBytes), into: &effects)
        }
    }

    /// An ACK for `transfer`'s sender (lock held).
    func senderReceivedAck(_ mad: MAD, _ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) {
        guard var sender = transfer.sender else { return }
        if mad.rmppStatus != 0 {
            // An ACK carries status 0 (mad_rmpp.c `process_rmpp_ack`: else ABORT 124).
            control(transfer, .abort, status: .illegalStatus, about: mad, method: mad.method.flippingResponseBit, into: &effects)
            fail(transfer, .aborted(.illegalStatus, reason: "the peer's ACK carried status \(mad.rmppStatus)"), into: &effects)
            return
        }
        let outcome = sender.receiveAck(segment: mad.rmppData1, newWindowLast: mad.rmppData2)
        transfer.sender = sender
        switch outcome {
        case .ignored:
            break
        case .advanced:
            transfer.attempts = 0  // progress resets the retries (`adjust_last_ack`)
            pump(transfer, into: &effects)
        case .completed:
            transfer.attempts = 0
            if transfer.key.requester {
                switchDirection(transfer, about: mad, into: &effects)
            } else {
                statistics.transfersCompleted += 1
                linger(transfer)
            }
        case .abort(let status):
            control(transfer, .abort, status: status, about: mad, method: mad.method.flippingResponseBit, into: &effects)
            fail(transfer, .aborted(status, reason: "the peer ACKed segment \(mad.rmppData1) with NewWindowLast \(mad.rmppData2) "
                                    + "(\(sender.count) segments, window ended at \(sender.windowLast))"), into: &effects)
        }
    }

    /// Requester: the request is all ACKed. Sends the switch-direction ACK (SegmentNumber
    /// 0, NewWindowLast 1, in the request's direction; IBA 13.6.2.2, mad_rmpp.c
    /// `ack_ds_ack`) and waits for the response (lock held).
    func switchDirection(_ transfer: RMPPTransfer, about mad: MAD, into effects: inout [RMPPEffect]) {
        control(transfer, .ack, segment: 0, newWindowLast: 1, about: mad, method: transfer.request.method, into: &effects)
        if transfer.phase == .sending {
            transfer.phase = .awaitingResponse
            setDeadline(transfer, Self.after(transfer.options.responseTimeoutMilliseconds))
        }
    }

    /// The peer sent STOP or ABORT (lock held). mad_rmpp.c `process_rmpp_stop`/`_abort`:
    /// STOP must carry 1 and ABORT 118–127, else we answer ABORT 124.
    func peerEnded(_ mad: MAD, _ transfer: RMPPTransfer, into effects: inout [RMPPEffect]) {
        let status = RMPPStatus(rawValue: mad.rmppStatus)
        let isStop = mad.rmppType == .stop
        if isStop { statistics.stopsReceived += 1 } else { statistics.abortsReceived += 1 }
        guard transfer.phase != .finished else { return }
        if isStop ? status != .resourcesExhausted : !status.isAbortStatus {
            control(transfer, .abort, status: .illegalStatus, about: mad, method: mad.method.flippingResponseBit, into: &effects)
            fail(transfer, .aborted(.illegalStatus, reason: "the peer's \(isStop ? "STOP" : "ABORT") carried status \(status)"),
                 into: &effects)
            return
        }
        fail(transfer, isStop ? .stoppedByPeer(status) : .abortedByPeer(status), into: &effects)
    }

    /// A whole message arrived: the response to our request, or a request to answer.
    func complete(_ transfer: RMPPTransfer, _ message: RMPPMessage, into effects: inout [RMPPEffect]) {
        if transfer.key.requester {
            statistics.transfersCompleted += 1
            if let continuation = transfer.continuation {
                transfer.continuation = nil
                effects.append(.resume(continuation, .success(message)))
            }
            linger(transfer)
        } else if let handler = transfer.handler {
            statistics.transfersCompleted += 1
            transfer.phase = .answering
            transfer.totalDeadline = .max
            transfer.deadline = .max
            effects.append(.answer(transfer.key, message, transfer.peer, handler))
        }
    }
}
