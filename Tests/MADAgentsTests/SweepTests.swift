import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SweepTests {
    @Test(arguments: bothModes)
    func aSweepKeepsTheWindowFullAndAnswersEveryRequest(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, window: 16)
        defer { rig.close() }
        let count = 2000
        let results = UnsafeMutableBufferPointer<RequestOutcome>.allocate(capacity: count)
        defer { results.deallocate() }
        results.initialize(repeating: .failure(.closed))
        await rig.agent.sweep(into: results) { index in nodeInfoRequest(index % 2 == 0 ? 2 : 3) }
        for index in 0..<count {
            guard case .response(let mad) = results[index] else {
                Issue.record("request \(index): \(results[index])")
                return
            }
            #expect(try mad.attribute(NodeInfo.self).nodeGUID == switchGUID(index % 2 == 0 ? 2 : 3))
        }
        let statistics = rig.agent.statistics
        // Every send beyond one per request is a counted retry. (Nothing is lost here, but
        // a loaded CI machine can stall a response past the 200 ms deadline; a retry is
        // then the right behaviour, not a failure.)
        #expect(statistics.sent == count + statistics.retries)
        #expect(statistics.retries == statistics.deadlineExpiries + statistics.transportTimeouts)
        #expect(statistics.maxOutstanding == 16)
        #expect(statistics.outstanding == 0)
    }

    @Test(arguments: bothModes)
    func aSweepRetriesLostRequests(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching, failLostImmediately: matching,
                               options: RequestOptions(timeoutMilliseconds: 100, retries: 5))
        defer { rig.close() }
        let drops = rig.fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), selector: .every(10)))
        let answered = Atomic(0)
        await rig.agent.sweep(count: 500, request: { _ in nodeInfoRequest(2) }) { index, outcome in
            switch outcome {
            case .response: answered.add(1, ordering: .relaxed)
            case .failure(let error): Issue.record("request \(index): \(error)")
            }
        }
        #expect(answered.load(ordering: .relaxed) == 500)
        // Every drop costs a retry (a slow answer on a loaded machine may cost one more).
        #expect(rig.agent.statistics.retries >= rig.fabric.injections(drops))
        #expect(rig.fabric.injections(drops) >= 50)
    }

    @Test func aWarmSweepDoesNotGrowTheHeap() async throws {
        let rig = try AgentRig(window: 32)
        defer { rig.close() }
        // IBMAD_SWEEP_COUNT changes the size, e.g. to count allocations per MAD under
        // valgrind from two runs of different sizes.
        let count = getenv("IBMAD_SWEEP_COUNT").flatMap { Int(String(cString: $0)) } ?? 10_000
        let answered = Atomic(0)
        let sweep = { @Sendable () async in
            await rig.agent.sweep(count: count, request: { index in nodeInfoRequest(index & 1 == 0 ? 2 : 3) }) { _, outcome in
                if case .response = outcome { answered.add(1, ordering: .relaxed) }
            }
        }
        await sweep()   // warm: pool slots, window entries, heap storage, fabric queues
        // The heap is process-wide and other suites run meanwhile: take the least growth
        // of three warm sweeps. Anything allocated and kept per MAD would show in all three
        // as at least `count` bytes.
        var growths: [Int] = []
        for _ in 0..<3 {
            let before = try #require(heapBytesInUse())
            await sweep()
            growths.append(try #require(heapBytesInUse()) - before)
        }
        #expect(answered.load(ordering: .relaxed) == 4 * count)
        let growth = growths.min()!
        print("MADAgents sweep: heap growth over warm sweeps of \(count) requests: \(growths) bytes")
        #expect(growth < count)
    }

    @Test func aWarmSweepThroughAnAllocationFreePortAllocatesNothingPerMAD() async throws {
        let port = try LoopbackPort()
        let agent = try MADAgent(port: port, configuration: .init(window: 32))
        defer { agent.close(); port.close() }
        let count = 10_000
        let answered = Atomic(0)
        let sweep = { @Sendable () async in
            await agent.sweep(count: count, request: { _ in nodeInfoRequest(2) }) { _, outcome in
                if case .response = outcome { answered.add(1, ordering: .relaxed) }
            }
        }
        await sweep()
        var growths: [Int] = []
        var calls: [Int] = []
        for _ in 0..<3 {
            let before = try #require(heapBytesInUse()), callsBefore = mallocCalls()
            await sweep()
            let callsAfter = mallocCalls()
            growths.append(try #require(heapBytesInUse()) - before)
            if let callsBefore, let callsAfter { calls.append(callsAfter - callsBefore) }
        }
        #expect(answered.load(ordering: .relaxed) == 4 * count)
        #expect(agent.statistics.maxOutstanding == 32)
        print("MADAgents loopback sweep of \(count): heap growth \(growths) bytes; "
              + (calls.isEmpty ? "malloc calls not counted (no counting shim preloaded)" : "malloc calls \(calls)"))
        #expect(growths.min()! < count)
        // With the counting shim preloaded (and this test run alone), an optimized build
        // makes the sweep's own few calls (its run object, continuation, task), none per
        // MAD; -Onone adds runtime metadata lookups and boxes per call, so only report there.
        #if !DEBUG
        if let fewest = calls.min() { #expect(fewest < count / 100) }
        #endif
    }
}
