import CInfiniBand
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A MAD port on its own UD QP over libibverbs, in the GSI's role: it holds the GSI
/// Q_Key 0x80010000, sends to remote QP1s, and receives what their ib_mad answers (the
/// kernel replies to the requester's QP number with the QP's own Q_Key, agent_send_response
/// in mad.c). No kernel matches responses here: `matchesResponsesInTransport` is false
/// and the requester (MADAgent) owns TIDs, deadlines and retries (DESIGN.md).
///
/// The common buffer: the pool's whole region is registered ONCE as this port's memory
/// region (local write) when the port opens. Every send and receive is a work request
/// whose one SGE points into that region with the MR's lkey; nothing is registered,
/// mapped or copied per MAD. Receive slots hold the 40-byte GRH area then the MAD (a UD
/// receive always starts with 40 bytes, IBA 11.4.1.1); send slots post their 256 bytes.
///
/// Verifier mode (IBMAD_VERIFY=1): `MADSlot.post()` hands back the slot's bounce copy,
/// which the pool places in the same region after the slots, between guard zones. So the
/// device still sees only addresses inside the one registered MR (nothing new to register,
/// and checkDeviceBuffer confirms it before every post), while the owner's slot is
/// checksummed at post and at completion, the guards are checked at completion, and a
/// receive is copied from the bounce buffer into the owner's slot only then.
///
/// QP0 is not reachable through verbs: SMP classes are refused at registration (use
/// ``UmadPort``). RoCE has no LIDs: every destination needs a global route (GID).
public final class VerbsGSIPort: MADPort {
    public let pool: MADBufferPool
    public let info: VerbsPortInfo
    public var deviceName: String { info.deviceName }
    public var portNumber: Int { info.portNumber }
    public var localLID: UInt16 { info.lid }
    /// This port's QP number: where responses to its requests come back.
    public let queuePairNumber: UInt32
    public var matchesResponsesInTransport: Bool { false }

    /// The GSI's Q_Key, which our QP must hold to receive what ib_mad sends back.
    public static let queueKey = MADAddress.gsiQueueKey
    /// Bytes in front of each received MAD: the GRH (or RoCE v2's IPv4 header) area.
    public static let receiveHeadroom = Int(CInfiniBand_GRH_SIZE)

    /// What the I/O thread shares with the port (it holds the core, not the port, so a
    /// port nobody closes is still deinitialized, and deinit closes it).
    let core: VerbsPortCore
    var resources: VerbsResources { core.resources }

    /// A pool laid out for a UD QP: no send headroom, the GRH area before each receive.
    public static func makePool(sendSlots: Int = 128, receiveSlots: Int = 128,
                                verify: Bool = MADBufferPool.verifyFromEnvironment) throws(PoolError) -> MADBufferPool {
        try MADBufferPool(.init(sendSlots: sendSlots, receiveSlots: receiveSlots, sendHeadroom: 0,
                                receiveHeadroom: receiveHeadroom, verify: verify))
    }

    /// Opens `deviceName` (nil: the first device) port `portNumber`, sending from GID index
    /// `gidIndex` (RoCE: 0 is usually the IPv6 link-local GID, 1 the IPv4-mapped one).
    /// `pool` needs a receive headroom of 40; nil creates one with ``makePool``.
    public init(deviceName: String? = nil, portNumber: Int = 1, gidIndex: Int = 0,
                pool: MADBufferPool? = nil) throws(VerbsPortError) {
        if let pool {
            guard pool.configuration.receiveHeadroom == Self.receiveHeadroom else {
                throw .poolLayout("receive headroom is \(pool.configuration.receiveHeadroom) bytes")
            }
            guard pool.configuration.sendSlots > 0, pool.configuration.receiveSlots > 0 else {
                throw .poolLayout("it needs send and receive slots")
            }
            self.pool = pool
        } else {
            do { self.pool = try Self.makePool() } catch { throw .poolLayout(error.description) }
        }
        // Registered pages must not be shared copy-on-write with a child (DESIGN.md); the
        // pool also marks its region MADV_DONTFORK. Kernels >= 5.13 need neither.
        if ibv_is_fork_initialized() == IBV_FORK_DISABLED { _ = ibv_fork_init() }

        let resources = VerbsResources()
        let (context, name) = try VerbsDevice.open(deviceName)
        resources.context = context
        let info = try VerbsDevice.describe(context, name: name, port: portNumber, gidIndex: gidIndex)
        self.info = info

        var deviceAttributes = ibv_device_attr()
        _ = ibv_query_device(context, &deviceAttributes)
        let maxWR = Int(max(1, deviceAttributes.max_qp_wr))
        let sendDepth = min(self.pool.configuration.sendSlots, maxWR)
        let receiveDepth = min(self.pool.configuration.receiveSlots, maxWR)

        errno = 0
        guard let pd = ibv_alloc_pd(context) else { throw .system(call: "ibv_alloc_pd(\(name))", errno: errno) }
        resources.protectionDomain = pd
        // The one registration: the whole region, slots and (verifier) bounce buffers.
        errno = 0
        guard let mr = CInfiniBand_ibv_reg_mr(pd, self.pool.region.baseAddress!, self.pool.region.count,
                                               Int32(IBV_ACCESS_LOCAL_WRITE.rawValue)) else {
            throw .system(call: "ibv_reg_mr(\(self.pool.region.count) bytes)", errno: errno)
        }
        resources.memoryRegion = mr
        errno = 0
        guard let channel = ibv_create_comp_channel(context) else {
            throw .system(call: "ibv_create_comp_channel", errno: errno)
        }
        resources.channel = channel
        let flags = fcntl(channel.pointee.fd, F_GETFL)
        _ = fcntl(channel.pointee.fd, F_SETFL, flags | O_NONBLOCK)  // drained until EAGAIN
        let cqDepth = Int32(min(sendDepth + receiveDepth, Int(max(1, deviceAttributes.max_cqe))))
        errno = 0
        guard let cq = ibv_create_cq(context, cqDepth, nil, channel, 0) else {
            throw .system(call: "ibv_create_cq(\(cqDepth) entries)", errno: errno)
        }
        resources.completionQueue = cq

        var qpAttributes = ibv_qp_init_attr()
        qpAttributes.send_cq = cq
        qpAttributes.recv_cq = cq
        qpAttributes.qp_type = IBV_QPT_UD
        qpAttributes.sq_sig_all = 1
        qpAttributes.cap.max_send_wr = UInt32(sendDepth)
        qpAttributes.cap.max_recv_wr = UInt32(receiveDepth)
        qpAttributes.cap.max_send_sge = 1
        qpAttributes.cap.max_recv_sge = 1
        errno = 0
        guard let qp = ibv_create_qp(pd, &qpAttributes) else {
            throw .system(call: "ibv_create_qp(UD, \(sendDepth) send and \(receiveDepth) receive WRs)", errno: errno)
        }
        resources.queuePair = qp
        queuePairNumber = qp.pointee.qp_num
        core = VerbsPortCore(pool: self.pool, info: info, resources: resources, lkey: mr.pointee.lkey,
                             receiveTarget: receiveDepth)

        var failedState = IBV_QPS_RESET
        let modified = CInfiniBand_ibv_modify_qp_ud_to_rts(qp, UInt8(portNumber), 0, Self.queueKey, &failedState)
        if modified != 0 {
            let stateName = failedState == IBV_QPS_INIT ? "INIT" : failedState == IBV_QPS_RTR ? "RTR" : "RTS"
            throw VerbsPortError.modifyQueuePair(errno: Int32(modified), toState: stateName, device: name,
                                                 queueKey: Self.queueKey)
        }
        // The receive ring, posted before anything can arrive for us.
        for _ in 0..<receiveDepth {
            guard let slot = try? self.pool.tryAcquire(.receive) else { break }
            try core.postReceive(slot)
        }
    }

    deinit { close() }

    // MARK: Agents

    public func register(_ registration: AgentRegistration) throws -> AgentID {
        try registerAgent(registration)
    }

    /// Adds an agent. SMP classes (0x01, 0x81) are refused: QP0 is not reachable through verbs.
    public func registerAgent(_ registration: AgentRegistration) throws(VerbsPortError) -> AgentID {
        try core.state.withLock { state throws(VerbsPortError) -> AgentID in
            if state.closed { throw .closed }
            return try state.agents.register(registration)
        }
    }

    public func unregister(_ agent: AgentID) {
        core.state.withLock { _ = $0.agents.unregister(agent) }
    }

    /// Received MADs that no registered agent took.
    public var unclaimedCount: Int { core.state.withLock { $0.unclaimed } }

    /// Slots posted to the QP right now: receives of the ring and sends in flight.
    public var postedCounts: (receives: Int, sends: Int) {
        core.state.withLock { ($0.ledger.receives.count, $0.ledger.sends.count) }
    }

    /// Address handles created so far (one per destination).
    public var addressHandleCount: Int { core.state.withLock { _ in resources.addressHandles.count } }

    // MARK: Sending

    public func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws {
        try sendMAD(slot, to: address, agent: agent)
    }

    /// Posts the MAD in `slot` to `address` (remote QP and Q_Key from the address: QP1 and
    /// 0x80010000 for a GSI) through a cached address handle. The slot is the device's
    /// until its send completion, which returns it to the pool on the I/O thread: start()
    /// the port before sending, or send slots are not returned. Creating a new address
    /// handle (first MAD to a destination) happens under the port's lock; on RoCE the
    /// kernel may resolve the neighbour then.
    public func sendMAD(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID) throws(VerbsPortError) {
        guard slot.kind == .send else { throw .invalidSlot("slot \(slot.index) is a receive slot") }
        guard slot.belongs(to: pool) else { throw .invalidSlot("slot \(slot.index) belongs to another pool") }
        let key = try AddressHandleKey.make(for: address, roce: info.isRoCE, sourceGID: info.gid)
        let headroom = pool.configuration.sendHeadroom
        let posted = slot.post()
        let buffer = UnsafeRawBufferPointer(posted.buffer)
        guard buffer.count == headroom + MAD.size, pool.checkDeviceBuffer(buffer) else {
            _ = pool.complete(posted.index)
            throw .invalidSlot("slot \(posted.index) is not a \(headroom + MAD.size)-byte buffer inside the registered region")
        }
        // Under the lock: close() cannot destroy the QP (or the AH) during the post.
        let outcome = core.state.withLock { state -> VerbsPortError? in
            if state.closed { return .closed }
            guard state.agents.contains(agent) else { return .unknownAgent(agent.rawValue) }
            let handle: UnsafeMutablePointer<ibv_ah>
            do throws(VerbsPortError) {
                handle = try addressHandle(key)
            } catch {
                return error
            }
            var sge = ibv_sge(addr: UInt64(UInt(bitPattern: posted.buffer.baseAddress! + headroom)),
                              length: UInt32(MAD.size), lkey: core.lkey)
            var request = ibv_send_wr()
            var bad: UnsafeMutablePointer<ibv_send_wr>?
            state.ledger.sendPosted(posted.index, agent: agent)
            let rc = withUnsafeMutablePointer(to: &sge) { sgePointer in
                CInfiniBand_ibv_send_wr_ud(&request, UInt64(posted.index), sgePointer, handle,
                                           address.queuePair, address.queueKey)
                return CInfiniBand_ibv_post_send(resources.queuePair!, &request, &bad)
            }
            if rc != 0 {
                _ = state.ledger.sendCompleted(posted.index)
                return .postFailed(call: "ibv_post_send", errno: rc)
            }
            return nil
        }
        if let outcome {
            _ = pool.complete(posted.index)  // never reached the device: back to the pool
            throw outcome
        }
    }

    /// The cached AH for `key`, created on first use (lock held).
    private func addressHandle(_ key: AddressHandleKey) throws(VerbsPortError) -> UnsafeMutablePointer<ibv_ah> {
        if let handle = resources.addressHandles[key] { return handle }
        errno = 0
        let handle: UnsafeMutablePointer<ibv_ah>? = if let gid = key.destinationGID {
            gid.withUnsafeBufferPointer {
                CInfiniBand_ibv_create_ah_ud(resources.protectionDomain!, UInt8(info.portNumber), key.lid,
                                             key.serviceLevel, 1, $0.baseAddress, UInt8(info.gidIndex),
                                             key.hopLimit, key.trafficClass, key.flowLabel)
            }
        } else {
            CInfiniBand_ibv_create_ah_ud(resources.protectionDomain!, UInt8(info.portNumber), key.lid,
                                         key.serviceLevel, 0, nil, 0, 0, 0, 0)
        }
        guard let handle else { throw .addressHandle(destination: key.description, errno: errno != 0 ? errno : EINVAL) }
        resources.addressHandles[key] = handle
        return handle
    }

    // MARK: Receiving

    public func start(delegate: any MADPortDelegate) throws {
        try startReceiving(delegate: delegate)
    }

    /// Starts the port's one I/O thread, which drains the CQ and delivers every received
    /// MAD (and failed send) to `delegate` on that thread.
    public func startReceiving(delegate: any MADPortDelegate) throws(VerbsPortError) {
        let loop = try VerbsIOLoop(core: core, delegate: delegate)
        try core.state.withLock { state throws(VerbsPortError) in
            if state.closed { throw .closed }
            if state.loop != nil { throw .system(call: "start (already started)", errno: EBUSY) }
            state.loop = loop
        }
        do {
            try loop.start()
        } catch {
            core.state.withLock { $0.loop = nil }
            throw error
        }
    }

    /// Why the I/O thread stopped on its own, if it did.
    public var ioFailure: VerbsPortError? {
        core.state.withLock { $0.loop }?.failure.withLock { $0 }
    }

    /// Stops the I/O thread, destroys the QP, hands every still-posted slot back to the
    /// pool, and frees the verbs objects. Idempotent; from the delegate (the I/O thread)
    /// the teardown happens as that thread leaves.
    public func close() {
        let (wasOpen, loop) = core.state.withLock { state -> (Bool, VerbsIOLoop?) in
            if state.closed { return (false, nil) }
            state.closed = true
            defer { state.loop = nil }
            return (true, state.loop)
        }
        guard wasOpen else { return }
        if let loop {
            let core = core
            if loop.stop(teardown: { core.teardown() }) { return }
        }
        core.teardown()
    }
}

/// The port's state and verbs objects, shared with its I/O thread.
final class VerbsPortCore: Sendable {
    let pool: MADBufferPool
    let info: VerbsPortInfo
    let resources: VerbsResources
    let lkey: UInt32
    let state: Mutex<State>

    struct State: Sendable {
        var agents = VerbsAgentTable()
        var ledger: VerbsSlotLedger
        var loop: VerbsIOLoop?
        var closed = false
        /// Received MADs no agent took (dropped, as ib_mad drops them).
        var unclaimed = 0
    }

    init(pool: MADBufferPool, info: VerbsPortInfo, resources: VerbsResources, lkey: UInt32, receiveTarget: Int) {
        self.pool = pool
        self.info = info
        self.resources = resources
        self.lkey = lkey
        state = Mutex(State(ledger: VerbsSlotLedger(receiveTarget: receiveTarget)))
    }

    /// Posts `slot` as a receive: its whole buffer (GRH area + MAD) in one SGE. Called by
    /// the port's init and then only by the I/O thread.
    func postReceive(_ slot: consuming MADSlot) throws(VerbsPortError) {
        let posted = slot.post()
        let buffer = UnsafeRawBufferPointer(posted.buffer)
        guard buffer.count == VerbsGSIPort.receiveHeadroom + MAD.size, pool.checkDeviceBuffer(buffer) else {
            _ = pool.complete(posted.index)
            throw .invalidSlot("receive slot \(posted.index) is not a 296-byte buffer inside the registered region")
        }
        let failure = state.withLock { state -> VerbsPortError? in
            guard !state.closed, let qp = resources.queuePair else { return .closed }
            var sge = ibv_sge(addr: UInt64(UInt(bitPattern: posted.buffer.baseAddress!)), length: UInt32(buffer.count),
                              lkey: lkey)
            var bad: UnsafeMutablePointer<ibv_recv_wr>?
            state.ledger.receivePosted(posted.index)
            let rc = withUnsafeMutablePointer(to: &sge) { sgePointer in
                var request = ibv_recv_wr(wr_id: UInt64(posted.index), next: nil, sg_list: sgePointer, num_sge: 1)
                return CInfiniBand_ibv_post_recv(qp, &request, &bad)
            }
            if rc != 0 {
                _ = state.ledger.receiveCompleted(posted.index)
                return .postFailed(call: "ibv_post_recv", errno: rc)
            }
            return nil
        }
        if let failure {
            _ = pool.complete(posted.index)
            throw failure
        }
    }

    /// After the I/O thread is gone: no DMA once the QP is destroyed, so posted slots return.
    func teardown() {
        let posted = state.withLock { state -> [Int] in
            resources.destroyQueuePair()
            return state.ledger.takeAllPosted()
        }
        for index in posted { _ = pool.complete(index) }
        state.withLock { _ in resources.destroy() }
    }
}
