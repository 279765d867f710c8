import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A MemoryFabric with the requester's port at LID 1 (a CA whose port 1 is cabled to
/// switch 2 port 1; switch 2 port 2 to switch 3 port 1) and an agent on it.
final class AgentRig: Sendable {
    let fabric: MemoryFabric
    let port: MemoryFabricPort
    let agent: MADAgent

    init(matching: Bool = false, failLostImmediately: Bool = false, window: Int = 16,
         options: RequestOptions = RequestOptions(timeoutMilliseconds: 200, retries: 3),
         wrap: (MemoryFabricPort) -> any MADPort = { $0 }) throws {
        fabric = MemoryFabric(.init(matchesResponsesInTransport: matching, failLostSendsImmediately: failLostImmediately))
        port = try fabric.addPort(lid: 1)
        try fabric.addSwitch(lid: 2, ports: 8)
        try fabric.addSwitch(lid: 3, ports: 8)
        try fabric.connect(1, port: 1, to: 2, port: 1)
        try fabric.connect(2, port: 2, to: 3, port: 1)
        agent = try MADAgent(port: wrap(port), configuration: .init(window: window, defaultOptions: options))
    }

    /// A second agent on a new port of the same fabric.
    func peer(lid: UInt16, window: Int = 16) throws -> MADAgent {
        try MADAgent(port: fabric.addPort(lid: lid), configuration: .init(window: window))
    }

    func close() {
        agent.close()
        fabric.close()
    }
}

/// Both response-matching modes: ib_umad style (transport matches, timeouts reported as
/// send failures) and verbs style (the requester owns deadlines).
let bothModes = [false, true]

func nodeInfoRequest(_ lid: UInt16 = 2) -> (MAD, MADAddress) {
    (MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo), .subnetManagement(lid: lid))
}

func switchGUID(_ lid: UInt16) -> UInt64 { 0x0002_C904_0000_0000 | UInt64(lid) << 8 }

/// A port of the fabric with a plain delegate that records what arrives (a real port,
/// for sending raw traps and reading raw answers).
final class RecordingDelegate: MADPortDelegate, Sendable {
    let received = Mutex<[(MAD, MADAddress)]>([])
    func port(received mad: consuming ReceivedMAD) {
        let message = mad.slot.mad
        let source = mad.source
        received.withLock { $0.append((message, source)) }
    }
    func port(sendFailed failure: SendFailure) {}

    func waitFor(count: Int, milliseconds: Int = 2000) async -> [(MAD, MADAddress)] {
        for _ in 0..<(milliseconds / 5) {
            let now = received.withLock { $0 }
            if now.count >= count { return now }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return received.withLock { $0 }
    }
}

/// Forwards to a real MemoryFabric port, recording each send's timeout and, when asked,
/// holding `send` until the response has reached the agent: the "response before its
/// send completion" case the kernel's mad.c handles, made certain.
final class ObservedPort: MADPort, MADPortDelegate, @unchecked Sendable {
    let inner: MemoryFabricPort
    let holdSendUntilResponse: Bool
    let timeouts = Mutex<[Int]>([])
    private let arrivals = Mutex(0)
    private weak var delegate: (any MADPortDelegate)?

    init(_ inner: MemoryFabricPort, holdSendUntilResponse: Bool = false) {
        self.inner = inner
        self.holdSendUntilResponse = holdSendUntilResponse
    }

    var pool: MADBufferPool { inner.pool }
    var localLID: UInt16 { inner.localLID }
    var matchesResponsesInTransport: Bool { inner.matchesResponsesInTransport }
    func register(_ registration: AgentRegistration) throws -> AgentID { try inner.register(registration) }
    func unregister(_ agent: AgentID) { inner.unregister(agent) }
    func start(delegate: any MADPortDelegate) throws {
        self.delegate = delegate
        try inner.start(delegate: self)
    }
    func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws {
        timeouts.withLock { $0.append(timeoutMilliseconds) }
        let before = arrivals.withLock { $0 }
        try inner.send(slot, to: address, agent: agent, timeoutMilliseconds: timeoutMilliseconds)
        guard holdSendUntilResponse else { return }
        for _ in 0..<2000 where arrivals.withLock({ $0 }) == before { usleep(500) }
    }
    func close() { inner.close() }

    func port(received mad: consuming ReceivedMAD) {
        delegate?.port(received: mad)
        arrivals.withLock { $0 += 1 }
    }
    func port(sendFailed failure: SendFailure) { delegate?.port(sendFailed: failure) }
}

/// Bytes of heap in use, from glibc's malloc_info() report (the same numbers mallinfo2()
/// gives; malloc.h is not in Swift's Glibc module, so the call goes through dlsym): the
/// arenas' current size less their free chunks, plus mmapped blocks.
func heapBytesInUse() -> Int? {
    typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_info") else { return nil }
    let mallocInfo = unsafeBitCast(symbol, to: MallocInfo.self)
    var buffer: UnsafeMutablePointer<CChar>? = nil
    var length = 0
    guard let stream = open_memstream(&buffer, &length) else { return nil }
    _ = mallocInfo(0, stream)
    fclose(stream)
    guard let buffer else { return nil }
    defer { free(buffer) }
    let xml = String(cString: buffer)
    // The report's last lines total every arena.
    func lastSize(_ prefix: String) -> Int? {
        guard let line = xml.split(separator: "\n").last(where: { $0.contains(prefix) }),
              let size = line.split(separator: " ").last(where: { $0.hasPrefix("size=\"") }) else { return nil }
        return Int(size.dropFirst(6).prefix { $0.isNumber })
    }
    guard let current = lastSize("<system type=\"current\""), let fast = lastSize("<total type=\"fast\""),
          let rest = lastSize("<total type=\"rest\""), let mmapped = lastSize("<total type=\"mmap\"") else { return nil }
    return current - fast - rest + mmapped
}

func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
}
