import MADWire

/// Routing and fault injection: what happens between one `send` and the events it puts on
/// the ports' queues.
extension FabricCore {
    private struct Destination {
        var lid: UInt16
        var arrivalPort: UInt8
        var mad: MAD
        var source: MADAddress
    }

    /// Routes `mad`, sent by the node at `fromLID` to `address`, through the fault rules and
    /// schedules its deliveries. `requesterLoop` runs built-in responders (nil for a MAD a
    /// responder itself sent). Returns true when the MAD was lost (dropped, unroutable,
    /// or nothing to receive it).
    @discardableResult
    func dispatch(_ mad: MAD, from fromLID: UInt16, to address: MADAddress, requesterLoop: IOLoop? = nil) -> Bool {
        var scheduled: [(IOLoop, ScheduledWork)] = []
        let lost = state.withLock { state -> Bool in
            guard !state.closed else { return true }
            state.counters.sent += 1
            guard let destination = Self.route(mad, from: fromLID, to: address, nodes: state.nodes) else {
                if mad.managementClass == .subnetDirectedRoute {
                    state.counters.unroutable += 1
                } else {
                    state.counters.undeliverable += 1   // no node has that LID
                }
                return true
            }
            let link = FabricLink(from: fromLID, to: destination.lid)
            var copies = 1
            var delay = Duration.zero
            var wire = destination.mad
            var holdFor: Int? = nil
            var answerBusy = false

            if let index = pickRule(for: wire, on: link, in: &state) {
                switch state.rules[index].rule.action {
                case .drop:
                    state.counters.dropped += 1
                    return true
                case .duplicate(let extra):
                    copies += max(0, extra)
                    state.counters.duplicated += max(0, extra)
                case .delay(let minimum, let maximum):
                    let low = minimum.nanoseconds, high = max(low, maximum.nanoseconds)
                    delay = .nanoseconds(Int64(state.rules[index].generator.next(in: low...high)))
                    state.counters.delayed += 1
                case .reorder(let after):
                    holdFor = max(1, after)
                    state.counters.reordered += 1
                case .corrupt(let bytes):
                    let range = bytes.clamped(to: 0..<MAD.size)
                    if !range.isEmpty {
                        let offset = Int(state.rules[index].generator.next(in: UInt64(range.lowerBound)...UInt64(range.upperBound - 1)))
                        wire.raw[offset] ^= 0xFF
                    }
                    state.counters.corrupted += 1
                case .busy:
                    answerBusy = true
                    state.counters.busy += 1
                }
            }

            // Where the MAD goes: a built-in responder (on the requester's thread) or a port.
            let node = state.nodes[destination.lid]!
            let target: (IOLoop, PortWork)
            let simulated = SimulatedRequest(request: wire, responderLID: destination.lid, arrivalPort: destination.arrivalPort,
                                             requesterLID: fromLID, busy: answerBusy)
            if let requesterLoop, answerBusy || (!wire.method.isResponse && Self.answers(node.agents, wire.managementClass)) {
                target = (requesterLoop, .simulate(simulated))
            } else if let port = node.port {
                target = (port.loop, .deliver(wire, source: destination.source))
            } else {
                state.counters.undeliverable += 1
                return true
            }

            // Reorder: MADs held on this link go out after `after` later MADs have.
            var releases: [HeldMAD] = []
            for position in state.held.indices.reversed() where state.held[position].link == link {
                state.held[position].remaining -= 1
                if state.held[position].remaining <= 0 { releases.insert(state.held.remove(at: position), at: 0) }
            }
            if let holdFor {
                state.held.append(HeldMAD(link: link, remaining: holdFor, loop: target.0, work: target.1))
            } else {
                for _ in 0..<copies { scheduled.append((target.0, event(after: delay, target.1))) }
            }
            for held in releases { scheduled.append((held.loop, event(after: .zero, held.work))) }
            return false
        }
        for (loop, item) in scheduled { loop.enqueue(item) }
        return lost
    }

    private static func answers(_ agents: SimulatedAgents, _ managementClass: ManagementClass) -> Bool {
        managementClass.isSubnetManagement ? agents.contains(.subnetManagement)
            : managementClass == .performance && agents.contains(.performance)
    }

    /// The first rule that picks `mad` on `link`; advances the rules' counters and
    /// generators (the order of rules and traffic fixes every draw).
    private func pickRule(for mad: MAD, on link: FabricLink, in state: inout State) -> Int? {
        for index in state.rules.indices {
            let rule = state.rules[index].rule
            let match = rule.match
            if let wanted = match.link, wanted != link { continue }
            if let wanted = match.managementClass, wanted != mad.managementClass { continue }
            if let wanted = match.attributeID, wanted != mad.attributeID { continue }
            switch match.direction {
            case .requests where mad.method.isResponse, .responses where !mad.method.isResponse: continue
            default: break
            }
            if case .busy = rule.action, mad.method.isResponse { continue }
            if let limit = rule.limit, state.rules[index].injected >= limit { continue }
            state.rules[index].matched += 1
            let ordinal = state.rules[index].matched
            let picked: Bool
            switch rule.selector {
            case .always: picked = true
            case .percent(let percent): picked = state.rules[index].generator.nextUnit() * 100 < percent
            case .nth(let ordinals): picked = ordinals.contains(ordinal)
            case .every(let n): picked = n > 0 && ordinal % n == 0
            }
            if picked {
                state.rules[index].injected += 1
                return index
            }
        }
        return nil
    }

    // MARK: Routes

    private static func route(_ mad: MAD, from fromLID: UInt16, to address: MADAddress,
                              nodes: [UInt16: NodeState]) -> Destination? {
        guard mad.managementClass == .subnetDirectedRoute else {
            guard let node = nodes[address.lid] else { return nil }
            let smp = mad.managementClass.isSubnetManagement
            let source = MADAddress(lid: fromLID, queuePair: smp ? 0 : 1, queueKey: smp ? 0 : MADAddress.gsiQueueKey)
            return Destination(lid: address.lid, arrivalPort: node.defaultPort, mad: mad, source: source)
        }
        guard var smp = try? DirectedRouteSMP(mad),
              smp.drSLID == DirectedRoutePath.permissiveLID, smp.drDLID == DirectedRoutePath.permissiveLID,
              Int(smp.hopCount) <= SMPLayout.maxHops, nodes[fromLID] != nil else { return nil }
        let hops = Int(smp.hopCount)
        var lid = fromLID
        var arrival = nodes[fromLID]!.defaultPort
        if !smp.isReturning {
            // Outbound (IBA 14.2.2, C14-9): each hop leaves by initial path[hop]; the node
            // it reaches records its input port in return path[hop]. Only switches forward.
            guard smp.hopPointer == 0 else { return nil }
            for hop in stride(from: 1, through: hops, by: 1) {
                let node = nodes[lid]!
                guard hop == 1 || node.isSwitch, let next = node.links[smp.initialPathEntry(hop)] else { return nil }
                smp.setReturnPathEntry(hop, next.port)
                lid = next.lid
                arrival = next.port
            }
            smp.hopPointer = UInt8(hops + 1)
        } else {
            // Returning (C14-13): the responder leaves by return path[hop count], each
            // switch by return path[hop pointer], down to the requester at hop pointer 0.
            guard smp.hopPointer == UInt8(hops + 1) else { return nil }
            for hop in stride(from: hops, through: 1, by: -1) {
                let node = nodes[lid]!
                guard hop == hops || node.isSwitch, let next = node.links[smp.returnPathEntry(hop)] else { return nil }
                lid = next.lid
                arrival = next.port
            }
            smp.hopPointer = 0
        }
        return Destination(lid: lid, arrivalPort: arrival, mad: smp.mad, source: .subnetManagement())
    }
}
