/// Ownership bookkeeping, always under the pool's mutex.
struct PoolState: ~Copyable {
    enum Owner: Equatable { case pool, caller, device }

    /// A caller of `acquire` waiting for a slot. A class: `CheckedContinuation` is a
    /// resilient type, and an optional waiter held inline made every `release` (twice per
    /// MAD) copy and test it through runtime witness calls.
    final class Waiter: Sendable {
        let id: UInt64
        let kind: MADBufferPool.Kind
        let continuation: CheckedContinuation<Void, Never>
        init(id: UInt64, kind: MADBufferPool.Kind, continuation: CheckedContinuation<Void, Never>) {
            self.id = id
            self.kind = kind
            self.continuation = continuation
        }
    }

    let sendSlots: Int
    var owners: [Owner]
    var checksums: [UInt64]
    var freeSend: [Int]
    var freeReceive: [Int]
    var waiters: [Waiter] = []
    var cancelledWaiters: Set<UInt64> = []
    var waiterSequence: UInt64 = 0
    var violations: [PoolViolation] = []

    init(layout: PoolLayout) {
        sendSlots = layout.sendSlots
        owners = Array(repeating: .pool, count: layout.slotCount)
        checksums = Array(repeating: 0, count: layout.slotCount)
        // Reversed so the lowest index is handed out first (stacks pop from the end).
        freeSend = Array((0..<layout.sendSlots).reversed())
        freeReceive = Array((layout.sendSlots..<layout.slotCount).reversed())
        freeSend.reserveCapacity(layout.sendSlots)
        freeReceive.reserveCapacity(layout.receiveSlots)
    }

    func hasFree(_ kind: MADBufferPool.Kind) -> Bool {
        kind == .send ? !freeSend.isEmpty : !freeReceive.isEmpty
    }

    mutating func takeFree(_ kind: MADBufferPool.Kind) -> Int? {
        let index = kind == .send ? freeSend.popLast() : freeReceive.popLast()
        if let index { owners[index] = .caller }
        return index
    }

    mutating func markFree(_ index: Int) {
        precondition(owners[index] == .caller, "pool invariant: only an owned slot can be released")
        owners[index] = .pool
        if index < sendSlots { freeSend.append(index) } else { freeReceive.append(index) }
    }

    mutating func markPosted(_ index: Int, checksum: UInt64) {
        precondition(owners[index] == .caller, "pool invariant: only an owned slot can be posted")
        owners[index] = .device
        checksums[index] = checksum
    }

    /// Device → caller; nil (a violation) when the slot was not posted.
    mutating func markOwnedIfPosted(_ index: Int) -> UInt64? {
        guard owners[index] == .device else { return nil }
        owners[index] = .caller
        return checksums[index]
    }

    mutating func nextWaiterID() -> UInt64 {
        waiterSequence += 1
        return waiterSequence
    }

    mutating func takeWaiter(for kind: MADBufferPool.Kind) -> Waiter? {
        if waiters.isEmpty { return nil }
        guard let position = waiters.firstIndex(where: { $0.kind == kind }) else { return nil }
        return waiters.remove(at: position)
    }

    var census: (free: Int, owned: Int, posted: Int) {
        var result = (free: 0, owned: 0, posted: 0)
        for owner in owners {
            switch owner {
            case .pool: result.free += 1
            case .caller: result.owned += 1
            case .device: result.posted += 1
            }
        }
        return result
    }
}
