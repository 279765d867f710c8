import ArgumentParser
import Fabric
import MADAgents
import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// `ibmad ibqueryerrors`: infiniband-diags' ibqueryerrors (ibqueryerrors.c) with the
/// discovery and the PMA sweep each kept in one window of outstanding MADs, where the C
/// tool asks every port's PMA one after another.
///
/// -G/-S and -D sweep one node of the discovered (or loaded) fabric, where the C tool
/// discovers only that node and its neighbours; the output is the same. The C tool's
/// SL lookup (a PathRecord GetTable to the SA before the sweep) is skipped: PMA queries
/// go on SL 0, as with its --skip-sl.
struct IBQueryErrors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibqueryerrors",
        abstract: "Report ports with error counters beyond their thresholds (like infiniband-diags ibqueryerrors).")

    @OptionGroup var scan: FabricScanOptions
    @Flag(name: [.customShort("d"), .customLong("debug")], help: "More detail about failures (stderr).") var debug: Int

    @Option(name: [.customShort("s"), .customLong("suppress")], help: ArgumentHelp("Counters not to report.", valueName: "err1,err2,..."))
    var suppress: [String] = []
    @Flag(name: [.customShort("c"), .customLong("suppress-common")], help: "Suppress PortRcvSwitchRelayErrors.")
    var suppressCommon = false
    @Flag(name: .customLong("switch"), help: "Report switches only.") var switchesOnly = false
    @Flag(name: .customLong("ca"), help: "Report CAs only.") var channelAdaptersOnly = false
    @Flag(name: .customLong("router"), help: "Report routers only.") var routersOnly = false
    @Flag(help: "Print the findings and summary as JSON.") var json = false
    @Flag(name: [.customShort("k"), .customLong("clear-errors")], help: "Clear error counters after reading them.")
    var clearErrors = false
    @Flag(name: [.customShort("K"), .customLong("clear-counts")], help: "Clear data counters after reading them.")
    var clearCounts = false
    @Flag(name: [.customShort("R"), .customLong("GNDN")], help: "Obsolete; does nothing.") var obsolete = false
    @Flag(name: .customLong("skip-sl"), help: "Do not look up SLs (never done here).") var skipSL = false
    @Option(name: [.customShort("G"), .customLong("port-guid"), .customShort("S")],
            help: ArgumentHelp("Report only the node with this port GUID (-S: the same, as before).", valueName: "port_guid"))
    var portGUID: String?
    @Option(name: [.customShort("D"), .customLong("Direct")],
            help: ArgumentHelp("Report only the node at this directed-route path.", valueName: "dr_path"))
    var direct: String?
    @Flag(name: [.customShort("r"), .customLong("report-port")], help: "Report the link of each port shown.") var reportPort = false
    @Flag(name: .customLong("data"), help: "Include the data counters of ports with errors.") var data = false
    @Flag(name: .customLong("details"), help: "Include PortXmitDiscardDetails and PortRcvErrorDetails.") var details = false
    @Flag(name: .customLong("counters"), help: "Print the data counters of every port instead of errors.") var counters = false
    @Option(name: [.customLong("load-cache"), .customLong("load")],
            help: ArgumentHelp("Sweep the nodes of this ibnetdiscover topology file instead of discovering.", valueName: "file"))
    var load: String?
    @Option(name: .customLong("threshold-file"), help: ArgumentHelp("Error thresholds (default /etc/infiniband-diags/error_thresholds).", valueName: "file"))
    var thresholdFile = "/etc/infiniband-diags/error_thresholds"
    @Option(name: [.customShort("o"), .customLong("outstanding_smps"), .customLong("outstanding")],
            help: "MADs outstanding at once, for discovery and for the sweep (default 64).")
    var outstanding = 64

    func validate() throws {
        try scan.check()
        guard (1...4096).contains(outstanding) else { throw ValidationError("-o/--outstanding_smps must be 1-4096") }
        for name in suppress.flatMap({ $0.split(separator: ",") }) where !ErrorSweep.suppressibleNames.contains(String(name)) {
            throw ValidationError("-s: \"\(name)\" is not a PortCounters field (one of \(ErrorSweep.suppressibleNames.sorted().joined(separator: ", ")))")
        }
    }

    func run() async throws {
        // An unreadable map is a warning (open_node_name_map); the tool goes on without one.
        let names = scan.loadNodeNameMap() ?? NodeNameMap()
        // The topology file is parsed on another thread while the port opens: neither needs
        // the other, and each takes milliseconds of one core (10 ms for 2,144 nodes).
        let loading = load.map { file in Task { Result { () throws(TopologyFileLoading.Failure) in try TopologyFileLoading.load(file) } } }
        let session: DiagsSession
        do { session = try scan.session(window: outstanding) } catch { throw error.report(tool: "ibqueryerrors") }
        defer { session.close() }

        if direct != nil && load != nil {
            StandardError.emit("Cannot specify cache and direct route path\n")
            throw ExitCode(255)
        }
        var topology: Topology
        if let loading {
            switch await loading.value {
            case .success(let loaded): topology = loaded
            case .failure(let error):
                StandardError.emit("loading cached fabric failed\nibmad ibqueryerrors: \(error)\n")
                throw ExitCode(255)
            }
        } else {
            let progress = SweepProgress()
            // NodeDescriptions only of the nodes the report names: the sweep asks for those.
            var discovery = Discovery.Options(window: outstanding, request: session.options)
            discovery.nodeDescriptions = false
            let before = session.agent.statistics.sent
            topology = await ProgressLine.around("discovering", progress) {
                await Discovery(agent: session.agent, options: discovery, progress: progress).run()
            }
            if scan.verbose > 0 {
                StandardError.emit("ibmad ibqueryerrors: \(topology.nodes.count) nodes, \(session.agent.statistics.sent - before) SMPs in discovery\n")
            }
            guard !topology.nodes.isEmpty else {
                StandardError.emit("discover failed\n")
                throw ExitCode(255)
            }
        }

        var options = ErrorSweep.Options()
        if let portGUID {
            // strtoull(optarg, NULL, 0): a GUID that does not parse is 0, found nowhere.
            let guid = Self.strtoull(portGUID)
            guard let node = Self.node(in: topology, portGUID: guid) else {
                StandardError.emit("Failed to find node: \(portGUID)\n")
                options.onlyNode = 0
                return try await sweep(topology, options, session, names)
            }
            options.onlyNode = node
            if load == nil, topology.nodes[node]?.isSwitch == false {
                // The C tool discovers from the CA's LID with max_hops 1, which finds the
                // node but links none of its ports (measured on ibsim: -r shows no far end).
                // For a switch it hangs on ibsim, so switches keep their links here.
                for port in Array(topology.nodes[node]?.ports.keys ?? [:].keys) { topology.nodes[node]?.ports[port]?.remote = nil }
            }
        } else if let direct {
            // A path that does not parse leaves the C tool's portid empty: the local node.
            guard let path = (try? DRPathArgument(parsing: direct).value) ?? (try? DirectedRoutePath(parsing: "0")),
                  let response = try? await session.get(.nodeInfo, at: .directed(path), orFail: ""),
                  let info = try? response.attribute(NodeInfo.self) else {
                // The C tool stops here, before its summary, with status 0.
                StandardError.emit("Failed to query local Node Info\n")
                return
            }
            guard let node = Self.node(in: topology, portGUID: info.portGUID) else {
                StandardError.emit("Failed to find node: \(direct)\n")
                options.onlyNode = 0
                return try await sweep(topology, options, session, names)
            }
            options.onlyNode = node
        }
        try await sweep(topology, options, session, names)
    }

    /// The sweep from `options` (its node selection made) on, and the exit status.
    private func sweep(_ topology: Topology, _ selection: ErrorSweep.Options, _ session: DiagsSession, _ names: NodeNameMap) async throws {
        var options = selection
        options.suppressed = suppress.flatMap { $0.split(separator: ",").map(String.init) } + (suppressCommon ? ["PortRcvSwitchRelayErrors"] : [])
        (options.thresholds, options.thresholdText) = Self.thresholds(from: thresholdFile)
        if switchesOnly || channelAdaptersOnly || routersOnly {
            options.switches = switchesOnly
            options.channelAdapters = channelAdaptersOnly
            options.routers = routersOnly
        }
        options.clearErrors = clearErrors
        options.clearCounts = clearCounts
        options.window = outstanding
        (options.dataCounters, options.countersOnly, options.details, options.reportPort) = (data, counters, details, reportPort)
        options.request = session.options
        let sweepProgress = SweepProgress()
        sweepProgress.found(nodes: topology.nodes.count)
        let sweep = ErrorSweep(agent: session.agent, options: options, progress: sweepProgress)
        let report = await ProgressLine.around("sweeping", sweepProgress) { await sweep.run(topology, nodeNames: names) }
        for warning in report.warnings { StandardError.emit("ibwarn: \(warning)\n") }
        print(json ? sweep.json(report) : report.text, terminator: "")
        if scan.verbose > 0 {
            let described = report.madsSent - report.pmaMADsSent
            StandardError.emit("ibmad ibqueryerrors: \(report.pmaMADsSent) PMA MADs in the sweep"
                               + (described > 0 ? ", \(described) NodeDescription SMPs for its names\n" : "\n"))
        }
        let unreachable = topology.unreachable + report.undescribed
        if !unreachable.isEmpty {
            StandardError.emit("ibmad ibqueryerrors: discovery incomplete, \(unreachable.count) queries got no answer:\n")
            for item in unreachable { StandardError.emit("  \(item)\n") }
            throw ExitCode(1)
        }
        if report.badPorts > 0 { throw ExitCode(1) }
    }

    /// ibnd_find_port_guid: the node one of whose ports has `portGUID`.
    static func node(in topology: Topology, portGUID: UInt64) -> UInt64? {
        topology.order.first { guid in
            guard let node = topology.nodes[guid] else { return false }
            return node.info.portGUID == portGUID || node.ports.values.contains { $0.guid == portGUID }
        }
    }

    /// strtoull(text, NULL, 0): 0x hex, 0 octal, else decimal; the digits that parse.
    static func strtoull(_ text: String) -> UInt64 {
        var value: UInt64 = 0
        text.withCString { value = Glibc.strtoull($0, nil, 0) }
        return value
    }

    /// The error_thresholds file: NAME=VALUE lines (strtoul base 0), '#' comments. The
    /// text is "Thresholds: " and "[NAME = VALUE]" per known counter; nil without a file.
    static func thresholds(from path: String) -> ([String: UInt64], String?) {
        guard let bytes = try? FileReader.contents(of: path) else { return ([:], nil) }
        var values: [String: UInt64] = [:]
        var text = "Thresholds: "
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = String(parts[0])
            let value = LIDArgument.number(String(parts[1].drop { $0 == " " }.prefix { !$0.isWhitespace })) ?? 0
            guard ErrorSweep.counterNames.contains(name) else { continue }
            values[name] = value
            text += "[\(name) = \(value)]"
        }
        return (values, text)
    }
}
