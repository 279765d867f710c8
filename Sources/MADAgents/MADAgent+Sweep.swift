public import MADTransport
public import MADWire

/// One request a ``RequestFeed`` hands to a sweep: the MAD, where it goes, and the tag
/// the feed will be told its outcome under.
public struct FeedRequest: Sendable {
    public var tag: Int
    public var mad: MAD
    public var destination: MADAddress

    public init(tag: Int, mad: MAD, destination: MADAddress) {
        self.tag = tag
        self.mad = mad
        self.destination = destination
    }
}

/// Where a sweep's requests come from when they are not known up front: a walk whose
/// answers decide what to ask next (directed-route discovery). The agent keeps its window
/// full from the feed and runs everything on the threads that already handle the port
/// (the I/O thread for responses, the timer thread for timeouts): no task, continuation
/// or thread hop per MAD.
public protocol RequestFeed: AnyObject, Sendable {
    /// The next request to send, or nil when none is ready now (more may follow once an
    /// outcome arrives). Called with the agent's lock held: it must not call the agent.
    func nextRequest() -> FeedRequest?
    /// Like `nextRequest()`, writing the MAD straight into `mad` (the window entry it will
    /// go out of) and returning its tag and destination. Called on every MAD of a sweep:
    /// a `FeedRequest` returned, unwrapped and passed on is copied at each step. The
    /// default goes through `nextRequest()`.
    func nextRequest(into mad: inout MAD) -> (tag: Int, destination: MADAddress)?
    /// How request `tag` ended. Called on the port's I/O thread or the agent's timer
    /// thread, without the agent's lock; do not block. Requests it makes ready are sent
    /// when it returns.
    func complete(_ tag: Int, _ outcome: RequestOutcome)
}

extension RequestFeed {
    public func nextRequest(into mad: inout MAD) -> (tag: Int, destination: MADAddress)? {
        guard let request = nextRequest() else { return nil }
        mad = request.mad
        return (request.tag, request.destination)
    }
}

extension MADAgent {
    /// Sends `count` requests, keeping the window full, and reports each outcome to
    /// `response` (on the port's I/O thread or the timer thread; do not block there).
    /// `request(i)` builds the i-th request and its destination. Per MAD nothing is
    /// allocated once the agent is warm: requests live inline in the preallocated window
    /// entries, slots come from the pool, deadlines from the preallocated heap; only the
    /// run itself (two objects) is allocated per sweep.
    public func sweep(count: Int, options: RequestOptions? = nil,
                      request: @escaping @Sendable (Int) -> (MAD, MADAddress),
                      response: @escaping @Sendable (Int, RequestOutcome) -> Void) async {
        guard count > 0 else { return }
        await sweep(feed: IndexedFeed(count: count, build: request, report: response), options: options)
    }

    /// Like `sweep(count:options:request:response:)`, writing each outcome into
    /// `results[i]`, a buffer the caller allocated once and may reuse for every sweep.
    public func sweep(into results: UnsafeMutableBufferPointer<RequestOutcome>, options: RequestOptions? = nil,
                      request: @escaping @Sendable (Int) -> (MAD, MADAddress)) async {
        nonisolated(unsafe) let results = results
        await sweep(count: results.count, options: options, request: request) { item, outcome in
            // Each index is written once, by whichever thread completes it.
            results[item] = outcome
        }
    }

    /// Sends what `feed` hands out, at most `limit` outstanding (and never more than the
    /// agent's window), until the feed has nothing more and every outcome is reported.
    /// Returns when the last `complete` has returned. When the agent closes, requests
    /// still outstanding end `.closed` and the feed is drained the same way.
    public func sweep(feed: any RequestFeed, options: RequestOptions? = nil, limit: Int? = nil) async {
        let run = SweepRun(feed: feed, options: options ?? configuration.defaultOptions,
                           limit: max(1, limit ?? configuration.window))
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            var armed: [ArmedEntry] = []
            let outcome: StartOutcome = lock.withLock {
                if table.closed { return .closed }
                run.continuation = continuation
                table.sweeps.append(run)
                run.fill(self, into: &armed)
                // No entry free (a request or sweep that just ended recycles its entry after
                // its caller resumed): the first request waits for the next recycled entry.
                // Only an empty feed ends the sweep here.
                if armed.isEmpty && run.parkOrLeave(table) {
                    run.continuation = nil
                    return .empty
                }
                return .started
            }
            switch outcome {
            case .closed:
                run.drainClosed()
                continuation.resume()
            case .empty:
                continuation.resume()
            case .started:
                for entry in armed { launch(entry.index, entry.failure) }
            }
        }
    }

    private enum StartOutcome { case closed, empty, started }
}

/// One bulk sweep in progress. `inFlight`, `parked` and `continuation` are guarded by the
/// agent's lock.
final class SweepRun: @unchecked Sendable {
    let feed: any RequestFeed
    let options: RequestOptions
    let limit: Int
    /// Requests sent and not yet reported.
    var inFlight = 0
    /// A request taken from the feed when no window entry was free.
    var parked: FeedRequest?
    var continuation: CheckedContinuation<Void, Never>?

    init(feed: any RequestFeed, options: RequestOptions, limit: Int) {
        self.feed = feed
        self.options = options
        self.limit = limit
    }

    /// Arms free entry `index` with the run's next request, the parked one first (lock
    /// held); nil when none is ready. The feed writes the MAD into the entry itself.
    func armNext(entry index: Int, agent: MADAgent) -> ArmedEntry? {
        guard inFlight < limit else { return nil }
        let tag: Int
        let destination: MADAddress
        if let request = parked {
            parked = nil
            agent.table.entries[index].request = request.mad
            (tag, destination) = (request.tag, request.destination)
        } else {
            guard let next = feed.nextRequest(into: &agent.table.entries[index].request) else { return nil }
            (tag, destination) = next
        }
        inFlight += 1
        return ArmedEntry(index: index, failure: agent.armStoredForSending(index, to: destination, options: options,
                                                                          completion: .sweep(self, tag: tag)))
    }

    /// Arms free window entries with ready requests (lock held); the caller launches them
    /// once the lock is released.
    func fill(_ agent: MADAgent, into armed: inout [ArmedEntry]) {
        while let index = agent.table.free.first, let entry = armNext(entry: index, agent: agent) {
            armed.append(entry)
            agent.table.free.removeFirst()
        }
    }

    /// Nothing in flight and nothing armed (lock held): parks the feed's next request for
    /// the next recycled entry, or, when the feed has none or the agent closed, takes the
    /// run out of the agent's sweeps. True when the sweep is over.
    func parkOrLeave(_ table: PendingTable) -> Bool {
        if !table.closed, let request = feed.nextRequest() {
            parked = request
            return false
        }
        table.sweeps.removeAll { $0 === self }
        return true
    }

    /// Reports one outcome, then sends what it made ready on the free entries; the entry it
    /// held is recycled by the caller afterwards (and may carry the next request).
    func complete(_ tag: Int, _ outcome: RequestOutcome, agent: MADAgent) {
        feed.complete(tag, outcome)
        var armed: [ArmedEntry] = []
        var closed = false
        let finished: Bool = agent.lock.withLock {
            inFlight -= 1
            closed = agent.table.closed
            if !closed { fill(agent, into: &armed) }
            // What completions make ready is asked for before inFlight can reach 0, so with
            // nothing in flight an empty feed means the sweep is over.
            guard inFlight == 0, armed.isEmpty else { return false }
            return parkOrLeave(agent.table)
        }
        for entry in armed { agent.launch(entry.index, entry.failure) }
        guard finished else { return }
        // Out of the agent's sweeps with nothing outstanding: no other thread touches the
        // run any more.
        if closed { drainClosed() }
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume()
    }

    /// Ends a run the closing agent took out of its sweeps: reports what the feed still holds as `.closed`.
    func end() {
        drainClosed()
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume()
    }

    /// The agent closed: a parked request and what the feed still holds end `.closed`
    /// (outstanding requests were failed with `.closed` already).
    func drainClosed() {
        if let request = parked {
            parked = nil
            feed.complete(request.tag, .failure(.closed))
        }
        while let request = feed.nextRequest() { feed.complete(request.tag, .failure(.closed)) }
    }
}

/// A window entry armed for a sweep's request, to launch once the agent's lock is released.
struct ArmedEntry {
    var index: Int
    /// Set when the request could not go out (agent closed, no port agent).
    var failure: Delivery?
}

/// The fixed-count sweep as a feed. `next` is read under the agent's lock only.
private final class IndexedFeed: RequestFeed, @unchecked Sendable {
    let count: Int
    let build: @Sendable (Int) -> (MAD, MADAddress)
    let report: @Sendable (Int, RequestOutcome) -> Void
    var next = 0

    init(count: Int, build: @escaping @Sendable (Int) -> (MAD, MADAddress),
         report: @escaping @Sendable (Int, RequestOutcome) -> Void) {
        self.count = count
        self.build = build
        self.report = report
    }

    func nextRequest() -> FeedRequest? {
        var mad = MAD()
        guard let (tag, destination) = nextRequest(into: &mad) else { return nil }
        return FeedRequest(tag: tag, mad: mad, destination: destination)
    }

    func nextRequest(into mad: inout MAD) -> (tag: Int, destination: MADAddress)? {
        guard next < count else { return nil }
        defer { next += 1 }
        let destination: MADAddress
        (mad, destination) = build(next)
        return (next, destination)
    }

    func complete(_ tag: Int, _ outcome: RequestOutcome) { report(tag, outcome) }
}
