import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The common buffer: one page-aligned region carved into fixed MAD slots, allocated once
/// and (for the verbs port) registered once as a memory region. Every MAD the stack sends
/// or receives lives in a slot; nothing is allocated, registered or copied per MAD.
///
/// Each slot has exactly one owner: the pool (free), a caller holding a ``MADSlot``, or
/// the device while posted (a ``PostedBuffer``). `MADSlot` is `~Copyable` and `post()` is
/// `consuming`, so handing a slot to the device and still writing it does not compile.
///
/// Verifier mode (`IBMAD_VERIFY=1` or ``Configuration/verify``) is the analogue of Windows
/// Driver Verifier's DMA checks: the device sees a bounce copy between guard zones, the
/// owner's slot is checksummed at post and at completion, freed slots are poisoned and the
/// poison checked on reuse, buffers outside the region and completions of slots that are
/// not posted are rejected. Each violation is reported with the slot and its MAD.
public final class MADBufferPool: Sendable {
    public enum Kind: Sendable, Hashable { case send, receive }

    public struct Configuration: Sendable {
        public var sendSlots: Int
        public var receiveSlots: Int
        /// Bytes each port needs before a send MAD (64 for ib_user_mad's header, 0 for verbs).
        public var sendHeadroom: Int
        /// Bytes before each received MAD (the 40-byte GRH on a UD QP, 64 for ib_user_mad).
        public var receiveHeadroom: Int
        /// Verifier mode; defaults to the IBMAD_VERIFY environment variable.
        public var verify: Bool
        /// Called for every verifier report (also kept in ``violations``). Default: stderr.
        public var onViolation: @Sendable (PoolViolation) -> Void

        public init(sendSlots: Int = 256, receiveSlots: Int = 256, sendHeadroom: Int = 0,
                    receiveHeadroom: Int = 40, verify: Bool = MADBufferPool.verifyFromEnvironment,
                    onViolation: @escaping @Sendable (PoolViolation) -> Void = MADBufferPool.printViolation) {
            self.sendSlots = sendSlots
            self.receiveSlots = receiveSlots
            self.sendHeadroom = sendHeadroom
            self.receiveHeadroom = receiveHeadroom
            self.verify = verify
            self.onViolation = onViolation
        }
    }

    public static var verifyFromEnvironment: Bool {
        guard let value = getenv("IBMAD_VERIFY") else { return false }
        let text = String(cString: value)
        return !text.isEmpty && text != "0"
    }

    public static let printViolation: @Sendable (PoolViolation) -> Void = { violation in
        var line = "ibmad verifier: \(violation)\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    public let configuration: Configuration
    /// The whole region: what a verbs port registers as its MR (address and length).
    nonisolated(unsafe) public let region: UnsafeMutableRawBufferPointer
    let layout: PoolLayout
    let state: Mutex<PoolState>

    public var verify: Bool { configuration.verify }
    public var slotCount: Int { layout.sendSlots + layout.receiveSlots }

    public init(_ configuration: Configuration = Configuration()) throws(PoolError) {
        guard configuration.sendSlots >= 0, configuration.receiveSlots >= 0,
              configuration.sendSlots + configuration.receiveSlots > 0 else {
            throw PoolError.invalidConfiguration("a pool needs at least one slot")
        }
        guard (0...4096).contains(configuration.sendHeadroom), (0...4096).contains(configuration.receiveHeadroom) else {
            throw PoolError.invalidConfiguration("headroom must be 0...4096 bytes")
        }
        let layout = PoolLayout(configuration, pageSize: Int(sysconf(Int32(_SC_PAGESIZE))))
        // mmap gives whole, page-aligned, zeroed pages: registration pins whole pages.
        let address = mmap(nil, layout.regionSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let address, address != MAP_FAILED else {
            throw PoolError.allocationFailed(bytes: layout.regionSize, errno: errno)
        }
        // Keep the region out of fork's copy-on-write, as ibv_fork_init does for MRs: a
        // child must never leave the device writing into a page the parent no longer sees.
        _ = madvise(address, layout.regionSize, MADV_DONTFORK)
        region = UnsafeMutableRawBufferPointer(start: address, count: layout.regionSize)
        self.configuration = configuration
        self.layout = layout
        state = Mutex(PoolState(layout: layout))
        if configuration.verify {
            for index in 0..<layout.slotCount { poison(index) }
        }
    }

    deinit {
        munmap(region.baseAddress, region.count)
    }

    // MARK: Acquire and return

    /// A free slot of `kind`, zeroed, or `PoolError.exhausted` when every slot of that kind
    /// is owned or posted (backpressure: the caller waits for completions or fails).
    public func tryAcquire(_ kind: Kind) throws(PoolError) -> MADSlot {
        let index = state.withLock { $0.takeFree(kind) }
        guard let index else {
            throw PoolError.exhausted(kind: kind, slots: kind == .send ? layout.sendSlots : layout.receiveSlots)
        }
        prepareForOwner(index)
        return MADSlot(pool: self, index: index)
    }

    /// A free slot of `kind`, waiting for one to be returned when all are in use.
    public func acquire(_ kind: Kind) async throws -> MADSlot {
        while true {
            let outcome: AcquireOutcome = state.withLock { state in
                if let index = state.takeFree(kind) { return .slot(index) }
                return .wait
            }
            if case .slot(let index) = outcome {
                prepareForOwner(index)
                return MADSlot(pool: self, index: index)
            }
            try await waitForRelease(kind)
        }
    }

    private enum AcquireOutcome { case slot(Int), wait }

    private func waitForRelease(_ kind: Kind) async throws {
        let id = state.withLock { $0.nextWaiterID() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.hasFree(kind) || state.cancelledWaiters.remove(id) != nil { return true }
                    state.waiters.append(PoolState.Waiter(id: id, kind: kind, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> PoolState.Waiter? in
                if let position = state.waiters.firstIndex(where: { $0.id == id }) {
                    return state.waiters.remove(at: position)
                }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.continuation.resume()
        }
        try Task.checkCancellation()
    }

    /// Called by `MADSlot`'s deinit: the owner is done with the slot.
    func release(_ index: Int) {
        if verify {
            poison(index)
        } else {
            // Zeroed before reuse: no byte of an old MAD leaks into the next one.
            slotBuffer(index).initializeMemory(as: UInt8.self, repeating: 0)
        }
        let waiter = state.withLock { state -> PoolState.Waiter? in
            state.markFree(index)
            return state.takeWaiter(for: layout.kind(of: index))
        }
        waiter?.continuation.resume()
    }

    private func prepareForOwner(_ index: Int) {
        if verify {
            if let offset = firstPoisonMismatch(index) {
                report(.writeAfterReturn, index: index,
                       detail: "byte \(offset) of the slot changed while it was free (use after return)")
            }
            slotBuffer(index).initializeMemory(as: UInt8.self, repeating: 0)
        }
    }

    // MARK: Posting to the device and completion

    /// Called by `MADSlot.post()`: the slot becomes the device's until `complete`.
    func post(_ index: Int) -> PostedBuffer {
        let checksum = verify ? PoolVerifier.checksum(UnsafeRawBufferPointer(slotBuffer(index))) : 0
        state.withLock { $0.markPosted(index, checksum: checksum) }
        guard verify else {
            return PostedBuffer(index: index, buffer: slotBuffer(index), kind: layout.kind(of: index))
        }
        let bounce = bounceBuffer(index)
        // The device sees a copy between guard zones, never the owner's memory.
        PoolVerifier.fillGuards(around: bounce, in: region, layout: layout, index: index)
        bounce.copyMemory(from: UnsafeRawBufferPointer(slotBuffer(index)))
        return PostedBuffer(index: index, buffer: bounce, kind: layout.kind(of: index))
    }

    /// The device is done with the slot posted as `index` (a send completed, a receive
    /// arrived, or the kernel handed a send back). Returns the slot to its owner; a receive
    /// slot then holds what the device wrote. Completing a slot that is not posted (a
    /// double return, a stale or forged completion) is a violation and returns nil.
    public func complete(_ index: Int) -> MADSlot? {
        guard (0..<layout.slotCount).contains(index) else {
            report(.outsideRegion, index: index, detail: "completion names slot \(index); the pool has \(layout.slotCount)")
            return nil
        }
        let posted = state.withLock { $0.markOwnedIfPosted(index) }
        guard let checksumAtPost = posted else {
            report(.doubleReturn, index: index, detail: "completion for a slot that is not posted (returned twice?)")
            return nil
        }
        if verify {
            let owner = UnsafeRawBufferPointer(slotBuffer(index))
            let now = PoolVerifier.checksum(owner)
            if now != checksumAtPost {
                report(.writeWhilePosted, index: index, detail: "the owner's slot changed while the device owned it "
                       + "(checksum 0x\(hexDigits(checksumAtPost, width: 16)) at post, 0x\(hexDigits(now, width: 16)) at completion)")
            }
            if let damage = PoolVerifier.checkGuards(around: bounceBuffer(index), in: region, layout: layout, index: index) {
                report(.guardZoneOverwritten, index: index, detail: damage)
            }
            if layout.kind(of: index) == .receive {
                slotBuffer(index).copyMemory(from: UnsafeRawBufferPointer(bounceBuffer(index)))
            }
        }
        return MADSlot(pool: self, index: index)
    }

    /// Checks that `buffer` lies inside the registered region before a port hands it to the
    /// device. Always on: a buffer the device was not told about is the bug this pool exists
    /// to prevent.
    public func checkDeviceBuffer(_ buffer: UnsafeRawBufferPointer) -> Bool {
        guard let start = buffer.baseAddress, let base = region.baseAddress else { return false }
        let offset = start - UnsafeRawPointer(base)
        if offset >= 0 && offset + buffer.count <= region.count { return true }
        report(.outsideRegion, index: nil, detail: "buffer at \(start) of \(buffer.count) bytes is outside the "
               + "registered region \(base)+\(region.count)", mad: buffer.count >= 24 ? buffer : nil)
        return false
    }

    // MARK: Addresses

    /// The owner's memory of slot `index`: headroom followed by the 256-byte MAD.
    func slotBuffer(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: region[layout.slotRange(index)])
    }

    func bounceBuffer(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: region[layout.bounceRange(index)])
    }

    /// Headroom size of the slot's kind.
    func headroom(of index: Int) -> Int { layout.headroom(layout.kind(of: index)) }

    /// Slots currently free, owned and posted (for tests and leak checks).
    public var census: (free: Int, owned: Int, posted: Int) { state.withLock { $0.census } }

    /// Every violation reported so far.
    public var violations: [PoolViolation] { state.withLock { $0.violations } }

    // MARK: Verifier helpers

    private func poison(_ index: Int) {
        slotBuffer(index).initializeMemory(as: UInt8.self, repeating: PoolVerifier.poisonByte)
    }

    private func firstPoisonMismatch(_ index: Int) -> Int? {
        slotBuffer(index).firstIndex { $0 != PoolVerifier.poisonByte }
    }

    func report(_ kind: PoolViolation.Kind, index: Int?, detail: String, mad: UnsafeRawBufferPointer? = nil) {
        var summary: MADSummary? = nil
        if let mad {
            summary = MADSummary(mad)
        } else if let index, (0..<layout.slotCount).contains(index) {
            let buffer = UnsafeRawBufferPointer(slotBuffer(index))
            summary = MADSummary(UnsafeRawBufferPointer(rebasing: buffer[headroom(of: index)...]))
        }
        let violation = PoolViolation(kind: kind, slot: index, slotKind: index.map { layout.kind(of: $0) },
                                      mad: summary, detail: detail)
        state.withLock { $0.violations.append(violation) }
        configuration.onViolation(violation)
    }
}

/// What the device is given for one posted slot: an address inside the registered region
/// and its length (headroom included). The slot index travels as the work request id.
public struct PostedBuffer: Sendable {
    public let index: Int
    nonisolated(unsafe) public let buffer: UnsafeMutableRawBufferPointer
    public let kind: MADBufferPool.Kind
}
