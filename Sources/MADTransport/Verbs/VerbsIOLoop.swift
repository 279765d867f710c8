import CInfiniBand
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one I/O thread of a ``VerbsGSIPort``: poll() on the completion channel's fd and a
/// wake pipe; on a CQ event, ibv_get_cq_event, ibv_ack_cq_events, ibv_req_notify_cq, then
/// ibv_poll_cq until empty (re-arming before the final drain, so a completion that lands in
/// between raises a new event instead of being missed, as ibv_get_cq_event(3) describes).
/// Receive completions are delivered to the delegate and the ring is refilled from the
/// pool; send completions return their slot to the pool.
final class VerbsIOLoop: Sendable {
    /// Work completions read per ibv_poll_cq call.
    static let batch = 32
    /// While the ring is short of receive slots, look for returned slots this often (ms).
    static let refillInterval: Int32 = 1

    let core: VerbsPortCore
    let delegate: any MADPortDelegate
    let wake: WakePipe
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)
    /// Set when close() ran on this thread: the teardown runs as the thread leaves.
    private let exitTeardown = Mutex<(@Sendable () -> Void)?>(nil)
    let failure = Mutex<VerbsPortError?>(nil)

    init(core: VerbsPortCore, delegate: any MADPortDelegate) throws(VerbsPortError) {
        self.core = core
        self.delegate = delegate
        do { wake = try WakePipe() } catch { throw .system(call: error.call, errno: error.errno) }
    }

    func start() throws(VerbsPortError) {
        do {
            let handle = try startThread { self.run() }
            thread.withLock { $0 = handle }
        } catch {
            wake.close()
            throw .system(call: error.call, errno: error.errno)
        }
    }

    /// Asks the thread to leave and waits for it. On the I/O thread itself (close() from
    /// the delegate) it cannot wait: returns true and the thread runs `teardown` on its way out.
    func stop(teardown: @escaping @Sendable () -> Void) -> Bool {
        stopRequested.store(true, ordering: .releasing)
        wake.wake()
        guard let handle = thread.withLock({ $0 }) else {
            wake.close()
            return false
        }
        if pthread_equal(handle, pthread_self()) != 0 {
            exitTeardown.withLock { $0 = teardown }
            pthread_detach(handle)
            return true
        }
        pthread_join(handle, nil)
        wake.close()
        return false
    }

    private var stopping: Bool { stopRequested.load(ordering: .acquiring) }

    private func run() {
        let resources = core.resources
        guard let channel = resources.channel, let cq = resources.completionQueue else { return }
        var fds = [pollfd(fd: channel.pointee.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0)]
        var armed = CInfiniBand_ibv_req_notify_cq(cq, 0) == 0
        if !armed { fail(.system(call: "ibv_req_notify_cq", errno: EIO)) }
        drain(cq)  // anything that completed before the thread started
        while armed && !stopping {
            fds[0].revents = 0
            fds[1].revents = 0
            let short = core.state.withLock { $0.ledger.receiveDeficit } > 0
            let ready = poll(&fds, 2, short ? Self.refillInterval : -1)
            if stopping { break }
            if ready > 0 && fds[0].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                fail(.system(call: "poll on the completion channel (device removed?)", errno: EIO))
                break
            }
            if ready > 0 && fds[0].revents & Int16(POLLIN) != 0 {
                var eventCQ: UnsafeMutablePointer<ibv_cq>?
                var eventContext: UnsafeMutableRawPointer?
                while ibv_get_cq_event(channel, &eventCQ, &eventContext) == 0 {
                    ibv_ack_cq_events(eventCQ, 1)  // at once: ibv_destroy_cq waits for every ack
                }
                if CInfiniBand_ibv_req_notify_cq(cq, 0) != 0 {
                    fail(.system(call: "ibv_req_notify_cq", errno: EIO))
                    armed = false
                }
                drain(cq)
            }
            refill()
        }
        if let teardown = exitTeardown.withLock({ $0 }) {
            wake.close()
            teardown()
        }
    }

    private func fail(_ error: VerbsPortError) {
        failure.withLock { $0 = error }
        var line = "ibmad: verbs I/O thread stopped: \(error)\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Polls the CQ until it is empty.
    private func drain(_ cq: UnsafeMutablePointer<ibv_cq>) {
        var completions = [ibv_wc](repeating: ibv_wc(), count: Self.batch)
        while !stopping {
            let count = completions.withUnsafeMutableBufferPointer {
                CInfiniBand_ibv_poll_cq(cq, Int32(Self.batch), $0.baseAddress!)
            }
            if count < 0 {
                fail(.system(call: "ibv_poll_cq", errno: EIO))
                return
            }
            for position in 0..<Int(count) { handle(completions[position]) }
            if count < Self.batch { return }
        }
    }

    private func handle(_ completion: ibv_wc) {
        let pool = core.pool
        // The work request id is the slot index; on an error completion the opcode is
        // undefined (ibv_poll_cq(3)), so the slot's kind comes from the pool's layout.
        let index = Int(truncatingIfNeeded: completion.wr_id)
        guard (0..<pool.slotCount).contains(index) else {
            _ = pool.complete(index)  // the verifier reports a completion outside the pool
            return
        }
        if pool.layout.kind(of: index) == .send {
            let agent = core.state.withLock { $0.ledger.sendCompleted(index) }
            guard let slot = pool.complete(index) else { return }  // double completion: reported
            if completion.status != IBV_WC_SUCCESS, let agent {
                let tid = slot.withUnsafeMutableMAD { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian }
                delegate.port(sendFailed: SendFailure(transactionID: tid, agent: agent, status: EIO))
            }
            return  // dropping the slot returns it to the pool
        }
        guard core.state.withLock({ $0.ledger.receiveCompleted(index) }) else {
            _ = pool.complete(index)
            return
        }
        guard let slot = pool.complete(index) else { return }
        guard completion.status == IBV_WC_SUCCESS,
              Int(completion.byte_len) >= VerbsGSIPort.receiveHeadroom + MADHeader.byteCount else { return }
        let source = sourceAddress(of: completion, slot: slot)
        let owner: AgentID? = slot.withUnsafeMutableMAD { mad in
            guard let summary = MADSummary(UnsafeRawBufferPointer(mad)) else { return nil }
            let version = mad[2]
            let oui = UInt32(mad[37]) << 16 | UInt32(mad[38]) << 8 | UInt32(mad[39])
            return core.state.withLock { $0.agents.owner(of: summary, version: version, oui: oui) }
        }
        guard let owner else {
            core.state.withLock { $0.unclaimed += 1 }
            return
        }
        // A UD receive's byte_len counts the 40-byte GRH area before the MAD (ibv_poll_cq(3)).
        delegate.port(received: ReceivedMAD(slot: slot, source: source, agent: owner,
                                            length: Int(completion.byte_len) - VerbsGSIPort.receiveHeadroom))
    }

    /// Where the MAD came from, for the reply: the sender's QP with our Q_Key (it reached
    /// us, so it used it), LID and SL, and on RoCE (or with a GRH) its GID. Replies go out
    /// with hop limit 255, as the kernel's ib_create_ah_from_wc does.
    private func sourceAddress(of completion: ibv_wc, slot: borrowing MADSlot) -> MADAddress {
        var route: GlobalRoute?
        if completion.wc_flags & UInt32(IBV_WC_GRH.rawValue) != 0 {
            let parsed = slot.withUnsafeMutableHeadroom { VerbsReceivedHeader.parse(UnsafeRawBufferPointer($0)) }
            if let parsed {
                route = GlobalRoute(destinationGID: parsed.sourceGID, flowLabel: parsed.flowLabel, hopLimit: 255,
                                    trafficClass: parsed.trafficClass, sourceGIDIndex: UInt8(core.info.gidIndex))
            }
        }
        return MADAddress(lid: completion.slid, queuePair: completion.src_qp, queueKey: VerbsGSIPort.queueKey,
                          serviceLevel: completion.sl, pKeyIndex: completion.pkey_index, globalRoute: route)
    }

    /// Tops the receive ring up from the pool; short when the pool has no free receive slot.
    private func refill() {
        let deficit = core.state.withLock { $0.closed ? 0 : $0.ledger.receiveDeficit }
        for _ in 0..<deficit {
            guard let slot = try? core.pool.tryAcquire(.receive) else { return }
            do {
                try core.postReceive(slot)
            } catch {
                if error != .closed { fail(error) }
                return
            }
        }
    }
}
