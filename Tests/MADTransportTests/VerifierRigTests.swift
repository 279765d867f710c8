import MADAgents
@testable import MADTransport
import MADWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Verifier mode on the real device (issue 5 item 5): seeded faults on a VerbsGSIPort's
/// pool on rxe1, each reported with its slot and the MAD, while MADs go to the kernel's
/// ib_mad on rxe0 and back. (Write-while-posted is in RxeRigVerbsGSIPortTests.)
@Suite("RxeRig verifier faults", .serialized, .enabled(if: VerbsRig.available, Comment(rawValue: VerbsRig.unavailableReason)))
struct RxeRigVerifierTests {
    static let nextTID = Atomic<UInt32>(0x7D00_0000)

    /// A verifying pool (whatever IBMAD_VERIFY says) that collects its reports.
    static func verifyingPool(sendSlots: Int) throws -> (MADBufferPool, ViolationBox) {
        let box = ViolationBox()
        let pool = try MADBufferPool(.init(sendSlots: sendSlots, receiveSlots: 8, sendHeadroom: 0, receiveHeadroom: 40,
                                           verify: true, onViolation: { box.append($0) }))
        return (pool, box)
    }

    /// Sends a PerfMgt ClassPortInfo Get to rxe0's ib_mad and waits for its GetResp.
    static func roundTrip(_ port: VerbsGSIPort, _ collector: MADCollector, agent: AgentID) async throws -> MAD {
        let destination = try VerbsRig.qp1(of: VerbsRig.responderDevice, gidIndex: 0)
        let tid = nextTID.add(1, ordering: .relaxed).newValue
        let request = MAD(class: .performance, classVersion: 1, method: .get, attribute: .classPortInfo,
                          transactionID: UInt64(agent.rawValue) << 32 | UInt64(tid))
        for _ in 0..<3 {
            let slot = try await port.pool.acquire(.send)
            slot.store(request)
            try port.send(slot, to: destination, agent: agent, timeoutMilliseconds: 0)
            if case .received(let response, _, _)? = try? await collector.event(lowTID: tid, within: .seconds(2)) {
                return response
            }
        }
        throw CollectorTimeout(lowTID: tid)
    }

    /// Waits (bounded) until every send the port posted has completed.
    static func sendsCompleted(_ port: VerbsGSIPort) async throws {
        for _ in 0..<500 where port.postedCounts.sends > 0 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(port.postedCounts.sends == 0)
    }

    @Test("Reuse after return: a stale write into a returned send slot is reported, with the slot and the stale MAD")
    func reuseAfterReturn() async throws {
        let (pool, violations) = try Self.verifyingPool(sendSlots: 1)
        let port = try VerbsGSIPort(deviceName: VerbsRig.requesterDevice, gidIndex: 0, pool: pool)
        let collector = MADCollector()
        let agent = try port.register(AgentRegistration(class: .performance, version: 1))
        try port.start(delegate: collector)
        let first = try await Self.roundTrip(port, collector, agent: agent)
        #expect(first.status == .unsupportedMethodAttribute)
        try await Self.sendsCompleted(port)
        #expect(violations.violations.withLock { $0 }.isEmpty)

        // The seeded fault: a stale pointer writes a MAD into the one send slot after the
        // device returned it (it is free and poisoned now).
        let stale = MAD(class: .performance, classVersion: 1, method: .set, attribute: .portCounters,
                        transactionID: 0xDEAD_0000_0000_BEEF)
        stale.withUnsafeBytes { pool.slotBuffer(0).copyMemory(from: $0) }
        // The next acquire of that slot (the next send) reports it; the send still works.
        let second = try await Self.roundTrip(port, collector, agent: agent)
        #expect(second.status == .unsupportedMethodAttribute)
        port.close()
        let reports = violations.violations.withLock { $0 }
        #expect(reports.count == 1, "\(reports)")
        let report = try #require(reports.first)
        #expect(report.kind == .writeAfterReturn && report.slot == 0 && report.slotKind == .send)
        #expect(report.mad?.managementClass == .performance && report.mad?.method == .set)
        #expect(report.mad?.attributeID == .portCounters && report.mad?.transactionID == 0xDEAD_0000_0000_BEEF)
        #expect(report.description.contains("slot 0 (send)") && report.description.contains("TID 0xdead00000000beef"))
        #expect(pool.census.owned == 0 && pool.census.posted == 0)
    }

    @Test("Double return: a second completion of a receive slot its owner holds is reported, naming the response in it")
    func doubleReturn() async throws {
        let (pool, violations) = try Self.verifyingPool(sendSlots: 2)
        let port = try VerbsGSIPort(deviceName: VerbsRig.requesterDevice, gidIndex: 0, pool: pool)
        let collector = MADCollector()
        let forger = DoubleCompleter(pool: pool, next: collector)
        let agent = try port.register(AgentRegistration(class: .performance, version: 1))
        try port.start(delegate: forger)
        let response = try await Self.roundTrip(port, collector, agent: agent)
        port.close()
        let reports = violations.violations.withLock { $0 }
        #expect(reports.count == 1, "\(reports)")
        let report = try #require(reports.first)
        let forgedSlot = try #require(forger.forged.withLock { $0 })
        #expect(report.kind == .doubleReturn && report.slot == forgedSlot && report.slotKind == .receive)
        #expect(report.mad?.managementClass == .performance && report.mad?.method == .getResponse)
        #expect(report.mad?.attributeID == .classPortInfo && report.mad?.transactionID == response.transactionID)
        // The forged completion did not hand the slot out twice: every slot is back.
        #expect(pool.census.owned == 0 && pool.census.posted == 0)
    }

    @Test("Outside the region: a MAD buffer the device was not told about, and a completion naming no slot, are reported")
    func outsideRegion() async throws {
        let (pool, violations) = try Self.verifyingPool(sendSlots: 2)
        let port = try VerbsGSIPort(deviceName: VerbsRig.requesterDevice, gidIndex: 0, pool: pool)
        let collector = MADCollector()
        let agent = try port.register(AgentRegistration(class: .performance, version: 1))
        try port.start(delegate: collector)

        // 1. The check every post makes (sendMAD, postReceive) on a heap buffer holding a MAD.
        let stray = UnsafeMutableRawBufferPointer.allocate(byteCount: MAD.size, alignment: 64)
        defer { stray.deallocate() }
        try MAD(class: .performance, classVersion: 1, method: .get, attribute: .portCounters,
                transactionID: 0x0000_0001_0000_0042).encode(into: stray)
        #expect(!pool.checkDeviceBuffer(UnsafeRawBufferPointer(stray)))
        // 2. A slot of another pool (another, unregistered region) is refused by the port.
        let foreign = try VerbsGSIPort.makePool(sendSlots: 1, receiveSlots: 1)
        do {
            try port.sendMAD(try foreign.tryAcquire(.send), to: try VerbsRig.qp1(of: VerbsRig.responderDevice, gidIndex: 0),
                             agent: agent)
            Issue.record("the port posted a slot of another pool")
        } catch {
            #expect("\(error)".contains("belongs to another pool"))
        }
        // 3. A completion whose work-request id names no slot (what the I/O thread passes on).
        let outsideHandedOut = handedOut(pool.complete(pool.slotCount + 5))
        #expect(!outsideHandedOut)
        // The port still works.
        let response = try await Self.roundTrip(port, collector, agent: agent)
        #expect(response.status == .unsupportedMethodAttribute)
        port.close()
        let reports = violations.violations.withLock { $0 }
        #expect(reports.count == 2, "\(reports)")
        #expect(reports.allSatisfy { $0.kind == .outsideRegion })
        #expect(reports.first?.mad?.attributeID == .portCounters && reports.first?.mad?.transactionID == 0x0000_0001_0000_0042)
        #expect(reports.last?.slot == pool.slotCount + 5)
        #expect(pool.census.owned == 0 && pool.census.posted == 0)
        #expect(foreign.census.owned == 0 && foreign.census.posted == 0)
    }
}

/// Collects verifier reports from the pool's callback.
final class ViolationBox: Sendable {
    let violations = Mutex<[PoolViolation]>([])
    func append(_ violation: PoolViolation) { violations.withLock { $0.append(violation) } }
}

/// A delegate that forges a second completion of the first slot it is handed (the fault a
/// device or port bug returning one slot twice would cause), then passes MADs on.
final class DoubleCompleter: MADPortDelegate {
    let pool: MADBufferPool
    let next: MADCollector
    let forged = Mutex<Int?>(nil)

    init(pool: MADBufferPool, next: MADCollector) {
        self.pool = pool
        self.next = next
    }

    func port(received mad: consuming ReceivedMAD) {
        let index = mad.slot.index
        let first = forged.withLock { value -> Bool in
            if value != nil { return false }
            value = index
            return true
        }
        if first {
            let twice = handedOut(pool.complete(index))
            #expect(!twice)
        }
        next.port(received: mad)
    }

    func port(sendFailed failure: SendFailure) { next.port(sendFailed: failure) }
}

/// Whether a completion handed a slot out (dropping it returns it to the pool).
func handedOut(_ slot: consuming MADSlot?) -> Bool {
    guard let slot else { return false }
    _ = consume slot
    return true
}
