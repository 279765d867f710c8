import MADWire
import Synchronization
import Testing

import MADTransport

#if canImport(Glibc)
import Glibc
#endif

// MARK: Helpers

/// What one port's delegate saw, in arrival order.
private final class Recorder: MADPortDelegate {
    struct Arrival: Sendable {
        let mad: MAD
        let source: MADAddress
        let agent: AgentID
    }
    private let log = Mutex<(arrivals: [Arrival], failures: [SendFailure])>(([], []))

    var arrivals: [Arrival] { log.withLock { $0.arrivals } }
    var failures: [SendFailure] { log.withLock { $0.failures } }

    func port(received mad: consuming ReceivedMAD) {
        let arrival = Arrival(mad: mad.slot.mad, source: mad.source, agent: mad.agent)
        log.withLock { $0.arrivals.append(arrival) }
    }

    func port(sendFailed failure: SendFailure) {
        log.withLock { $0.failures.append(failure) }
    }
}

/// A responder agent: answers every request it receives with GetResp (status 0) carrying
/// `answers` copies, from the same port; records what it saw.
private final class Echo: MADPortDelegate {
    let port: MemoryFabricPort
    let agent: AgentID
    let copies: Int
    let seen = Mutex<[MAD]>([])

    init(port: MemoryFabricPort, registration: AgentRegistration, copies: Int = 1) throws {
        self.port = port
        self.copies = copies
        agent = try port.register(registration)
        try port.start(delegate: self)
    }

    func port(received mad: consuming ReceivedMAD) {
        let request = mad.slot.mad
        let source = mad.source
        seen.withLock { $0.append(request) }
        var response = request
        response.method = request.method.response
        if var smp = try? DirectedRouteSMP(response) {
            smp.isReturning = true   // an SMI responder sets D and leaves the route alone
            response = smp.mad
        }
        for _ in 0..<copies {
            try! sendMAD(response, from: port, to: source, agent: agent)
        }
    }

    func port(sendFailed failure: SendFailure) {}
}

private func sendMAD(_ mad: MAD, from port: MemoryFabricPort, to address: MADAddress, agent: AgentID,
                     timeoutMilliseconds: Int = 0) throws {
    let slot = try port.pool.tryAcquire(.send)
    slot.store(mad)
    try port.send(slot, to: address, agent: agent, timeoutMilliseconds: timeoutMilliseconds)
}

/// Polls `condition` until it holds or `timeout` (real time) passes.
private func eventually(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        usleep(500)
    }
    return condition()
}

private func perfGet(_ attribute: AttributeID = .portCounters, tid: UInt64) -> MAD {
    MAD(class: .performance, classVersion: 1, method: .get, attribute: attribute, transactionID: tid)
}

private let perfRequester = AgentRegistration(class: .performance, version: 1)
private let perfResponder = AgentRegistration(class: .performance, version: 1, methods: [.get])

/// A requester port at LID 1 and a switch at LID 10 (built-in SMA and PMA), cabled.
private func requesterAndSwitch(_ options: MemoryFabric.Options = .init()) throws
    -> (MemoryFabric, MemoryFabricPort, AgentID, Recorder) {
    let fabric = MemoryFabric(options)
    let port = try fabric.addPort(lid: 1)
    try fabric.addSwitch(lid: 10, ports: 8)
    try fabric.connect(1, port: 1, to: 10, port: 3)
    let agent = try port.register(perfRequester)
    let recorder = Recorder()
    try port.start(delegate: recorder)
    return (fabric, port, agent, recorder)
}

@Suite(.serialized) struct MemoryFabricTests {
    // MARK: Delivery and response routing

    @Test func deliversByLIDClassVersionAndMethod() throws {
        let fabric = MemoryFabric()
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let responder = try fabric.addPort(lid: 2)
        let bystander = try fabric.addPort(lid: 3)
        let ask = try requester.register(perfRequester)
        let vendorAsk = try requester.register(AgentRegistration(class: ManagementClass(rawValue: 0x09), version: 1))
        let perf = try responder.register(perfResponder)
        let vendor = try responder.register(AgentRegistration(class: ManagementClass(rawValue: 0x09), version: 1, methods: [.get, .set]))
        _ = try bystander.register(perfResponder)
        let received = Recorder(), other = Recorder()
        try requester.start(delegate: Recorder())
        try responder.start(delegate: received)
        try bystander.start(delegate: other)

        try sendMAD(perfGet(tid: 1), from: requester, to: .generalServices(lid: 2), agent: ask)
        try sendMAD(MAD(class: ManagementClass(rawValue: 0x09), classVersion: 1, method: .set, attribute: .classPortInfo,
                        transactionID: 2), from: requester, to: .generalServices(lid: 2), agent: vendorAsk)
        // Not delivered: a method nobody registered, a class version nobody speaks, no such LID.
        var set = perfGet(tid: 3)
        set.method = .set
        try sendMAD(set, from: requester, to: .generalServices(lid: 2), agent: ask)
        var version2 = perfGet(tid: 4)
        version2.classVersion = 2
        try sendMAD(version2, from: requester, to: .generalServices(lid: 2), agent: ask)
        try sendMAD(perfGet(tid: 5), from: requester, to: .generalServices(lid: 99), agent: ask)

        #expect(fabric.waitUntilIdle())
        let arrivals = received.arrivals
        #expect(arrivals.map(\.mad.transactionID) == [1, 2])
        #expect(arrivals.map(\.agent) == [perf, vendor])
        #expect(arrivals.allSatisfy { $0.source.lid == 1 && $0.source.queuePair == 1 })
        #expect(other.arrivals.isEmpty)
        #expect(fabric.counters.sent == 5)
        #expect(fabric.counters.delivered == 2)
        #expect(fabric.counters.undeliverable == 3)
    }

    @Test func refusesOverlappingRegistrations() throws {
        let fabric = MemoryFabric()
        defer { fabric.close() }
        let port = try fabric.addPort(lid: 1)
        _ = try port.register(perfResponder)
        #expect(throws: MemoryFabricError.self) { try port.register(perfResponder) }
        _ = try port.register(AgentRegistration(class: .performance, version: 1, methods: [.set]))
        #expect(throws: MemoryFabricError.lidInUse(1)) { try fabric.addPort(lid: 1) }
    }

    @Test func verbsStyleRoutesResponsesByTheTIDsHighBitsWithoutMatching() throws {
        let fabric = MemoryFabric()
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let responderPort = try fabric.addPort(lid: 2)
        let first = try requester.register(perfRequester)
        let second = try requester.register(perfRequester)
        let recorder = Recorder()
        try requester.start(delegate: recorder)
        _ = try Echo(port: responderPort, registration: perfResponder, copies: 2)
        #expect(!requester.matchesResponsesInTransport)

        // The TID travels untouched; its high bits name the second agent.
        let tid = UInt64(second.rawValue) << 32 | 7
        try sendMAD(perfGet(tid: tid), from: requester, to: .generalServices(lid: 2), agent: second, timeoutMilliseconds: 5)
        // High bits naming no agent: the first agent of the class gets it.
        try sendMAD(perfGet(tid: 0xFFFF_0000_0000_0008), from: requester, to: .generalServices(lid: 2), agent: first)
        #expect(fabric.waitUntilIdle())
        usleep(20_000)   // past the 5 ms "timeout": nothing is held or failed in this mode
        #expect(fabric.waitUntilIdle())
        let arrivals = recorder.arrivals
        #expect(arrivals.map(\.mad.transactionID) == [tid, tid, 0xFFFF_0000_0000_0008, 0xFFFF_0000_0000_0008])
        #expect(arrivals.map(\.agent) == [second, second, first, first])
        #expect(arrivals.allSatisfy { $0.mad.method == .getResponse })
        #expect(recorder.failures.isEmpty)
    }

    @Test func umadStyleMatchesByTIDDropsUnmatchedAndTimesOut() throws {
        let fabric = MemoryFabric(.init(matchesResponsesInTransport: true))
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let responderPort = try fabric.addPort(lid: 2)
        let first = try requester.register(perfRequester)
        let second = try requester.register(perfRequester)
        let recorder = Recorder()
        try requester.start(delegate: recorder)
        let echo = try Echo(port: responderPort, registration: perfResponder, copies: 2)
        #expect(requester.matchesResponsesInTransport)

        // ib_umad rewrites the high 32 bits with the agent id; the duplicate answer is dropped.
        try sendMAD(perfGet(tid: 0xDEAD_0000_0000_0011), from: requester, to: .generalServices(lid: 2), agent: second,
                    timeoutMilliseconds: 2_000)
        // Without a timeout nothing waits for the answers: both are dropped.
        try sendMAD(perfGet(tid: 0x12), from: requester, to: .generalServices(lid: 2), agent: first)
        #expect(fabric.waitUntilIdle())
        let expectedTID = UInt64(second.rawValue) << 32 | 0x11
        #expect(echo.seen.withLock { $0.map(\.transactionID) } == [expectedTID, UInt64(first.rawValue) << 32 | 0x12])
        #expect(recorder.arrivals.map(\.mad.transactionID) == [expectedTID])
        #expect(recorder.arrivals.map(\.agent) == [second])
        #expect(fabric.counters.unmatchedResponses == 3)

        // Nobody answers LID 3's class: the send comes back with ETIMEDOUT after its timeout.
        _ = try fabric.addPort(lid: 3)
        try sendMAD(perfGet(tid: 0x13), from: requester, to: .generalServices(lid: 3), agent: first, timeoutMilliseconds: 30)
        #expect(eventually { recorder.failures.count == 1 })
        #expect(recorder.failures == [SendFailure(transactionID: UInt64(first.rawValue) << 32 | 0x13, agent: first, status: 110)])
        #expect(fabric.counters.timedOut == 1)
    }

    @Test func umadStyleTimeoutRunsOnTheVirtualClockAndLostSendsCanFailAtOnce() throws {
        let fabric = MemoryFabric(.init(matchesResponsesInTransport: true, virtualClock: true))
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let agent = try requester.register(perfRequester)
        let recorder = Recorder()
        try requester.start(delegate: recorder)
        try sendMAD(perfGet(tid: 1), from: requester, to: .generalServices(lid: 7), agent: agent, timeoutMilliseconds: 100)
        #expect(fabric.waitUntilIdle())
        fabric.advanceClock(by: .milliseconds(99))
        #expect(fabric.waitUntilIdle())
        #expect(recorder.failures.isEmpty)
        fabric.advanceClock(by: .milliseconds(1))
        #expect(eventually { recorder.failures.count == 1 })

        // ibsim's behaviour: a lost MAD comes back at once, with the clock standing still.
        let ibsim = MemoryFabric(.init(matchesResponsesInTransport: true, failLostSendsImmediately: true, virtualClock: true))
        defer { ibsim.close() }
        let port = try ibsim.addPort(lid: 1)
        let ibsimAgent = try port.register(perfRequester)
        let failures = Recorder()
        try port.start(delegate: failures)
        try sendMAD(perfGet(tid: 2), from: port, to: .generalServices(lid: 7), agent: ibsimAgent, timeoutMilliseconds: 1_000)
        #expect(eventually { failures.failures.count == 1 })
        #expect(failures.failures.first?.status == 110)
    }

    // MARK: Built-in SMA and PMA

    @Test func directedRouteSMPsThroughTheSimulatedSMAValidate() throws {
        // CA 1 port 1 — switch 10 (port 3 … port 5) — switch 11 (port 2 … port 7) — CA 2 port 1.
        let fabric = MemoryFabric()
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1, answering: .subnetManagement)
        try fabric.addSwitch(lid: 10, ports: 8)
        try fabric.addSwitch(lid: 11, ports: 8)
        let far = try fabric.addPort(lid: 2, node: .channelAdapter(lid: 2, description: "far host"), answering: .subnetManagement)
        try fabric.connect(1, port: 1, to: 10, port: 3)
        try fabric.connect(10, port: 5, to: 11, port: 2)
        try fabric.connect(11, port: 7, to: 2, port: 1)
        let smi = try requester.register(AgentRegistration(class: .subnetDirectedRoute, version: 1))
        let recorder = Recorder()
        try requester.start(delegate: recorder)
        _ = far

        let cases: [(path: [UInt8], attribute: AttributeID, tid: UInt64)] = [
            ([1, 5, 7], .nodeInfo, 1), ([1, 5], .nodeInfo, 2), ([], .nodeInfo, 3),
            ([1, 5, 7], .nodeDescription, 4), ([1, 5], .portInfo, 5), ([1], .smInfo, 6),
        ]
        var requests: [UInt64: DirectedRouteSMP] = [:]
        for (ports, attribute, tid) in cases {
            let modifier: UInt32 = attribute == .portInfo ? 7 : 0
            let smp = DirectedRouteSMP(method: .get, attribute: attribute, modifier: modifier,
                                       path: try DirectedRoutePath(ports: ports), transactionID: tid)
            requests[tid] = smp
            try sendMAD(smp.mad, from: requester, to: .subnetManagement(), agent: smi)
        }
        // Port 9 of switch 10 has no cable: lost, counted unroutable.
        try sendMAD(DirectedRouteSMP(method: .get, attribute: .nodeInfo, path: try DirectedRoutePath(ports: [1, 9]),
                                     transactionID: 7).mad, from: requester, to: .subnetManagement(), agent: smi)
        #expect(eventually { recorder.arrivals.count == cases.count })
        #expect(fabric.waitUntilIdle())

        var answers: [UInt64: DirectedRouteSMP] = [:]
        for arrival in recorder.arrivals {
            let request = try #require(requests[arrival.mad.transactionID])
            answers[arrival.mad.transactionID] = try request.validateResponse(arrival.mad)
            #expect(arrival.source.lid == 0xFFFF)
        }
        let farInfo = try answers[1]!.mad.attribute(NodeInfo.self)
        #expect(farInfo.nodeGUID == SimulatedNode.channelAdapter(lid: 2).nodeGUID)
        #expect(farInfo.nodeType == .channelAdapter)
        #expect(farInfo.localPortNumber == 1)
        let switchInfo = try answers[2]!.mad.attribute(NodeInfo.self)
        #expect(switchInfo.nodeType == .switch && switchInfo.numberOfPorts == 8 && switchInfo.localPortNumber == 2)
        #expect(try answers[3]!.mad.attribute(NodeInfo.self).nodeGUID == SimulatedNode.channelAdapter(lid: 1).nodeGUID)
        #expect(try answers[4]!.mad.attribute(NodeDescription.self).text == "far host")
        let portInfo = try answers[5]!.mad.attribute(PortInfo.self)
        // LocalPortNumber is the port the SMP came in on (switch 11's port 2), not port 7 that
        // it asks about (IBA 14.2.5.6).
        #expect(portInfo.localPortNumber == 2 && portInfo.portState == .active && portInfo.lid == 11)
        // SMInfo is not simulated: GetResp with unsupported method/attribute, still a valid answer.
        #expect(answers[6]!.status == MADStatus(rawValue: 0x000C))
        #expect(answers[6]!.mad.method == .getResponse)
        // The return path is what the SMA saw: the input port at each hop.
        #expect([1, 2, 3].map { answers[1]!.returnPathEntry($0) } == [3, 2, 1])
        #expect(fabric.counters.unroutable == 1)
        #expect(fabric.counters.answeredBySimulation == cases.count)
    }

    @Test func directedRouteRequestsReachAnSMIAgentAndItsAnswerReturns() throws {
        let fabric = MemoryFabric(.init(matchesResponsesInTransport: true))
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let target = try fabric.addPort(lid: 2)
        try fabric.addSwitch(lid: 10, ports: 4)
        try fabric.connect(1, port: 1, to: 10, port: 1)
        try fabric.connect(10, port: 4, to: 2, port: 1)
        let smi = try requester.register(AgentRegistration(class: .subnetDirectedRoute, version: 1))
        let recorder = Recorder()
        try requester.start(delegate: recorder)
        let echo = try Echo(port: target, registration: AgentRegistration(class: .subnetDirectedRoute, version: 1,
                                                                          methods: [.get]))
        let request = DirectedRouteSMP(method: .get, attribute: .nodeDescription, path: try DirectedRoutePath(ports: [1, 4]),
                                       transactionID: 0x55)
        try sendMAD(request.mad, from: requester, to: .subnetManagement(), agent: smi, timeoutMilliseconds: 1_000)
        #expect(eventually { recorder.arrivals.count == 1 })
        // The agent saw the SMP at the end of its path: hop pointer = hop count + 1, the
        // return path holding the input ports (IBA 14.2.2, C14-9).
        let seen = try DirectedRouteSMP(try #require(echo.seen.withLock { $0.first }))
        #expect(seen.hopPointer == 3 && seen.returnPathEntry(1) == 1 && seen.returnPathEntry(2) == 1)
        var sent = request
        sent.mad.transactionID = UInt64(smi.rawValue) << 32 | 0x55   // as ib_umad rewrote it
        let answer = try sent.validateResponse(recorder.arrivals[0].mad)
        #expect(answer.hopPointer == 0)
        #expect(recorder.arrivals[0].agent == smi)
    }

    @Test func lidRoutedSMPsAndThePMA() throws {
        let (fabric, port, perf, recorder) = try requesterAndSwitch()
        defer { fabric.close() }
        let sma = try port.register(AgentRegistration(class: .subnetLIDRouted, version: 1))
        var counters = PortCounters()
        counters.portXmitPkts = 1234
        counters.symbolErrorCounter = 5
        counters.portRcvPkts = 99
        try fabric.setPortCounters(lid: 10, port: 3, counters)

        try sendMAD(MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .portInfo, modifier: 3,
                        transactionID: 1), from: port, to: .subnetManagement(lid: 10), agent: sma)
        try sendMAD(MAD(class: .subnetLIDRouted, classVersion: 1, method: .set, attribute: .nodeInfo, transactionID: 2),
                    from: port, to: .subnetManagement(lid: 10), agent: sma)
        try sendMAD(perfGet(.classPortInfo, tid: 3), from: port, to: .generalServices(lid: 10), agent: perf)
        var get = perfGet(tid: 4)
        var select = PortCounters()
        select.portSelect = 3
        try get.setAttribute(select)
        try sendMAD(get, from: port, to: .generalServices(lid: 10), agent: perf)
        var clear = get
        clear.method = .set
        clear.transactionID = 5
        select.counterSelect = [.symbolErrorCounter, .portXmitPkts]
        try clear.setAttribute(select)
        try sendMAD(clear, from: port, to: .generalServices(lid: 10), agent: perf)
        try sendMAD(perfGet(.portSamplesControl, tid: 6), from: port, to: .generalServices(lid: 10), agent: perf)

        #expect(eventually { recorder.arrivals.count == 6 })
        let byTID = Dictionary(uniqueKeysWithValues: recorder.arrivals.map { ($0.mad.transactionID, $0) })
        let portInfo = try byTID[1]!.mad.attribute(PortInfo.self)
        #expect(byTID[1]!.mad.status == .success && byTID[1]!.agent == sma)
        // LID-routed SMPs are delivered, not routed hop by hop, here: they come in on the
        // node's own port (a switch's port 0), which LocalPortNumber reports.
        #expect(portInfo.lid == 10 && portInfo.localPortNumber == 0 && portInfo.portState == .active)
        #expect(byTID[2]!.mad.status == MADStatus(rawValue: 0x000C) && byTID[2]!.mad.method == .getResponse)
        let classPortInfo = try byTID[3]!.mad.attribute(ClassPortInfo.self)
        #expect(classPortInfo.classVersion == 1 && byTID[3]!.agent == perf)
        let read = try byTID[4]!.mad.attribute(PortCounters.self)
        #expect(read.portSelect == 3 && read.portXmitPkts == 1234 && read.symbolErrorCounter == 5)
        let afterClear = try byTID[5]!.mad.attribute(PortCounters.self)
        #expect(afterClear.portXmitPkts == 0 && afterClear.symbolErrorCounter == 0 && afterClear.portRcvPkts == 99)
        #expect(fabric.portCounters(lid: 10, port: 3)?.portRcvPkts == 99)
        #expect(byTID[6]!.mad.status == MADStatus(rawValue: 0x000C))
    }

    // MARK: Faults

    @Test func dropsTheNthMADsExactly() throws {
        let (fabric, port, agent, recorder) = try requesterAndSwitch()
        defer { fabric.close() }
        let rule = fabric.addFault(FaultRule(.drop, match: .init(link: FabricLink(from: 1, to: 10), direction: .requests),
                                             selector: .nth([3, 7])))
        for tid in 1...10 as ClosedRange<UInt64> {
            try sendMAD(perfGet(.classPortInfo, tid: tid), from: port, to: .generalServices(lid: 10), agent: agent)
        }
        #expect(eventually { recorder.arrivals.count == 8 })
        #expect(fabric.waitUntilIdle())
        #expect(recorder.arrivals.map(\.mad.transactionID) == [1, 2, 4, 5, 6, 8, 9, 10])
        #expect(fabric.injections(rule) == 2)
        #expect(fabric.counters.dropped == 2)
        #expect(fabric.counters.sent == 18)   // 10 requests and 8 answers
    }

    @Test func percentDropsAreDeterministicFromTheSeed() throws {
        func droppedTIDs(seed: UInt64) throws -> (dropped: [UInt64], counted: Int) {
            let (fabric, port, agent, recorder) = try requesterAndSwitch(.init(seed: seed))
            defer { fabric.close() }
            fabric.addFault(FaultRule(.drop, match: .init(direction: .requests), selector: .percent(25)))
            for tid in 1...200 as ClosedRange<UInt64> {
                try sendMAD(perfGet(.classPortInfo, tid: tid), from: port, to: .generalServices(lid: 10), agent: agent)
            }
            #expect(fabric.waitUntilIdle())
            let answered = Set(recorder.arrivals.map(\.mad.transactionID))
            return ((1...200).filter { !answered.contains($0) }, fabric.counters.dropped)
        }
        let first = try droppedTIDs(seed: 42)
        let again = try droppedTIDs(seed: 42)
        let other = try droppedTIDs(seed: 43)
        #expect(first.dropped == again.dropped)
        #expect(first.counted == first.dropped.count)
        #expect((20...80).contains(first.dropped.count), "25% of 200, got \(first.dropped.count)")
        #expect(first.dropped != other.dropped)
    }

    @Test func duplicatesEverySecondMAD() throws {
        let fabric = MemoryFabric()
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let target = try fabric.addPort(lid: 2)
        let agent = try requester.register(perfRequester)
        try requester.start(delegate: Recorder())
        _ = try target.register(perfResponder)
        let recorder = Recorder()
        try target.start(delegate: recorder)
        let rule = fabric.addFault(FaultRule(.duplicate(copies: 2), selector: .every(2)))
        for tid in 1...6 as ClosedRange<UInt64> {
            try sendMAD(perfGet(tid: tid), from: requester, to: .generalServices(lid: 2), agent: agent)
        }
        #expect(fabric.waitUntilIdle())
        #expect(recorder.arrivals.map(\.mad.transactionID) == [1, 2, 2, 2, 3, 4, 4, 4, 5, 6, 6, 6])
        #expect(fabric.injections(rule) == 3)
        #expect(fabric.counters.duplicated == 6)
        #expect(fabric.counters.delivered == 12)
    }

    @Test func delaysOnTheVirtualClock() throws {
        let (fabric, port, agent, recorder) = try requesterAndSwitch(.init(virtualClock: true))
        defer { fabric.close() }
        fabric.addFault(FaultRule(.delay(.milliseconds(100)), match: .init(direction: .requests), selector: .nth(1)))
        try sendMAD(perfGet(.classPortInfo, tid: 1), from: port, to: .generalServices(lid: 10), agent: agent)
        try sendMAD(perfGet(.classPortInfo, tid: 2), from: port, to: .generalServices(lid: 10), agent: agent)
        #expect(fabric.waitUntilIdle())
        #expect(recorder.arrivals.map(\.mad.transactionID) == [2])
        fabric.advanceClock(by: .milliseconds(99))
        #expect(fabric.waitUntilIdle())
        #expect(recorder.arrivals.map(\.mad.transactionID) == [2])
        fabric.advanceClock(by: .milliseconds(1))
        #expect(eventually { recorder.arrivals.count == 2 })
        #expect(recorder.arrivals.map(\.mad.transactionID) == [2, 1])
        #expect(fabric.counters.delayed == 1)
    }

    @Test func jitteredDelaysOnTheRealClock() throws {
        let (fabric, port, agent, recorder) = try requesterAndSwitch(.init(seed: 7))
        defer { fabric.close() }
        fabric.addFault(FaultRule(.delay(min: .milliseconds(2), max: .milliseconds(6)), match: .init(direction: .requests)))
        let clock = ContinuousClock()
        let start = clock.now
        for tid in 1...5 as ClosedRange<UInt64> {
            try sendMAD(perfGet(.classPortInfo, tid: tid), from: port, to: .generalServices(lid: 10), agent: agent)
        }
        #expect(eventually { recorder.arrivals.count == 5 })
        #expect(clock.now - start >= .milliseconds(2))
        #expect(Set(recorder.arrivals.map(\.mad.transactionID)) == [1, 2, 3, 4, 5])
        #expect(fabric.counters.delayed == 5)
    }

    @Test func reordersByHoldingAndReleasing() throws {
        let (fabric, port, agent, recorder) = try requesterAndSwitch()
        defer { fabric.close() }
        fabric.addFault(FaultRule(.reorder(after: 2), match: .init(direction: .requests), selector: .nth(1)))
        for tid in 1...4 as ClosedRange<UInt64> {
            try sendMAD(perfGet(.classPortInfo, tid: tid), from: port, to: .generalServices(lid: 10), agent: agent)
        }
        #expect(eventually { recorder.arrivals.count == 4 })
        #expect(recorder.arrivals.map(\.mad.transactionID) == [2, 3, 1, 4])

        // Held past the end of the traffic: released on demand.
        fabric.addFault(FaultRule(.reorder(after: 10), match: .init(direction: .requests), selector: .nth(1)))
        for tid in 5...6 as ClosedRange<UInt64> {
            try sendMAD(perfGet(.classPortInfo, tid: tid), from: port, to: .generalServices(lid: 10), agent: agent)
        }
        #expect(fabric.waitUntilIdle())
        #expect(recorder.arrivals.map(\.mad.transactionID) == [2, 3, 1, 4, 6])
        fabric.releaseHeld()
        #expect(eventually { recorder.arrivals.count == 6 })
        #expect(recorder.arrivals.map(\.mad.transactionID).suffix(2) == [6, 5])
        #expect(fabric.counters.reordered == 2)
    }

    @Test func corruptsOneByteInTheChosenRange() throws {
        func corrupted(seed: UInt64) throws -> [Int] {
            let fabric = MemoryFabric(.init(seed: seed))
            defer { fabric.close() }
            let requester = try fabric.addPort(lid: 1)
            let target = try fabric.addPort(lid: 2)
            let agent = try requester.register(perfRequester)
            try requester.start(delegate: Recorder())
            _ = try target.register(perfResponder)
            let recorder = Recorder()
            try target.start(delegate: recorder)
            fabric.addFault(FaultRule(.corrupt(bytes: 64..<128), selector: .always, limit: 5))
            for tid in 1...6 as ClosedRange<UInt64> {
                try sendMAD(perfGet(tid: tid), from: requester, to: .generalServices(lid: 2), agent: agent)
            }
            #expect(fabric.waitUntilIdle())
            #expect(fabric.counters.corrupted == 5)
            var offsets: [Int] = []
            for arrival in recorder.arrivals {
                let sent = perfGet(tid: arrival.mad.transactionID)
                let changed = (0..<MAD.size).filter { sent.raw[$0] != arrival.mad.raw[$0] }
                if arrival.mad.transactionID == 6 { #expect(changed.isEmpty) } else {
                    #expect(changed.count == 1)
                    if let offset = changed.first {
                        #expect((64..<128).contains(offset))
                        #expect(arrival.mad.raw[offset] == sent.raw[offset] ^ 0xFF)
                        offsets.append(offset)
                    }
                }
            }
            return offsets
        }
        let offsets = try corrupted(seed: 9)
        #expect(offsets.count == 5)
        #expect(try corrupted(seed: 9) == offsets)
    }

    @Test func answersBusyNTimesThenLetsRequestsThrough() throws {
        let (fabric, port, agent, recorder) = try requesterAndSwitch()
        defer { fabric.close() }
        let sma = try port.register(AgentRegistration(class: .subnetDirectedRoute, version: 1))
        let rule = fabric.addFault(FaultRule(.busy, match: .init(link: FabricLink(from: 1, to: 10), direction: .requests), limit: 2))
        let path = try DirectedRoutePath(ports: [1])
        var requests: [DirectedRouteSMP] = []
        for tid in 1...3 as ClosedRange<UInt64> {
            let smp = DirectedRouteSMP(method: .get, attribute: .nodeInfo, path: path, transactionID: tid)
            requests.append(smp)
            try sendMAD(smp.mad, from: port, to: .subnetManagement(), agent: sma)
            #expect(eventually { recorder.arrivals.count == Int(tid) })
        }
        let answers = try zip(requests, recorder.arrivals).map { try $0.validateResponse($1.mad) }
        #expect(answers.map(\.status) == [MADStatus(rawValue: 1), MADStatus(rawValue: 1), .success])
        #expect(try answers[2].mad.attribute(NodeInfo.self).nodeType == .switch)
        #expect(fabric.injections(rule) == 2 && fabric.counters.busy == 2)
        #expect(fabric.counters.answeredBySimulation == 1)
        _ = agent
    }

    // MARK: Lifetime and the verifier

    @Test func closeLeavesNoThreadBehind() throws {
        let fabric = MemoryFabric()
        var ports: [MemoryFabricPort] = []
        for lid in 1...3 as ClosedRange<UInt16> {
            let port = try fabric.addPort(lid: lid)
            try port.start(delegate: Recorder())
            ports.append(port)
        }
        let threads = ports.compactMap(\.ioThreadID)
        #expect(threads.count == 3)
        func alive(_ thread: Int32) -> Bool { access("/proc/self/task/\(thread)", F_OK) == 0 }
        #expect(threads.allSatisfy(alive))
        fabric.close()
        // pthread_join returns once the kernel clears the thread's TID (exit_mm); the
        // /proc/self/task entry goes a moment later, when exit_notify reaps the thread.
        #expect(eventually { threads.allSatisfy { !alive($0) } })
        #expect(ports.allSatisfy { $0.ioThreadID == nil })
        let agent = AgentID(rawValue: 1)
        #expect(throws: MemoryFabricError.closed) {
            try sendMAD(perfGet(tid: 1), from: ports[0], to: .generalServices(lid: 2), agent: agent)
        }
        #expect(throws: MemoryFabricError.closed) { try fabric.addPort(lid: 9) }
        fabric.close()   // idempotent
    }

    @Test func dropsWithoutClosingStillStopEveryThread() throws {
        var threads: [Int32] = []
        do {
            let fabric = MemoryFabric()
            let port = try fabric.addPort(lid: 1)
            try port.start(delegate: Recorder())
            threads = port.ioThreadID.map { [$0] } ?? []
        }
        #expect(threads.count == 1)
        #expect(eventually { threads.allSatisfy { access("/proc/self/task/\($0)", F_OK) != 0 } })
    }

    @Test func everySlotGoesThroughTheVerifyingPool() throws {
        let violations = Mutex<[PoolViolation]>([])
        let pool = MADBufferPool.Configuration(sendSlots: 8, receiveSlots: 8, sendHeadroom: 0, receiveHeadroom: 40,
                                               verify: true, onViolation: { v in violations.withLock { $0.append(v) } })
        let fabric = MemoryFabric(.init(seed: 3, matchesResponsesInTransport: true, pool: pool))
        defer { fabric.close() }
        let requester = try fabric.addPort(lid: 1)
        let responderPort = try fabric.addPort(lid: 2)
        try fabric.addSwitch(lid: 10, ports: 4)
        #expect(requester.pool.verify && responderPort.pool.verify)
        let agent = try requester.register(perfRequester)
        let recorder = Recorder()
        try requester.start(delegate: recorder)
        _ = try Echo(port: responderPort, registration: perfResponder)
        fabric.addFault(FaultRule(.duplicate(copies: 1), selector: .every(3)))
        fabric.addFault(FaultRule(.corrupt(bytes: 200..<256), selector: .every(4)))
        for tid in 1...40 as ClosedRange<UInt64> {
            try sendMAD(perfGet(tid: tid), from: requester, to: .generalServices(lid: tid % 2 == 0 ? 2 : 10), agent: agent,
                        timeoutMilliseconds: 1_000)
        }
        #expect(eventually { recorder.arrivals.count == 40 })
        #expect(fabric.waitUntilIdle())
        #expect(violations.withLock { $0 }.isEmpty)
        #expect(requester.pool.violations.isEmpty && responderPort.pool.violations.isEmpty)
        // Every slot is back in its pool: nothing owned, nothing left posted.
        #expect(requester.pool.census.free == 16 && responderPort.pool.census.free == 16)
    }
}
