import MADWire
import Synchronization
import Testing

@testable import MADTransport

#if canImport(Glibc)
import Glibc
#endif

/// Collects verifier reports instead of printing them.
final class ViolationLog: Sendable {
    private let reports = Mutex<[PoolViolation]>([])
    var all: [PoolViolation] { reports.withLock { $0 } }
    var record: @Sendable (PoolViolation) -> Void { { [self] violation in reports.withLock { $0.append(violation) } } }
}

private func makePool(verify: Bool, send: Int = 4, receive: Int = 4, log: ViolationLog = ViolationLog()) throws -> MADBufferPool {
    try MADBufferPool(.init(sendSlots: send, receiveSlots: receive, sendHeadroom: 64, receiveHeadroom: 40,
                            verify: verify, onViolation: log.record))
}

/// Whether a completion handed nothing back (Optional of a ~Copyable type has no `== nil`).
private func isEmpty(_ slot: consuming MADSlot?) -> Bool {
    switch consume slot {
    case .none: true
    case .some: false
    }
}

private let sampleMAD: MAD = {
    var mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .portInfo,
                  modifier: 1, transactionID: 0x1234_5678_9ABC_DEF0)
    mad.mKey = 0xFEED
    return mad
}()

@Suite struct MADBufferPoolTests {
    @Test func regionIsPageAlignedAndHoldsEverySlot() throws {
        let pool = try makePool(verify: true, send: 7, receive: 9)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        #expect(Int(bitPattern: pool.region.baseAddress) % page == 0)
        #expect(pool.region.count % page == 0)
        for index in 0..<pool.slotCount {
            #expect(pool.layout.slotRange(index).upperBound <= pool.layout.bounceStart)
            #expect(pool.layout.bounceRange(index).upperBound <= pool.region.count)
        }
    }

    @Test(arguments: [false, true]) func slotsAreZeroedBeforeReuse(verify: Bool) throws {
        let pool = try makePool(verify: verify, send: 1, receive: 1)
        do {
            let slot = try pool.tryAcquire(.send)
            slot.store(sampleMAD)
            _ = slot.withUnsafeMutableHeadroom { $0.initializeMemory(as: UInt8.self, repeating: 0xEE) }
        }
        let again = try pool.tryAcquire(.send)
        #expect(again.index == 0)
        again.withUnsafeMutableMAD { mad in #expect(mad.allSatisfy { $0 == 0 }) }
        again.withUnsafeMutableHeadroom { head in #expect(head.allSatisfy { $0 == 0 }) }
        #expect(pool.violations.isEmpty)
    }

    @Test func exhaustionIsAClearError() throws {
        let pool = try makePool(verify: false, send: 2, receive: 1)
        let first = try pool.tryAcquire(.send)
        let second = try pool.tryAcquire(.send)
        #expect(throws: PoolError.exhausted(kind: .send, slots: 2)) { _ = try pool.tryAcquire(.send) }
        #expect(String(describing: PoolError.exhausted(kind: .send, slots: 2)).contains("all 2 send slots"))
        _ = consume first
        _ = consume second
        #expect(pool.census == (free: 3, owned: 0, posted: 0))
    }

    @Test func acquireWaitsForARelease() async throws {
        let pool = try makePool(verify: false, send: 1, receive: 1)
        let held = try pool.tryAcquire(.send)
        let waiter = Task { try await pool.acquire(.send).index }
        try await Task.sleep(for: .milliseconds(20))
        _ = consume held
        #expect(try await waiter.value == 0)
    }

    @Test func cancelledAcquireStopsWaiting() async throws {
        let pool = try makePool(verify: false, send: 1, receive: 1)
        let held = try pool.tryAcquire(.send)
        let waiter = Task { try await pool.acquire(.send).index }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        _ = consume held
    }

    @Test(arguments: [false, true]) func postAndCompleteMoveOwnership(verify: Bool) throws {
        let log = ViolationLog()
        let pool = try makePool(verify: verify, log: log)
        let slot = try pool.tryAcquire(.send)
        slot.store(sampleMAD)
        let posted = slot.post()
        #expect(pool.census.posted == 1)
        #expect(pool.checkDeviceBuffer(UnsafeRawBufferPointer(posted.buffer)))
        // The device sees the MAD after the port's headroom.
        let seen = try MAD(decoding: UnsafeRawBufferPointer(rebasing: posted.buffer[64...]))
        #expect(seen.transactionID == sampleMAD.transactionID)
        guard let back = pool.complete(posted.index) else { Issue.record("posted slot did not complete"); return }
        #expect(back.mad.transactionID == sampleMAD.transactionID)
        #expect(log.all.isEmpty)
    }

    @Test(arguments: [false, true]) func receivedBytesReachTheOwner(verify: Bool) throws {
        let pool = try makePool(verify: verify)
        let posted = try pool.tryAcquire(.receive).post()
        // The device writes GRH + MAD into what it was given.
        posted.buffer.initializeMemory(as: UInt8.self, repeating: 0)
        try sampleMAD.encode(into: UnsafeMutableRawBufferPointer(rebasing: posted.buffer[40...]))
        guard let slot = pool.complete(posted.index) else { Issue.record("posted slot did not complete"); return }
        #expect(slot.kind == .receive)
        #expect(slot.mad.attributeID == .portInfo)
        #expect(pool.violations.isEmpty)
    }
}

/// Each violation seeded on purpose; verifier mode must report every one with the slot and
/// the MAD.
@Suite struct PoolVerifierTests {
    @Test func writeWhilePostedIsReported() throws {
        let log = ViolationLog()
        let pool = try makePool(verify: true, log: log)
        let slot = try pool.tryAcquire(.send)
        slot.store(sampleMAD)
        // A buggy owner keeps a raw pointer past post(): exactly what the types prevent.
        let leaked = slot.withUnsafeMutableMAD { $0 }
        let posted = slot.post()
        leaked[100] ^= 0xFF
        _ = pool.complete(posted.index)
        let report = try #require(log.all.first)
        #expect(report.kind == .writeWhilePosted)
        #expect(report.slot == posted.index)
        #expect(report.mad?.transactionID == sampleMAD.transactionID)
        #expect(report.mad?.attributeID == .portInfo)
        #expect(String(describing: report).contains("TID 0x123456789abcdef0"))
    }

    @Test func deviceWritePastTheBufferIsReported() throws {
        let log = ViolationLog()
        let pool = try makePool(verify: true, log: log)
        let slot = try pool.tryAcquire(.receive)
        let posted = slot.post()
        // One byte past the end of the device's buffer: a DMA overrun.
        let end = posted.buffer.baseAddress! + posted.buffer.count
        end.storeBytes(of: 0, as: UInt8.self)
        _ = pool.complete(posted.index)
        #expect(log.all.map(\.kind) == [.guardZoneOverwritten])
        #expect(log.all.first?.slot == posted.index)
    }

    @Test func writeAfterReturnIsReportedOnReuse() throws {
        let log = ViolationLog()
        let pool = try makePool(verify: true, send: 1, receive: 1, log: log)
        var leaked: UnsafeMutableRawBufferPointer?
        do {
            let slot = try pool.tryAcquire(.send)
            slot.store(sampleMAD)
            leaked = slot.withUnsafeMutableMAD { $0 }
        }
        leaked?[0] = 0x01  // use after return
        let again = try pool.tryAcquire(.send)
        #expect(log.all.map(\.kind) == [.writeAfterReturn])
        #expect(log.all.first?.slot == again.index)
        // The new owner still gets a zeroed slot.
        again.withUnsafeMutableMAD { mad in #expect(mad.allSatisfy { $0 == 0 }) }
    }

    @Test(arguments: [false, true]) func bufferOutsideTheRegionIsRejected(verify: Bool) throws {
        let log = ViolationLog()
        let pool = try makePool(verify: verify, log: log)
        let outside = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 64)
        defer { outside.deallocate() }
        outside.initializeMemory(as: UInt8.self, repeating: 0)
        try sampleMAD.encode(into: outside)
        #expect(!pool.checkDeviceBuffer(UnsafeRawBufferPointer(outside)))
        #expect(log.all.map(\.kind) == [.outsideRegion])
        #expect(log.all.first?.mad?.transactionID == sampleMAD.transactionID)
        // A buffer straddling the end of the region is outside too.
        let tail = UnsafeRawBufferPointer(start: pool.region.baseAddress! + pool.region.count - 128, count: 256)
        #expect(!pool.checkDeviceBuffer(tail))
    }

    @Test(arguments: [false, true]) func doubleReturnIsReported(verify: Bool) throws {
        let log = ViolationLog()
        let pool = try makePool(verify: verify, log: log)
        let slot = try pool.tryAcquire(.send)
        slot.store(sampleMAD)
        let posted = slot.post()
        let first = pool.complete(posted.index)
        let second = isEmpty(pool.complete(posted.index))
        #expect(second)
        #expect(log.all.map(\.kind) == [.doubleReturn])
        #expect(log.all.first?.mad?.transactionID == sampleMAD.transactionID)
        let firstWasEmpty = isEmpty(first)
        let third = isEmpty(pool.complete(posted.index))
        let outOfRange = isEmpty(pool.complete(10_000))
        #expect(!firstWasEmpty && third && outOfRange)
        #expect(log.all.count == 3)
    }
}
