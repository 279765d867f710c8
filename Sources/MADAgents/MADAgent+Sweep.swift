public import MADTransport
public import MADWire

extension MADAgent {
    /// Sends `count` requests, keeping the window full, and reports each outcome to
    /// `response` (on the port's I/O thread or the timer thread; do not block there).
    /// `request(i)` builds the i-th request and its destination. Per MAD nothing is
    /// allocated once the agent is warm: requests live inline in the preallocated window
    /// entries, slots come from the pool, deadlines from the preallocated heap; only the
    /// run itself (one object) is allocated per sweep.
    public func sweep(count: Int, options: RequestOptions? = nil,
                      request: @escaping @Sendable (Int) -> (MAD, MADAddress),
                      response: @escaping @Sendable (Int, RequestOutcome) -> Void) async {
        guard count > 0 else { return }
        let run = SweepRun(count: count, options: options ?? configuration.defaultOptions, build: request, report: response)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            var starts: [(item: Int, entry: Int)] = []
            let closed: Bool = lock.withLock {
                if table.closed { return true }
                run.continuation = continuation
                table.sweeps.append(run)
                while run.next < run.count, let entry = table.free.popFirst() {
                    starts.append((run.next, entry))
                    run.next += 1
                }
                return false
            }
            if closed {
                for item in 0..<count { response(item, .failure(.closed)) }
                continuation.resume()
                return
            }
            for start in starts { run.startItem(start.item, entry: start.entry, agent: self) }
        }
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
}

/// One bulk sweep in progress. `next` and `completed` are guarded by the agent's lock.
final class SweepRun: @unchecked Sendable {
    let count: Int
    let options: RequestOptions
    let build: @Sendable (Int) -> (MAD, MADAddress)
    let report: @Sendable (Int, RequestOutcome) -> Void
    var next = 0
    var completed = 0
    var continuation: CheckedContinuation<Void, Never>?

    init(count: Int, options: RequestOptions, build: @escaping @Sendable (Int) -> (MAD, MADAddress),
         report: @escaping @Sendable (Int, RequestOutcome) -> Void) {
        self.count = count
        self.options = options
        self.build = build
        self.report = report
    }

    func startItem(_ item: Int, entry: Int, agent: MADAgent) {
        let (mad, destination) = build(item)
        agent.start(entry, request: mad, to: destination, options: options, completion: .sweep(self, index: item))
    }

    func complete(_ item: Int, _ outcome: RequestOutcome, agent: MADAgent) {
        report(item, outcome)
        finished(1, agent: agent)
    }

    func finished(_ items: Int, agent: MADAgent) {
        let done: CheckedContinuation<Void, Never>? = agent.lock.withLock {
            completed += items
            guard completed == count else { return nil }
            if let position = agent.table.sweeps.firstIndex(where: { $0 === self }) {
                agent.table.sweeps.remove(at: position)
            }
            defer { continuation = nil }
            return continuation
        }
        done?.resume()
    }

    /// Items never started when the agent closed: reported as `.closed`.
    func abandonRemaining(agent: MADAgent) {
        let range: Range<Int> = agent.lock.withLock {
            defer { next = count }
            return next..<count
        }
        guard !range.isEmpty else { return }
        for item in range { report(item, .failure(.closed)) }
        finished(range.count, agent: agent)
    }
}
