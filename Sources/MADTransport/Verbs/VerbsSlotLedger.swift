/// Which pool slots a ``VerbsGSIPort`` has posted to its QP, so that completions can be
/// checked against it and close() can hand every posted slot back after the QP is gone
/// (a destroyed QP no longer touches its buffers). The receive ring keeps `receiveTarget`
/// receives posted; when the pool has no free receive slot (the delegate holds them) the
/// ring runs short and `receiveDeficit` says how many to post once slots come back. An
/// HCA with no posted receive drops what arrives (IBA 11.4.1.2), so short is better than
/// blocking the I/O thread.
struct VerbsSlotLedger: Sendable {
    let receiveTarget: Int
    private(set) var receives: Set<Int> = []
    /// Posted sends and the agent each was sent for (to name it if the send fails).
    private(set) var sends: [Int: AgentID] = [:]
    /// Receives that completed, and sends that completed, since the port opened.
    private(set) var receivesCompleted = 0
    private(set) var sendsCompleted = 0

    init(receiveTarget: Int) {
        precondition(receiveTarget > 0, "a receive ring needs at least one slot")
        self.receiveTarget = receiveTarget
    }

    var receiveDeficit: Int { max(0, receiveTarget - receives.count) }

    mutating func receivePosted(_ index: Int) {
        precondition(receives.count < receiveTarget, "receive ring overfilled")
        let inserted = receives.insert(index).inserted
        precondition(inserted, "receive slot \(index) posted twice")
    }

    /// False when `index` was not a posted receive (the pool's verifier reports it too).
    mutating func receiveCompleted(_ index: Int) -> Bool {
        guard receives.remove(index) != nil else { return false }
        receivesCompleted += 1
        return true
    }

    mutating func sendPosted(_ index: Int, agent: AgentID) {
        precondition(sends[index] == nil, "send slot \(index) posted twice")
        sends[index] = agent
    }

    /// The agent the send was for, or nil when `index` was not a posted send.
    mutating func sendCompleted(_ index: Int) -> AgentID? {
        guard let agent = sends.removeValue(forKey: index) else { return nil }
        sendsCompleted += 1
        return agent
    }

    /// Every slot still posted, emptied: the QP is destroyed and they go back to the pool.
    mutating func takeAllPosted() -> [Int] {
        defer { receives.removeAll(); sends.removeAll() }
        return receives.sorted() + sends.keys.sorted()
    }
}
