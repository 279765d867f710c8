import MADAgents
import MADTransport
import MADWire
import Synchronization
import Testing

private let vendorClass = ManagementClass(rawValue: 0x09)   // vendor range 1: data at byte 24

@Suite struct ResponderTests {
    /// A responder on LID 10 serving ClassPortInfo of vendor class 0x09 version 1: Get
    /// returns the stored value, Set stores it (and answers with what it now holds).
    private func servingRig(matching: Bool) throws -> (AgentRig, MADAgent) {
        let rig = try AgentRig(matching: matching)
        let responder = try rig.peer(lid: 10)
        let stored = Mutex(ClassPortInfo())
        stored.withLock { $0.baseVersion = 1; $0.classVersion = 1; $0.respTimeValue = 18 }
        try responder.serve(class: vendorClass, version: 1, attribute: .classPortInfo) { request, _, response in
            if request.method == .set {
                guard let value = try? request.attribute(ClassPortInfo.self) else { return .invalidField }
                stored.withLock { $0 = value }
            }
            let value = stored.withLock { $0 }
            return (try? response.setAttribute(value)) == nil ? .invalidField : .success
        }
        return (rig, responder)
    }

    @Test(arguments: bothModes)
    func answersGetAndSetOfARegisteredAttribute(matching: Bool) async throws {
        let (rig, responder) = try servingRig(matching: matching)
        defer { responder.close(); rig.close() }
        let get = MAD(class: vendorClass, classVersion: 1, method: .get, attribute: .classPortInfo)
        let answer = try await rig.agent.request(get, to: .generalServices(lid: 10))
        #expect(answer.method == .getResponse)
        #expect(answer.status == .success)
        #expect(try answer.attribute(ClassPortInfo.self).respTimeValue == 18)

        var set = MAD(class: vendorClass, classVersion: 1, method: .set, attribute: .classPortInfo)
        var value = ClassPortInfo()
        value.respTimeValue = 7
        value.redirectLID = 0x1234
        try set.setAttribute(value)
        let setAnswer = try await rig.agent.request(set, to: .generalServices(lid: 10))
        #expect(setAnswer.method == .getResponse, "Set is answered by GetResp (IBA 13.4.5)")
        #expect(try setAnswer.attribute(ClassPortInfo.self).redirectLID == 0x1234)
        let again = try await rig.agent.request(get, to: .generalServices(lid: 10))
        #expect(try again.attribute(ClassPortInfo.self).respTimeValue == 7)
        #expect(responder.responderStatistics.sent == 3)
    }

    @Test(arguments: bothModes)
    func anUnsupportedAttributeIsAnsweredWithStatus0x000C(matching: Bool) async throws {
        let (rig, responder) = try servingRig(matching: matching)
        defer { responder.close(); rig.close() }
        let request = MAD(class: vendorClass, classVersion: 1, method: .get, attribute: AttributeID(rawValue: 0xFF01))
        let answer = try await rig.agent.request(request, to: .generalServices(lid: 10))
        #expect(answer.method == .getResponse)
        #expect(answer.status == .unsupportedMethodAttribute)
        #expect(answer.status.code == .unsupportedMethodAttribute)
    }

    @Test(arguments: bothModes)
    func anUnsupportedMethodIsAnsweredWithStatus0x0008(matching: Bool) async throws {
        let (rig, responder) = try servingRig(matching: matching)
        defer { responder.close(); rig.close() }
        // The class agent takes GetTable too, but no attribute supports it.
        try responder.serve(class: vendorClass, version: 1, methods: [.getTable])
        let request = MAD(class: vendorClass, classVersion: 1, method: .getTable, attribute: .classPortInfo)
        let answer = try await rig.agent.request(request, to: .generalServices(lid: 10))
        #expect(answer.method == .getTableResponse)
        #expect(answer.status == .unsupportedMethod)
    }

    @Test func aMethodOnlyAnotherAttributeSupportsIsUnsupportedMethodAttribute() async throws {
        let (rig, responder) = try servingRig(matching: false)
        defer { responder.close(); rig.close() }
        try responder.serve(class: vendorClass, version: 1, attribute: AttributeID(rawValue: 0xFF10), methods: [.getTable]) { _, _, _ in
            .success
        }
        let request = MAD(class: vendorClass, classVersion: 1, method: .getTable, attribute: .classPortInfo)
        let answer = try await rig.agent.request(request, to: .generalServices(lid: 10))
        #expect(answer.status == .unsupportedMethodAttribute)
    }

    @Test func aClosedResponderStopsAnsweringAndItsStreamsFinish() async throws {
        let (rig, responder) = try servingRig(matching: false)
        defer { rig.close() }
        let stream = try responder.unsolicited(class: vendorClass, version: 1, methods: [.trap])
        responder.close()
        var iterator = stream.makeAsyncIterator()
        #expect(await iterator.next() == nil)
        #expect(throws: MADAgentError.self) {
            try responder.serve(class: vendorClass, version: 1, attribute: .notice) { _, _, _ in .success }
        }
        let request = MAD(class: vendorClass, classVersion: 1, method: .get, attribute: .classPortInfo)
        await #expect(throws: MADAgentError.self) {
            try await rig.agent.request(request, to: .generalServices(lid: 10), options: RequestOptions(timeoutMilliseconds: 20, retries: 0))
        }
        #expect(rig.fabric.counters.undeliverable == 1, "no agent takes the class any more")
    }

    @Test func aHandlerStatusIsReturnedAsIs() async throws {
        let rig = try AgentRig()
        let responder = try rig.peer(lid: 10)
        defer { responder.close(); rig.close() }
        try responder.serve(class: vendorClass, version: 1, attribute: .classPortInfo) { _, _, _ in .invalidField }
        let request = MAD(class: vendorClass, classVersion: 1, method: .get, attribute: .classPortInfo, modifier: 9)
        let answer = try await rig.agent.request(request, to: .generalServices(lid: 10))
        #expect(answer.status == .invalidField)
        #expect(answer.attributeModifier == 9)
    }
}

@Suite struct UnsolicitedTests {
    /// A raw port at LID 20 that sends traps and reports and records what comes back.
    private func trapSender(_ rig: AgentRig, class managementClass: ManagementClass, version: UInt8 = 1, methods: Set<Method>)
        throws -> (MemoryFabricPort, RecordingDelegate, AgentID) {
        let port = try rig.fabric.addPort(lid: 20)
        let recorder = RecordingDelegate()
        let agent = try port.register(AgentRegistration(class: managementClass, version: version, methods: methods))
        try port.start(delegate: recorder)
        return (port, recorder, agent)
    }

    private func send(_ mad: MAD, from port: MemoryFabricPort, agent: AgentID, to address: MADAddress) throws {
        let slot = try port.pool.tryAcquire(.send)
        slot.store(mad)
        try port.send(slot, to: address, agent: agent, timeoutMilliseconds: 0)
    }

    @Test func anSMPTrapReachesSubscribersAndIsAnsweredWithTrapRepress() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        let traps = try rig.agent.unsolicited(class: .subnetLIDRouted, version: 1)
        let (port, recorder, agent) = try trapSender(rig, class: .subnetLIDRouted, methods: [.trapRepress])
        var trap = MAD(class: .subnetLIDRouted, classVersion: 1, method: .trap, attribute: .notice, transactionID: 0x77)
        var notice = Notice()
        notice.raw[4] = 0; notice.raw[5] = 128   // generic trap 128: link state change
        try trap.withUnsafeMutableBytes { raw in try notice.encodeSMPData(into: UnsafeMutableRawBufferPointer(rebasing: raw[64...])) }
        try send(trap, from: port, agent: agent, to: .subnetManagement(lid: 1))

        var iterator = traps.makeAsyncIterator()
        let received = try #require(await iterator.next())
        #expect(received.mad.method == .trap)
        #expect(received.mad.transactionID == 0x77)
        #expect(received.source.lid == 20)
        let answers = await recorder.waitFor(count: 1)
        let repress = try #require(answers.first?.0)
        #expect(repress.method == .trapRepress)
        #expect(repress.transactionID == 0x77)
        #expect(repress.attributeID == .notice)
    }

    @Test func aReportIsDeliveredAndAcknowledgedWithReportResp() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        let seen = Mutex<[UnsolicitedMAD]>([])
        try rig.agent.subscribe(class: .subnetAdministration, version: 2) { mad in seen.withLock { $0.append(mad) } }
        let (port, recorder, agent) = try trapSender(rig, class: .subnetAdministration, version: 2, methods: [])
        var report = MAD(class: .subnetAdministration, classVersion: 2, method: .report, attribute: .notice)
        report.transactionID = UInt64(agent.rawValue) << 32 | 5
        try send(report, from: port, agent: agent, to: .generalServices(lid: 1))
        let answers = await recorder.waitFor(count: 1)
        let response = try #require(answers.first?.0)
        #expect(response.method == .reportResponse)
        #expect(response.transactionID == report.transactionID)
        #expect(seen.withLock { $0.map(\.mad.method) } == [.report])
    }

    @Test func aVendorTrapIsDeliveredWithoutRepressUnlessAsked() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        let seen = Mutex(0)
        try rig.agent.subscribe(class: vendorClass, version: 1, methods: [.trap]) { _ in seen.withLock { $0 += 1 } }
        let (port, recorder, agent) = try trapSender(rig, class: vendorClass, methods: [.trapRepress])
        try send(MAD(class: vendorClass, classVersion: 1, method: .trap, attribute: .notice), from: port, agent: agent,
                 to: .generalServices(lid: 1))
        for _ in 0..<200 where seen.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(seen.withLock { $0 } == 1)
        #expect(rig.fabric.waitUntilIdle())
        #expect(recorder.received.withLock { $0.isEmpty })
    }
}
