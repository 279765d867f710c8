import MADAgents
import MADTransport
import MADWire
import Testing

@Suite struct RetryTests {
    @Test func defaultsAreLibibmads() {
        let options = RequestOptions()
        #expect(options.timeoutMilliseconds == 1000)   // MAD_DEF_TIMEOUT_MS
        #expect(options.retries == 3)                 // MAD_DEF_RETRIES
        #expect(MADAgent.Configuration().window == 16)
    }

    @Test(arguments: bothModes)
    func timesOutAfterEveryRetryNamingTheDestination(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, options: RequestOptions(timeoutMilliseconds: 30, retries: 2))
        defer { rig.close() }
        let drop = rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests)))
        let (mad, address) = nodeInfoRequest(3)
        do {
            _ = try await rig.agent.request(mad, to: address)
            Issue.record("every request was dropped")
        } catch let error as MADAgentError {
            guard case .timeout(let destination, let managementClass, let attribute, _, let attempts) = error else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
            #expect(destination.lid == 3)
            #expect(managementClass == .subnetLIDRouted)
            #expect(attribute == .nodeInfo)
            #expect(attempts == 3)
            #expect("\(error)".contains("LID 3") && "\(error)".contains("0x0011") && "\(error)".contains("3 attempts"))
        }
        #expect(rig.fabric.injections(drop) == 3, "1 attempt + 2 retries")
        #expect(rig.agent.statistics.retries == 2)
        #expect(rig.agent.statistics.timeouts == 1)
        if matching { #expect(rig.fabric.counters.timedOut == 3, "each lost send came back as ETIMEDOUT") }
    }

    @Test(arguments: bothModes)
    func aLostRequestIsRetriedAndAnswered(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, options: RequestOptions(timeoutMilliseconds: 150, retries: 3))
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), selector: .nth([1, 2])))
        let (mad, address) = nodeInfoRequest(2)
        let response = try await rig.agent.request(mad, to: address)
        #expect(try response.attribute(NodeInfo.self).nodeGUID == switchGUID(2))
        #expect(rig.agent.statistics.retries == 2)
    }

    @Test func underUmadTheTransportsETIMEDOUTDrivesTheRetry() async throws {
        // ibsim hands a lost MAD back at once with status 110: the retry follows at once,
        // long before the requester's own (backstop) deadline.
        let rig = try AgentRig(matching: true, failLostImmediately: true,
                               options: RequestOptions(timeoutMilliseconds: 5000, retries: 3))
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), selector: .nth(1)))
        let (mad, address) = nodeInfoRequest(2)
        _ = try await rig.agent.request(mad, to: address)
        #expect(rig.fabric.counters.timedOut == 1)
        #expect(rig.agent.statistics.retries == 1)
        // The transport's ETIMEDOUT ended the attempt, not the 5 s deadline (no wall-clock
        // bound: a busy 2-core CI machine can starve the test task for seconds).
        #expect(rig.agent.statistics.transportTimeouts == 1)
        #expect(rig.agent.statistics.deadlineExpiries == 0)
    }

    @Test(arguments: bothModes)
    func busyIsRetriedWithBackoff(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, options: RequestOptions(timeoutMilliseconds: 500, busyBackoffMilliseconds: 20))
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.busy, match: .init(direction: .requests), limit: 2))
        let start = ContinuousClock.now
        let (mad, address) = nodeInfoRequest(2)
        let response = try await rig.agent.request(mad, to: address)
        #expect(response.status == .success)
        #expect(rig.agent.statistics.busyRetries == 2)
        #expect(rig.agent.statistics.retries == 0)
        #expect(milliseconds(since: start) >= 20 + 40, "backoff doubles: 20 ms, then 40 ms")
    }

    @Test func aResponderThatStaysBusyIsAnError() async throws {
        let rig = try AgentRig(options: RequestOptions(timeoutMilliseconds: 200, busyRetries: 2, busyBackoffMilliseconds: 1))
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.busy, match: .init(direction: .requests)))
        let (mad, address) = nodeInfoRequest(2)
        await #expect {
            try await rig.agent.request(mad, to: address)
        } throws: { error in
            guard case MADAgentError.busy(let destination, _, let attempts) = error else { return false }
            return destination.lid == 2 && attempts == 2
        }
        #expect(rig.fabric.counters.busy == 3)
    }

    @Test func duplicateResponsesAreIgnoredAndCounted() async throws {
        // Verbs style: nobody below filters duplicates, so the requester sees them.
        let rig = try AgentRig(matching: false)
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.duplicate(copies: 2), match: .init(direction: .responses)))
        for lid: UInt16 in [2, 3, 2] {
            let (mad, address) = nodeInfoRequest(lid)
            #expect(try await rig.agent.request(mad, to: address).attribute(NodeInfo.self).nodeGUID == switchGUID(lid))
        }
        #expect(rig.fabric.waitUntilIdle())
        let statistics = rig.agent.statistics
        #expect(statistics.duplicates == 6)
        #expect(statistics.late == 0)
        #expect(statistics.sent == 3)
    }

    @Test func aLateResponseIsIgnoredAndCounted() async throws {
        let rig = try AgentRig(matching: false, options: RequestOptions(timeoutMilliseconds: 20, retries: 0))
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.delay(.milliseconds(150)), match: .init(direction: .responses), limit: 1))
        let (mad, address) = nodeInfoRequest(2)
        await #expect(throws: MADAgentError.self) { try await rig.agent.request(mad, to: address) }
        // The entry is reused meanwhile; the late answer must not complete the new request.
        let (next, nextAddress) = nodeInfoRequest(3)
        let patient = RequestOptions(timeoutMilliseconds: 1000, retries: 0)
        #expect(try await rig.agent.request(next, to: nextAddress, options: patient).attribute(NodeInfo.self).nodeGUID == switchGUID(3))
        for _ in 0..<100 where rig.agent.statistics.late == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(rig.agent.statistics.late == 1)
    }

    @Test func aCorruptedTIDIsUnmatchedNotMisdelivered() async throws {
        let rig = try AgentRig(matching: false, options: RequestOptions(timeoutMilliseconds: 200, retries: 1))
        defer { rig.close() }
        // Byte 15 is the TID's lowest byte: the first response names another request.
        rig.fabric.addFault(FaultRule(.corrupt(bytes: 15..<16), match: .init(direction: .responses), limit: 1))
        let (mad, address) = nodeInfoRequest(2)
        let response = try await rig.agent.request(mad, to: address)
        #expect(try response.attribute(NodeInfo.self).nodeGUID == switchGUID(2))
        #expect(rig.agent.statistics.unmatched + rig.agent.statistics.late + rig.agent.statistics.duplicates == 1)
        #expect(rig.agent.statistics.retries == 1)
    }

    @Test(arguments: bothModes)
    func reorderedResponsesReachTheirOwnRequests(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, window: 8)
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.reorder(after: 2), match: .init(direction: .responses), selector: .every(3)))
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<30 {
                group.addTask {
                    let lid: UInt16 = index % 2 == 0 ? 2 : 3
                    let (mad, address) = nodeInfoRequest(lid)
                    return try await rig.agent.request(mad, to: address).attribute(NodeInfo.self).nodeGUID == switchGUID(lid)
                }
            }
            for try await correct in group { #expect(correct) }
        }
    }

    @Test func lossesReportedAtOnceSpendQuickRetriesNotTimeoutRetries() async throws {
        // As ibsim does: every lost MAD comes back at once as ETIMEDOUT. Nine losses in a row
        // exceed `retries` (3) but not `quickRetries` (10): the request is still answered,
        // and the statistics tell the two kinds apart.
        let rig = try AgentRig(matching: true, failLostImmediately: true,
                               options: RequestOptions(timeoutMilliseconds: 5000, retries: 3, quickRetries: 10))
        defer { rig.close() }
        let drops = rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), selector: .nth(Set(1...9))))
        let (mad, address) = nodeInfoRequest(2)
        let response = try await rig.agent.request(mad, to: address)
        #expect(try response.attribute(NodeInfo.self).nodeGUID == switchGUID(2))
        #expect(rig.fabric.injections(drops) == 9)
        let statistics = rig.agent.statistics
        #expect(statistics.quickRetries == 9)
        #expect(statistics.retries == 9)
        #expect(statistics.sent == 10)
    }

    @Test func quickRetriesAreBoundedAndThenTheTimeoutRetriesApply() async throws {
        // Every MAD lost at once: 1 attempt + 4 quick resends + 2 timeout resends, then the
        // request fails naming all 7 attempts.
        let rig = try AgentRig(matching: true, failLostImmediately: true,
                               options: RequestOptions(timeoutMilliseconds: 5000, retries: 2, quickRetries: 4))
        defer { rig.close() }
        let drops = rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests)))
        let (mad, address) = nodeInfoRequest(2)
        do {
            _ = try await rig.agent.request(mad, to: address)
            Issue.record("every request was dropped")
        } catch let error as MADAgentError {
            guard case .timeout(_, _, _, _, let attempts) = error else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
            #expect(attempts == 7)
        }
        #expect(rig.fabric.injections(drops) == 7)
        #expect(rig.agent.statistics.quickRetries == 4)
        #expect(rig.agent.statistics.retries == 6)
    }

    @Test func aLossReportedOnlyAfterTheTimeoutIsNoQuickLoss() async throws {
        // ib_umad's way: the lost send comes back when its timeout expires. It spends a
        // timeout retry even when quick retries are allowed.
        let rig = try AgentRig(matching: true, options: RequestOptions(timeoutMilliseconds: 40, retries: 1, quickRetries: 10))
        defer { rig.close() }
        rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), selector: .nth(1)))
        let (mad, address) = nodeInfoRequest(2)
        _ = try await rig.agent.request(mad, to: address)
        #expect(rig.agent.statistics.retries == 1)
        #expect(rig.agent.statistics.quickRetries == 0)
    }
}
