import MADAgents
import MADWire
import Testing

/// The RMPP codecs and state machines alone, with numbers from IBA 13.6 and the kernel's
/// mad.c/mad_rmpp.c (`ib_get_mad_data_offset`, `send_next_seg`, `get_mad_len`).
@Suite struct RMPPStateMachineTests {
    static let sa = RMPPLayout(.subnetAdministration)!
    static let vendor = RMPPLayout(ManagementClass(rawValue: 0x30))!

    func pattern(_ count: Int, salt: UInt8 = 3) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ salt }
    }

    func header(_ layout: RMPPLayout, method: Method = .getTable) -> MAD {
        var mad = MAD(class: layout.managementClass, classVersion: 2, method: method, attribute: .nodeRecord,
                      transactionID: 0x1234_5678_9ABC)
        if layout.managementClass.isVendorRange2 { mad.vendorOUI = 0x001405 } else { mad.componentMask = 0xFF }
        return mad
    }

    @Test func layoutsMatchTheKernelDataOffsets() {
        #expect(Self.sa.dataOffset == 56 && Self.sa.segmentDataSize == 200 && Self.sa.classHeaderSize == 20)
        #expect(Self.vendor.dataOffset == 40 && Self.vendor.segmentDataSize == 216 && Self.vendor.classHeaderSize == 4)
        let devMgt = RMPPLayout(.deviceManagement)!
        #expect(devMgt.dataOffset == 64 && devMgt.segmentDataSize == 192)
        #expect(RMPPLayout(ManagementClass(rawValue: 0x4F)) != nil && RMPPLayout(ManagementClass(rawValue: 0x50)) == nil)
        for notRMPP: UInt8 in [0x01, 0x81, 0x04, 0x07, 0x09, 0x21] {
            #expect(RMPPLayout(ManagementClass(rawValue: notRMPP)) == nil, "class \(notRMPP) has no RMPP")
        }
    }

    /// PayloadLength counts 220 bytes per segment (class header included) less the pad:
    /// the first segment the whole transfer's, the last its own.
    @Test(arguments: [(0, 1, 20, 20), (1, 1, 21, 21), (200, 1, 220, 220), (201, 2, 241, 21), (20_000, 100, 22_000, 220),
                      (19_999, 100, 21_999, 219)])
    func payloadLengths(data: Int, segments: Int, first: UInt32, last: UInt32) {
        let layout = Self.sa
        #expect(layout.segmentCount(dataCount: data) == segments)
        #expect(layout.firstPayloadLength(dataCount: data) == first)
        #expect(layout.lastPayloadLength(dataCount: data) == last)
        #expect(layout.dataCount(firstPayloadLength: first) == data)
        let segment = layout.segment(segments, of: pattern(data), header: header(layout))
        #expect(segment.rmppData2 == last && segment.rmppFlags.contains(.last) && segment.rmppFlags.contains(.active))
        let one = layout.segment(1, of: pattern(data), header: header(layout))
        #expect(one.rmppData1 == 1 && one.rmppFlags.contains(.first) && one.rmppType == .data && one.rmppVersion == 1)
        #expect(one.componentMask == 0xFF, "the class header goes in every segment")
        #expect(one.rmppResponseTime == RMPPLayout.noResponseTime)
        if segments > 1 { #expect(one.rmppData2 == first && !one.rmppFlags.contains(.last)) }
    }

    @Test func aFirstPayloadLengthNoLayoutCanGiveIsRejected() {
        #expect(Self.sa.dataCount(firstPayloadLength: 19) == nil, "less than the SA header")
        #expect(Self.sa.dataCount(firstPayloadLength: 230) == nil, "a second segment of 10 bytes cannot hold the header")
    }

    /// Sender to receiver, in order: the data comes back whole; the receiver ACKs segment
    /// 1, each window's end and the last, as mad_rmpp.c does.
    @Test(arguments: [0, 1, 216, 217, 21_600], [1, 4, 64])
    func inOrderTransferReassembles(size: Int, window: Int) {
        let layout = Self.vendor
        let data = pattern(size)
        var sender = RMPPSender(layout: layout, header: header(layout, method: .getResponse), data: data)
        var receiver = RMPPReceiver(layout: layout, window: window, limit: 1 << 20)
        var acks: [UInt32] = []
        var rounds = 0
        while !sender.isComplete && rounds < 10_000 {
            rounds += 1
            guard let batch = sender.nextBatch() else { Issue.record("stalled at \(sender.lastAck)"); return }
            for number in batch {
                switch receiver.receive(sender.segment(number)) {
                case .accepted: break
                case .ack(let segment, let newWindowLast, _):
                    acks.append(segment)
                    #expect(sender.receiveAck(segment: segment, newWindowLast: newWindowLast) != .ignored)
                case let other: Issue.record("segment \(number): \(other)")
                }
            }
        }
        #expect(receiver.isComplete)
        #expect(receiver.data == data)
        #expect(receiver.header.vendorOUI == 0x001405)
        let count = layout.segmentCount(dataCount: size)
        var expected: [UInt32] = [1]
        var edge = 1 + window
        while edge < count { expected.append(UInt32(edge)); edge += window }
        if count > 1 { expected.append(UInt32(count)) }
        #expect(acks == expected)
    }

    @Test func duplicatesAreReACKedAndGapsDroppedWithTheLastInOrderSegment() {
        let layout = Self.sa
        let data = pattern(1000)  // 5 segments
        let sender = RMPPSender(layout: layout, header: header(layout), data: data)
        var receiver = RMPPReceiver(layout: layout, window: 8, limit: 1 << 20)
        #expect(receiver.receive(sender.segment(1)) == .ack(segment: 1, newWindowLast: 9, completed: false))
        #expect(receiver.receive(sender.segment(1)) == .duplicate(segment: 1, newWindowLast: 9))
        #expect(receiver.receive(sender.segment(3)) == .outOfOrder(segment: 1, newWindowLast: 9))
        #expect(receiver.receive(sender.segment(2)) == .accepted)
        #expect(receiver.receive(sender.segment(3)) == .accepted)
        #expect(receiver.receive(sender.segment(4)) == .accepted)
        #expect(receiver.receive(sender.segment(5)) == .ack(segment: 5, newWindowLast: 9, completed: true))
        #expect(receiver.receive(sender.segment(5)) == .duplicate(segment: 5, newWindowLast: 9))
        #expect(receiver.data == data)
        #expect(receiver.takeMessage().data == data)
        #expect(receiver.data.isEmpty, "a finished transfer keeps no data")
        #expect(receiver.receive(sender.segment(4)) == .duplicate(segment: 5, newWindowLast: 9), "and still re-ACKs")
    }

    @Test func segmentsPastTheWindowAreDropped() {
        let layout = Self.sa
        let sender = RMPPSender(layout: layout, header: header(layout), data: pattern(2000))
        var receiver = RMPPReceiver(layout: layout, window: 2, limit: 1 << 20)
        #expect(receiver.receive(sender.segment(2)) == .dropped, "before segment 1 the window ends at 1")
        #expect(receiver.receive(sender.segment(1)) == .ack(segment: 1, newWindowLast: 3, completed: false))
        #expect(receiver.receive(sender.segment(4)) == .dropped)
    }

    @Test func inconsistentSegmentsAbortWithTheirStatus() {
        let layout = Self.sa
        let sender = RMPPSender(layout: layout, header: header(layout), data: pattern(1000))
        func fresh() -> RMPPReceiver { RMPPReceiver(layout: layout, window: 8, limit: 1 << 20) }

        var noFirst = sender.segment(1)
        noFirst.rmppFlags = [.active]
        var receiver = fresh()
        #expect(receiver.receive(noFirst) == .abort(.inconsistentFirstAndSegmentNumber))

        var firstOnTwo = sender.segment(2)
        firstOnTwo.rmppFlags = [.active, .first]
        receiver = fresh()
        #expect(receiver.receive(firstOnTwo) == .abort(.inconsistentFirstAndSegmentNumber))

        var zero = sender.segment(2)
        zero.rmppData1 = 0
        receiver = fresh()
        #expect(receiver.receive(zero) == .abort(.inconsistentFirstAndSegmentNumber))

        var status = sender.segment(1)
        status.rmppStatus = 5
        receiver = fresh()
        #expect(receiver.receive(status) == .abort(.illegalStatus))

        // The last segment's PayloadLength must hold the class header and fit 220 bytes,
        // and agree with the first segment's.
        for bad: UInt32 in [19, 221, 150] {
            receiver = fresh()
            for number in 1...4 { _ = receiver.receive(sender.segment(number)) }
            var last = sender.segment(5)
            last.rmppData2 = bad
            #expect(receiver.receive(last) == .abort(.inconsistentLastAndPayloadLength), "last PayloadLength \(bad)")
        }

        // More segments than the first announced.
        var short = sender.segment(1)
        short.rmppData2 = 400  // two segments
        receiver = fresh()
        _ = receiver.receive(short)
        #expect(receiver.receive(sender.segment(2)) == .abort(.inconsistentLastAndPayloadLength))
    }

    @Test func theReassemblyLimitStopsTheTransfer() {
        let layout = Self.sa
        let sender = RMPPSender(layout: layout, header: header(layout), data: pattern(5000))
        var announced = RMPPReceiver(layout: layout, window: 64, limit: 4999)
        #expect(announced.receive(sender.segment(1)) == .stop, "the first PayloadLength announces 5000 bytes")
        #expect(announced.data.isEmpty)

        // Unannounced (PayloadLength 0 in the first segment): stopped when it grows past.
        var unannounced = RMPPReceiver(layout: layout, window: 64, limit: 450)
        var first = sender.segment(1)
        first.rmppData2 = 0
        #expect(unannounced.receive(first) == .ack(segment: 1, newWindowLast: 65, completed: false))
        #expect(unannounced.receive(sender.segment(2)) == .accepted)
        #expect(unannounced.receive(sender.segment(3)) == .stop)
        #expect(unannounced.data.count == 400)
    }

    @Test func senderChecksACKsAsTheKernelDoes() {
        let layout = Self.sa
        var sender = RMPPSender(layout: layout, header: header(layout), data: pattern(2000))  // 10 segments
        #expect(sender.nextBatch() == 1...1, "the first window is one segment")
        #expect(sender.nextBatch() == nil)
        #expect(sender.receiveAck(segment: 2, newWindowLast: 5) == .abort(.segmentNumberTooBig), "2 was never allowed")
        #expect(sender.receiveAck(segment: 1, newWindowLast: 0) == .abort(.newWindowLastTooSmall))
        #expect(sender.receiveAck(segment: 11, newWindowLast: 20) == .abort(.segmentNumberTooBig))
        #expect(sender.receiveAck(segment: 1, newWindowLast: 4) == .advanced)
        #expect(sender.nextBatch() == 2...4)
        #expect(sender.receiveAck(segment: 1, newWindowLast: 4) == .ignored, "a repeated ACK")
        #expect(sender.receiveAck(segment: 3, newWindowLast: 3) == .ignored, "a window that shrinks is an old ACK")
        #expect(sender.receiveAck(segment: 2, newWindowLast: 6) == .advanced)
        #expect(sender.nextBatch() == 5...6)
        sender.rewind()  // the ACK timer ran out: again from the segment after the last ACK
        #expect(sender.nextBatch() == 3...6)
        #expect(sender.receiveAck(segment: 6, newWindowLast: 100) == .advanced)
        #expect(sender.nextBatch() == 7...10, "never past the last segment")
        #expect(sender.receiveAck(segment: 10, newWindowLast: 100) == .completed)
    }

    @Test func respTimeValueGivesTheResponseTimer() {
        #expect(RMPPOptions.responseTimeout(respTimeValue: 18) == 1074, "4.096 µs × 2^18 = 1.07 s")
        #expect(RMPPOptions.responseTimeout(respTimeValue: 0) == 1)
        #expect(RMPPOptions.responseTimeout(respTimeValue: 10, packetLifeMilliseconds: 5) == 15)
        #expect(RMPPOptions().with(respTimeValue: 20).responseTimeoutMilliseconds == 4295)
        var classPortInfo = ClassPortInfo()
        classPortInfo.respTimeValue = 18
        #expect(RMPPOptions().with(classPortInfo).responseTimeoutMilliseconds == 1074)
    }

    @Test func statusNames() {
        #expect(RMPPStatus.resourcesExhausted.description == "1 (resources exhausted)")
        #expect(RMPPStatus.segmentNumberTooBig.description == "123 (SegmentNumber too big)")
        #expect(RMPPStatus(rawValue: 118).isAbortStatus && !RMPPStatus(rawValue: 1).isAbortStatus)
    }
}
