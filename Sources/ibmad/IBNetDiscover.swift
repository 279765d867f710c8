import ArgumentParser
import Fabric
import MADAgents

#if canImport(Glibc)
import Glibc
#endif

/// `ibmad ibnetdiscover [topology-file]` (alias `discover`): infiniband-diags'
/// ibnetdiscover over a windowed directed-route walk (Fabric.Discovery).
///
/// Unlike the C tool, a walk that leaves anything unanswered after its retries says what
/// on stderr and exits 1: a partial topology is never presented as complete.
struct IBNetDiscover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibnetdiscover",
        abstract: "Discover the subnet's topology (like infiniband-diags ibnetdiscover).",
        aliases: ["discover"])

    /// ibdiag_process_opts with "DGKLs" excluded, as ibnetdiscover.c calls it: -s is
    /// --show here, and a walk from the local port takes no destination.
    @OptionGroup var scan: FabricScanOptions
    @Flag(name: [.customShort("d"), .customLong("debug")],
          help: "Accepted as the C tool takes it; what goes unanswered is always listed on stderr.")
    var debug: Int
    @Flag(help: "Print the topology as JSON (schema: TopologyFormats.swift).")
    var json = false

    @Flag(name: [.customShort("s"), .customLong("show")],
          help: "Show more information: every NodeInfo answer as the walk gets it (before the topology).")
    var show = false
    @Flag(name: [.customShort("m"), .customLong("max_hops")],
          help: "Report the max hops discovered and the MADs used (in the topology file's header).")
    var maxHops = false

    @Flag(name: [.customShort("l"), .customLong("list")], help: "List the connected nodes.")
    var list = false
    @Flag(name: [.customShort("H"), .customLong("Hca_list")], help: "List the connected CAs.")
    var hcaList = false
    @Flag(name: [.customShort("S"), .customLong("Switch_list")], help: "List the connected switches.")
    var switchList = false
    @Flag(name: [.customShort("R"), .customLong("Router_list")], help: "List the connected routers.")
    var routerList = false
    @Flag(name: [.customShort("p"), .customLong("ports")], help: "Print a ports report.")
    var portsReport = false
    @Flag(name: [.customShort("g"), .customLong("grouping")],
          help: "Show grouping (vendor chassis are not recognised: every node is a non-chassis node).")
    var grouping = false

    @Flag(name: [.customShort("f"), .customLong("full")],
          help: "Show full information (ports' speed and width, vlcap).")
    var full = false

    @Flag(help: "Print the topology as Graphviz (switches as boxes, CAs as ellipses).")
    var dot = false

    @Option(name: [.customLong("load-cache"), .customLong("load")],
            help: ArgumentHelp("Read this ibnetdiscover topology file (text, not libibnetdisc's binary cache) instead of walking the fabric.", valueName: "file"))
    var load: String?

    @Option(name: .customLong("cache"),
            help: ArgumentHelp("Also write the topology to this file, for --load and --diff later (an ibnetdiscover topology file, not libibnetdisc's binary cache).", valueName: "file"))
    var cache: String?
    @Option(name: .customLong("diff"),
            help: ArgumentHelp("Print only what differs from this ibnetdiscover topology file (text, not libibnetdisc's binary cache).", valueName: "file"))
    var diff: String?
    @Option(name: .customLong("diffcheck"),
            help: ArgumentHelp("What --diff compares: comma-separated sw, ca, router, port, lid, nodedesc (default sw,ca,router,port).", valueName: "key(s)"))
    var diffCheck: String?

    @Option(name: [.customShort("o"), .customLong("outstanding_smps"), .customLong("outstanding")],
            help: "SMPs outstanding at once during the walk (default 64; ibnetdiscover's default is 2).")
    var outstanding: Int = 64

    /// Resends after a timeout. SMPs the transport hands back as lost at once (ibsim) are
    /// resent up to 100 more times (Discovery.Options.quickRetries): loss compounds with
    /// the 2d links an SMP at d hops crosses, and such a resend costs one round trip.
    @Option(name: .customLong("retries"),
            help: "Resends of an SMP that timed out before its node or port counts as unreachable (default 3, as the C tool's).")
    var retries: Int = 3

    @Argument(help: "Write the topology to this file instead of stdout.")
    var topologyFile: String?

    func validate() throws {
        try scan.check()
        if scan.mKey != nil { throw ValidationError("ibnetdiscover takes no -y: its SMPs carry no M_Key") }
        guard (1...4096).contains(outstanding) else { throw ValidationError("-o/--outstanding_smps must be 1-4096") }
        if json && dot { throw ValidationError("use only one of --json and --dot") }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be 0-100") }
        if diff != nil && (json || dot) { throw ValidationError("--diff prints ibnetdiscover's text: use it without --json and --dot") }
        // The C tool adds -f's " s= w= v=" to --diff's port lines from its binary cache; a
        // topology file does not hold the VLCap, so the earlier side's would be wrong.
        if diff != nil && full { throw ValidationError("--diff compares topology files, which do not hold -f's VLCap: use one or the other") }
        // The same from a loaded file: its v= would be 0, not the port's VLCap.
        if load != nil && full { throw ValidationError("-f with --load: a topology file does not hold -f's VLCap (v=); use -f on the live fabric") }
        _ = try diffChecks()
    }

    private func diffChecks() throws -> IBNetDiscoverText.DiffChecks {
        guard let diffCheck else { return .default }
        do { return try IBNetDiscoverText.DiffChecks(parsing: diffCheck) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        // An unreadable map is a warning (open_node_name_map); the tool goes on without one.
        let names = scan.loadNodeNameMap() ?? NodeNameMap()
        // The file to diff against is read first, as the C tool reads it: a bad one costs no walk.
        var earlier: Topology?
        if let diff {
            do { earlier = try TopologyFileLoading.load(diff) } catch {
                throw DiagsFailure(stdout: "loading cached fabric for diff failed\n", detail: error.description).report(tool: "ibnetdiscover")
            }
        }
        if let load {
            let topology: Topology
            do { topology = try TopologyFileLoading.load(load) } catch {
                throw DiagsFailure(stdout: "loading cached fabric failed\n", detail: error.description).report(tool: "ibnetdiscover")
            }
            try output(topology, names, madsUsed: 0, earlier: earlier)
            try writeCache(topology)
            return
        }
        let session: DiagsSession
        do { session = try scan.session(window: outstanding) } catch { throw error.report(tool: "ibnetdiscover") }
        defer { session.close() }
        var request = session.options
        request.retries = retries
        let progress = SweepProgress()
        var options = Discovery.Options(window: outstanding, request: request)
        options.recordsSightings = show
        let topology = await ProgressLine.around("discovering", progress) { [options] in
            await Discovery(agent: session.agent, options: options, progress: progress).run()
        }
        if show { print(IBNetDiscoverText.sightings(topology), terminator: "") }
        guard !topology.nodes.isEmpty else {
            throw DiagsFailure(stdout: "discover failed\n", detail: topology.unreachable.map(\.description).joined(separator: "\n"))
                .report(tool: "ibnetdiscover")
        }
        let statistics = session.agent.statistics
        try output(topology, names, madsUsed: statistics.sent, earlier: earlier)
        if scan.verbose > 0 {
            StandardError.emit("ibmad ibnetdiscover: \(topology.nodes.count) nodes, \(statistics.sent) SMPs sent, \(statistics.retries) retried "
                               + "(\(statistics.quickRetries) after a loss the transport reported at once)\n")
        }
        if topology.isComplete {
            try writeCache(topology)
        } else {
            if let cache { StandardError.emit("ibmad ibnetdiscover: \(cache) not written: the walk is incomplete\n") }
            StandardError.emit("ibmad ibnetdiscover: incomplete: \(topology.unreachable.count) queries got no answer "
                               + "after \(retries) retries after a timeout and up to 100 after a loss reported at once "
                               + "(\(statistics.retries) MADs retried in all):\n")
            for item in topology.unreachable { StandardError.emit("  \(item)\n") }
            throw ExitCode(1)
        }
    }

    /// --cache: the plain topology file (no -g/-f/-m additions; descriptions, not
    /// --node-name-map's names), written after the output as the C tool writes its cache.
    /// Not for an incomplete walk: a later --diff or --load would take it as the fabric.
    private func writeCache(_ topology: Topology) throws {
        guard let cache else { return }
        do { try FileWriter.write(IBNetDiscoverText.topology(topology, generated: IBNetDiscoverText.now()), to: cache) } catch {
            throw DiagsFailure(stdout: "caching ibnetdiscover data failed\n", detail: error.message).report(tool: "ibnetdiscover")
        }
    }

    /// `madsUsed`: SMPs put on the wire for this topology (0 when it was loaded), for -m.
    /// `earlier`: --diff's topology. Precedence as ibnetdiscover.c's: -p, then the lists,
    /// then --diff, then the topology.
    private func output(_ topology: Topology, _ names: NodeNameMap, madsUsed: Int, earlier: Topology?) throws {
        let text: String
        if json {
            text = TopologyFormats.json(topology, nodeNames: names)
        } else if dot {
            text = TopologyFormats.dot(topology, nodeNames: names)
        } else if portsReport {
            text = IBNetDiscoverText.portsReport(topology, nodeNames: names)
        } else if list || hcaList || switchList || routerList {
            let which: IBNetDiscoverText.NodeList = list ? .all : hcaList ? .channelAdapters : switchList ? .switches : .routers
            text = IBNetDiscoverText.list(topology, which, nodeNames: names)
        } else if let earlier {
            text = IBNetDiscoverText.diff(from: earlier, to: topology, checks: try diffChecks(), nodeNames: names)
        } else {
            text = IBNetDiscoverText.topology(topology, nodeNames: names, generated: IBNetDiscoverText.now(),
                                              grouping: grouping, full: full, madsUsed: maxHops ? madsUsed : nil)
        }
        if let topologyFile {
            do { try FileWriter.write(text, to: topologyFile) } catch {
                throw DiagsFailure(stdout: "can't open file \(topologyFile) for writing", detail: error.message)
                    .report(tool: "ibnetdiscover")
            }
        } else {
            print(text, terminator: "")
        }
    }
}
