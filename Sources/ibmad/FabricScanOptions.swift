import ArgumentParser
import Fabric

/// The common options of the fabric-scanning tools (ibqueryerrors, iblinkinfo), which
/// take only part of infiniband-diags' common set: ibdiag_process_opts excludes letters
/// these tools use for their own options (ibqueryerrors' -s suppress, iblinkinfo's
/// -d down-only, both tools' -D/-G single-node forms).
struct FabricScanOptions: ParsableArguments {
    @OptionGroup var portOptions: PortOptions
    @Option(name: [.customShort("y"), .customLong("m_key")], help: ArgumentHelp("M_Key to put in SMPs.", valueName: "key"))
    var mKey: String?
    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Verbose output (stderr).") var verbose: Int
    @Option(name: .customLong("node-name-map"), help: ArgumentHelp("Node name map file.", valueName: "file"))
    var nodeNameMap: String?

    /// What DiagsOptions would refuse, checked without parsing the command line again (a
    /// parse reflects over the option types: it cost as much as the first). A malformed
    /// -y still goes through that parse, for its message.
    func check() throws {
        try portOptions.checkRanges()
        if let mKey, GUIDArgument(argument: mKey) == nil { _ = try diagsOptions() }
    }

    /// The session these options open (`check()` has passed).
    func session(window: Int) throws(DiagsFailure) -> DiagsSession {
        try DiagsSession(ca: portOptions.ca, port: portOptions.port, options: portOptions.requestOptions,
                         mKey: mKey.flatMap { GUIDArgument(argument: $0)?.value } ?? 0, window: window)
    }

    func loadNodeNameMap() -> NodeNameMap? { ibmad.loadNodeNameMap(nodeNameMap) }

    /// The same settings as the shared session code takes them (validated by its parser).
    func diagsOptions() throws -> DiagsOptions {
        var arguments: [String] = []
        if let ca = portOptions.ca { arguments += ["-C", ca] }
        if let port = portOptions.port { arguments += ["-P", String(port)] }
        if let timeout = portOptions.timeout { arguments += ["-t", String(timeout)] }
        if let mKey { arguments += ["-y", mKey] }
        if let nodeNameMap { arguments += ["--node-name-map", nodeNameMap] }
        return try DiagsOptions.parse(arguments)
    }
}
