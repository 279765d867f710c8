public import MADTransport
public import MADWire

/// Answers a reassembled RMPP request: fill `response` (prefilled with the request's header
/// under the response method, status 0, no data) and return true to send it, false to
/// send nothing. Runs on the port's I/O thread: do not block.
public typealias RMPPHandler = @Sendable (_ request: RMPPMessage, _ source: MADAddress, _ response: inout RMPPMessage) -> Bool

extension MADAgent {
    /// Sends `request` as an RMPP transfer (IBA 13.6: one segment or many, Active set) to
    /// `destination` and returns the reassembled response: its first segment's header and
    /// all its data. The TID is assigned here. A plain (non-RMPP) response is returned as
    /// one MAD's data. Works over any port: through ib_umad the agents are registered
    /// without kernel RMPP, so a plain response is seen only if it sets Active (kernel RMPP
    /// agents always do); over a verbs UD QP or MemoryFabric everything is seen.
    ///
    /// Allocation: the request's data is shared, not copied; each segment's 256 bytes are
    /// built inline and stored into a pool send slot; each window's sends are listed in one
    /// array (up to `options.window` entries). The response grows by one segment's data per
    /// in-order segment, bounded by `options.maximumMessageBytes`, and is handed over
    /// without a copy.
    public func rmppRequest(_ request: RMPPMessage, to destination: MADAddress,
                            options: RMPPOptions = RMPPOptions()) async throws -> RMPPMessage {
        try await rmpp.request(request, to: destination, options: options)
    }

    /// Answers RMPP requests of `methods` in `managementClass`/`version` (an RMPP-capable
    /// class: SA, DevMgt, DevAdm, BIS, vendor range 2): single-MAD or multi-segment requests
    /// are reassembled, `handler` fills the response, which goes back as an RMPP transfer
    /// (one segment or many) whose first window the requester's switch-direction ACK set.
    /// `options` bound what a requester can make us reassemble and hold. A vendor-range-2
    /// class registers with `oui` (ib_umad needs one; the requests carry it).
    public func serveRMPP(class managementClass: ManagementClass, version: UInt8, methods: Set<Method> = [.get, .set],
                          oui: UInt32? = nil, options: RMPPOptions = RMPPOptions(), handler: @escaping RMPPHandler) throws {
        try rmpp.serve(class: managementClass, version: version, methods: methods, oui: oui, options: options, handler: handler)
    }

    /// What userspace RMPP has counted so far.
    public var rmppStatistics: RMPPStatistics { rmpp.lock.withLock { rmpp.statistics } }
}
