import CInfiniBand
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a port's I/O thread does when an event is due.
enum PortWork: Sendable {
    /// Hand `mad` to an agent of this port.
    case deliver(MAD, source: MADAddress)
    /// Let a built-in responder answer (run on the requester's thread).
    case simulate(SimulatedRequest)
    /// ib_umad style: the send with this TID and generation was not answered in time.
    case timeout(UInt64, UInt64)
}

/// An event on a port's queue, ordered by due time, then by fabric-wide sequence.
struct ScheduledWork: Sendable {
    let due: UInt64
    let sequence: UInt64
    let work: PortWork
    func precedes(_ other: ScheduledWork) -> Bool { (due, sequence) < (other.due, other.sequence) }
}

/// The fabric's clock in nanoseconds: CLOCK_MONOTONIC, or virtual time moved by tests.
final class FabricClock: Sendable {
    let isVirtual: Bool
    private let virtualNow = Atomic<UInt64>(0)

    init(virtual: Bool) { isVirtual = virtual }

    var now: UInt64 {
        if isVirtual { return virtualNow.load(ordering: .acquiring) }
        return monotonicNanoseconds()
    }

    func advance(by nanoseconds: UInt64) { virtualNow.add(nanoseconds, ordering: .releasing) }
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}

/// One I/O thread with a time-ordered queue: a pthread waiting on a condition variable
/// (CLOCK_MONOTONIC timed waits), like the poll() loop of a real port.
final class IOLoop: @unchecked Sendable {
    // @unchecked: every mutable field below is guarded by `lock`.
    private let lock = ConditionLock()
    private let clock: FabricClock
    private var queue: [ScheduledWork] = []
    private var handling = false
    private var running = false
    private var stopping = false
    private var thread: pthread_t? = nil
    private var kernelThreadID: Int32? = nil
    private var threadStarted = false
    private var handler: (@Sendable (PortWork) -> Void)?

    init(clock: FabricClock) { self.clock = clock }

    var threadID: Int32? { lock.withLock { running ? kernelThreadID : nil } }

    /// Idle: nothing due now and nothing being handled (future events do not count).
    var isIdle: Bool {
        let now = clock.now
        return lock.withLock { !handling && (queue.first.map { $0.due > now } ?? true) }
    }

    func enqueue(_ item: ScheduledWork) {
        lock.withLock {
            guard !stopping else { return }
            // Sorted insert: queues are short (what is in flight to one port).
            let position = queue.lastIndex { !item.precedes($0) }.map { $0 + 1 } ?? 0
            queue.insert(item, at: position)
            lock.broadcast()
        }
    }

    /// Wakes the thread to look at the clock again (virtual time moved).
    func wake() { lock.withLock { lock.broadcast() } }

    func start(_ handler: @escaping @Sendable (PortWork) -> Void) {
        lock.withLock {
            self.handler = handler
            running = true
        }
        let created: pthread_t
        do { created = try startThread { self.run() } } catch {
            preconditionFailure("pthread_create failed for a memory fabric port: errno \(error.errno)")
        }
        // Return once the thread runs, so that `threadID` is known to the caller.
        lock.withLock {
            thread = created
            while !threadStarted { lock.wait() }
        }
    }

    /// Stops the thread and joins it (unless called on the thread itself); drops what is
    /// queued. Idempotent.
    func stop() {
        let joinable: pthread_t? = lock.withLock {
            stopping = true
            queue.removeAll()
            lock.broadcast()
            defer { thread = nil }
            return thread
        }
        guard let joinable else { return }
        if pthread_equal(joinable, pthread_self()) != 0 {
            pthread_detach(joinable)
        } else {
            pthread_join(joinable, nil)
        }
    }

    private func run() {
        lock.lock()
        kernelThreadID = CInfiniBand_gettid()
        threadStarted = true
        lock.broadcast()
        while !stopping {
            guard let first = queue.first else {
                lock.wait()
                continue
            }
            let now = clock.now
            if first.due > now {
                // Virtual time moves only when a test advances it, and that wakes us.
                lock.wait(until: clock.isVirtual ? nil : monotonicNanoseconds() + (first.due - now))
                continue
            }
            queue.removeFirst()
            handling = true
            let handler = self.handler
            lock.unlock()
            handler?(first.work)
            lock.lock()
            handling = false
        }
        running = false
        handler = nil
        lock.unlock()
    }
}
