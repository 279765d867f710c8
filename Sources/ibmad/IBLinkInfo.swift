import ArgumentParser
import Fabric
import MADWire

/// `ibmad iblinkinfo`: infiniband-diags' iblinkinfo over the windowed discovery (or a
/// topology file with --load). -S/-G/-D start a partial scan there (libibnetdisc's rules,
/// `Discovery.PartialScan`, -n hops, default 1) and print that node only, or, with -a,
/// every node the scan found. --load and --filterdownports take ibnetdiscover text files.
/// Not (yet) here: --diff, --diffcheck.
struct IBLinkInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iblinkinfo",
        abstract: "Report every link of the subnet (like infiniband-diags iblinkinfo).")

    @OptionGroup var scan: FabricScanOptions

    @Flag(name: [.customShort("l"), .customLong("line")], help: "One line per port.") var lineMode = false
    @Flag(name: [.customShort("d"), .customLong("down")], help: "Down ports only.") var downOnly = false
    @Flag(name: [.customShort("p"), .customLong("print-sw-settings"), .customLong("additional")], help: "Print HOQ life and VL stall count of up ports.")
    var switchSettings = false
    @Flag(name: .customLong("switches-only"), help: "Switches only.") var switchesOnly = false
    @Flag(name: .customLong("cas-only"), help: "CAs only.") var casOnly = false
    @Option(name: [.customShort("S"), .customLong("switch"), .customShort("G"), .customLong("port-guid")],
            help: ArgumentHelp("Start a partial scan at the node with this port GUID (0x-hex or decimal).", valueName: "port_guid"))
    var portGUID: String?
    @Option(name: [.customShort("D"), .customLong("Direct")], help: ArgumentHelp("Start a partial scan at this directed route (e.g. 0,1,5).", valueName: "dr_path"))
    var directPath: String?
    @Flag(name: [.customShort("a"), .customLong("all")], help: "Print every node a partial scan found, not just its start.") var all = false
    @Option(name: [.customShort("n"), .customLong("hops")], help: ArgumentHelp("Hops to walk from the start (0: all; 1 with -S/-G/-D).", valueName: "hops"))
    var hops: Int?
    @Option(name: [.customLong("load-cache"), .customLong("load")],
            help: ArgumentHelp("Read this ibnetdiscover topology file (text, not libibnetdisc's binary cache) instead of discovering.", valueName: "file"))
    var load: String?
    @Option(name: .customLong("filterdownports"),
            help: ArgumentHelp("Hide down ports that were down in this ibnetdiscover topology file too.", valueName: "file"))
    var filterDownPorts: String?
    @Option(name: [.customShort("o"), .customLong("outstanding_smps"), .customLong("outstanding")], help: "SMPs outstanding at once (default 64).")
    var outstanding = 64

    func validate() throws {
        try scan.check()
        guard (1...4096).contains(outstanding) else { throw ValidationError("-o/--outstanding_smps must be 1-4096") }
        if let hops, !(0...63).contains(hops) { throw ValidationError("-n/--hops must be 0-63 (a directed route has at most 63 hops)") }
        if let portGUID, Self.guid(portGUID) == nil {
            throw ValidationError("-S/-G: '\(portGUID)' is not a port GUID (expected 0x-hex, e.g. 0x0002c90300a1b2c3, or decimal)")
        }
        if let directPath {
            do { _ = try DirectedRoutePath(parsing: directPath) } catch {
                throw ValidationError("-D: '\(directPath)' is not a directed route (expected comma-separated ports from 0, e.g. 0,1,5): \(error)")
            }
        }
        // The C tool prints them from its binary cache; a topology file does not hold them,
        // and zeros would read as measured values.
        if load != nil && switchSettings {
            throw ValidationError("-p with --load: a topology file holds no HOQ life or VL stall count (use -p on the live fabric)")
        }
    }

    /// strtoull(…, 0) as iblinkinfo reads -S/-G, but strict: 0x-hex, 0-octal or decimal.
    static func guid(_ text: String) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        if text.count > 1 && text.hasPrefix("0") { return UInt64(text.dropFirst(), radix: 8) }
        return UInt64(text)
    }

    func run() async throws {
        // An unreadable map is a warning (open_node_name_map); the tool goes on without one.
        let names = scan.loadNodeNameMap() ?? NodeNameMap()
        var options = LinkInfoText.Options()
        options.lineMode = lineMode
        options.downOnly = downOnly
        options.switchSettings = switchSettings
        if switchesOnly || casOnly { (options.switches, options.channelAdapters) = (switchesOnly, casOnly) }
        if let filterDownPorts {
            do { options.knownDown = try Self.loadTopology(filterDownPorts) } catch {
                // IBEXIT: exit status 255.
                StandardError.emit("ibmad iblinkinfo: loading cached fabric for filterdownports failed\n")
                throw ExitCode(255)
            }
        }
        if let load {
            if directPath != nil {
                StandardError.emit("Cannot specify cache and direct route path\n")
                throw ExitCode(1)
            }
            let topology = try Self.loadTopology(load)
            if let portGUID {
                guard let node = Self.node(withPort: Self.guid(portGUID)!, in: topology), all || Self.shown(node, options) else {
                    StandardError.emit("Failed to find port: \(portGUID)\n")
                    return
                }
                if !all { options.node = node.guid }
            }
            print(LinkInfoText.text(topology, nodeNames: names, options: options), terminator: "")
            return
        }
        let session: DiagsSession
        do { session = try scan.session(window: outstanding) } catch { throw error.report(tool: "iblinkinfo") }
        defer { session.close() }
        let progress = SweepProgress()
        func discover(_ start: DirectedRoutePath, _ partial: Discovery.PartialScan?) async -> Topology {
            var discovery = Discovery.Options(window: outstanding, request: session.options)
            discovery.start = start
            discovery.partial = partial
            return await ProgressLine.around("discovering", progress) {
                await Discovery(agent: session.agent, options: discovery, progress: progress).run()
            }
        }
        // iblinkinfo.c main: a partial scan from -D or -S/-G walks 1 hop unless -n says
        // otherwise; -n alone limits the scan from the local port.
        var topology: Topology
        var label: String?
        if let directPath {
            let path = try DirectedRoutePath(parsing: directPath)
            topology = await discover(path, .init(hops: hops.flatMap { $0 == 0 ? nil : $0 } ?? 1))
            guard topology.order.first != nil else {
                // The C tool asks the start's NodeInfo before the scan (only without -a;
                // with -a it prints nothing and exits 0: here the failure is reported).
                if !all { StandardError.emit("Failed to get local Node Info\n") }
                throw Self.incomplete(topology, 1)
            }
            label = directPath
        } else if let portGUID {
            // libibnetdisc starts from the LID the SA gives for the GUID; here the start's
            // directed route comes from a full walk (iblinkinfo falls back to one too when
            // the GUID does not resolve).
            let full = await discover(.local, hops.flatMap { $0 == 0 ? nil : .init(hops: $0) })
            if let node = Self.node(withPort: Self.guid(portGUID)!, in: full) {
                topology = await discover(node.path, .init(hops: hops.flatMap { $0 == 0 ? nil : $0 } ?? 1, startIsLIDRouted: true))
            } else {
                topology = full
            }
            label = portGUID
        } else {
            topology = await discover(.local, hops.flatMap { $0 == 0 ? nil : .init(hops: $0) })
        }
        guard !topology.nodes.isEmpty else {
            StandardError.emit("discover failed\n")
            throw ExitCode(255)
        }
        if let label, !all {
            // The start node only: the node holding the port (-S/-G), or the one at the
            // route's end (-D), found again by its port GUID as iblinkinfo.c does.
            let wanted = portGUID.flatMap(Self.guid) ?? topology.order.first.flatMap { topology.nodes[$0]?.info.portGUID } ?? 0
            if let node = Self.node(withPort: wanted, in: topology), Self.shown(node, options) {
                options.node = node.guid
                print(LinkInfoText.text(topology, nodeNames: names, options: options), terminator: "")
            } else {
                StandardError.emit("Failed to find port: \(label)\n")
            }
        } else {
            print(LinkInfoText.text(topology, nodeNames: names, options: options), terminator: "")
        }
        if !topology.isComplete { throw Self.incomplete(topology, 1) }
    }

    private static func shown(_ node: Topology.Node, _ options: LinkInfoText.Options) -> Bool {
        node.isSwitch ? options.switches : options.channelAdapters
    }

    /// ibnd_find_port_guid: the node one of whose ports has this GUID.
    private static func node(withPort guid: UInt64, in topology: Topology) -> Topology.Node? {
        topology.order.lazy.compactMap { topology.nodes[$0] }.first { node in
            node.info.portGUID == guid || node.ports.values.contains { $0.guid == guid }
        }
    }

    private static func incomplete(_ topology: Topology, _ status: Int32) -> ExitCode {
        StandardError.emit("ibmad iblinkinfo: incomplete: \(topology.unreachable.count) queries got no answer:\n")
        for item in topology.unreachable { StandardError.emit("  \(item)\n") }
        return ExitCode(status)
    }

    /// An ibnetdiscover text file (`TopologyFileLoading`); a failure is reported as
    /// iblinkinfo.c reports it (its line on stderr, exit status 1), then why.
    private static func loadTopology(_ file: String) throws -> Topology {
        do { return try TopologyFileLoading.load(file) } catch {
            StandardError.emit("loading cached fabric failed\nibmad iblinkinfo: \(error)\n")
            throw ExitCode(1)
        }
    }
}
