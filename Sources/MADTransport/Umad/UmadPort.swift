import MADWire
import CInfiniBand
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A MAD port over libibumad: QP0 (SMPs) and QP1 (GMPs) of one local CA port, through the
/// kernel's ib_umad (/dev/infiniband/umadN). The kernel matches responses to sends by TID
/// and hands an unanswered send back with ETIMEDOUT, so `matchesResponsesInTransport`.
///
/// Every MAD is in a slot of `pool`, whose headroom holds the 64-byte `struct ib_user_mad`
/// that umad reads and writes in front of each MAD. write() copies the MAD into the kernel
/// (ib_umad DMA-maps its own copy per send), so a send slot is posted only around the call.
///
/// Under ibsim (LD_PRELOAD libumad2sim) bytes 224-255 of received MADs are garbage: its
/// receive buffer is 32 bytes short. See scripts/with-fabric.
public final class UmadPort: MADPort {
    public let pool: MADBufferPool
    /// The CA port this port opened, as sysfs described it at open time.
    public let info: UmadPortInfo
    public var caName: String { info.caName }
    public var portNumber: Int { info.portNumber }
    public var localLID: UInt16 { info.baseLID }
    public var smLID: UInt16 { info.smLID }
    public var portGUID: UInt64 { info.portGUID }
    public var matchesResponsesInTransport: Bool { true }

    /// umad_open_port's descriptor (the umad device's fd).
    let portID: Int32
    let state = Mutex(State())
    /// Guards the fd during writes without the state lock (SendGate.swift).
    let sendGate = SendGate()

    struct State {
        var agents: [UInt32: AgentRegistration] = [:]
        var loop: UmadIOLoop?
        var closed = false
    }

    /// sizeof(struct ib_user_mad) with P_Key indices: the headroom umad needs per slot.
    public static let headroom = Int(CInfiniBand_IB_USER_MAD_SIZE)

    /// A pool laid out for umad (64 bytes of headroom for send and receive slots).
    public static func makePool(sendSlots: Int = 256, receiveSlots: Int = 256,
                                verify: Bool = MADBufferPool.verifyFromEnvironment) throws(PoolError) -> MADBufferPool {
        try MADBufferPool(.init(sendSlots: sendSlots, receiveSlots: receiveSlots, sendHeadroom: headroom,
                                receiveHeadroom: headroom, verify: verify))
    }

    /// Opens `caName` port `portNumber`; either may be nil to choose as infiniband-diags
    /// does (the first Active port). `pool` must have 64 bytes of send and receive headroom;
    /// nil creates one with ``makePool(sendSlots:receiveSlots:verify:)``.
    public init(caName: String? = nil, portNumber: Int? = nil, pool: MADBufferPool? = nil) throws(PortError) {
        if let pool {
            guard pool.configuration.sendHeadroom == Self.headroom, pool.configuration.receiveHeadroom == Self.headroom else {
                throw .poolLayout("headroom is \(pool.configuration.sendHeadroom) (send) and "
                                  + "\(pool.configuration.receiveHeadroom) (receive) bytes")
            }
            guard pool.configuration.sendSlots > 0, pool.configuration.receiveSlots > 0 else {
                throw .poolLayout("it needs send and receive slots")
            }
            self.pool = pool
        } else {
            do { self.pool = try Self.makePool() } catch { throw .poolLayout(error.description) }
        }
        let chosen = try UmadDevices.choose(from: UmadDevices.list(), ca: caName, port: portNumber)
        info = chosen

        errno = 0
        let fd = umad_open_port(chosen.caName, Int32(chosen.portNumber))
        let openErrno = errno
        if fd < 0 {
            let device = UmadDevices.umadDevicePath(ca: chosen.caName, port: chosen.portNumber)
            switch -fd {
            case EOPNOTSUPP: throw .umadNotLoaded
            case EINVAL: throw .noUmadDevice(ca: chosen.caName, port: chosen.portNumber)
            case ENODEV: throw .caNotFound(chosen.caName, available: [])
            default:
                // -EIO: open() of the device failed; libibumad leaves open's errno in place.
                if openErrno == EACCES || openErrno == EPERM { throw .permissionDenied(device: device, errno: openErrno) }
                throw .openFailed(device: device, errno: openErrno != 0 ? openErrno : -fd)
            }
        }
        portID = fd
        // umad_open_port enabled P_Key indices (IB_USER_MAD_ENABLE_PKEY, or ABI > 5): the
        // header is then 64 bytes, as the pool's headroom assumes.
        // (Every property is set: a throw from here on runs deinit, which closes the fd.)
        guard umad_size() == Self.headroom else { throw .unsupportedABI(headerSize: umad_size()) }
    }

    deinit {
        close()
    }

    // MARK: Agents

    public func register(_ registration: AgentRegistration) throws -> AgentID {
        try registerAgent(registration)
    }

    /// umad_register (umad_register_oui for vendor class range 2, IBA 13.4.4) with the
    /// request methods to deliver unsolicited; responses to this agent's sends always come.
    public func registerAgent(_ registration: AgentRegistration) throws(PortError) -> AgentID {
        let managementClass = registration.managementClass.rawValue
        var mask = [Int](repeating: 0, count: 16 / MemoryLayout<Int>.size)
        for method in registration.methods {
            guard method.rawValue & 0x80 == 0 else {
                throw .invalidRegistration("\(method) is a response method; the mask holds request methods (0-127)")
            }
            let bit = Int(method.rawValue)
            mask[bit / Int.bitWidth] |= 1 << (bit % Int.bitWidth)
        }
        let vendorRange2 = (0x30...0x4F).contains(managementClass)
        try withPortOpen()
        errno = 0
        var id: Int32
        if vendorRange2 {
            guard let oui = registration.oui, oui != 0, oui <= 0xFF_FFFF else {
                throw .invalidRegistration("vendor class 0x\(hexDigits(UInt64(managementClass), width: 2)) "
                                           + "(range 2) needs a non-zero 24-bit OUI")
            }
            guard registration.classVersion == 1 else {
                throw .invalidRegistration("umad_register_oui registers class version 1 only")
            }
            var ouiBytes: [UInt8] = [UInt8(oui >> 16 & 0xFF), UInt8(oui >> 8 & 0xFF), UInt8(oui & 0xFF)]
            id = umad_register_oui(portID, Int32(managementClass), registration.rmppVersion, &ouiBytes, &mask)
        } else {
            guard registration.oui == nil else {
                throw .invalidRegistration("an OUI applies to vendor classes 0x30-0x4F only")
            }
            id = umad_register(portID, Int32(managementClass), Int32(registration.classVersion),
                               registration.rmppVersion, &mask)
        }
        let registerErrno = errno
        guard id >= 0 else {
            throw .registrationRefused(class: managementClass, version: registration.classVersion,
                                       errno: registerErrno != 0 ? registerErrno : -id)
        }
        state.withLock { $0.agents[UInt32(id)] = registration }
        return AgentID(rawValue: UInt32(id))
    }

    public func unregister(_ agent: AgentID) {
        let known = state.withLock { state in
            !state.closed && state.agents.removeValue(forKey: agent.rawValue) != nil
        }
        if known { _ = umad_unregister(portID, Int32(agent.rawValue)) }
    }

    /// The registration behind `agent`, if it is registered here.
    public func registration(of agent: AgentID) -> AgentRegistration? {
        state.withLock { $0.agents[agent.rawValue] }
    }

    private func withPortOpen() throws(PortError) {
        if state.withLock({ $0.closed }) { throw .closed }
    }

    // MARK: Sending

    public func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws {
        try sendMAD(slot, to: address, agent: agent, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Fills the slot's ib_user_mad header, posts the slot, writes it with umad_send (kernel
    /// retries 0: the requester retries, DESIGN.md) and completes it: write() has copied it.
    public func sendMAD(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID,
                        timeoutMilliseconds: Int) throws(PortError) {
        guard slot.kind == .send else { throw .invalidSlot("slot \(slot.index) is a receive slot") }
        guard slot.belongs(to: pool) else { throw .invalidSlot("slot \(slot.index) belongs to another pool") }
        // One look under the lock, without copying the registration out (once per MAD).
        let (closed, registered) = state.withLock { ($0.closed, $0.agents[agent.rawValue] != nil) }
        if closed { throw .closed }
        guard registered else { throw .unknownAgent(agent.rawValue) }
        let timeout = UInt32(clamping: max(0, timeoutMilliseconds))
        slot.withUnsafeMutableHeadroom { header in
            header.initializeMemory(as: UInt8.self, repeating: 0)
            UmadHeader.fill(header.baseAddress!, agent: agent.rawValue, timeoutMilliseconds: timeout, address: address)
        }
        let posted = slot.post()
        let buffer = UnsafeRawBufferPointer(posted.buffer)
        guard buffer.count == Self.headroom + MAD.size, pool.checkDeviceBuffer(buffer) else {
            _ = pool.complete(posted.index)
            throw .invalidSlot("slot \(posted.index) is not a \(Self.headroom + MAD.size)-byte buffer inside the pool")
        }
        // Through the gate: close() cannot close the fd (and its number be reused) mid-write.
        let (status, sendErrno) = sendGate.pass { () -> (Int32, Int32) in
            let status = umad_send(portID, Int32(agent.rawValue), posted.buffer.baseAddress!, Int32(MAD.size),
                                   Int32(bitPattern: timeout), 0)
            return (status, errno)
        } ?? (-1, EBADF)
        _ = pool.complete(posted.index)  // the kernel has its own copy; dropping returns the slot
        guard status == 0 else { throw sendErrno == EBADF ? .closed : .sendFailed(errno: sendErrno != 0 ? sendErrno : EIO) }
    }

    // MARK: Receiving

    public func start(delegate: any MADPortDelegate) throws {
        try startReceiving(delegate: delegate)
    }

    /// Starts the port's single I/O thread, which delivers every MAD and returned send to
    /// `delegate` on that thread.
    public func startReceiving(delegate: any MADPortDelegate) throws(PortError) {
        let loop = try UmadIOLoop(port: self, delegate: delegate)
        try state.withLock { state throws(PortError) in
            if state.closed || state.loop != nil {
                loop.stop(closeDevice: nil)
                throw state.closed ? .closed : .system(call: "start (already started)", errno: EBUSY)
            }
            state.loop = loop
        }
        do {
            try loop.start()
        } catch {
            state.withLock { $0.loop = nil }
            throw error
        }
    }

    /// The kernel thread id of the running I/O thread (nil before it runs and after close),
    /// so that tests can see it leave.
    public var ioThreadID: Int32? {
        state.withLock { $0.loop }.flatMap { $0.kernelThreadID }
    }

    /// Why the I/O thread stopped on its own (the device went away, umad_recv failed), if it did.
    public var ioFailure: PortError? {
        state.withLock { $0.loop }?.failure.withLock { $0 }
    }

    /// Stops the I/O thread (waiting for it, unless called from the delegate on that thread)
    /// and closes the umad device. Idempotent.
    public func close() {
        let (wasOpen, loop, agents) = state.withLock { state -> (Bool, UmadIOLoop?, [UInt32]) in
            if state.closed { return (false, nil, []) }
            state.closed = true
            defer { state.loop = nil; state.agents.removeAll() }
            return (true, state.loop, Array(state.agents.keys))
        }
        guard wasOpen else { return }
        sendGate.close()
        // Closing the fd unregisters them in ib_umad; libumad2sim frees only one per fd.
        for agent in agents { _ = umad_unregister(portID, Int32(agent)) }
        if let loop {
            loop.stop(closeDevice: portID)
        } else {
            umad_close_port(portID)
        }
    }
}

extension MADSlot {
    /// Whether this slot lives in `pool`.
    func belongs(to pool: MADBufferPool) -> Bool { self.pool === pool }
}
