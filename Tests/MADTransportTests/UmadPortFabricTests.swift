import MADTransport
import MADWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// UmadPort against ibsim + opensm, checked against infiniband-diags on the same fabric.
/// Needs a fabric and libumad2sim preloaded into the test process (scripts/with-fabric
/// --preload); skips otherwise. Serialized: libumad2sim routes a class's MADs to the last
/// fd that registered it in the process, so one port at a time.
///
/// Bytes 224-255 of MADs received through libumad2sim are heap garbage (its receive
/// buffer is 32 bytes short; ibsim sends zeros there): no test compares them.
@Suite("UmadPort on ibsim", .serialized,
       .enabled(if: TestFabric.current != nil, Comment(rawValue: TestFabric.unavailableReason)))
struct UmadPortFabricTests {
    let fabric = TestFabric.current!
    static let nextTID = Atomic<UInt32>(0x5E00_0000)

    /// An open port with SMP (LID and DR) agents and a collector, closed by `body`'s end.
    func withPort(verify: Bool = false,
                  _ body: (UmadPort, MADCollector, _ lidAgent: AgentID, _ drAgent: AgentID) async throws -> Void)
        async throws
    {
        let port = try UmadPort(pool: UmadPort.makePool(sendSlots: 8, receiveSlots: 8, verify: verify))
        defer { port.close() }
        let lidAgent = try port.register(AgentRegistration(class: .subnetLIDRouted, version: 1))
        let drAgent = try port.register(AgentRegistration(class: .subnetDirectedRoute, version: 1))
        let collector = MADCollector()
        try port.start(delegate: collector)
        try await body(port, collector, lidAgent, drAgent)
    }

    func send(_ mad: MAD, _ port: UmadPort, to address: MADAddress, agent: AgentID, timeout: Int = 1000) throws {
        let slot = try port.pool.tryAcquire(.send)
        slot.store(mad)
        try port.send(slot, to: address, agent: agent, timeoutMilliseconds: timeout)
    }

    /// Sends `mad` with a fresh TID and returns the response (failing on a send failure).
    func request(_ mad: MAD, _ port: UmadPort, _ collector: MADCollector, to address: MADAddress,
                 agent: AgentID) async throws -> (MAD, MADAddress, AgentID) {
        var mad = mad
        let tid = Self.nextTID.add(1, ordering: .relaxed).newValue
        mad.transactionID = UInt64(tid)
        try send(mad, port, to: address, agent: agent)
        switch try await collector.event(lowTID: tid) {
        case .received(let response, let source, let agent):
            #expect(response.method == Method(rawValue: mad.method.rawValue | 0x80))
            #expect(response.attributeID == mad.attributeID)
            return (response, source, agent)
        case .failed(let failure):
            throw PortError.sendFailed(errno: failure.status)
        }
    }

    func smpData(_ mad: MAD) -> [UInt8] {
        mad.withUnsafeBytes { Array($0[64..<128]) }  // SMP data (IBA 14.2.1.1), below byte 224
    }

    @Test("Opens the first active port, as infiniband-diags does, and reports its LID, SM and GUID")
    func opensDefaultPort() throws {
        let port = try UmadPort()
        defer { port.close() }
        #expect(port.caName == "ibsim0")
        #expect(port.portNumber == 1)
        #expect(port.localLID == fabric.local.lid)
        #expect(port.portGUID == fabric.local.portGUID)
        let portInfo = try runTool(["smpquery", "portinfo", String(port.localLID)])
        #expect(portInfo.status == 0)
        #expect(toolFields(portInfo.output)["SMLid"] == String(port.smLID))

        let named = try UmadPort(caName: "ibsim0", portNumber: 1)
        defer { named.close() }
        #expect(named.localLID == port.localLID)
    }

    @Test("A CA or port that does not exist is a clear error listing what does")
    func missingCAAndPort() {
        #expect(throws: PortError.caNotFound("mlx5_9", available: ["ibsim0"])) { try UmadPort(caName: "mlx5_9") }
        #expect(throws: PortError.portNotFound(ca: "ibsim0", port: 7, available: [1])) {
            try UmadPort(caName: "ibsim0", portNumber: 7)
        }
    }

    @Test("NodeInfo, LID-routed, to a switch and a host equals smpdump and smpquery", arguments: [true, false])
    func nodeInfoByLID(toSwitch: Bool) async throws {
        let target = try #require(fabric.nodes.dropFirst().first { $0.isSwitch == toSwitch })
        try await withPort { port, collector, lidAgent, _ in
            let get = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo)
            let (response, source, agent) = try await request(get, port, collector,
                                                              to: .subnetManagement(lid: target.lid), agent: lidAgent)
            #expect(agent == lidAgent)
            #expect(source.lid == target.lid)
            #expect(response.status.rawValue == 0)
            let dump = try runTool(["smpdump", String(target.lid), "0x11"])
            #expect(dump.status == 0)
            #expect(smpData(response) == dumpBytes(dump.output))

            let info = try response.attribute(NodeInfo.self)
            let query = try runTool(["smpquery", "nodeinfo", String(target.lid)])
            let fields = toolFields(query.output)
            #expect(fields["Guid"] == "0x" + hexDigits(info.nodeGUID, width: 16))
            #expect(fields["PortGuid"] == "0x" + hexDigits(info.portGUID, width: 16))
            #expect(fields["NumPorts"] == String(info.numberOfPorts))
            #expect(fields["NodeType"] == (toSwitch ? "Switch" : "Channel Adapter"))
            #expect(info.nodeGUID == target.nodeGUID)
        }
    }

    @Test("NodeInfo over the directed route 0,1 equals smpdump -D")
    func nodeInfoByDirectedRoute() async throws {
        try await withPort { port, collector, _, drAgent in
            let path = try DirectedRoutePath(ports: [1])
            let get = DirectedRouteSMP(method: .get, attribute: .nodeInfo, path: path).mad
            let (response, _, agent) = try await request(get, port, collector, to: .subnetManagement(), agent: drAgent)
            #expect(agent == drAgent)
            let smp = try DirectedRouteSMP(response)
            #expect(smp.isReturning)
            #expect(smp.status.rawValue == 0)
            let dump = try runTool(["smpdump", "-D", "0,1", "0x11"])
            #expect(dump.status == 0)
            #expect(smpData(response) == dumpBytes(dump.output))
            let fields = toolFields(try runTool(["smpquery", "-D", "nodeinfo", "0,1"]).output)
            #expect(fields["Guid"] == "0x" + hexDigits(try response.attribute(NodeInfo.self).nodeGUID, width: 16))
        }
    }

    @Test("PortInfo of a switch port and of a host equals smpdump and smpquery", arguments: [true, false])
    func portInfo(ofSwitch: Bool) async throws {
        let target = try #require(fabric.nodes.dropFirst().first { $0.isSwitch == ofSwitch })
        let portNumber: UInt32 = 1
        try await withPort { port, collector, lidAgent, _ in
            let get = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .portInfo,
                          modifier: portNumber)
            let (response, _, _) = try await request(get, port, collector, to: .subnetManagement(lid: target.lid),
                                                     agent: lidAgent)
            let dump = try runTool(["smpdump", String(target.lid), "0x15", String(portNumber)])
            #expect(dump.status == 0)
            #expect(smpData(response) == dumpBytes(dump.output))
            let info = try response.attribute(PortInfo.self)
            let fields = toolFields(try runTool(["smpquery", "portinfo", String(target.lid), String(portNumber)]).output)
            #expect(fields["Lid"] == String(info.lid))
            #expect(fields["SMLid"] == String(info.masterSMLID))
            #expect(fields["LinkState"] == "Active")
            #expect(info.lid == (ofSwitch ? 0 : target.lid))  // a switch's LID is on port 0 (IBA 14.2.5.6)
        }
    }

    @Test("PerfMgt ClassPortInfo and PortCounters GMPs to another LID agree with perfquery")
    func performanceManagement() async throws {
        let target = try #require(fabric.nodes.dropFirst().first { !$0.isSwitch })
        let simName = String(target.description.prefix { $0 != " " })  // "H5 HCA-1" is "H5" in the net file
        let port = try UmadPort(pool: UmadPort.makePool(sendSlots: 8, receiveSlots: 8))
        defer { port.close() }
        let agent = try port.register(AgentRegistration(class: .performance, version: 1))
        let collector = MADCollector()
        try port.start(delegate: collector)
        let address = MADAddress.generalServices(lid: target.lid)

        let classGet = MAD(class: .performance, classVersion: 1, method: .get, attribute: .classPortInfo)
        let (classResponse, source, _) = try await request(classGet, port, collector, to: address, agent: agent)
        #expect(source.lid == target.lid)
        #expect(source.queuePair == 1)
        let classPortInfo = try classResponse.attribute(ClassPortInfo.self)

        fabric.consoleCommand("PerformanceSet \"\(simName)\"[1] PortCounters.SymbolErrorCounter=5")
        fabric.consoleCommand("PerformanceSet \"\(simName)\"[1] PortCounters.LinkDownedCounter=3")
        var counters = PortCounters()
        let deadline = ContinuousClock.now + .seconds(3)
        repeat {
            var get = MAD(class: .performance, classVersion: 1, method: .get, attribute: .portCounters)
            var select = PortCounters()
            select.portSelect = 1
            try get.setAttribute(select)
            counters = try await request(get, port, collector, to: address, agent: agent).0.attribute(PortCounters.self)
        } while (counters.symbolErrorCounter != 5 || counters.linkDownedCounter != 3) && ContinuousClock.now < deadline
        #expect(counters.symbolErrorCounter == 5)
        #expect(counters.linkDownedCounter == 3)

        let perf = try runTool(["perfquery", String(target.lid), "1"])
        #expect(perf.status == 0)
        #expect(perf.output.contains("(CapMask: 0x\(hexDigits(UInt64(classPortInfo.capabilityMask.rawValue), width: 4)))"))
        let fields = toolFields(perf.output)
        #expect(fields["PortSelect"] == String(counters.portSelect))
        #expect(fields["SymbolErrorCounter"] == String(counters.symbolErrorCounter))
        #expect(fields["LinkDownedCounter"] == String(counters.linkDownedCounter))
        #expect(fields["PortRcvErrors"] == String(counters.portRcvErrors))
        #expect(fields["VL15Dropped"] == String(counters.vl15Dropped))
    }

    @Test("A MAD to an unreachable LID comes back as sendFailed with ETIMEDOUT (110), as smpquery fails")
    func lostMADComesBack() async throws {
        let unassigned = UInt16(fabric.nodes.map(\.lid).max()! + 100)
        try await withPort { port, collector, lidAgent, drAgent in
            let tid = Self.nextTID.add(1, ordering: .relaxed).newValue
            let get = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo,
                          transactionID: UInt64(tid))
            try send(get, port, to: .subnetManagement(lid: unassigned), agent: lidAgent, timeout: 200)
            guard case .failed(let failure) = try await collector.event(lowTID: tid) else {
                Issue.record("LID \(unassigned) answered")
                return
            }
            #expect(failure.status == ETIMEDOUT)
            #expect(failure.agent == lidAgent)

            // A directed route through a port that is not connected: lost the same way.
            let drTID = Self.nextTID.add(1, ordering: .relaxed).newValue
            let dr = DirectedRouteSMP(method: .get, attribute: .nodeInfo, path: try DirectedRoutePath(ports: [1, 9]),
                                      transactionID: UInt64(drTID)).mad
            try send(dr, port, to: .subnetManagement(), agent: drAgent, timeout: 200)
            guard case .failed(let drFailure) = try await collector.event(lowTID: drTID) else {
                Issue.record("DR path 0,1,9 answered")
                return
            }
            #expect(drFailure.status == ETIMEDOUT)
        }
        #expect(try runTool(["smpquery", "nodeinfo", String(unassigned)]).status != 0)
        #expect(try runTool(["smpquery", "-D", "nodeinfo", "0,1,9"]).status != 0)
    }

    @Test("Verifier mode: a request and its response pass through the pool without a violation")
    func verifierMode() async throws {
        let target = try #require(fabric.nodes.dropFirst().first)
        var pool: MADBufferPool?
        try await withPort(verify: true) { port, collector, lidAgent, _ in
            pool = port.pool
            let get = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo)
            let (response, _, _) = try await request(get, port, collector, to: .subnetManagement(lid: target.lid),
                                                     agent: lidAgent)
            #expect(try response.attribute(NodeInfo.self).nodeGUID == target.nodeGUID)
        }
        let used = try #require(pool)
        #expect(used.verify)
        #expect(used.violations.isEmpty)
        #expect(used.census.owned == 0 && used.census.posted == 0)
    }

    @Test("Receive slots all held by the delegate: the port waits (backpressure) and loses nothing")
    func receiveBackpressure() async throws {
        let target = try #require(fabric.nodes.dropFirst().first)
        let port = try UmadPort(pool: UmadPort.makePool(sendSlots: 4, receiveSlots: 2))
        defer { port.close() }
        let agent = try port.register(AgentRegistration(class: .subnetLIDRouted, version: 1))
        let holder = SlotHolder()
        try port.start(delegate: holder)
        let base = Self.nextTID.add(4, ordering: .relaxed).newValue
        for offset in 0..<UInt32(4) {
            let get = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo,
                          transactionID: UInt64(base - offset))
            try send(get, port, to: .subnetManagement(lid: target.lid), agent: agent)
        }
        try await holder.waitFor(count: 2)
        try await Task.sleep(for: .milliseconds(200))
        #expect(holder.count == 2, "both receive slots are held: nothing more can be read")
        #expect(port.pool.census.owned == 2)
        holder.release()
        try await holder.waitFor(count: 4)
        #expect(Set(holder.transactionIDs.map { UInt32(truncatingIfNeeded: $0) }) == Set((0..<4).map { base - $0 }))
        #expect(port.ioFailure == nil)
    }

    @Test("A refused registration is a clear error (libumad2sim holds 32 agents per device)")
    func registrationRefused() throws {
        let port = try UmadPort(pool: UmadPort.makePool(sendSlots: 1, receiveSlots: 1))
        defer { port.close() }  // unregisters them all again
        var refused: PortError?
        for index in 0..<40 {
            do {
                _ = try port.registerAgent(AgentRegistration(class: ManagementClass(rawValue: 0x09 + UInt8(index % 8)),
                                                             version: UInt8(1 + index / 8)))
            } catch {
                refused = error
                break
            }
        }
        let error = try #require(refused)
        guard case .registrationRefused(_, _, let code) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(code == ENOMEM)
        #expect(error.description.contains("ENOMEM"))
    }

    @Test("close() joins the I/O thread, is idempotent, and later use fails clearly")
    func closeJoinsTheThreadAndIsFinal() async throws {
        let port = try UmadPort(pool: UmadPort.makePool(sendSlots: 2, receiveSlots: 2))
        let agent = try port.register(AgentRegistration(class: .subnetLIDRouted, version: 1))
        try port.start(delegate: MADCollector())
        var thread: Int32?
        for _ in 0..<5_000 where thread == nil {
            thread = port.ioThreadID
            try await Task.sleep(for: .milliseconds(1))
        }
        let ioThread = try #require(thread, "the I/O thread never ran")
        func alive() -> Bool { access("/proc/self/task/\(ioThread)", F_OK) == 0 }
        #expect(alive())
        port.close()
        #expect(port.ioThreadID == nil)
        // Joined; the /proc entry goes once the kernel reaps the thread (after exit_mm).
        var gone = false
        for _ in 0..<5_000 where !gone {
            gone = !alive()
            if !gone { try await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(gone, "I/O thread \(ioThread) still exists after close()")
        port.close()
        #expect(throws: PortError.closed) {
            let slot = try port.pool.tryAcquire(.send)
            try port.send(slot, to: .subnetManagement(lid: 1), agent: agent, timeoutMilliseconds: 100)
        }
        #expect(throws: PortError.closed) { try port.register(AgentRegistration(class: .performance, version: 1)) }
        #expect(throws: PortError.closed) { try port.start(delegate: MADCollector()) }
    }
}

/// A delegate that keeps the first two MADs' slots (as a slow consumer would) until released.
final class SlotHolder: MADPortDelegate {
    struct Held: ~Copyable {
        var first: ReceivedMAD?
        var second: ReceivedMAD?
        var transactionIDs: [UInt64] = []
    }

    private let held = Mutex(Held())

    func port(received mad: consuming ReceivedMAD) {
        let tid = mad.slot.mad.transactionID
        var pending: ReceivedMAD? = consume mad
        held.withLock { held in
            held.transactionIDs.append(tid)
            if held.transactionIDs.count == 1 {
                held.first = pending.take()
            } else if held.transactionIDs.count == 2 {
                held.second = pending.take()
            }
        }
        _ = consume pending  // any other MAD's slot goes back to the pool here
    }

    func port(sendFailed failure: SendFailure) {}

    var count: Int { held.withLock { $0.transactionIDs.count } }
    var transactionIDs: [UInt64] { held.withLock { $0.transactionIDs } }

    func release() {
        held.withLock { held in
            held.first = nil
            held.second = nil
        }
    }

    func waitFor(count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while self.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        try #require(self.count >= count, "only \(self.count) of \(count) MADs arrived")
    }
}
