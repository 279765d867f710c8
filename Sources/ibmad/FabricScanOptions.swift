import ArgumentParser
import Fabric

/// The common options of the fabric-scanning tools (ibqueryerrors, iblinkinfo), which
/// take only part of infiniband-diags' common set: ibdiag_process_opts excludes letters
/// these tools use for their own options (ibqueryerrors' -s suppress, iblinkinfo's
/// -d down-only, both tools' -D/-G single-node forms).
struct FabricScanOptions: ParsableArguments {
    @OptionGroup var portOptions: PortOptions
    @Option(name: [.customShort("y"), .customLong("m_key")], help: ArgumentHelp("M_Key to put in SMPs.", valueName: "key"))
    var mKey: GUIDArgument?
    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Verbose output (stderr).") var verbose: Int
    @Option(name: .customLong("node-name-map"), help: ArgumentHelp("Node name map file.", valueName: "file"))
    var nodeNameMap: String?

    /// What DiagsOptions would refuse (the parser has read -y as DiagsOptions reads it).
    func check() throws { try portOptions.checkRanges() }

    /// The session these options open (`check()` has passed).
    func session(window: Int) throws(DiagsFailure) -> DiagsSession {
        try DiagsSession(ca: portOptions.ca, port: portOptions.port, options: portOptions.requestOptions,
                         mKey: mKey?.value ?? 0, window: window)
    }

    func loadNodeNameMap() -> NodeNameMap? { ibmad.loadNodeNameMap(nodeNameMap) }
}
