import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Lets any number of threads write to the umad fd at once while close() waits for them
/// before the fd is closed (and its number could be reused under a writer). Holding the
/// port's state lock across umad_send serialised every sender, and the I/O thread, on one
/// futex for the length of a syscall.
///
/// Dekker-style: a sender announces itself, then looks for `closing`; close() sets
/// `closing`, then waits for the announced senders. Sequentially consistent on both sides,
/// so one of them always sees the other.
final class SendGate: Sendable {
    private let senders = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)

    /// Runs `send` unless the port is closing; nil when it is.
    func pass<R>(_ send: () -> R) -> R? {
        senders.add(1, ordering: .sequentiallyConsistent)
        defer { senders.subtract(1, ordering: .sequentiallyConsistent) }
        guard !closing.load(ordering: .sequentiallyConsistent) else { return nil }
        return send()
    }

    /// Refuses new senders and waits for those in a write.
    func close() {
        closing.store(true, ordering: .sequentiallyConsistent)
        while senders.load(ordering: .sequentiallyConsistent) > 0 { sched_yield() }
    }
}
