public import MADWire

/// A whole RMPP transfer as the caller sees it, the kernel's user-RMPP layout: `header` is
/// the MAD whose bytes 0..<dataOffset (common header and class header, e.g. the SA's
/// SM_Key and ComponentMask, or the vendor OUI) go in every segment; `data` is everything
/// after them, reassembled. Bytes of `header` past the data offset are ignored.
public struct RMPPMessage: Sendable {
    public var header: MAD
    public var data: [UInt8]

    public init(header: MAD, data: [UInt8] = []) {
        self.header = header
        self.data = data
    }
}

/// Timers, window and limits of RMPP transfers. Defaults follow the kernel's mad_rmpp.c,
/// the peer this must interoperate with.
public struct RMPPOptions: Sendable, Hashable {
    /// How long a sender waits for the ACK that opens the next window, and a requester for
    /// the first segment of the response (IBA 13.6.3.1 response timer). mad_rmpp.c waits at
    /// most 2 s for an ACK (`send_next_seg`), so a value above 2000 only slows recovery
    /// against the kernel.
    public var responseTimeoutMilliseconds: Int
    /// Times a window (or the whole request, when no response comes) is sent again before
    /// the transfer is aborted with status 126 (too many retries).
    public var retries: Int
    /// The total-transaction timer (IBA 13.6.3.2): a transfer not finished in this time is
    /// aborted with status 118. The kernel's receiver gives a transfer 40 s
    /// (`start_rmpp`); a requester's timer runs from its first send.
    public var totalTimeoutMilliseconds: Int
    /// Segments this side lets the peer send past the last ACK. The kernel uses
    /// recv_queue.max_active >> 3 = 512 >> 3 = 64 (`window_size`) and ACKs only at a window's
    /// end and the last segment; we do the same.
    public var window: Int
    /// The most data bytes one transfer may reassemble to. A transfer that announces more
    /// in its first PayloadLength, or grows past it, is stopped (STOP, status 1). 8 MiB
    /// holds an SA table of 74,000 112-byte records (a NodeRecord table of a very large
    /// fabric) while bounding what a hostile peer can make us hold to
    /// 8 MiB × `maximumInboundTransfers`.
    public var maximumMessageBytes: Int
    /// Requests being received at once by responders; a first segment beyond this is
    /// answered with STOP (resources exhausted).
    public var maximumInboundTransfers: Int

    public init(responseTimeoutMilliseconds: Int = 1000, retries: Int = 3, totalTimeoutMilliseconds: Int = 40_000,
                window: Int = 64, maximumMessageBytes: Int = 8 << 20, maximumInboundTransfers: Int = 64) {
        precondition(responseTimeoutMilliseconds > 0 && retries >= 0 && totalTimeoutMilliseconds > 0)
        precondition(window >= 1 && maximumMessageBytes >= 0 && maximumInboundTransfers >= 1)
        self.responseTimeoutMilliseconds = responseTimeoutMilliseconds
        self.retries = retries
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.window = window
        self.maximumMessageBytes = maximumMessageBytes
        self.maximumInboundTransfers = maximumInboundTransfers
    }

    /// The response timeout a class's ClassPortInfo RespTimeValue implies (IBA 13.4.6.2:
    /// 4.096 µs × 2^RespTimeValue), plus `packetLifeMilliseconds` each way, at least 1 ms.
    public static func responseTimeout(respTimeValue: UInt8, packetLifeMilliseconds: Int = 0) -> Int {
        let microseconds = 4.096 * Double(1 << min(Int(respTimeValue & 0x1F), 31))
        return max(1, Int((microseconds / 1000).rounded(.up)) + 2 * packetLifeMilliseconds)
    }

    /// These options with the response timer from a class's ClassPortInfo (IBA 13.4.8.1).
    public func with(_ classPortInfo: ClassPortInfo, packetLifeMilliseconds: Int = 0) -> RMPPOptions {
        with(respTimeValue: classPortInfo.respTimeValue, packetLifeMilliseconds: packetLifeMilliseconds)
    }

    /// How long a finished transfer is kept to re-ACK duplicates of its last window: long
    /// enough for one resend by a sender whose ACK timer is this side's response timer or
    /// the kernel's 2 s, at most the kernel's 10 s (`complete_rmpp`).
    var lingerMilliseconds: Int { min(10_000, 2 * responseTimeoutMilliseconds + 2000) }

    /// These options with the response timer taken from a ClassPortInfo's RespTimeValue.
    public func with(respTimeValue: UInt8, packetLifeMilliseconds: Int = 0) -> RMPPOptions {
        var options = self
        options.responseTimeoutMilliseconds = Self.responseTimeout(respTimeValue: respTimeValue,
                                                                   packetLifeMilliseconds: packetLifeMilliseconds)
        return options
    }
}

/// Why an RMPP transfer did not deliver.
public enum RMPPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class does not carry RMPP (IBA 13.6.1; kernel `ib_is_mad_class_rmpp`).
    case notRMPPClass(ManagementClass)
    /// The peer sent ABORT with this status.
    case abortedByPeer(RMPPStatus)
    /// The peer sent STOP (it ran out of resources).
    case stoppedByPeer(RMPPStatus)
    /// We aborted: the peer broke the protocol, or a timer ran out.
    case aborted(RMPPStatus, reason: String)
    /// We stopped the transfer: it would have exceeded `maximumMessageBytes`.
    case tooLarge(limit: Int)
    /// No ACK or response after every retry.
    case timeout(phase: String, attempts: Int)
    case transport(String)
    case closed
    /// The task awaiting the transfer was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .notRMPPClass(let managementClass):
            "class \(managementClass) does not carry RMPP (expected SA, DevMgt, DevAdm, BIS or vendor range 2 0x30-0x4F)"
        case .abortedByPeer(let status): "the peer aborted the RMPP transfer with status \(status)"
        case .stoppedByPeer(let status): "the peer stopped the RMPP transfer with status \(status)"
        case .aborted(let status, let reason): "RMPP transfer aborted with status \(status): \(reason)"
        case .tooLarge(let limit): "the RMPP transfer exceeds the reassembly limit of \(limit) bytes; sent STOP"
        case .timeout(let phase, let attempts):
            "RMPP \(phase) timed out after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        case .transport(let detail): "transport error: \(detail)"
        case .closed: "the MAD agent was closed"
        case .cancelled: "the RMPP transfer was cancelled"
        }
    }
}

/// What the RMPP engine counted, for tests and diagnostics.
public struct RMPPStatistics: Sendable, Hashable {
    public var segmentsSent = 0
    /// Segments sent again after an ACK timer ran out.
    public var segmentsResent = 0
    public var segmentsReceived = 0
    /// Segments at or below the last in-order one: re-ACKed.
    public var duplicateSegments = 0
    /// Segments past a gap: dropped, last in-order segment re-ACKed.
    public var outOfOrderSegments = 0
    /// Segments past NewWindowLast: dropped (as mad_rmpp.c `continue_rmpp` does).
    public var beyondWindowSegments = 0
    public var acksSent = 0
    public var acksReceived = 0
    public var timeouts = 0
    public var abortsSent = 0
    public var stopsSent = 0
    public var abortsReceived = 0
    public var stopsReceived = 0
    /// Send slots were all in use: the segment waits for the next pump.
    public var sendStalls = 0
    public var transfersCompleted = 0
    public init() {}
}
