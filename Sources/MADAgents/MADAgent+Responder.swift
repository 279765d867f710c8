public import MADTransport
public import MADWire

/// A request or notice that arrived unasked (Get/Set to a responder, Trap, Report, Send).
public struct UnsolicitedMAD: Sendable {
    public let mad: MAD
    public let source: MADAddress
}

/// Answers one attribute: fill `response` (a copy of the request with the response method
/// and the data offset's bytes as received) and return its status.
public typealias AttributeHandler = @Sendable (_ request: MAD, _ source: MADAddress, _ response: inout MAD) -> MADStatus

/// Guarded by `MADAgent.lock`.
struct ResponderRegistry {
    struct AttributeKey: Hashable {
        var agent: MADAgent.ClassKey
        var attribute: AttributeID
    }
    struct Handler {
        var methods: Set<Method>
        var body: AttributeHandler
    }
    struct Subscription {
        var agent: MADAgent.ClassKey
        var methods: Set<Method>
        var answersTraps: Bool
        var deliver: @Sendable (UnsolicitedMAD) -> Void
    }
    var handlers: [AttributeKey: Handler] = [:]
    var subscriptions: [Subscription] = []
    /// Port agents registered to receive requests, per class and version, with the methods.
    var agents: [MADAgent.ClassKey: (agent: AgentID, methods: Set<Method>)] = [:]
    /// Ends the `unsolicited` streams at close.
    var finishers: [@Sendable () -> Void] = []
    var responsesSent = 0
    var responsesDropped = 0
}

/// MAD status values of IBA 13.4.7, Table 120 (code in bits 2–4).
extension MADAgent {
    /// Answers Get/Set (or `methods`) of `attribute` in `managementClass`/`version` with
    /// `handler`'s GetResp. Other attributes of a served class are answered with status
    /// unsupported method/attribute (IBA 13.4.7), as the kernel's MAD layer does. A vendor
    /// class of range 2 (0x30–0x4F) is served for one `oui` (IBA 13.4.4).
    public func serve(class managementClass: ManagementClass, version: UInt8, oui: UInt32? = nil, attribute: AttributeID,
                      methods: Set<Method> = [.get, .set], handler: @escaping AttributeHandler) throws {
        let key = ClassKey(managementClass: managementClass, version: version, oui: oui)
        try lock.withLock {
            try ensureResponderAgent(key, methods: methods.union([.get, .set]))
            responders.handlers[ResponderRegistry.AttributeKey(agent: key, attribute: attribute)] =
                ResponderRegistry.Handler(methods: methods, body: handler)
        }
    }

    /// Takes every MAD of `methods` for the class (a class agent): those no handler serves
    /// are answered with unsupported method (0x0008) when no attribute supports the method,
    /// else unsupported method/attribute (0x000C) (IBA 13.4.7, Table 120).
    public func serve(class managementClass: ManagementClass, version: UInt8, oui: UInt32? = nil, methods: Set<Method>) throws {
        let key = ClassKey(managementClass: managementClass, version: version, oui: oui)
        try lock.withLock { try ensureResponderAgent(key, methods: methods) }
    }

    /// Delivers unsolicited MADs of `methods` (default Trap and Report) to `handler`. A Trap
    /// is answered with TrapRepress when `answersTraps` (default: for subnet management,
    /// where the SMA repeats a trap until the SM represses it, IBA 14.2.5.1 and opensm's
    /// trap receiver); a Report with ReportResp (IBA 13.4.5: the sender repeats it until
    /// acknowledged).
    public func subscribe(class managementClass: ManagementClass, version: UInt8, oui: UInt32? = nil,
                          methods: Set<Method> = [.trap, .report],
                          answersTraps: Bool? = nil, handler: @escaping @Sendable (UnsolicitedMAD) -> Void) throws {
        let key = ClassKey(managementClass: managementClass, version: version, oui: oui)
        try lock.withLock {
            try ensureResponderAgent(key, methods: methods)
            responders.subscriptions.append(ResponderRegistry.Subscription(
                agent: key, methods: methods,
                answersTraps: answersTraps ?? managementClass.isSubnetManagement, deliver: handler))
        }
    }

    /// `subscribe` as an AsyncStream (buffering the newest 1024 when the reader lags); it
    /// finishes when the agent closes.
    public func unsolicited(class managementClass: ManagementClass, version: UInt8, oui: UInt32? = nil,
                            methods: Set<Method> = [.trap, .report],
                            answersTraps: Bool? = nil) throws -> AsyncStream<UnsolicitedMAD> {
        let (stream, continuation) = AsyncStream.makeStream(of: UnsolicitedMAD.self, bufferingPolicy: .bufferingNewest(1024))
        try subscribe(class: managementClass, version: version, oui: oui, methods: methods, answersTraps: answersTraps) { mad in
            continuation.yield(mad)
        }
        lock.withLock { responders.finishers.append { continuation.finish() } }
        return stream
    }

    /// Responses sent and dropped (no send slot free) by responders.
    public var responderStatistics: (sent: Int, dropped: Int) {
        lock.withLock { (responders.responsesSent, responders.responsesDropped) }
    }

    /// Registers (or widens) the port agent that receives `methods` (lock held).
    private func ensureResponderAgent(_ key: ClassKey, methods: Set<Method>) throws {
        if table.closed { throw MADAgentError.closed }
        let existing = responders.agents[key]
        if let existing, existing.methods.isSuperset(of: methods) { return }
        let wanted = methods.union(existing?.methods ?? [])
        if let existing { port.unregister(existing.agent) }
        var registration = key.registration
        registration.methods = wanted
        let agent = try port.register(registration)
        responders.agents[key] = (agent, wanted)
    }

    func handleUnsolicited(_ request: MAD, from source: MADAddress) {
        let method = request.method
        let classKey = ClassKey(of: request)
        let key = ResponderRegistry.AttributeKey(agent: classKey, attribute: request.attributeID)
        let (handler, subscribers, agent, servesOtherVersion, methodServed) = lock.withLock {
            let subscribers = responders.subscriptions.filter { $0.agent == classKey && $0.methods.contains(method) }
            let agent = responders.agents[classKey]?.agent
            let otherVersion = agent == nil && responders.agents.keys.contains {
                $0.managementClass == request.managementClass && $0.oui == classKey.oui
            }
            let methodServed = responders.handlers.contains { $0.key.agent == classKey && $0.value.methods.contains(method) }
            return (responders.handlers[key], subscribers, agent, otherVersion, methodServed)
        }
        let notice = UnsolicitedMAD(mad: request, source: source)
        for subscriber in subscribers { subscriber.deliver(notice) }

        var response = request
        response.method = method.response
        switch method {
        case .trap:
            guard subscribers.contains(where: \.answersTraps) else { return }
            response.method = .trapRepress  // a request method, no R bit (IBA 13.4.5)
            response.status = .success
        case .report:
            guard !subscribers.isEmpty else { return }
            response.method = .reportResponse
            response.status = .success
        case .send, .trapRepress:
            return  // no response exists for these
        default:
            guard subscribers.isEmpty else { return }
            if servesOtherVersion {
                response.status = .badVersion
            } else if agent == nil {
                return  // not a class we serve
            } else if let handler, handler.methods.contains(method) {
                response.status = handler.body(request, source, &response)
            } else if method == .get || method == .set || methodServed {
                response.status = .unsupportedMethodAttribute
            } else {
                response.status = .unsupportedMethod
            }
        }
        if request.managementClass == .subnetDirectedRoute {
            // Returning SMPs carry the D bit (IBA 14.2.2); the kernel SMI reverses the path.
            response.status = MADStatus(rawValue: response.status.rawValue | 0x8000)
        }
        var destination = source
        if destination.queuePair == 1 { destination.queueKey = MADAddress.gsiQueueKey }
        sendResponse(response, to: destination, agent: agent ?? requestAgentIfAny(request))
    }

    private func requestAgentIfAny(_ mad: MAD) -> AgentID {
        lock.withLock {
            responders.agents[ClassKey(of: mad)]?.agent ?? AgentID(rawValue: 0)
        }
    }

    /// Sends a response from the I/O thread: never waits. No free send slot drops it (the
    /// requester retries), counted.
    /// Counted as sent before the send: the requester may hold the answer before
    /// `port.send` returns here, and must then find it counted.
    private func sendResponse(_ response: MAD, to destination: MADAddress, agent: AgentID) {
        lock.withLock { responders.responsesSent += 1 }
        do {
            let slot = try port.pool.tryAcquire(.send)
            slot.store(response)
            try port.send(slot, to: destination, agent: agent, timeoutMilliseconds: 0)
        } catch {
            lock.withLock {
                responders.responsesSent -= 1
                responders.responsesDropped += 1
            }
        }
    }
}
