public import MADAgents
import MADTransport
import MADWire
import Synchronization

/// ibqueryerrors' PMA error sweep (infiniband-diags ibqueryerrors.c) over a `Topology`,
/// with every phase's queries kept in one window instead of one after another.
///
/// Per node (a switch at its port 0 LID, a CA at its first port's): PerfMgt
/// ClassPortInfo; then PortCounters with PortSelect 0xFF when the PMA has AllPortSelect,
/// else of every port (PortCountersExtended too when the PMA has extended width); a switch
/// whose all-ports counters show errors is then read port by port. A counter is an error
/// above its threshold (default 0). Clearing (-k, -K) follows once everything is read.
public struct ErrorSweep: Sendable {
    public struct Options: Sendable {
        /// libibmad field names not to report (-s, and -c's PortRcvSwitchRelayErrors).
        public var suppressed: [String] = []
        /// Threshold per counter name (the error_thresholds file); absent means 0.
        public var thresholds: [String: UInt64] = [:]
        /// The "## Thresholds: ..." text, nil when no threshold file was read.
        public var thresholdText: String?
        public var switches = true, channelAdapters = true, routers = true
        public var clearErrors = false, clearCounts = false
        public var window = 64
        public var request = RequestOptions()
        public init() {}
    }

    /// The PortCounters error counters ibqueryerrors reports, in its order.
    static let counters: [(name: String, read: @Sendable (PortCounters) -> UInt64)] = [
        ("SymbolErrorCounter", { UInt64($0.symbolErrorCounter) }),
        ("LinkErrorRecoveryCounter", { UInt64($0.linkErrorRecoveryCounter) }),
        ("LinkDownedCounter", { UInt64($0.linkDownedCounter) }),
        ("PortRcvErrors", { UInt64($0.portRcvErrors) }),
        ("PortRcvRemotePhysicalErrors", { UInt64($0.portRcvRemotePhysicalErrors) }),
        ("PortRcvSwitchRelayErrors", { UInt64($0.portRcvSwitchRelayErrors) }),
        ("PortXmitDiscards", { UInt64($0.portXmitDiscards) }),
        ("PortXmitConstraintErrors", { UInt64($0.portXmitConstraintErrors) }),
        ("PortRcvConstraintErrors", { UInt64($0.portRcvConstraintErrors) }),
        ("LocalLinkIntegrityErrors", { UInt64($0.localLinkIntegrityErrors) }),
        ("ExcessiveBufferOverrunErrors", { UInt64($0.excessiveBufferOverrunErrors) }),
        // libibmad's VL15Dropped (IB_PC_VL15_DROPPED_F) is bytes 22-23, the IBA's.
        ("VL15Dropped", { UInt64($0.vl15Dropped) }),
        ("PortXmitWait", { UInt64($0.portXmitWait) }),
    ]

    /// The counters a threshold file may name.
    public static let counterNames: Set<String> = Set(counters.map(\.name))

    /// Every name -s accepts (libibmad's IB_PC_FIRST_F ... IB_PC_LAST_F).
    public static let suppressibleNames: Set<String> = Set(counters.map(\.name)
        + ["PortSelect", "CounterSelect", "CounterSelect2", "PortXmitData", "PortRcvData", "PortXmitPkts", "PortRcvPkts"])

    public let agent: MADAgent
    public let options: Options
    /// Updated as the sweep goes (PMA MADs answered of those asked).
    public let progress: SweepProgress?

    public init(agent: MADAgent, options: Options, progress: SweepProgress? = nil) {
        self.agent = agent
        self.options = options
        self.progress = progress
    }

    /// The report: its text (as ibqueryerrors prints it), the MADs sent, the warnings for
    /// stderr, and whether any port had errors beyond threshold (the exit status).
    public struct Report: Sendable {
        public var text = ""
        public var warnings: [String] = []
        public var badPorts = 0
        public var madsSent = 0
        public var nodesChecked = 0, badNodes = 0, portsChecked = 0, failures = 0
        /// Each reported line: node, port ("ALL" or the number) and its counters.
        public var findings: [(node: UInt64, name: String, portGUID: UInt64, port: String, counters: [(String, UInt64)])] = []
    }

    private struct Target: Sendable {
        var guid: UInt64
        var lid: UInt16
        /// Port for ClassPortInfo (0 for a switch, the first port of a CA).
        var firstPort: UInt8
        var ports: [UInt8]
        var isSwitch: Bool
        var name: String
        var port0GUID: UInt64
        var portGUIDs: [UInt8: UInt64]
        var numberOfPorts: Int
    }

    public func run(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap()) async -> Report {
        let targets: [Target] = topology.canonicalOrder().reversed().compactMap { guid in
            guard let node = topology.nodes[guid] else { return nil }
            switch node.info.nodeType {
            case .switch where !options.switches, .channelAdapter where !options.channelAdapters, .router where !options.routers: return nil
            default: break
            }
            let startPort: UInt8 = node.isSwitch && node.switchInfo?.enhancedPort0 == true ? 0 : 1
            let ports = node.ports.keys.filter { $0 >= startPort && $0 <= node.info.numberOfPorts }.sorted()
            let first = node.isSwitch ? 0 : (ports.first ?? 1)
            let lid = node.isSwitch ? node.lid : node.ports[first]?.info.lid ?? 0
            return Target(guid: guid, lid: lid, firstPort: first, ports: ports, isSwitch: node.isSwitch,
                          name: nodeNames.name(for: guid, nodeDescription: node.description),
                          port0GUID: node.ports[0]?.guid ?? node.info.portGUID,
                          portGUIDs: node.ports.mapValues(\.guid), numberOfPorts: Int(node.info.numberOfPorts))
        }
        var report = Report()
        let before = agent.statistics.sent

        // 1. ClassPortInfo of every PMA.
        let classInfo = await agent.performanceGets(targets.map { ($0.lid, $0.firstPort, AttributeID.classPortInfo) },
                                                     options: options.request, progress: progress)
        let capabilities: [(mask: UInt16, ok: Bool)] = classInfo.map { mad in
            guard let mad, let info = try? mad.attribute(ClassPortInfo.self) else { return (0, false) }
            return (info.capabilityMask.rawValue, true)
        }
        for (index, target) in targets.enumerated() where !capabilities[index].ok {
            report.warnings.append("classportinfo query failed on \(target.name), Lid \(target.lid) port \(target.firstPort)")
        }
        let allPorts = capabilities.map { $0.ok && $0.mask & 1 << 8 != 0 }

        // 2. Counters: all ports at once where the PMA can, else port by port.
        var firstRound: [(target: Int, port: UInt8)] = []
        for (index, target) in targets.enumerated() {
            if allPorts[index] { firstRound.append((index, 0xFF)) } else { firstRound += target.ports.map { (index, $0) } }
        }
        let firstCounters = await agent.performanceGets(firstRound.map { (targets[$0.target].lid, $0.port, AttributeID.portCounters) },
                                                           options: options.request, progress: progress)
        var counters: [Int: [UInt8: PortCounters?]] = [:]
        for (item, request) in firstRound.enumerated() {
            counters[request.target, default: [:]][request.port] = firstCounters[item].flatMap { try? $0.attribute(PortCounters.self) }
        }
        // 3. Port by port where the all-ports counters showed an error.
        var secondRound: [(target: Int, port: UInt8)] = []
        for (index, target) in targets.enumerated() where allPorts[index] {
            if let all = counters[index]?[0xFF] ?? nil, !errors(all, capability: capabilities[index].mask).isEmpty {
                secondRound += target.ports.map { (index, $0) }
            }
        }
        let secondCounters = await agent.performanceGets(secondRound.map { (targets[$0.target].lid, $0.port, AttributeID.portCounters) },
                                                           options: options.request, progress: progress)
        for (item, request) in secondRound.enumerated() {
            counters[request.target, default: [:]][request.port] = secondCounters[item].flatMap { try? $0.attribute(PortCounters.self) }
        }

        // The report, node by node in ibqueryerrors' order.
        var nodesChecked = 0, badNodes = 0, portsChecked = 0, failures = capabilities.filter { !$0.ok }.count
        for (index, target) in targets.enumerated() {
            var header = false
            func line(_ portText: String, _ found: [(String, UInt64)]) {
                if !header {
                    report.text += target.isSwitch ? "Errors for 0x\(DumpValue.hex(target.port0GUID, digits: 1)) \"\(target.name)\"\n" : "Errors for \"\(target.name)\"\n"
                    header = true
                    badNodes += 1
                }
                let portGUID = portText == "ALL" ? target.port0GUID : target.portGUIDs[UInt8(portText) ?? 0] ?? 0
                report.text += "   GUID 0x\(DumpValue.hex(portGUID, digits: 1)) port \(portText):" + found.map { " [\($0.0) == \($0.1)]" }.joined() + "\n"
                report.findings.append((target.guid, target.name, portGUID, portText, found))
            }
            let mask = capabilities[index].mask
            var perPort = true
            if allPorts[index] {
                if let all = counters[index]?[0xFF] ?? nil {
                    let found = errors(all, capability: mask)
                    if found.isEmpty {
                        portsChecked += target.numberOfPorts
                        perPort = false
                    } else {
                        line("ALL", found)
                    }
                } else {
                    // As the C tool: a failed all-ports read counts the ports as checked.
                    failures += 1
                    report.warnings.append("IB_GSI_PORT_COUNTERS query failed on \(target.name), Lid \(target.lid) port 255")
                    portsChecked += target.numberOfPorts
                    perPort = false
                }
            }
            if perPort {
                for port in target.ports {
                    portsChecked += 1
                    guard let value = counters[index]?[port] ?? nil else {
                        failures += 1
                        report.warnings.append("IB_GSI_PORT_COUNTERS query failed on \(target.name), Lid \(target.lid) port \(port)")
                        continue
                    }
                    let found = errors(value, capability: mask)
                    if !found.isEmpty {
                        line(String(port), found)
                        report.badPorts += 1
                    }
                }
            }
            nodesChecked += 1
        }
        (report.nodesChecked, report.badNodes, report.portsChecked, report.failures) = (nodesChecked, badNodes, portsChecked, failures)
        report.text += "\n## Summary: \(nodesChecked) nodes checked, \(badNodes) bad nodes found\n"
        report.text += "##          \(portsChecked) ports checked, \(report.badPorts) ports have errors beyond threshold\n"
        report.text += "## \(options.thresholdText ?? "(null)")\n"
        if failures > 0 { report.text += "##          \(failures) PMA query failures\n" }
        report.text += "## Suppressed:" + options.suppressed.map { " " + $0 }.joined() + "\n"

        // 4. Clear what was read (-k errors, -K data counters; IBA 16.1.3.5 CounterSelect).
        if options.clearErrors || options.clearCounts {
            var clears: [(lid: UInt16, port: UInt8, select: UInt16, select2: UInt8)] = []
            for (index, target) in targets.enumerated() where capabilities[index].ok || !target.ports.isEmpty {
                let mask = capabilities[index].mask
                var select: UInt32 = 0
                if options.clearErrors { select |= 0xFFF | (mask & 1 << 12 != 0 ? 0x10000 : 0) }
                if options.clearCounts { select |= 0xF000 }
                let ports: [UInt8] = allPorts[index] ? [0xFF] : target.ports
                for port in ports {
                    clears.append((target.lid, port, UInt16(truncatingIfNeeded: select), UInt8(truncatingIfNeeded: select >> 16)))
                }
            }
            let results = await agent.windowed(clears.map { clear in
                var mad = MAD(class: .performance, classVersion: 1, method: .set, attribute: .portCounters)
                var body = PortCounters()
                body.portSelect = clear.port
                body.counterSelect = PortCounters.CounterSelect(rawValue: clear.select)
                body.counterSelect2 = PortCounters.CounterSelect2(rawValue: clear.select2)
                try? mad.setAttribute(body)
                return (mad, MADAddress.generalServices(lid: clear.lid))
            }, options: options.request, progress: progress)
            for (item, result) in results.enumerated() where result == nil {
                report.warnings.append("Failed to reset errors Lid \(clears[item].lid) port \(clears[item].port)")
            }
        }
        report.madsSent = agent.statistics.sent - before
        return report
    }

    /// Each counter above its threshold, unless suppressed.
    func errors(_ counters: PortCounters, capability: UInt16) -> [(String, UInt64)] {
        var found: [(String, UInt64)] = []
        for counter in Self.counters where !options.suppressed.contains(counter.name) {
            var value = counter.read(counters)
            // PortXmitWait is only a counter where the PMA says so (CapabilityMask bit 12).
            if counter.name == "PortXmitWait", capability & 1 << 12 == 0 { value = 0 }
            if value > options.thresholds[counter.name, default: 0] { found.append((counter.name, value)) }
        }
        return found
    }

    /// `--json`: the summary, thresholds, suppressed counters and every finding.
    public func json(_ report: Report) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("tool", "ibqueryerrors")
        w.member("nodesChecked", report.nodesChecked)
        w.member("badNodes", report.badNodes)
        w.member("portsChecked", report.portsChecked)
        w.member("badPorts", report.badPorts)
        w.member("pmaQueryFailures", report.failures)
        w.member("madsSent", report.madsSent)
        w.key("thresholds")
        w.beginObject()
        for (name, value) in options.thresholds.sorted(by: { $0.key < $1.key }) { w.member(name, value) }
        w.endObject()
        w.key("suppressed")
        w.beginArray()
        for name in options.suppressed { w.string(name) }
        w.endArray()
        w.key("errors")
        w.beginArray()
        for finding in report.findings {
            w.beginObject()
            w.member("node", "0x" + DumpValue.hex(finding.node, digits: 1))
            w.member("name", finding.name)
            w.member("portGUID", "0x" + DumpValue.hex(finding.portGUID, digits: 1))
            if let port = Int(finding.port) { w.member("port", port) } else { w.member("port", finding.port) }
            w.key("counters")
            w.beginObject()
            for (name, value) in finding.counters { w.member(name, value) }
            w.endObject()
            w.endObject()
        }
        w.endArray()
        w.key("warnings")
        w.beginArray()
        for warning in report.warnings { w.string(warning) }
        w.endArray()
        w.endObject()
        return w.output + "\n"
    }
}
