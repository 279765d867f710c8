import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

/// Vendor class range 2 (0x30, with an OUI): RMPP-capable, 216 data bytes per segment.
private let vendorClass = ManagementClass(rawValue: 0x30)
private let oui: UInt32 = 0x001405
private let segmentData = 216

private func pattern(_ count: Int, salt: UInt8) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 >> 8) &+ salt }
}

/// A requester agent on LID 1 and an RMPP responder agent on LID 10 of a MemoryFabric in
/// the verbs style (no response matching in the transport: RMPP owns every timer). The
/// responder checks the request's bytes and answers with `attributeModifier` bytes.
private final class RMPPRig: Sendable {
    let fabric: MemoryFabric
    let requester: MADAgent
    let responder: MADAgent
    let log = RequestLog()

    init(seed: UInt64, responderOptions: RMPPOptions = fastOptions(), sendSlots: Int = 64) throws {
        let pool = MADBufferPool.Configuration(sendSlots: sendSlots, receiveSlots: 256, sendHeadroom: 0, receiveHeadroom: 40)
        fabric = MemoryFabric(.init(seed: seed, matchesResponsesInTransport: false, pool: pool))
        requester = try MADAgent(port: fabric.addPort(lid: 1))
        responder = try MADAgent(port: fabric.addPort(lid: 10))
        let log = self.log
        try responder.serveRMPP(class: vendorClass, version: 1, methods: [.get, .set], oui: oui,
                                    options: responderOptions) { request, _, response in
            log.sizes.withLock { $0.append(request.data.count) }
            let intact = request.data == pattern(request.data.count, salt: 7) && request.header.vendorOUI == oui
            response.header.status = intact ? .success : .invalidField
            response.data = pattern(Int(request.header.attributeModifier), salt: UInt8(truncatingIfNeeded: request.data.count))
            return true
        }
    }

    func close() {
        requester.close()
        responder.close()
        fabric.close()
    }

    static func fastOptions(window: Int = 64, retries: Int = 20, limit: Int = 8 << 20) -> RMPPOptions {
        RMPPOptions(responseTimeoutMilliseconds: 40, retries: retries, totalTimeoutMilliseconds: 20_000,
                    window: window, maximumMessageBytes: limit)
    }

    /// Sends `requestSize` bytes, asks for `responseSize`, and checks every byte back.
    func exchange(requestSize: Int, responseSize: Int, method: Method = .get,
                  options: RMPPOptions = fastOptions()) async throws {
        var header = MAD(class: vendorClass, classVersion: 1, method: method, attribute: AttributeID(rawValue: 0xFF10),
                         modifier: UInt32(responseSize))
        header.vendorOUI = oui
        let response = try await requester.rmppRequest(RMPPMessage(header: header, data: pattern(requestSize, salt: 7)),
                                                       to: .generalServices(lid: 10), options: options)
        #expect(response.header.method == method.response)
        #expect(response.header.status == .success, "the responder saw the request's bytes intact")
        #expect(response.header.vendorOUI == oui)
        #expect(response.header.attributeModifier == UInt32(responseSize))
        #expect(response.data == pattern(responseSize, salt: UInt8(truncatingIfNeeded: requestSize)),
                "response of \(responseSize) bytes to a request of \(requestSize)")
    }
}

/// The request sizes a responder handler saw.
private final class RequestLog: Sendable {
    let sizes = Mutex<[Int]>([])
}

/// A port with a raw delegate on LID 20 registered for the vendor class: a misbehaving
/// peer, driven MAD by MAD.
private final class RawPeer: Sendable {
    let port: MemoryFabricPort
    let recorder = RecordingDelegate()
    let agent: AgentID

    init(_ fabric: MemoryFabric) throws {
        port = try fabric.addPort(lid: 20)
        agent = try port.register(AgentRegistration(class: vendorClass, version: 1, methods: [.get, .set], rmppVersion: 0, oui: oui))
        try port.start(delegate: recorder)
    }

    func send(_ mad: MAD, to lid: UInt16 = 1) throws {
        let slot = try port.pool.tryAcquire(.send)
        slot.store(mad)
        try port.send(slot, to: .generalServices(lid: lid), agent: agent, timeoutMilliseconds: 0)
    }

    func first(_ type: RMPPHeader.PacketType, after count: Int = 0) async -> MAD? {
        for wanted in (count + 1)...(count + 50) {
            let all = await recorder.waitFor(count: wanted, milliseconds: 100)
            if let mad = all.dropFirst(count).first(where: { $0.0.rmppType == type }) { return mad.0 }
        }
        return nil
    }
}

private func vendorRequest(_ size: Int, responseSize: Int = 0) -> RMPPMessage {
    var header = MAD(class: vendorClass, classVersion: 1, method: .get, attribute: AttributeID(rawValue: 0xFF10),
                     modifier: UInt32(responseSize))
    header.vendorOUI = oui
    return RMPPMessage(header: header, data: pattern(size, salt: 7))
}

@Suite(.serialized) struct RMPPFabricTests {
    static let sizes = [0, 1, segmentData, segmentData + 1, 100 * segmentData]

    /// Both directions at every size edge: a multi-segment request answered by a
    /// multi-segment response is the double-sided transfer (IBA 13.6.2.2).
    @Test(arguments: sizes)
    func everySizeBothDirections(size: Int) async throws {
        let rig = try RMPPRig(seed: 1)
        defer { rig.close() }
        try await rig.exchange(requestSize: size, responseSize: 3)
        try await rig.exchange(requestSize: 2, responseSize: size)
        try await rig.exchange(requestSize: size, responseSize: size, method: .set)
        let stats = rig.requester.rmppStatistics
        #expect(stats.abortsSent == 0 && stats.abortsReceived == 0 && stats.stopsSent == 0)
        #expect(rig.log.sizes.withLock { $0 } == [size, 2, size])
    }

    @Test(arguments: [1, 4, 64])
    func windowSizes(window: Int) async throws {
        let rig = try RMPPRig(seed: 2, responderOptions: RMPPRig.fastOptions(window: window))
        defer { rig.close() }
        try await rig.exchange(requestSize: 30 * segmentData, responseSize: 30 * segmentData,
                               options: RMPPRig.fastOptions(window: window))
        let stats = rig.requester.rmppStatistics
        // The responder ACKs the request at 1, every window end and the last segment; the
        // requester sends the switch-direction ACK and the response's ACKs the same way.
        // Every other ACK answers a duplicate or out-of-order segment (a resend after a
        // timer ran out on a loaded machine), so this holds whatever the timing.
        let windowACKs = 1 + (29 + window - 1) / window
        let served = rig.responder.rmppStatistics
        #expect(served.acksSent == windowACKs + served.duplicateSegments + served.outOfOrderSegments)
        #expect(stats.acksSent >= 1 + windowACKs + stats.duplicateSegments + stats.outOfOrderSegments)
        #expect(stats.abortsSent == 0 && served.abortsSent == 0)
    }

    /// Loss, duplication, reordering and delay in both directions: every byte arrives, and
    /// each fault was really injected. Deterministic by seed (the same traffic draws the
    /// same faults; retransmission timing can change the traffic, not the outcome).
    @Test(arguments: [UInt64(11), 12, 13])
    func survivesLossDuplicationAndReordering(seed: UInt64) async throws {
        let rig = try RMPPRig(seed: seed)
        defer { rig.close() }
        let drop = rig.fabric.addFault(FaultRule(.drop, selector: .percent(8)))
        let duplicate = rig.fabric.addFault(FaultRule(.duplicate(copies: 1), selector: .percent(8)))
        let reorder = rig.fabric.addFault(FaultRule(.reorder(after: 2), selector: .percent(5)))
        let delay = rig.fabric.addFault(FaultRule(.delay(min: .milliseconds(1), max: .milliseconds(5)), selector: .percent(5)))
        for size in Self.sizes {
            try await rig.exchange(requestSize: size, responseSize: 100 * segmentData - size)
        }
        #expect(rig.fabric.injections(drop) > 0 && rig.fabric.injections(duplicate) > 0)
        #expect(rig.fabric.injections(reorder) > 0 && rig.fabric.injections(delay) > 0)
        let stats = rig.requester.rmppStatistics
        let served = rig.responder.rmppStatistics
        #expect(stats.timeouts + served.timeouts > 0, "losses were recovered by the timers")
        #expect(stats.duplicateSegments + served.duplicateSegments > 0)
        #expect(rig.log.sizes.withLock { $0.count } >= Self.sizes.count)
    }

    /// Corruption of the RMPP header (after the link CRCs, which is what the fault models):
    /// each transfer ends — delivered, or with an RMPPError (an ABORT, STOP or timeout) —
    /// and nothing hangs or crashes. A flipped Active bit can make a segment look like a
    /// plain one-MAD answer, so the bytes are not checked here.
    @Test func corruptionEndsEveryTransfer() async throws {
        let rig = try RMPPRig(seed: 21)
        defer { rig.close() }
        let corrupt = rig.fabric.addFault(FaultRule(.corrupt(bytes: 24..<36), selector: .percent(3)))
        var ended = 0
        for size in Self.sizes {
            do {
                _ = try await rig.requester.rmppRequest(vendorRequest(size, responseSize: size), to: .generalServices(lid: 10),
                                                        options: RMPPRig.fastOptions())
            } catch is RMPPError {
            }
            ended += 1
        }
        #expect(ended == Self.sizes.count)
        #expect(rig.fabric.injections(corrupt) > 0)
    }

    @Test func theResponderStopsARequestOverItsLimit() async throws {
        let rig = try RMPPRig(seed: 3, responderOptions: RMPPRig.fastOptions(limit: 1000))
        defer { rig.close() }
        await #expect(throws: RMPPError.stoppedByPeer(.resourcesExhausted)) {
            try await rig.exchange(requestSize: 5000, responseSize: 1)
        }
        #expect(rig.responder.rmppStatistics.stopsSent == 1)
        #expect(rig.log.sizes.withLock { $0 }.isEmpty)
        try await rig.exchange(requestSize: 1000, responseSize: 1)  // at the limit: fine
    }

    @Test func theRequesterStopsAResponseOverItsLimit() async throws {
        let rig = try RMPPRig(seed: 4)
        defer { rig.close() }
        await #expect(throws: RMPPError.tooLarge(limit: 3000)) {
            try await rig.exchange(requestSize: 1, responseSize: 3001, options: RMPPRig.fastOptions(limit: 3000))
        }
        #expect(rig.requester.rmppStatistics.stopsSent == 1)
        // The responder's sender saw the STOP and gave up.
        for _ in 0..<100 where rig.responder.rmppStatistics.stopsReceived == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(rig.responder.rmppStatistics.stopsReceived == 1)
    }

    @Test func noResponseTimesOutAfterTheRetries() async throws {
        let rig = try RMPPRig(seed: 5)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        _ = raw
        let options = RMPPOptions(responseTimeoutMilliseconds: 20, retries: 2, totalTimeoutMilliseconds: 20_000)
        await #expect(throws: RMPPError.aborted(.tooManyRetries, reason: "no ACK after 3 attempts")) {
            _ = try await rig.requester.rmppRequest(vendorRequest(3 * segmentData), to: .generalServices(lid: 20), options: options)
        }
        // Segment 1 went out once and then again on each of the two retries; then ABORT 126.
        let seen = await raw.recorder.waitFor(count: 4)
        #expect(seen.map { $0.0.rmppType } == [.data, .data, .data, .abort])
        #expect(seen.last?.0.rmppStatus == RMPPStatus.tooManyRetries.rawValue)
        #expect(seen.allSatisfy { $0.0.rmppData1 <= 1 }, "the first window is one segment")
    }

    /// The total-transaction timer: a response that starts and never finishes is aborted
    /// with status 118 (what mad_rmpp.c `recv_timeout_handler` sends after its 40 s).
    @Test func theTotalTimerAbortsAStalledResponse() async throws {
        let rig = try RMPPRig(seed: 6)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        let options = RMPPOptions(responseTimeoutMilliseconds: 50, retries: 50, totalTimeoutMilliseconds: 300)
        let task = Task { try await rig.requester.rmppRequest(vendorRequest(10), to: .generalServices(lid: 20), options: options) }
        guard let request = await raw.first(.data) else { Issue.record("no request"); return }
        let layout = RMPPLayout(vendorClass)!
        try raw.send(layout.control(.ack, segment: 1, newWindowLast: 1, about: request, method: .getResponse))
        var response = request
        response.method = .getResponse
        try raw.send(layout.segment(1, of: pattern(3 * segmentData, salt: 1), header: response))  // 1 of 3, then silence
        await #expect(throws: RMPPError.aborted(.totalTimeTooLong, reason: "not finished within the total-transaction time of 300 ms")) {
            try await task.value
        }
        let abort = await raw.first(.abort)
        #expect(abort?.rmppStatus == RMPPStatus.totalTimeTooLong.rawValue)
        #expect(abort?.method == .get, "an ABORT from the receiver flips the R bit of the DATA")
    }

    /// ACKs that break the protocol abort the sender with 122 and 123 (mad_rmpp.c
    /// `process_rmpp_ack`); a peer's ABORT ends the request with its status.
    @Test(arguments: [(UInt32(3), UInt32(3), RMPPStatus.segmentNumberTooBig), (1, 0, .newWindowLastTooSmall),
                      (99, 120, .segmentNumberTooBig)])
    func badACKsAbort(segment: UInt32, newWindowLast: UInt32, status: RMPPStatus) async throws {
        let rig = try RMPPRig(seed: 7)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        let task = Task {
            try await rig.requester.rmppRequest(vendorRequest(5 * segmentData), to: .generalServices(lid: 20),
                                                options: RMPPRig.fastOptions())
        }
        guard let first = await raw.first(.data) else { Issue.record("no request"); return }
        try raw.send(RMPPLayout(vendorClass)!.control(.ack, segment: segment, newWindowLast: newWindowLast,
                                                      about: first, method: .getResponse))
        do {
            _ = try await task.value
            Issue.record("the request succeeded")
        } catch let error as RMPPError {
            guard case .aborted(let got, _) = error else { Issue.record("\(error)"); return }
            #expect(got == status)
        }
        let abort = await raw.first(.abort)
        #expect(abort?.rmppStatus == status.rawValue)
        #expect(abort?.method == .get)
    }

    @Test func cancellingARequestAbortsItWithStatus127() async throws {
        let rig = try RMPPRig(seed: 14)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        let task = Task { try await rig.requester.rmppRequest(vendorRequest(3 * segmentData), to: .generalServices(lid: 20)) }
        guard await raw.first(.data) != nil else { Issue.record("no request"); return }
        task.cancel()
        await #expect(throws: RMPPError.cancelled) { try await task.value }
        let abort = await raw.first(.abort)
        #expect(abort?.rmppStatus == RMPPStatus.unspecified.rawValue)
        #expect(abort?.method == .get)
    }

    @Test func aPeerAbortEndsTheRequestWithItsStatus() async throws {
        let rig = try RMPPRig(seed: 8)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        let task = Task { try await rig.requester.rmppRequest(vendorRequest(1), to: .generalServices(lid: 20)) }
        guard let first = await raw.first(.data) else { Issue.record("no request"); return }
        try raw.send(RMPPLayout(vendorClass)!.control(.abort, status: .inconsistentLastAndPayloadLength, about: first,
                                                      method: .getResponse))
        await #expect(throws: RMPPError.abortedByPeer(.inconsistentLastAndPayloadLength)) { try await task.value }
    }

    /// Bad DATA to a responder: First on the wrong segment is ABORT 120, another RMPP
    /// version 125, a bad RMPPType 121; each comes back with the R bit flipped.
    @Test(arguments: [(0, RMPPStatus.inconsistentFirstAndSegmentNumber), (1, .unsupportedVersion), (2, .badRMPPType)])
    func badSegmentsToAResponderAreAborted(kind: Int, status: RMPPStatus) async throws {
        let rig = try RMPPRig(seed: 9)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        var header = vendorRequest(0).header
        header.transactionID = 0x77
        var segment = RMPPLayout(vendorClass)!.segment(1, of: pattern(500, salt: 7), header: header)
        switch kind {
        case 0: segment.rmppFlags = [.active]
        case 1: segment.rmppVersion = 2
        default: segment.rmppType = RMPPHeader.PacketType(rawValue: 9)
        }
        try raw.send(segment, to: 10)
        let abort = await raw.first(.abort)
        #expect(abort?.rmppStatus == status.rawValue)
        #expect(abort?.method == .getResponse)
        #expect(abort?.transactionID == 0x77)
        #expect(rig.log.sizes.withLock { $0 }.isEmpty)
    }

    /// A plain single MAD (Active clear) to an RMPP responder is the whole request.
    @Test func aPlainRequestIsServed() async throws {
        let rig = try RMPPRig(seed: 10)
        defer { rig.close() }
        let raw = try RawPeer(rig.fabric)
        var plain = vendorRequest(0, responseSize: 5).header
        plain.transactionID = 0x55
        try raw.send(plain, to: 10)
        let data = await raw.first(.data)
        #expect(data?.rmppFlags == [.active, .first, .last])
        let payloadLength = data?.rmppData2 ?? 0
        #expect(payloadLength == 9, "PayloadLength: the OUI header and five bytes")
        #expect(rig.log.sizes.withLock { $0 } == [216], "a plain MAD's data is the whole data area")
        // The requester saw no answer and asks again (after we finished): answered again.
        try raw.send(RMPPLayout(vendorClass)!.control(.ack, segment: 1, newWindowLast: 1, about: data ?? plain,
                                                      method: .get), to: 10)
        for _ in 0..<200 where rig.responder.rmppStatistics.transfersCompleted < 2 { try await Task.sleep(for: .milliseconds(5)) }
        try raw.send(plain, to: 10)
        let again = await raw.first(.data, after: 1)
        #expect(again?.transactionID == 0x55)
        #expect(rig.log.sizes.withLock { $0 } == [216, 216])
    }
}

/// What the kernel peer constrains, seen on the wire.
@Suite(.serialized) struct RMPPWireTests {
    /// Every RMPP MAD goes with transport timeout 0: through ib_umad the kernel must not
    /// hold or match any of them (mad.c hands unmatched Active responses to user RMPP).
    @Test func everyRMPPSendHasTransportTimeout0() async throws {
        let fabric = MemoryFabric(.init(seed: 30))
        defer { fabric.close() }
        let observed = ObservedPort(try fabric.addPort(lid: 1))
        let requester = try MADAgent(port: observed)
        let responder = try MADAgent(port: fabric.addPort(lid: 10))
        defer { requester.close(); responder.close() }
        try responder.serveRMPP(class: vendorClass, version: 1, oui: oui) { request, _, response in
            response.data = request.data + request.data
            return true
        }
        let answer = try await requester.rmppRequest(vendorRequest(3 * segmentData), to: .generalServices(lid: 10))
        #expect(answer.data.count == 6 * segmentData)
        let timeouts = observed.timeouts.withLock { $0 }
        #expect(timeouts.count >= 3 + 1 + 2, "3 request segments, the switch-direction ACK, ACKs of the response")
        #expect(timeouts.allSatisfy { $0 == 0 })
    }

    /// After the final ACK of its request the requester sends the switch-direction ACK:
    /// SegmentNumber 0, NewWindowLast 1, the request's method (mad_rmpp.c `ack_ds_ack`).
    @Test func theRequesterSwitchesDirectionAsTheKernelDoes() async throws {
        let fabric = MemoryFabric(.init(seed: 31))
        defer { fabric.close() }
        let requester = try MADAgent(port: fabric.addPort(lid: 1))
        defer { requester.close() }
        let raw = try RawPeer(fabric)
        let task = Task { try await requester.rmppRequest(vendorRequest(2 * segmentData), to: .generalServices(lid: 20)) }
        defer { task.cancel() }
        let layout = RMPPLayout(vendorClass)!
        guard let first = await raw.first(.data) else { Issue.record("no segment 1"); return }
        #expect(first.rmppData1 == 1 && first.rmppData2 == UInt32(2 * 220))
        try raw.send(layout.control(.ack, segment: 1, newWindowLast: 2, about: first, method: .getResponse))
        let seen = await raw.recorder.waitFor(count: 2)
        guard seen.count >= 2 else { Issue.record("no segment 2"); return }
        let second = seen[1].0
        #expect(second.rmppData1 == 2 && second.rmppFlags == [.active, .last] && second.rmppData2 == 220)
        try raw.send(layout.control(.ack, segment: 2, newWindowLast: 2, about: second, method: .getResponse))
        let switchACK = await raw.first(.ack)
        #expect(switchACK?.rmppData1 == 0)
        #expect(switchACK?.rmppData2 == 1)
        #expect(switchACK?.method == .get)
        #expect(switchACK.map { TransactionID(rawValue: $0.transactionID).sequence } == TransactionID(rawValue: first.transactionID).sequence)
    }

    /// More transfers at once than `maximumInboundTransfers`: the next first segment is
    /// answered with STOP (resources exhausted), and nothing is kept for it.
    @Test func tooManyInboundTransfersAreStopped() async throws {
        let fabric = MemoryFabric(.init(seed: 32))
        defer { fabric.close() }
        let responder = try MADAgent(port: fabric.addPort(lid: 10))
        defer { responder.close() }
        try responder.serveRMPP(class: vendorClass, version: 1, oui: oui,
                                options: RMPPOptions(maximumInboundTransfers: 1)) { _, _, _ in true }
        let raw = try RawPeer(fabric)
        let layout = RMPPLayout(vendorClass)!
        for tid: UInt64 in [1, 2] {
            var header = vendorRequest(0).header
            header.transactionID = tid
            try raw.send(layout.segment(1, of: pattern(3 * segmentData, salt: 7), header: header), to: 10)
        }
        let stop = await raw.first(.stop)
        #expect(stop?.rmppStatus == RMPPStatus.resourcesExhausted.rawValue)
        #expect(stop?.transactionID == 2)
        #expect(stop?.method == .getResponse)
        #expect(responder.rmppStatistics.stopsSent == 1)
    }
}
