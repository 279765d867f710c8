import MADTransport
public import MADWire
import DequeModule
import HeapModule

/// How an outstanding request reports its end. Every payload is a reference (or trivial):
/// `CheckedContinuation` is a resilient standard-library type, and held inline it made
/// every window entry, completion and delivery a value of unknown layout, copied and
/// switched over through runtime witness calls several times per MAD.
enum Completion {
    case none
    case single(ResponseWaiter)
    case sweep(SweepRun, tag: Int)
}

/// The caller of `MADAgent.exchange`, waiting for its response.
final class ResponseWaiter: Sendable {
    let continuation: CheckedContinuation<ReceivedResponse, any Error>
    init(_ continuation: CheckedContinuation<ReceivedResponse, any Error>) { self.continuation = continuation }
}

/// A caller waiting for a free window entry (-1: the agent closed).
final class EntryWaiter: Sendable {
    let continuation: CheckedContinuation<Int, Never>
    init(_ continuation: CheckedContinuation<Int, Never>) { self.continuation = continuation }
}

/// A response to `MADAgent.exchange` and how many of its bytes the transport received
/// (`ReceivedMAD.length`): an SA GetTable answer holds (length - 56) / (AttributeOffset × 8)
/// records (IBA 15.2.1.1), which a 256-byte MAD value cannot tell.
public struct ReceivedResponse: Sendable {
    public var mad: MAD
    public var length: Int
}

/// How a request ended.
public enum RequestOutcome: Sendable {
    case response(MAD)
    case failure(MADAgentError)
}

/// One slot of the window: the request kept inline (256 bytes, for resends), its address
/// and how far it has got. Preallocated; reused for request after request.
struct PendingEntry {
    var request = MAD()
    var destination = MADAddress(lid: 0, queuePair: 0)
    var agent = AgentID(rawValue: 0)
    var options = RequestOptions()
    var completion = Completion.none
    /// Low 32 bits of the TID: generation above the entry index (see `PendingTable`).
    var sequence: UInt32 = 0
    var generation: UInt32 = 0
    /// Matchable: a response with `sequence` completes it.
    var armed = false
    /// A port.send call for it has not returned yet (responses may arrive meanwhile).
    var sending = false
    var resendAfterSend = false
    var finishedWhileSending = false
    /// The next deadline resends without spending an attempt (busy backoff, pool full).
    var deadlineResends = false
    var attempts = 0
    var busyRetries = 0
    /// Resends after losses the transport reported well before the timeout.
    var quickRetries = 0
    /// When the current attempt's send began (monotonic ns).
    var attemptStarted: UInt64 = 0
    /// Identifies the live deadline; older heap nodes for this entry are stale.
    var token: UInt32 = 0
    /// The previous use of this entry, to tell duplicates from late responses.
    var lastSequence: UInt32 = 0
    var lastAnswered = false
    var hasLast = false
}

/// A point in time at which an entry must be looked at again.
struct Deadline: Comparable {
    var time: UInt64
    var entry: Int32
    var token: UInt32
    static func < (a: Deadline, b: Deadline) -> Bool { a.time < b.time }
}

/// What the timer or a receive hands out of the lock to do.
enum AgentAction {
    case resend(Int)
    case deliver(Delivery)
}

/// How an entry's request ended, to hand over outside the lock. It does not hold the
/// response: that stays where it was received and goes straight into the outcome handed
/// over (`MADAgent.deliver(_:response:)`), so no 256-byte value is moved between.
struct Delivery {
    var completion: Completion
    /// nil: answered (the response is delivered beside this).
    var failure: MADAgentError?
    /// The entry to recycle after delivery (nil while a send for it is still returning).
    var freedEntry: Int?
    /// Bytes of the response the transport received.
    var receivedLength = MAD.size
}

/// The requester's state, guarded by `MADAgent.lock`. A final class so that the heap
/// purge can read `entries` while it mutates `deadlines`.
///
/// TIDs: the low 32 bits are `generation << indexBits | entryIndex`, so a response finds
/// its entry in O(1) and a response to an earlier use of the entry (generation differs)
/// is recognised as duplicate or late. The high 32 bits carry the agent id (ib_umad
/// replaces them with the kernel's own).
final class PendingTable {
    /// Allocated once for the table's life. A buffer, not an Array: every field access of
    /// an Array held in a class property is a dynamic exclusivity check plus a uniqueness
    /// check (perf: 7 % of the I/O thread's user time at window 64, several per MAD); the
    /// agent's lock already makes the accesses exclusive.
    let entries: UnsafeMutableBufferPointer<PendingEntry>
    /// Free entries, FIFO: an entry is reused as late as possible, so a late or duplicate
    /// response still finds its request's record (`lastSequence`) and is counted as such.
    var free: Deque<Int>
    let indexBits: Int
    let indexMask: UInt32
    /// ONE deadline-ordered structure for every outstanding request; stale nodes (for
    /// answered requests) are skipped when popped and purged when they pile up.
    var deadlines: Heap<Deadline>
    let purgeThreshold: Int
    var waiters: Deque<EntryWaiter> = []
    var sweeps: [SweepRun] = []
    var actions: [AgentAction] = []
    var statistics = RequesterStatistics()
    var closed = false

    init(window: Int) {
        precondition(window >= 1 && window <= 1 << 16, "window must be 1...65536")
        entries = .allocate(capacity: window)
        entries.initialize(repeating: PendingEntry())
        free = Deque(0..<window)
        var bits = 0
        while 1 << bits < window { bits += 1 }
        indexBits = bits
        indexMask = UInt32((1 << bits) - 1)
        purgeThreshold = window * 4 + 64
        deadlines = Heap(minimumCapacity: purgeThreshold + window * 2)
        actions.reserveCapacity(window * 2 + 8)
        for index in 0..<window { entries[index].generation = 1 }
    }

    deinit {
        entries.deinitialize()
        entries.deallocate()
    }

    func isLive(_ deadline: Deadline) -> Bool {
        let index = Int(deadline.entry)
        return entries[index].armed && entries[index].token == deadline.token
    }

    /// Replaces the entry's live deadline by one at `time`.
    /// Arms entry `index`'s deadline. True when it is now the earliest one, the only case
    /// in which the timer thread (asleep until the earliest) must be woken: waking it for
    /// every request cost a futex round trip and two context switches per MAD.
    @discardableResult
    func schedule(_ index: Int, at time: UInt64) -> Bool {
        entries[index].token &+= 1
        if deadlines.count >= purgeThreshold {
            deadlines.removeAll { !isLive($0) }
        }
        let earliest = deadlines.min.map { time < $0.time } ?? true
        deadlines.insert(Deadline(time: time, entry: Int32(index), token: entries[index].token))
        return earliest
    }

    /// The sequence the next `arm` of entry `index` gives it.
    func nextSequence(_ index: Int) -> UInt32 {
        let generation = (entries[index].generation &+ 1) & (UInt32.max >> indexBits)
        return generation << indexBits | UInt32(index)
    }

    /// Makes entry `index` matchable for the request stored in it and gives that its TID.
    func arm(_ index: Int, to destination: MADAddress, agent: AgentID,
             options: RequestOptions, completion: Completion) {
        // Field by field, in place: copying the entry out and back would copy its 256-byte
        // request and its completion twice per MAD.
        let sequence = nextSequence(index)
        entries[index].sequence = sequence
        entries[index].generation &+= 1
        entries[index].request.transactionID = TransactionID(high: agent.rawValue, sequence: sequence).rawValue
        entries[index].destination = destination
        entries[index].agent = agent
        entries[index].options = options
        entries[index].completion = completion
        entries[index].armed = true
        entries[index].sending = true
        entries[index].resendAfterSend = false
        entries[index].finishedWhileSending = false
        entries[index].deadlineResends = false
        entries[index].attempts = 1
        entries[index].busyRetries = 0
        entries[index].quickRetries = 0
        statistics.outstanding += 1
        statistics.maxOutstanding = max(statistics.maxOutstanding, statistics.outstanding)
    }

    /// Ends the entry's request, answered when `failure` is nil. The entry is recycled by
    /// the caller unless a send for it is still returning, in which case the sender
    /// recycles it.
    func finish(_ index: Int, failure: MADAgentError?) -> Delivery {
        let answered = failure == nil
        let completion = entries[index].completion
        statistics.outstanding -= 1
        entries[index].completion = .none
        entries[index].armed = false
        entries[index].hasLast = true
        entries[index].lastSequence = entries[index].sequence
        entries[index].lastAnswered = answered
        var freed: Int? = index
        if entries[index].sending {
            entries[index].finishedWhileSending = true
            freed = nil
        }
        return Delivery(completion: completion, failure: failure, freedEntry: freed)
    }

    /// The entry whose outstanding request `sequence` names, or nil after counting why not.
    func match(_ sequence: UInt32, managementClass: ManagementClass) -> Int? {
        let index = Int(sequence & indexMask)
        guard index < entries.count else {
            statistics.unmatched += 1
            return nil
        }
        if entries[index].armed && entries[index].sequence == sequence
            && entries[index].request.managementClass == managementClass {
            return index
        }
        if entries[index].hasLast && entries[index].lastSequence == sequence {
            if entries[index].lastAnswered { statistics.duplicates += 1 } else { statistics.late += 1 }
        } else {
            statistics.unmatched += 1
        }
        return nil
    }
}
