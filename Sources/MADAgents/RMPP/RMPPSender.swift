public import MADWire

/// The sending side of one RMPP transfer (IBA 13.6.3.1): segments go out up to
/// NewWindowLast; ACKs slide the window; an ACK timer that runs out sends again from the
/// segment after the last ACKed one (mad_rmpp.c `ib_retry_rmpp`). Pure state: the engine
/// sends what `nextBatch` names and runs the timer.
public struct RMPPSender: Sendable {
    public let layout: RMPPLayout
    public let header: MAD
    public let data: [UInt8]
    public let count: Int
    /// The highest segment the receiver has ACKed.
    public private(set) var lastAck = 0
    /// The highest segment the receiver lets us send.
    public private(set) var windowLast: Int
    /// The next segment to send.
    public private(set) var next = 1

    /// `initialWindow` is 1 for a request (IBA 13.6.3.1) and for a response the
    /// NewWindowLast of the requester's switch-direction ACK (`init_newwin`).
    public init(layout: RMPPLayout, header: MAD, data: [UInt8], initialWindow: Int = 1) {
        self.layout = layout
        self.header = header
        self.data = data
        count = layout.segmentCount(dataCount: data.count)
        windowLast = max(1, initialWindow)
    }

    public var isComplete: Bool { lastAck == count }

    public func segment(_ number: Int) -> MAD { layout.segment(number, of: data, header: header) }

    /// The segments to send now (those the window allows and not yet sent), or nil.
    public mutating func nextBatch() -> ClosedRange<Int>? {
        let end = min(windowLast, count)
        guard next <= end else { return nil }
        defer { next = end + 1 }
        return next...end
    }

    /// The segments from `number` on were not sent (no send slot): send them next time.
    public mutating func unsent(from number: Int) {
        next = min(next, max(number, lastAck + 1))
    }

    /// The ACK timer ran out: send again from the segment after the last ACK.
    public mutating func rewind() { next = lastAck + 1 }

    public enum AckOutcome: Sendable, Hashable {
        /// The window moved or grew: send `nextBatch`.
        case advanced
        /// Every segment is ACKed.
        case completed
        /// An old or repeated ACK.
        case ignored
        /// The ACK breaks the protocol: abort with this status.
        case abort(RMPPStatus)
    }

    /// An ACK of `segment` with `newWindowLast`, checked in the order of mad_rmpp.c
    /// `process_rmpp_ack`: NewWindowLast below the segment is 122; a segment past the last
    /// or past what the window allowed is 123; an ACK behind the last one is old.
    public mutating func receiveAck(segment: UInt32, newWindowLast: UInt32) -> AckOutcome {
        let acked = Int(segment)
        let window = Int(newWindowLast)
        if window < acked { return .abort(.newWindowLastTooSmall) }
        if acked > count || acked > windowLast { return .abort(.segmentNumberTooBig) }
        if window < windowLast || acked < lastAck { return .ignored }
        let moved = acked > lastAck || window > windowLast
        lastAck = acked
        windowLast = window
        if next <= lastAck { next = lastAck + 1 }
        if isComplete { return .completed }
        return moved ? .advanced : .ignored
    }
}
