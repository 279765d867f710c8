import ArgumentParser
import Fabric

/// `ibmad iblinkinfo`: infiniband-diags' iblinkinfo over the windowed discovery (or a
/// topology file with --load-cache). Not (yet) here: -S/-G/-D (one node), --diff,
/// --filterdownports.
struct IBLinkInfo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iblinkinfo",
        abstract: "Report every link of the subnet (like infiniband-diags iblinkinfo).")

    @OptionGroup var scan: FabricScanOptions

    @Flag(name: [.customShort("l"), .customLong("line")], help: "One line per port.") var lineMode = false
    @Flag(name: [.customShort("d"), .customLong("down")], help: "Down ports only.") var downOnly = false
    @Flag(name: [.customShort("p"), .customLong("print-sw-settings")], help: "Print HOQ life and VL stall count of up ports.")
    var switchSettings = false
    @Flag(name: .customLong("switches-only"), help: "Switches only.") var switchesOnly = false
    @Flag(name: .customLong("cas-only"), help: "CAs only.") var casOnly = false
    @Option(name: [.customLong("load-cache"), .customLong("load")], help: ArgumentHelp("Read this ibnetdiscover topology file instead of discovering.", valueName: "file"))
    var load: String?
    @Option(name: [.customShort("o"), .customLong("outstanding_smps"), .customLong("outstanding")], help: "SMPs outstanding at once (default 64).")
    var outstanding = 64

    func validate() throws {
        _ = try scan.diagsOptions()
        guard (1...4096).contains(outstanding) else { throw ValidationError("-o/--outstanding_smps must be 1-4096") }
    }

    func run() async throws {
        let diags = try scan.diagsOptions()
        // An unreadable map is a warning (open_node_name_map); the tool goes on without one.
        let names = diags.loadNodeNameMap() ?? NodeNameMap()
        var options = LinkInfoText.Options()
        options.lineMode = lineMode
        options.downOnly = downOnly
        options.switchSettings = switchSettings
        if switchesOnly || casOnly { (options.switches, options.channelAdapters) = (switchesOnly, casOnly) }
        if let load {
            do {
                let topology = try TopologyFile.parse(String(decoding: FileReader.contents(of: load), as: UTF8.self))
                print(LinkInfoText.text(topology, nodeNames: names, options: options), terminator: "")
                return
            } catch {
                StandardError.emit("loading cached fabric failed\nibmad iblinkinfo: \(load): \(error)\n")
                throw ExitCode(255)
            }
        }
        let session: DiagsSession
        do { session = try DiagsSession(diags, window: outstanding) } catch { throw error.report(tool: "iblinkinfo") }
        defer { session.close() }
        let progress = SweepProgress()
        let topology = await ProgressLine.around("discovering", progress) {
            await Discovery(agent: session.agent, options: .init(window: outstanding, request: session.options), progress: progress).run()
        }
        guard !topology.nodes.isEmpty else {
            StandardError.emit("discover failed\n")
            throw ExitCode(255)
        }
        print(LinkInfoText.text(topology, nodeNames: names, options: options), terminator: "")
        if !topology.isComplete {
            StandardError.emit("ibmad iblinkinfo: incomplete: \(topology.unreachable.count) queries got no answer:\n")
            for item in topology.unreachable { StandardError.emit("  \(item)\n") }
            throw ExitCode(1)
        }
    }
}
