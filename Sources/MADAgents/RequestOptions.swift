/// Per-request behaviour. Defaults follow libibmad: MAD_DEF_TIMEOUT_MS 1000 and
/// MAD_DEF_RETRIES 3.
public struct RequestOptions: Sendable, Hashable {
    /// How long one attempt waits for its response.
    public var timeoutMilliseconds: Int
    /// Attempts after the first one when no response comes.
    public var retries: Int
    /// Further resends, beyond `retries`, for attempts the transport hands back as lost
    /// (ETIMEDOUT) in less than half the timeout. ibsim does so at once for every MAD it
    /// drops, so such a resend costs a round trip, not a timeout; ib_umad reports a loss
    /// only after the timeout, so with a real HCA these never fire. Loss compounds with
    /// the links a MAD crosses: with 20 % dropped at every port, a directed-route SMP to
    /// a host three switches away needs about 6 attempts on average. 0 (libibmad's
    /// behaviour) by default; the fabric walks and sweeps raise it. Each request's sends
    /// are bounded by 1 + retries + quickRetries.
    public var quickRetries: Int
    /// Resends when the responder answers busy (status bit 0, IBA 13.4.7), waiting
    /// `busyBackoffMilliseconds` doubled each time (capped at the timeout).
    public var busyRetries: Int
    public var busyBackoffMilliseconds: Int
    /// Throw `MADAgentError.status` for a response whose status is not success. Off by
    /// default: the caller gets the response and reads its status.
    public var throwsOnErrorStatus: Bool

    public init(timeoutMilliseconds: Int = 1000, retries: Int = 3, quickRetries: Int = 0, busyRetries: Int = 5,
                busyBackoffMilliseconds: Int = 10, throwsOnErrorStatus: Bool = false) {
        precondition(timeoutMilliseconds > 0 && retries >= 0 && quickRetries >= 0 && busyRetries >= 0 && busyBackoffMilliseconds >= 0)
        self.timeoutMilliseconds = timeoutMilliseconds
        self.retries = retries
        self.quickRetries = quickRetries
        self.busyRetries = busyRetries
        self.busyBackoffMilliseconds = busyBackoffMilliseconds
        self.throwsOnErrorStatus = throwsOnErrorStatus
    }
}

/// What the requester counts, for tests and diagnostics.
public struct RequesterStatistics: Sendable, Hashable {
    public var sent = 0
    /// Resends after a timeout (or a send the transport handed back with ETIMEDOUT).
    public var retries = 0
    /// Of `retries`, those spent on quick losses (`RequestOptions.quickRetries`).
    public var quickRetries = 0
    /// Attempts the transport ended with ETIMEDOUT (ib_umad; ibsim at once for a loss).
    public var transportTimeouts = 0
    /// Attempts ended by the requester's own deadline.
    public var deadlineExpiries = 0
    public var busyRetries = 0
    public var timeouts = 0
    /// A second response to a request already answered.
    public var duplicates = 0
    /// A response to a request that had already timed out or failed.
    public var late = 0
    /// A response matching no request this requester made.
    public var unmatched = 0
    /// Responses that arrived before the send that asked for them had returned.
    public var responsesBeforeSendCompletion = 0
    /// Send failures the transport reported for sends no longer outstanding.
    public var staleSendFailures = 0
    /// Times a caller had to wait for the window.
    public var windowWaits = 0
    /// Requests outstanding now, and the most there ever were (never above the window).
    public var outstanding = 0
    public var maxOutstanding = 0

    public init() {}
}
