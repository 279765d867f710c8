import MADTransport
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A MADPort whose peer is itself: every request sent is answered by a GetResp (the
/// request with the R bit, status 0) delivered on the port's own I/O thread, through a
/// fixed ring of inline MADs and the port's pool. It allocates nothing per MAD, so
/// counting allocations over a sweep through it counts the agent layer's alone.
final class LoopbackPort: MADPort, @unchecked Sendable {
    let pool: MADBufferPool
    var localLID: UInt16 { 1 }
    var matchesResponsesInTransport: Bool { false }

    private let ring: UnsafeMutablePointer<MAD>
    private let capacity = 1024
    private var head = 0, tail = 0, closed = false
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private weak var delegate: (any MADPortDelegate)?
    /// What each delivery reports as received (`ReceivedMAD.length`); set before sending.
    var receivedLength = MAD.size
    private var thread: pthread_t?

    init() throws {
        pool = try MADBufferPool(.init(sendSlots: 64, receiveSlots: 64))
        ring = .allocate(capacity: capacity)
        ring.initialize(repeating: MAD(), count: capacity)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit { ring.deallocate() }

    func register(_ registration: AgentRegistration) throws -> AgentID { AgentID(rawValue: 1) }
    func unregister(_ agent: AgentID) {}

    func start(delegate: any MADPortDelegate) throws {
        self.delegate = delegate
        var thread = pthread_t()
        pthread_create(&thread, nil, { context in
            Unmanaged<LoopbackPort>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(self).toOpaque())
        self.thread = thread
    }

    func send(_ slot: consuming MADSlot, to address: MADAddress, agent: AgentID, timeoutMilliseconds: Int) throws {
        var mad = slot.mad
        _ = consume slot
        mad.method = mad.method.response
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard !closed, tail - head < capacity else { throw MemoryFabricError.closed }
        ring[tail % capacity] = mad
        tail += 1
        pthread_cond_signal(&condition)
    }

    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
        if let thread { pthread_join(thread, nil) }
    }

    private func run() {
        pthread_mutex_lock(&mutex)
        while !closed {
            if head == tail {
                pthread_cond_wait(&condition, &mutex)
                continue
            }
            let mad = ring[head % capacity]
            head += 1
            pthread_mutex_unlock(&mutex)
            if let slot = try? pool.tryAcquire(.receive) {
                slot.store(mad)
                delegate?.port(received: ReceivedMAD(slot: slot, source: .subnetManagement(lid: 2), agent: AgentID(rawValue: 1),
                                                        length: receivedLength))
            }
            pthread_mutex_lock(&mutex)
        }
        pthread_mutex_unlock(&mutex)
    }
}

/// malloc/calloc/realloc/memalign calls so far, when the test process runs with a counting
/// shim preloaded (LD_PRELOAD of a library exporting `ibmad_malloc_calls`); nil otherwise.
func mallocCalls() -> Int? {
    typealias Counter = @convention(c) () -> Int
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "ibmad_malloc_calls") else { return nil }
    return unsafeBitCast(symbol, to: Counter.self)()
}
