import CInfiniBand
import MADTransport

#if canImport(Glibc)
import Glibc
#endif

/// The counterfactual the pool exists to avoid (DESIGN.md): a port that registers the
/// MAD's buffer as a memory region before every send and deregisters it after, as a
/// driver that maps at post time pays per MAD (ib_umad's kernel path does it with
/// ib_dma_map_single, which is cheaper than a user registration: no page pinning).
///
/// It wraps a VerbsGSIPort and adds exactly that cost: ibv_reg_mr over the slot's 256
/// bytes (pins its page, builds the MR in the kernel) and ibv_dereg_mr once the post
/// returned, on a protection domain of its own on the same device. The post itself still
/// goes through the pool's MR (the wrapper cannot reach into the port's QP); the kernel
/// work per send is the registration pair, which is what is being measured.
final class PerSendRegistrationPort: MADPort, @unchecked Sendable {
    let inner: VerbsGSIPort
    private let context: UnsafeMutablePointer<ibv_context>
    private let protectionDomain: UnsafeMutablePointer<ibv_pd>

    init(wrapping inner: VerbsGSIPort) throws {
        self.inner = inner
        var count: Int32 = 0
        guard let list = ibv_get_device_list(&count) else { throw BenchError("ibv_get_device_list failed") }
        defer { ibv_free_device_list(list) }
        var found: UnsafeMutablePointer<ibv_context>?
        for index in 0..<Int(count) {
            guard let device = list[index], String(cString: ibv_get_device_name(device)) == inner.deviceName else { continue }
            found = ibv_open_device(device)
        }
        guard let context = found else { throw BenchError("cannot open \(inner.deviceName) a second time") }
        guard let pd = ibv_alloc_pd(context) else { throw BenchError("ibv_alloc_pd failed") }
        self.context = context
        self.protectionDomain = pd
    }

    deinit {
        ibv_dealloc_pd(protectionDomain)
        ibv_close_device(context)
    }

    var pool: MADBufferPool { inner.pool }
    var localLID: UInt16 { inner.localLID }
    var matchesResponsesInTransport: Bool { inner.matchesResponsesInTransport }
    func register(_ registration: AgentRegistration) throws -> AgentID { try inner.register(registration) }
    func unregister(_ agent: AgentID) { inner.unregister(agent) }
    func start(delegate: any MADPortDelegate) throws { try inner.start(delegate: delegate) }
    func close() { inner.close() }

    /// The per-send cost alone: one registration pair over `base`'s 256 bytes.
    func registrationPair(_ base: UnsafeMutableRawPointer) throws {
        guard let mr = CInfiniBand_ibv_reg_mr(protectionDomain, base, 256, Int32(IBV_ACCESS_LOCAL_WRITE.rawValue)) else {
            throw BenchError("ibv_reg_mr failed: errno \(errno)")
        }
        ibv_dereg_mr(mr)
    }

    func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws {
        let base = slot.withUnsafeMutableMAD { $0.baseAddress! }
        guard let mr = CInfiniBand_ibv_reg_mr(protectionDomain, base, 256, Int32(IBV_ACCESS_LOCAL_WRITE.rawValue)) else {
            throw BenchError("ibv_reg_mr per send failed: errno \(errno)")
        }
        defer { ibv_dereg_mr(mr) }
        try inner.send(slot, to: address, agent: agent, timeoutMilliseconds: timeoutMilliseconds)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
