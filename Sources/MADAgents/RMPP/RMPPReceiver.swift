public import MADWire

/// The receiving side of one RMPP transfer (IBA 13.6.3.2). Takes DATA segments in order,
/// ACKs the first segment and each window's end (NewWindowLast += window) and the last
/// segment, as mad_rmpp.c `start_rmpp`/`continue_rmpp` do, so a kernel sender paces the
/// same with us as with itself. Differences from the kernel, both allowed by IBA 13.6.3.2:
/// a segment past a gap is dropped and the last in-order segment re-ACKed (the kernel
/// keeps it in a list); nothing is buffered out of order, so memory is the data so far.
///
/// Allocation: `data` grows by one segment's data per in-order segment (amortised
/// doubling), reserving at most 64 KiB up front whatever the first PayloadLength claims,
/// and never past `limit` bytes: the transfer is stopped first.
public struct RMPPReceiver: Sendable {
    public let layout: RMPPLayout
    public let window: Int
    public let limit: Int
    /// The first segment (its header is the message's header).
    public private(set) var header = MAD()
    public private(set) var data: [UInt8] = []
    /// The last segment received in order.
    public private(set) var received = 0
    public private(set) var windowLast = 1
    /// The first segment's PayloadLength (0: not announced).
    public private(set) var announcedPayloadLength: UInt32 = 0
    public private(set) var isComplete = false

    public init(layout: RMPPLayout, window: Int, limit: Int) {
        self.layout = layout
        self.window = max(1, window)
        self.limit = limit
    }

    public enum Outcome: Sendable, Hashable {
        /// Taken; no ACK due.
        case accepted
        /// Send ACK(segment, newWindowLast). `completed`: this was the last segment.
        case ack(segment: UInt32, newWindowLast: UInt32, completed: Bool)
        /// Silently dropped (past the window).
        case dropped
        /// A duplicate or a segment past a gap: re-ACK the last in-order segment.
        case duplicate(segment: UInt32, newWindowLast: UInt32)
        case outOfOrder(segment: UInt32, newWindowLast: UInt32)
        /// Abort the transfer with this status.
        case abort(RMPPStatus)
        /// Stop the transfer (STOP, resources exhausted): it would exceed `limit`.
        case stop
    }

    /// One DATA segment of this transfer.
    public mutating func receive(_ mad: MAD) -> Outcome {
        let number = Int(mad.rmppData1)
        let flags = mad.rmppFlags
        // mad_rmpp.c `process_rmpp_data`: status must be 0 (124); First exactly on 1 (120).
        if mad.rmppStatus != 0 { return .abort(.illegalStatus) }
        if number == 0 || (number == 1) != flags.contains(.first) { return .abort(.inconsistentFirstAndSegmentNumber) }
        if isComplete || number <= received {
            return .duplicate(segment: UInt32(received), newWindowLast: UInt32(windowLast))
        }
        if number > windowLast { return .dropped }
        if number != received + 1 {
            return .outOfOrder(segment: UInt32(received), newWindowLast: UInt32(windowLast))
        }
        let isLast = flags.contains(.last)
        if number == 1 {
            announcedPayloadLength = mad.rmppData2
            if announcedPayloadLength != 0 {
                // An announced length that no segment layout can give is inconsistent (119);
                // one past the limit is stopped before a byte is kept.
                guard let announced = layout.dataCount(firstPayloadLength: announcedPayloadLength) else {
                    return .abort(.inconsistentLastAndPayloadLength)
                }
                if announced > limit { return .stop }
                data.reserveCapacity(min(announced, 64 << 10))
            }
        }
        var take = layout.segmentDataSize
        if isLast {
            let payload = Int(mad.rmppData2)
            guard payload >= layout.classHeaderSize && payload <= RMPPLayout.payloadPerSegment else {
                return .abort(.inconsistentLastAndPayloadLength)
            }
            if announcedPayloadLength != 0
                && Int(announcedPayloadLength) != (number - 1) * RMPPLayout.payloadPerSegment + payload {
                return .abort(.inconsistentLastAndPayloadLength)
            }
            take = payload - layout.classHeaderSize
        } else if announcedPayloadLength != 0
                    && number * RMPPLayout.payloadPerSegment >= Int(announcedPayloadLength) {
            // More segments than the first one announced.
            return .abort(.inconsistentLastAndPayloadLength)
        }
        if data.count + take > limit { return .stop }
        if number == 1 { header = mad }
        let offset = layout.dataOffset
        mad.withUnsafeBytes { bytes in
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
        }
        received = number
        if isLast {
            isComplete = true
            return .ack(segment: UInt32(number), newWindowLast: UInt32(windowLast), completed: true)
        }
        if number == windowLast {
            windowLast += window
            return .ack(segment: UInt32(number), newWindowLast: UInt32(windowLast), completed: false)
        }
        return .accepted
    }

    /// The reassembled transfer (after the last segment).
    public var message: RMPPMessage { RMPPMessage(header: header, data: data) }

    /// Hands the reassembled transfer over and forgets its data; what re-ACKs duplicates
    /// (the segment and window counters) stays.
    public mutating func takeMessage() -> RMPPMessage {
        defer { data = [] }
        return message
    }
}
