import Synchronization

/// Counters a long walk or sweep updates as it goes, for a progress display to read from
/// another task (atomics: written on the agent's threads, read anywhere).
public final class SweepProgress: Sendable {
    private let nodesFound = Atomic<Int>(0)
    private let answered = Atomic<Int>(0)
    private let queued = Atomic<Int>(0)

    public init() {}

    public var nodes: Int { nodesFound.load(ordering: .relaxed) }
    /// MADs answered (or given up on) so far, and MADs asked for so far.
    public var done: Int { answered.load(ordering: .relaxed) }
    public var total: Int { queued.load(ordering: .relaxed) }

    public func found(nodes count: Int) { nodesFound.store(count, ordering: .relaxed) }
    func queue(_ count: Int) { queued.add(count, ordering: .relaxed) }
    func finish(_ count: Int) { answered.add(count, ordering: .relaxed) }
}
