import CInfiniBand
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one I/O thread of a ``UmadPort``: poll() on the umad fd and a wake pipe, then
/// umad_recv into receive slots from the pool, handing each MAD (or returned send) to the
/// delegate on this thread.
///
/// libumad2sim (ibsim) replaces poll(): when a umad fd is in the set it waits on that fd
/// alone and ignores the others, so the wake pipe cannot wake it there. The thread therefore
/// also wakes every `pollInterval` ms to look at the stop flag; with the real ib_umad the
/// pipe wakes it at once.
final class UmadIOLoop: Sendable {
    /// 2 ms under libumad2sim (recognised by its exported `sim_client_init`), where only the
    /// interval ends a wait: at 50 ms, closing a port cost every short-lived tool 25 ms on
    /// average. 50 ms with ib_umad, where the interval is a backstop.
    static let pollInterval: Int32 = dlsym(nil, "sim_client_init") != nil ? 2 : 50
    /// Reads per wake-up before looking at the stop flag again.
    static let batch = 64
    /// Largest RMPP message drained after ENOSPC (ib_umad keeps it queued until read whole).
    static let largestDrain = 16 << 20

    let portID: Int32
    let pool: MADBufferPool
    let delegate: any MADPortDelegate
    let wake: WakePipe
    private let stopRequested = Atomic<Bool>(false)
    /// Set when close() ran on this thread: the thread closes the device when it leaves.
    private let closeDeviceOnExit = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)
    /// gettid() of the running thread; 0 until it runs.
    private let runningThreadID = Atomic<Int32>(0)
    var kernelThreadID: Int32? {
        let id = runningThreadID.load(ordering: .acquiring)
        return id == 0 ? nil : id
    }
    let failure = Mutex<PortError?>(nil)

    init(port: UmadPort, delegate: any MADPortDelegate) throws(PortError) {
        portID = port.portID
        pool = port.pool
        self.delegate = delegate
        do { wake = try WakePipe() } catch { throw .system(call: error.call, errno: error.errno) }
    }

    func start() throws(PortError) {
        do {
            let handle = try startThread { self.run() }
            thread.withLock { $0 = handle }
        } catch {
            wake.close()
            throw .system(call: error.call, errno: error.errno)
        }
    }

    /// Asks the thread to leave, waits for it and closes the umad device `closeDevice`.
    /// Called on the I/O thread itself (close() from the delegate), it cannot wait: the
    /// thread closes the device on its way out.
    func stop(closeDevice: Int32?) {
        stopRequested.store(true, ordering: .releasing)
        wake.wake()
        guard let handle = thread.withLock({ $0 }) else {  // never started
            wake.close()
            if let closeDevice { umad_close_port(closeDevice) }
            return
        }
        if pthread_equal(handle, pthread_self()) != 0 {
            closeDeviceOnExit.store(true, ordering: .releasing)
            pthread_detach(handle)
            return
        }
        pthread_join(handle, nil)
        wake.close()
        if let closeDevice { umad_close_port(closeDevice) }
    }

    private var stopping: Bool { stopRequested.load(ordering: .acquiring) }

    private func run() {
        runningThreadID.store(CInfiniBand_gettid(), ordering: .releasing)
        defer { runningThreadID.store(0, ordering: .releasing) }
        var fds = [pollfd(fd: portID, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0)]
        while !stopping {
            fds[0].revents = 0
            fds[1].revents = 0
            // < 0: EINTR, or libumad2sim's spurious wake-up (-1 without errno): look again.
            guard poll(&fds, 2, Self.pollInterval) > 0, !stopping else { continue }
            if fds[0].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                fail(.system(call: "poll on the umad device (device removed?)", errno: EIO))
                break
            }
            if fds[0].revents & Int16(POLLIN) != 0, !drain() { break }
        }
        if closeDeviceOnExit.load(ordering: .acquiring) {
            wake.close()
            umad_close_port(portID)
        }
    }

    private func fail(_ error: PortError) {
        failure.withLock { $0 = error }
        var line = "ibmad: umad I/O thread stopped: \(error)\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Reads what is queued, up to `batch` MADs. False when the thread must stop.
    private func drain() -> Bool {
        for _ in 0..<Self.batch {
            if stopping { return true }
            let slot: MADSlot
            do {
                slot = try pool.tryAcquire(.receive)
            } catch {
                // Backpressure: every receive slot is with the delegate. The kernel keeps
                // queueing (and drops past its limit, as an HCA without receive WQEs would).
                usleep(1000)
                return true
            }
            switch receive(into: slot) {
            case .delivered: continue
            case .empty: return true
            case .fatal(let error):
                fail(error)
                return false
            }
        }
        return true
    }

    private enum Outcome { case delivered, empty, fatal(PortError) }

    private func receive(into slot: consuming MADSlot) -> Outcome {
        let posted = slot.post()
        let buffer = UnsafeRawBufferPointer(posted.buffer)
        guard buffer.count == UmadPort.headroom + MAD.size, pool.checkDeviceBuffer(buffer) else {
            _ = pool.complete(posted.index)
            return .fatal(.poolLayout("receive slot \(posted.index) is not a 320-byte buffer inside the pool"))
        }
        var length = Int32(MAD.size)
        errno = 0
        let agent = umad_recv(portID, posted.buffer.baseAddress!, &length, 0)
        let recvErrno = errno
        guard let owned = pool.complete(posted.index) else {
            return .empty  // the verifier reported it (double completion)
        }
        if agent < 0 {
            switch recvErrno {
            case EAGAIN, EWOULDBLOCK, EINTR: return .empty
            case ENOSPC: return drainOversized(owned)
            default: return .fatal(.system(call: "umad_recv", errno: recvErrno != 0 ? recvErrno : -agent))
            }
        }
        let (status, transactionID, source) = owned.withUnsafeMutableHeadroom { header in
            (UmadHeader.status(header.baseAddress!), Self.transactionID(of: owned), UmadHeader.source(header.baseAddress!))
        }
        let id = AgentID(rawValue: UInt32(agent))
        if status != 0 {
            // A send handed back: no response before its timeout (ETIMEDOUT; ibsim at once
            // for a lost MAD), or another failure. The kernel returns only the MAD header.
            delegate.port(sendFailed: SendFailure(transactionID: transactionID, agent: id, status: Int32(bitPattern: status)))
            return .delivered
        }
        // umad_recv leaves in `length` the bytes read past the ib_user_mad header.
        delegate.port(received: ReceivedMAD(slot: owned, source: source, agent: id, length: Int(length)))
        return .delivered
    }

    /// ib_umad answered ENOSPC: an RMPP message larger than a slot (the agent registered for
    /// RMPP). The kernel copied the header and first segment and keeps the message queued at
    /// the head of the list (user_mad.c `ib_umad_read` requeues it), so the next read gets
    /// it: read it whole into a temporary buffer. A ``UmadRMPPDelegate`` receives it;
    /// otherwise it is dropped and its transaction failed with ENOSPC.
    private func drainOversized(_ slot: consuming MADSlot) -> Outcome {
        let (agent, total, transactionID) = slot.withUnsafeMutableHeadroom { header in
            (UmadHeader.agentID(header.baseAddress!), Int(UmadHeader.length(header.baseAddress!)),
             Self.transactionID(of: slot))
        }
        guard total > UmadPort.headroom + MAD.size, total <= Self.largestDrain else {
            return .fatal(.system(call: "umad_recv: ENOSPC for a \(total)-byte message that cannot be drained", errno: ENOSPC))
        }
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 16)
        defer { scratch.deallocate() }
        var length = Int32(total - UmadPort.headroom)
        guard umad_recv(portID, scratch, &length, 0) >= 0 else {
            return .fatal(.system(call: "umad_recv (draining an oversized RMPP message)", errno: errno))
        }
        if let rmppDelegate = delegate as? any UmadRMPPDelegate {
            // length: bytes read past the ib_user_mad header = data offset + data (get_mad_len).
            let message = UnsafeRawBufferPointer(start: scratch + UmadPort.headroom, count: Int(length))
            let header = try! MAD(decoding: UnsafeRawBufferPointer(rebasing: message[..<MAD.size]))
            let offset = header.dataOffset
            rmppDelegate.port(receivedRMPP: UmadRMPPMessage(
                agent: AgentID(rawValue: agent), source: UmadHeader.source(scratch),
                header: header, data: message.count > offset ? Array(message[offset...]) : []))
            return .delivered
        }
        delegate.port(sendFailed: SendFailure(transactionID: transactionID, agent: AgentID(rawValue: agent), status: ENOSPC))
        return .delivered
    }

    private static func transactionID(of slot: borrowing MADSlot) -> UInt64 {
        slot.withUnsafeMutableMAD { mad in
            mad.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian  // IBA 13.4.3: TID at byte 8
        }
    }
}
