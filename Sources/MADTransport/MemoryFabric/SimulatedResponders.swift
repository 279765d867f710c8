import MADWire

/// The built-in SMA and PMA, and the `busy` fault's answers. They run on the requester's
/// I/O thread and send their response back through the fabric (faults apply to it too).
extension FabricCore {
    func simulate(_ simulated: SimulatedRequest) {
        let response: MAD? = state.withLock { state in
            guard state.nodes[simulated.responderLID] != nil else { return nil }
            if simulated.busy { return Self.response(to: simulated.request, status: .busy) }
            state.counters.answeredBySimulation += 1
            return Self.answer(simulated, node: &state.nodes[simulated.responderLID]!)
        }
        guard let response else { return }
        dispatch(response, from: simulated.responderLID, to: MADAddress(lid: simulated.requesterLID, queuePair: 0))
    }

    /// A response to `request`: the request's header and route with the response method,
    /// the status (for a directed-route SMP beside the D bit, which is set) and zero data.
    static func response(to request: MAD, status: MADStatus, attribute: (any WireStructure)? = nil) -> MAD {
        var mad = request
        mad.method = request.method.response
        let offset = mad.dataOffset
        let end = mad.managementClass.isSubnetManagement ? 128 : MAD.size
        _ = mad.withUnsafeMutableBytes { raw in
            UnsafeMutableRawBufferPointer(rebasing: raw[offset..<end]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        if let attribute { try? mad.setAttribute(attribute) }
        if mad.managementClass == .subnetDirectedRoute, var smp = try? DirectedRouteSMP(mad) {
            smp.isReturning = true   // IBA 14.2.2: the SMA sets D and keeps the paths.
            smp.status = status
            return smp.mad
        }
        mad.status = status
        return mad
    }

    private static func answer(_ simulated: SimulatedRequest, node: inout NodeState) -> MAD {
        let request = simulated.request
        if request.managementClass.isSubnetManagement { return answerSMP(simulated, node: node) }
        return answerPerformance(request, node: &node)
    }

    // MARK: SMA (IBA 14.2.5)

    private static func answerSMP(_ simulated: SimulatedRequest, node: NodeState) -> MAD {
        let request = simulated.request
        guard request.method == .get || request.method == .set else {
            return response(to: request, status: .unsupportedMethod)
        }
        guard request.method == .get else { return response(to: request, status: .unsupportedMethodAttribute) }
        let identity = node.identity
        switch request.attributeID {
        case .nodeInfo:
            var info = NodeInfo()
            info.baseVersion = 1
            info.classVersion = 1
            info.nodeType = identity.nodeType
            info.numberOfPorts = identity.numberOfPorts
            info.systemImageGUID = identity.systemImageGUID
            info.nodeGUID = identity.nodeGUID
            info.portGUID = identity.nodeType == .switch ? identity.portGUID
                : identity.portGUID + UInt64(max(simulated.arrivalPort, 1) - 1)
            info.partitionCap = identity.nodeType == .switch ? 8 : 128
            info.deviceID = identity.deviceID
            info.revision = identity.revision
            info.localPortNumber = simulated.arrivalPort
            info.vendorID = identity.vendorID
            return response(to: request, status: .success, attribute: info)
        case .nodeDescription:
            return response(to: request, status: .success, attribute: NodeDescription(text: identity.description))
        case .switchInfo where node.isSwitch:
            var info = SwitchInfo()
            info.linearFDBCap = 0xC000
            info.multicastFDBCap = 0x4000
            info.linearFDBTop = 0xBFFF
            return response(to: request, status: .success, attribute: info)
        case .portInfo:
            // Modifier: the port number; 0 means the port the SMP came in on (a CA's port).
            let number = request.attributeModifier == 0 && !node.isSwitch
                ? UInt32(simulated.arrivalPort) : request.attributeModifier
            guard number <= UInt32(identity.numberOfPorts) else { return response(to: request, status: .invalidField) }
            return response(to: request, status: .success,
                            attribute: portInfo(UInt8(number), node: node, lid: simulated.responderLID,
                                                arrivalPort: simulated.arrivalPort))
        default:
            return response(to: request, status: .unsupportedMethodAttribute)
        }
    }

    private static func portInfo(_ number: UInt8, node: NodeState, lid: UInt16, arrivalPort: UInt8) -> PortInfo {
        var info = PortInfo()
        // A switch's LID is its port 0's; its external ports report the switch's LID too.
        info.lid = lid
        info.masterSMLID = node.identity.masterSMLID
        // The port the SMP came in on, whichever port it asks about (IBA 14.2.5.6), as
        // ibsim and real SMAs report it.
        info.localPortNumber = arrivalPort
        let up = number == 0 || node.links[number] != nil
        info.portState = up ? .active : .down
        info.portPhysicalState = up ? .linkUp : .polling
        info.linkWidthEnabled = .x4
        info.linkWidthSupported = [.x1, .x4]
        info.linkWidthActive = .x4
        info.linkSpeedSupported = [.sdr, .ddr, .qdr]
        info.linkSpeedEnabled = [.sdr, .ddr, .qdr]
        info.linkSpeedActive = .qdr
        info.neighborMTU = .mtu4096
        info.mtuCap = .mtu4096
        return info
    }

    // MARK: PMA (IBA 16.1)

    private static func answerPerformance(_ request: MAD, node: inout NodeState) -> MAD {
        switch (request.method, request.attributeID) {
        case (.get, .classPortInfo):
            var info = ClassPortInfo()
            info.baseVersion = 1
            info.classVersion = 1
            info.capabilityMask = node.performanceCapabilities.mask
            info.capabilityMask2 = node.performanceCapabilities.mask2
            info.respTimeValue = 18
            return response(to: request, status: .success, attribute: info)
        case (.get, .portCounters), (.set, .portCounters):
            guard let asked = try? request.attribute(PortCounters.self) else {
                return response(to: request, status: .invalidField)
            }
            let port = asked.portSelect
            guard port <= node.identity.numberOfPorts else { return response(to: request, status: .invalidField) }
            var counters = node.portCounters[port] ?? PortCounters()
            if request.method == .set {
                counters = cleared(counters, asked.counterSelect)
                node.portCounters[port] = counters
            }
            counters.portSelect = port
            return response(to: request, status: .success, attribute: counters)
        case (.get, .portCountersExtended):
            guard let asked = try? request.attribute(PortCountersExtended.self) else {
                return response(to: request, status: .invalidField)
            }
            let port = asked.portSelect
            guard port <= node.identity.numberOfPorts else { return response(to: request, status: .invalidField) }
            var counters = node.portCountersExtended[port] ?? PortCountersExtended()
            counters.portSelect = port
            return response(to: request, status: .success, attribute: counters)
        case (.get, _), (.set, _):
            return response(to: request, status: .unsupportedMethodAttribute)
        default:
            return response(to: request, status: .unsupportedMethod)
        }
    }

    /// Set(PortCounters) zeroes the counters CounterSelect names (IBA 16.1.3.5).
    private static func cleared(_ counters: PortCounters, _ select: PortCounters.CounterSelect) -> PortCounters {
        var result = counters
        if select.contains(.symbolErrorCounter) { result.symbolErrorCounter = 0 }
        if select.contains(.linkErrorRecoveryCounter) { result.linkErrorRecoveryCounter = 0 }
        if select.contains(.linkDownedCounter) { result.linkDownedCounter = 0 }
        if select.contains(.portRcvErrors) { result.portRcvErrors = 0 }
        if select.contains(.portRcvRemotePhysicalErrors) { result.portRcvRemotePhysicalErrors = 0 }
        if select.contains(.portRcvSwitchRelayErrors) { result.portRcvSwitchRelayErrors = 0 }
        if select.contains(.portXmitDiscards) { result.portXmitDiscards = 0 }
        if select.contains(.portXmitConstraintErrors) { result.portXmitConstraintErrors = 0 }
        if select.contains(.portRcvConstraintErrors) { result.portRcvConstraintErrors = 0 }
        if select.contains(.localLinkIntegrityErrors) { result.localLinkIntegrityErrors = 0 }
        if select.contains(.excessiveBufferOverrunErrors) { result.excessiveBufferOverrunErrors = 0 }
        if select.contains(.vl15Dropped) { result.vl15Dropped = 0 }
        if select.contains(.portXmitData) { result.portXmitData = 0 }
        if select.contains(.portRcvData) { result.portRcvData = 0 }
        if select.contains(.portXmitPkts) { result.portXmitPkts = 0 }
        if select.contains(.portRcvPkts) { result.portRcvPkts = 0 }
        return result
    }
}
