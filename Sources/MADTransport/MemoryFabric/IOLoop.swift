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
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
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
    // @unchecked: every mutable field below is guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let clock: FabricClock
    private var queue: [ScheduledWork] = []
    private var handling = false
    private var running = false
    private var stopping = false
    private var thread: pthread_t? = nil
    private var kernelThreadID: Int32? = nil
    private var threadStarted = false
    private var handler: (@Sendable (PortWork) -> Void)?

    init(clock: FabricClock) {
        self.clock = clock
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    var threadID: Int32? { locked { running ? kernelThreadID : nil } }

    /// Idle: nothing due now and nothing being handled (future events do not count).
    var isIdle: Bool {
        let now = clock.now
        return locked { !handling && (queue.first.map { $0.due > now } ?? true) }
    }

    func enqueue(_ item: ScheduledWork) {
        locked {
            guard !stopping else { return }
            // Sorted insert: queues are short (what is in flight to one port).
            let position = queue.lastIndex { !item.precedes($0) }.map { $0 + 1 } ?? 0
            queue.insert(item, at: position)
            pthread_cond_broadcast(condition)
        }
    }

    /// Wakes the thread to look at the clock again (virtual time moved).
    func wake() { locked { _ = pthread_cond_broadcast(condition) } }

    func start(_ handler: @escaping @Sendable (PortWork) -> Void) {
        locked {
            self.handler = handler
            running = true
        }
        let context = Unmanaged.passRetained(self).toOpaque()
        var created = pthread_t()
        let result = pthread_create(&created, nil, { raw in
            let loop = Unmanaged<IOLoop>.fromOpaque(raw!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed for a memory fabric port: errno \(result)")
        // Return once the thread runs, so that `threadID` is known to the caller.
        locked {
            thread = created
            while !threadStarted { pthread_cond_wait(condition, mutex) }
        }
    }

    /// Stops the thread and joins it (unless called on the thread itself); drops what is
    /// queued. Idempotent.
    func stop() {
        let joinable: pthread_t? = locked {
            stopping = true
            queue.removeAll()
            pthread_cond_broadcast(condition)
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

    /// The calling thread's kernel id, read from /proc/thread-self ("<pid>/task/<tid>").
    private static func currentKernelThreadID() -> Int32? {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { Int32($0) }
    }

    private func run() {
        pthread_mutex_lock(mutex)
        kernelThreadID = Self.currentKernelThreadID()
        threadStarted = true
        pthread_cond_broadcast(condition)
        while !stopping {
            guard let first = queue.first else {
                pthread_cond_wait(condition, mutex)
                continue
            }
            let now = clock.now
            if first.due > now {
                if clock.isVirtual {
                    pthread_cond_wait(condition, mutex)
                } else {
                    var spec = timespec()
                    clock_gettime(CLOCK_MONOTONIC, &spec)
                    let deadline = UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec) + (first.due - now)
                    var until = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                    pthread_cond_timedwait(condition, mutex, &until)
                }
                continue
            }
            queue.removeFirst()
            handling = true
            let handler = self.handler
            pthread_mutex_unlock(mutex)
            handler?(first.work)
            pthread_mutex_lock(mutex)
            handling = false
        }
        running = false
        handler = nil
        pthread_mutex_unlock(mutex)
    }
}
