public import MADAgents
import MADTransport
import MADWire
import Synchronization

/// ibqueryerrors' PMA error sweep (infiniband-diags ibqueryerrors.c) over a `Topology`,
/// with every phase's queries kept in one window instead of one after another.
///
/// Per node (a switch at its port 0 LID, a CA at its first port's): PerfMgt
/// ClassPortInfo; then PortCounters with PortSelect 0xFF when the PMA has AllPortSelect,
/// else of every port; a switch whose all-ports counters show errors is then read port by
/// port. A counter is an error above its threshold (default 0). Clearing (-k, -K) follows
/// once everything is read.
///
/// PortCountersExtended is read only where the report uses it: the error counters where
/// the PMA has AdditionalPortCountersExtended, the data counters with --data/--counters.
/// The C tool reads it for every port of a PMA with extended width and, unless
/// CapabilityMask2 says so, never looks at it: a third of its PMA MADs.
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
        /// --data: the data counters of each port reported with errors.
        public var dataCounters = false
        /// --counters: every port's data counters instead of its errors.
        public var countersOnly = false
        /// --details: PortXmitDiscardDetails and PortRcvErrorDetails where those counters show.
        public var details = false
        /// -r: the link of each port reported.
        public var reportPort = false
        /// -G/-S/-D: only this node (a node GUID); nil sweeps every node.
        public var onlyNode: UInt64?
        public var request = RequestOptions()
        public init() {}
    }

    /// The error counters ibqueryerrors reports, in its order, as fields of PortCounters
    /// and of PortCountersExtended (print_results pairs IB_PC_ERR_SYM_F... with
    /// IB_PC_EXT_ERR_SYM_F...). Both IBA tables name them alike. libibmad's VL15Dropped
    /// (IB_PC_VL15_DROPPED_F) is bytes 22-23 of PortCounters, the IBA's.
    static let counters: [(name: String, field: Field, extendedField: Field)] = [
        "SymbolErrorCounter", "LinkErrorRecoveryCounter", "LinkDownedCounter", "PortRcvErrors",
        "PortRcvRemotePhysicalErrors", "PortRcvSwitchRelayErrors", "PortXmitDiscards", "PortXmitConstraintErrors",
        "PortRcvConstraintErrors", "LocalLinkIntegrityErrors", "ExcessiveBufferOverrunErrors", "VL15Dropped", "PortXmitWait",
    ].map { name in (name, PortCounters.layout.field(named: name)!, PortCountersExtended.layout.field(named: name)!) }

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
        /// Every MAD the sweep sent, and of those the PMA ones (the rest: NodeDescriptions
        /// for the report's names, when discovery left them out).
        public var madsSent = 0, pmaMADsSent = 0
        public var nodesChecked = 0, badNodes = 0, portsChecked = 0, failures = 0
        /// NodeDescriptions asked for the report's names that got no answer.
        public var undescribed: [Topology.Unreachable] = []
        /// Each reported line: node, port ("ALL" or the number) and its counters.
        public var findings: [(node: UInt64, name: String, portGUID: UInt64, port: String, counters: [(String, UInt64)])] = []
    }

    private struct Target: Sendable {
        /// The node's GUID.
        var guid: UInt64
        var lid: UInt16
        /// Port for ClassPortInfo (0 for a switch, the first port of a CA).
        var firstPort: UInt8
        var ports: [UInt8]
        var isSwitch: Bool
        var port0GUID: UInt64
        var numberOfPorts: Int
    }

    /// PerfMgt ClassPortInfo CapabilityMask bits (IBA 16.1.2, Table 222).
    static let allPortSelect: UInt16 = 1 << 8
    static let extendedWidth: UInt16 = 1 << 9
    static let extendedWidthNoIETF: UInt16 = 1 << 10
    static let xmitWait: UInt16 = 1 << 12
    /// CapabilityMask2 bit 1, IsAdditionalPortCountersExtendedSupported: the error counters
    /// are PortCountersExtended's 64-bit ones (check_threshold).
    static let additionalExtended: UInt32 = 1 << 1

    /// Where one PMA's error counters come from and which reads its report needs.
    struct CounterSource {
        var capability: UInt16 = 0
        /// The error counters are PortCountersExtended's (CapabilityMask2 bit 1).
        var errorsFromExtended = false
        /// PortCounters is read (not with --counters on a PMA with extended width).
        var readsPortCounters = true
        /// PortCountersExtended is read: for the error counters, or for --data/--counters
        /// on a PMA with extended width.
        var readsExtended = false
    }

    public func run(_ topology: Topology, nodeNames: NodeNameMap = NodeNameMap()) async -> Report {
        var topology = topology
        let targets: [Target] = topology.canonicalOrder().reversed().compactMap { guid in
            guard let node = topology.nodes[guid], options.onlyNode.map({ $0 == guid }) ?? true else { return nil }
            switch node.info.nodeType {
            case .switch where !options.switches, .channelAdapter where !options.channelAdapters, .router where !options.routers: return nil
            default: break
            }
            let startPort: UInt8 = node.isSwitch && node.switchInfo?.enhancedPort0 == true ? 0 : 1
            let ports = node.ports.keys.filter { $0 >= startPort && $0 <= node.info.numberOfPorts }.sorted()
            let first = node.isSwitch ? 0 : (ports.first ?? 1)
            let lid = node.isSwitch ? node.lid : node.ports[first]?.info.lid ?? 0
            return Target(guid: guid, lid: lid, firstPort: first, ports: ports, isSwitch: node.isSwitch,
                          port0GUID: node.ports[0]?.guid ?? node.info.portGUID,
                          numberOfPorts: Int(node.info.numberOfPorts))
        }
        /// A node's name as the report prints it, asked only of the nodes it prints (after
        /// step 5 has filled in their NodeDescriptions).
        func name(_ target: Target) -> String {
            nodeNames.name(for: target.guid, nodeDescription: topology.nodes[target.guid]?.description ?? "")
        }
        let plan = errorCounters()
        var report = Report()
        let before = agent.statistics.sent

        // 1. ClassPortInfo of every PMA.
        let classInfo = await agent.performanceGets(targets.map { ($0.lid, $0.firstPort, AttributeID.classPortInfo) },
                                                     options: options.request, progress: progress)
        let capabilities: [(mask: UInt16, mask2: UInt32, ok: Bool)] = classInfo.map { mad in
            guard let mad, let info = try? mad.attribute(ClassPortInfo.self) else { return (0, 0, false) }
            return (info.capabilityMask.rawValue, info.capabilityMask2, true)
        }
        let allPorts = capabilities.map { $0.ok && $0.mask & Self.allPortSelect != 0 }

        // 2. Counters: all ports at once where the PMA can, else port by port (--counters:
        // every port), PortCountersExtended where the report uses it.
        let extended = capabilities.map { $0.mask & (Self.extendedWidth | Self.extendedWidthNoIETF) != 0 }
        let sources = capabilities.indices.map { index in
            let fromExtended = capabilities[index].mask2 & Self.additionalExtended != 0
            let dataFromExtended = extended[index] && (options.dataCounters || options.countersOnly)
            return CounterSource(capability: capabilities[index].mask, errorsFromExtended: fromExtended,
                                 readsPortCounters: !(options.countersOnly && extended[index]),
                                 readsExtended: fromExtended || dataFromExtended)
        }
        var firstRound: [ReadKey] = []
        for (index, target) in targets.enumerated() {
            if allPorts[index] && !options.countersOnly {
                firstRound.append(ReadKey(target: index, port: 0xFF))
            } else {
                firstRound += target.ports.map { ReadKey(target: index, port: $0) }
            }
        }
        var answers: [MAD?] = []
        var readings = await read(firstRound, targets, sources, plan, into: &answers)
        // 3. Port by port where the all-ports counters showed an error.
        var secondRound: [ReadKey] = []
        for (index, target) in targets.enumerated() where allPorts[index] && !options.countersOnly {
            if readings[ReadKey(target: index, port: 0xFF)]?.errors?.isEmpty == false {
                secondRound += target.ports.map { ReadKey(target: index, port: $0) }
            }
        }
        readings.merge(await read(secondRound, targets, sources, plan, into: &answers)) { $1 }
        // 4. --details: the detail attributes of ports whose discards or receive errors show.
        var detailKeys: [(key: ReadKey, attribute: AttributeID)] = []
        if options.details && !options.countersOnly {
            for key in readings.keys.sorted(by: { ($0.target, $0.port &+ 1) < ($1.target, $1.port &+ 1) }) {
                guard let names = readings[key]?.errors?.map(\.0) else { continue }
                if names.contains("PortXmitDiscards") { detailKeys.append((key, ErrorSweepText.xmitDiscardDetails)) }
                if names.contains("PortRcvErrors") { detailKeys.append((key, ErrorSweepText.rcvErrorDetails)) }
            }
        }
        let detailAnswers = await agent.performanceGets(detailKeys.map { (targets[$0.key.target].lid, $0.key.port, $0.attribute) },
                                                        options: options.request, progress: progress)
        var details: [ReadKey: [UInt16: MAD?]] = [:]
        for (item, request) in detailKeys.enumerated() { details[request.key, default: [:]][request.attribute.rawValue] = detailAnswers[item] }

        // 5. Names: a topology discovered without NodeDescriptions (ibqueryerrors from
        // scratch) gets those of the nodes the report names, and only those the node
        // name map does not name. A loaded topology has them all: nothing to look at.
        var describing = 0
        if topology.nodes.values.contains(where: { !$0.descriptionKnown }) {
            var named = Set<UInt64>()
            if options.countersOnly || options.reportPort || options.clearCounts {
                // Every node is printed (--counters), a link line names the far end (-r), a
                // failed reset of the extended counters names its node (-K).
                named = Set(topology.nodes.keys)
            } else {
                for (index, target) in targets.enumerated() where !capabilities[index].ok { named.insert(target.guid) }
                for (key, reading) in readings where reading.errors?.isEmpty != true {
                    named.insert(targets[key.target].guid)  // a failed read or an error beyond threshold
                }
            }
            let beforeNames = agent.statistics.sent
            report.undescribed = await agent.describe(named.filter { !nodeNames.contains($0) }, in: &topology,
                                                       options: options.request, progress: progress)
            describing = agent.statistics.sent - beforeNames
        }
        for (index, target) in targets.enumerated() where !capabilities[index].ok {
            report.warnings.append("classportinfo query failed on \(name(target)), Lid \(target.lid) port \(target.firstPort)")
        }
        let links = options.reportPort ? ErrorSweepText.linkInfo(topology, nodeNames: nodeNames) : [:]

        // The report, node by node in ibqueryerrors' order.
        var nodesChecked = 0, badNodes = 0, portsChecked = 0, failures = capabilities.filter { !$0.ok }.count
        for (index, target) in targets.enumerated() {
            let mask = capabilities[index].mask
            let source = sources[index]
            // Named once, and only if something of the node is printed.
            var targetName: String?
            var nodeName: String {
                if let targetName { return targetName }
                let named = name(target)
                targetName = named
                return named
            }
            var header = false
            /// print_results' line for a port ("ALL" for 0xFF, which only a switch prints).
            func line(_ port: UInt8, _ reading: Reading, _ found: [(String, UInt64)]) {
                if !header {
                    report.text += target.isSwitch ? "Errors for 0x\(DumpValue.hex(target.port0GUID, digits: 1)) \"\(nodeName)\"\n" : "Errors for \"\(nodeName)\"\n"
                    header = true
                    badNodes += 1
                }
                let portText = port == 0xFF ? "ALL" : String(port)
                let portGUID = port == 0xFF ? target.port0GUID : topology.nodes[target.guid]?.ports[port]?.guid ?? 0
                var text = ""
                for (name, value) in found {
                    if source.errorsFromExtended {
                        // check_threshold's form for a 64-bit counter.
                        let (scaled, unit) = ErrorSweepText.humanReadable(value, data: false)
                        text += " [\(name) == \(value) (\(ErrorSweepText.fixed3(Double(scaled)))\(unit))]"
                    } else {
                        text += " [\(name) == \(value)]"
                    }
                    let key = ReadKey(target: index, port: port)
                    for (counter, attribute, fields) in [("PortXmitDiscards", ErrorSweepText.xmitDiscardDetails, ErrorSweepText.afterXmitDiscards),
                                                         ("PortRcvErrors", ErrorSweepText.rcvErrorDetails, ErrorSweepText.afterRcvErrors)]
                    where name == counter && options.details {
                        if let answer = details[key]?[attribute.rawValue] ?? nil {
                            text += ErrorSweepText.nonZero(fields, in: answer)
                        } else {
                            failures += 1
                            let attributeName = counter == "PortRcvErrors" ? "PortRcvErrorDetails" : "PortXmitDiscardDetails"
                            report.warnings.append("\(attributeName) query failed on \(nodeName), Lid \(target.lid) port \(port)")
                        }
                    }
                }
                if options.dataCounters { text += dataText(reading, answers, mask: mask, extended: extended[index], onlyNonZero: true) }
                if port != 0xFF || target.isSwitch { report.text += "   GUID 0x\(DumpValue.hex(portGUID, digits: 1)) port \(portText):" + text + "\n" }
                if port != 0xFF { report.text += links[ErrorSweepText.LinkKey(node: target.guid, port: port)] ?? "" }
                report.findings.append((target.guid, nodeName, portGUID, portText, found))
            }
            /// A port's errors beyond threshold, or nil with print_errors' warning when a read failed.
            func counters(_ port: UInt8) -> (Reading, [(String, UInt64)])? {
                let reading = readings[ReadKey(target: index, port: port)] ?? Reading()
                if let found = reading.errors { return (reading, found) }
                failures += 1
                let attribute = reading.portCounters < 0 && source.readsPortCounters ? "IB_GSI_PORT_COUNTERS" : "IB_GSI_PORT_COUNTERS_EXT"
                report.warnings.append("\(attribute) query failed on \(nodeName), Lid \(target.lid) port \(port)")
                return nil
            }

            if options.countersOnly {
                // print_data_cnts: every port's data counters, failures included in the count.
                for port in target.ports {
                    portsChecked += 1
                    let reading = readings[ReadKey(target: index, port: port)] ?? Reading()
                    guard (extended[index] ? reading.extended : reading.portCounters) >= 0 else {
                        failures += 1
                        report.warnings.append("\(extended[index] ? "IB_GSI_PORT_COUNTERS_EXT" : "IB_GSI_PORT_COUNTERS") query failed on "
                                               + "\(nodeName), Lid \(target.lid) port \(port)")
                        continue
                    }
                    if !header {
                        report.text += "Data Counters for 0x\(DumpValue.hex(target.guid, digits: 1)) \"\(nodeName)\"\n"
                        header = true
                    }
                    report.text += "   GUID 0x\(DumpValue.hex(target.guid, digits: 1)) port \(port):"
                        + dataText(reading, answers, mask: mask, extended: extended[index], onlyNonZero: false) + "\n"
                    report.text += links[ErrorSweepText.LinkKey(node: target.guid, port: port)] ?? ""
                }
                nodesChecked += 1
                continue
            }
            var perPort = true
            if allPorts[index] {
                // As the C tool: a failed all-ports read counts the ports as checked.
                if case let (reading, found)? = counters(0xFF) {
                    if found.isEmpty {
                        portsChecked += target.numberOfPorts
                        perPort = false
                    } else {
                        line(0xFF, reading, found)
                    }
                } else {
                    portsChecked += target.numberOfPorts
                    perPort = false
                }
            }
            if perPort {
                for port in target.ports {
                    portsChecked += 1
                    guard case let (reading, found)? = counters(port) else { continue }
                    if !found.isEmpty {
                        line(port, reading, found)
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

        // 5. Clear what was read (clear_port: -k errors, -K data counters; IBA 16.1.3.5
        // CounterSelect), the detail attributes with -k --details, and the extended data
        // counters with -K where the PMA has them.
        if options.clearErrors || options.clearCounts {
            var clears: [(mad: MAD, lid: UInt16, port: UInt8, what: String?)] = []
            for (index, target) in targets.enumerated() where capabilities[index].ok || !target.ports.isEmpty {
                let mask = capabilities[index].mask
                var select: UInt32 = 0
                if options.clearErrors { select |= 0xFFF | (mask & Self.xmitWait != 0 ? 0x10000 : 0) }
                if options.clearCounts { select |= 0xF000 }
                let ports: [UInt8] = allPorts[index] ? [0xFF] : target.ports
                for port in ports {
                    var mad = MAD(class: .performance, classVersion: 1, method: .set, attribute: .portCounters)
                    var body = PortCounters()
                    body.portSelect = port
                    body.counterSelect = PortCounters.CounterSelect(rawValue: UInt16(truncatingIfNeeded: select))
                    body.counterSelect2 = PortCounters.CounterSelect2(rawValue: UInt8(truncatingIfNeeded: select >> 16))
                    try? mad.setAttribute(body)
                    clears.append((mad, target.lid, port, "Failed to reset errors Lid \(target.lid) port \(port)"))
                    if options.clearErrors && options.details {
                        clears.append((Self.reset(ErrorSweepText.xmitDiscardDetails, port: port, select: 0xF), target.lid, port, nil))
                        clears.append((Self.reset(ErrorSweepText.rcvErrorDetails, port: port, select: 0x3F), target.lid, port, nil))
                    }
                    if extended[index] && options.clearCounts {
                        let extendedSelect: UInt32 = mask & Self.extendedWidth != 0 ? 0xFF : 0x0F
                        clears.append((Self.reset(.portCountersExtended, port: port, select: extendedSelect), target.lid, port,
                                       "Failed to reset extended data counters \(name(target)), Lid \(target.lid) port \(port)"))
                    }
                }
            }
            let results = await agent.windowed(clears.map { ($0.mad, MADAddress.generalServices(lid: $0.lid)) },
                                               options: options.request, progress: progress)
            for (item, result) in results.enumerated() where result == nil {
                if let what = clears[item].what { report.warnings.append(what) }
            }
        }
        report.madsSent = agent.statistics.sent - before
        report.pmaMADsSent = report.madsSent - describing
        return report
    }

    /// One error counter as this sweep judges it: where it sits in a PortCounters and in a
    /// PortCountersExtended response (bits within the MAD) and its threshold.
    private struct ErrorCounter {
        var name: String
        var bits: BitField
        var extendedBits: BitField
        var threshold: UInt64
        /// PortXmitWait: counted from PortCounters only where the PMA says so.
        var isXmitWait: Bool
    }

    /// The counters of `Self.counters` not suppressed, with their thresholds: looked up once
    /// per sweep rather than per port.
    private func errorCounters() -> [ErrorCounter] {
        let data = MAD.dataOffset(for: .performance)
        return Self.counters.filter { !options.suppressed.contains($0.name) }.map { counter in
            ErrorCounter(name: counter.name, bits: counter.field.bits.shifted(by: data),
                         extendedBits: counter.extendedField.bits.shifted(by: data),
                         threshold: options.thresholds[counter.name, default: 0], isXmitWait: counter.name == "PortXmitWait")
        }
    }

    /// Each error counter of a port above its threshold, unless suppressed; nil where a read
    /// the report needs failed (print_errors gives up on the port). Reads the counters in
    /// the responses where they are (both attributes fit in any MAD's data).
    private func errors(_ reading: Reading, _ answers: [MAD?], _ source: CounterSource, _ plan: [ErrorCounter]) -> [(String, UInt64)]? {
        let portCounters = reading.portCounters >= 0 ? answers[reading.portCounters] : nil
        let extendedCounters = reading.extended >= 0 ? answers[reading.extended] : nil
        if source.readsPortCounters && portCounters == nil || source.readsExtended && extendedCounters == nil { return nil }
        var found: [(String, UInt64)] = []
        for counter in plan {
            var value: UInt64
            if source.errorsFromExtended {
                value = extendedCounters?[counter.extendedBits] ?? 0
            } else {
                value = portCounters?[counter.bits] ?? 0
                // PortXmitWait is only a counter where the PMA says so (CapabilityMask bit 12;
                // print_errors clears PortCounters' copy, not the extended one).
                if counter.isXmitWait, source.capability & Self.xmitWait == 0 { value = 0 }
            }
            if value > counter.threshold { found.append((counter.name, value)) }
        }
        return found
    }

    /// One port's PMA answers: where its PortCounters and PortCountersExtended responses are
    /// in the sweep's answers (-1: not read or not answered), and its errors judged once.
    private struct Reading {
        var portCounters = -1
        var extended = -1
        /// `errors(_:_:_:_:)` of the port; nil where a read its report needs failed.
        var errors: [(String, UInt64)]?
    }

    private struct ReadKey: Hashable {
        var target: Int
        var port: UInt8
    }

    /// PortCounters and PortCountersExtended of each port, each where its `CounterSource`
    /// reads it, one after the other per port as the C tool asks, all in one window. The
    /// responses are appended to `answers`; the readings point into it.
    private func read(_ keys: [ReadKey], _ targets: [Target], _ sources: [CounterSource], _ plan: [ErrorCounter],
                      into answers: inout [MAD?]) async -> [ReadKey: Reading] {
        var queries: [(lid: UInt16, port: UInt8, attribute: AttributeID)] = []
        var positions: [Reading] = []
        queries.reserveCapacity(keys.count)
        positions.reserveCapacity(keys.count)
        let base = answers.count
        for key in keys {
            let lid = targets[key.target].lid
            var reading = Reading()
            if sources[key.target].readsPortCounters {
                reading.portCounters = base + queries.count
                queries.append((lid, key.port, .portCounters))
            }
            if sources[key.target].readsExtended {
                reading.extended = base + queries.count
                queries.append((lid, key.port, .portCountersExtended))
            }
            positions.append(reading)
        }
        answers += await agent.performanceGets(queries, options: options.request, progress: progress)
        var readings: [ReadKey: Reading] = [:]
        readings.reserveCapacity(keys.count)
        for (key, position) in zip(keys, positions) {
            var reading = position
            if reading.portCounters >= 0 && answers[reading.portCounters] == nil { reading.portCounters = -1 }
            if reading.extended >= 0 && answers[reading.extended] == nil { reading.extended = -1 }
            reading.errors = errors(reading, answers, sources[key.target], plan)
            readings[key] = reading
        }
        return readings
    }

    /// The data counters print_results (--data, non-zero ones) and print_data_cnts (all)
    /// show: PortCountersExtended's where the PMA has extended width (all eight with
    /// IsExtendedWidthSupported, else the first four), else PortCounters' four.
    private func dataText(_ reading: Reading, _ answers: [MAD?], mask: UInt16, extended: Bool, onlyNonZero: Bool) -> String {
        let counters = extended ? Array(ErrorSweepText.extendedData.prefix(mask & Self.extendedWidth != 0 ? 8 : 4)) : ErrorSweepText.portCountersData
        let position = extended ? reading.extended : reading.portCounters
        guard position >= 0, let mad = answers[position] else { return "" }
        return counters.map { ($0, $0.read(mad)) }.filter { !onlyNonZero || $0.1 != 0 }.map { ErrorSweepText.data($0.0, $0.1) }.joined()
    }

    /// performance_reset_via's Set: PortSelect and CounterSelect (bytes 1-3 of the data),
    /// CounterSelect2 for PortCountersExtended (bytes 4-7); the counters 0.
    static func reset(_ attribute: AttributeID, port: UInt8, select: UInt32) -> MAD {
        var mad = MAD(class: .performance, classVersion: 1, method: .set, attribute: attribute)
        mad[Field("PortSelect", byte: 64 + 1, width: 8)] = UInt64(port)
        mad[Field("CounterSelect", byte: 64 + 2, width: 16)] = UInt64(select & 0xFFFF)
        if attribute == .portCountersExtended { mad[Field("CounterSelect2", byte: 64 + 4, width: 32)] = UInt64(select >> 16) }
        return mad
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
