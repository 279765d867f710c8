import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

@Suite struct RequesterTests {
    @Test(arguments: bothModes)
    func getsAnAnswerFromASimulatedSMA(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching)
        defer { rig.close() }
        let (mad, address) = nodeInfoRequest(2)
        let response = try await rig.agent.request(mad, to: address)
        #expect(response.method == .getResponse)
        #expect(response.attributeID == .nodeInfo)
        #expect(try response.attribute(NodeInfo.self).nodeGUID == switchGUID(2))
        #expect(rig.agent.statistics.sent == 1)
        #expect(rig.agent.statistics.outstanding == 0)
    }

    @Test(arguments: bothModes)
    func transactionIDsCarryTheRequesterSequenceInTheLow32Bits(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching)
        defer { rig.close() }
        let peer = try rig.peer(lid: 10)
        defer { peer.close() }
        let seen = Mutex<[UInt64]>([])
        try peer.serve(class: ManagementClass(rawValue: 0x09), version: 1, attribute: .classPortInfo) { request, _, _ in
            seen.withLock { $0.append(request.transactionID) }
            return .success
        }
        var answered: [UInt64] = []
        for _ in 0..<40 {
            let request = MAD(class: ManagementClass(rawValue: 0x09), classVersion: 1, method: .get, attribute: .classPortInfo,
                              transactionID: 0xFFFF_FFFF_FFFF_FFFF)  // overwritten by the requester
            answered.append(try await rig.agent.request(request, to: .generalServices(lid: 10)).transactionID)
        }
        let sent = seen.withLock { $0 }
        #expect(sent == answered)
        let sequences = Set(sent.map { TransactionID(rawValue: $0).sequence })
        #expect(sequences.count == 40, "every request gets its own sequence")
        // The high half is one agent id for all of them (the kernel's under ib_umad).
        #expect(Set(sent.map { TransactionID(rawValue: $0).high }).count == 1)
        #expect(!sent.contains(0xFFFF_FFFF_FFFF_FFFF))
    }

    @Test(arguments: bothModes)
    func errorStatusIsReturnedOrThrownAsTheCallerAsks(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching)
        defer { rig.close() }
        // The simulated SMA has no LED info: GetResp with 0x000C (IBA 13.4.7).
        let request = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .ledInfo)
        let response = try await rig.agent.request(request, to: .subnetManagement(lid: 2))
        #expect(response.status == .unsupportedMethodAttribute)
        do {
            _ = try await rig.agent.request(request, to: .subnetManagement(lid: 2),
                                            options: RequestOptions(throwsOnErrorStatus: true))
            Issue.record("a status error was asked for")
        } catch let MADAgentError.status(status, destination, attribute, answer) {
            #expect(status == .unsupportedMethodAttribute)
            #expect(destination.lid == 2)
            #expect(attribute == .ledInfo)
            #expect(answer.attributeID == .ledInfo)
        }
    }

    @Test func aSendTheTransportRefusesIsATransportError() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        let (mad, address) = nodeInfoRequest(2)
        _ = try await rig.agent.request(mad, to: address)   // registers the agent
        rig.port.close()   // later sends throw
        await #expect {
            try await rig.agent.request(mad, to: address)
        } throws: { error in
            guard case MADAgentError.transport(let detail) = error else { return false }
            return detail.contains("LID 2")
        }
        #expect(rig.agent.statistics.outstanding == 0)
    }

    @Test(arguments: bothModes)
    func theWindowBoundsOutstandingRequestsAndCallersWait(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, window: 4)
        defer { rig.close() }
        // Slow answers keep requests outstanding long enough to fill the window.
        rig.fabric.addFault(FaultRule(.delay(.milliseconds(20)), match: .init(direction: .responses)))
        try await withThrowingTaskGroup(of: UInt64.self) { group in
            for _ in 0..<24 {
                group.addTask {
                    let (mad, address) = nodeInfoRequest(3)
                    return try await rig.agent.request(mad, to: address).attribute(NodeInfo.self).nodeGUID
                }
            }
            for try await guid in group { #expect(guid == switchGUID(3)) }
        }
        let statistics = rig.agent.statistics
        #expect(statistics.maxOutstanding == 4)
        #expect(statistics.windowWaits > 0)
        #expect(statistics.sent == 24)
    }

    @Test(arguments: bothModes)
    func aResponseBeforeItsSendReturnedIsHandled(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, window: 1) { ObservedPort($0, holdSendUntilResponse: true) }
        defer { rig.close() }
        // Window 1: the same entry is reused; each response arrives while its send is held.
        for lid: UInt16 in [2, 3, 2, 3, 2, 3, 2, 3] {
            let (mad, address) = nodeInfoRequest(lid)
            let response = try await rig.agent.request(mad, to: address)
            #expect(try response.attribute(NodeInfo.self).nodeGUID == switchGUID(lid))
        }
        let statistics = rig.agent.statistics
        #expect(statistics.responsesBeforeSendCompletion == 8)
        #expect(statistics.sent == 8)
        #expect(statistics.retries == 0)
    }

    @Test(arguments: bothModes)
    func sendsCarryATimeoutOnlyWhereTheTransportMatchesResponses(matching: Bool) async throws {
        nonisolated(unsafe) var observed: ObservedPort?
        let rig = try AgentRig(matching: matching, options: RequestOptions(timeoutMilliseconds: 250)) { port in
            let wrapper = ObservedPort(port)
            observed = wrapper
            return wrapper
        }
        defer { rig.close() }
        let (mad, address) = nodeInfoRequest(2)
        _ = try await rig.agent.request(mad, to: address)
        #expect(observed?.timeouts.withLock { $0 } == [matching ? 250 : 0])
    }

    // A 10-minute timeout: only cancellation can end the request in time; the time limit
    // turns a cancellation that does not work into a failure instead of a hang.
    @Test(.timeLimit(.minutes(3)))
    func cancellingTheCallerEndsTheRequestAndFreesItsEntry() async throws {
        let rig = try AgentRig(window: 1, options: RequestOptions(timeoutMilliseconds: 600_000, retries: 0))
        defer { rig.close() }
        let drop = rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), limit: 1))
        let agent = rig.agent
        let task = Task {
            let (mad, address) = nodeInfoRequest(2)
            return try await agent.request(mad, to: address)
        }
        while rig.fabric.injections(drop) == 0 { try await Task.sleep(for: .milliseconds(2)) }
        task.cancel()
        await #expect {
            try await task.value
        } throws: { error in
            guard case MADAgentError.cancelled = error else { return false }
            return true
        }
        #expect(agent.statistics.deadlineExpiries == 0)
        #expect(agent.statistics.outstanding == 0)
        // Window 1: the entry is free again.
        let (mad, address) = nodeInfoRequest(3)
        #expect(try await agent.request(mad, to: address).attribute(NodeInfo.self).nodeGUID == switchGUID(3))
    }

    @Test func closeFailsOutstandingRequests() async throws {
        let rig = try AgentRig(options: RequestOptions(timeoutMilliseconds: 5000))
        defer { rig.fabric.close() }
        rig.fabric.addFault(FaultRule(.drop))
        let agent = rig.agent
        let task = Task {
            let (mad, address) = nodeInfoRequest(2)
            return try await agent.request(mad, to: address)
        }
        while agent.statistics.outstanding == 0 { try await Task.sleep(for: .milliseconds(2)) }
        agent.close()
        await #expect(throws: MADAgentError.self) { try await task.value }
    }
}
