import ArgumentParser
import Fabric

/// -d, -v, --node-name-map and --json: how a diags subcommand reports, shared by
/// DiagsOptions and saquery's options through `@OptionGroup`.
struct ReportOptions: ParsableArguments {
    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Print what goes wrong in more detail (stderr).")
    var debug: Int

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Verbose output.")
    var verbose: Int

    @Option(name: .customLong("node-name-map"), help: ArgumentHelp("Node name map file.", valueName: "file"))
    var nodeNameMap: String?

    @Flag(help: "Print JSON instead of the C tool's text.")
    var json = false

    /// open_node_name_map: a map that cannot be read or parsed is a warning on stderr and
    /// the tool goes on without one, as the C tools do.
    func loadNodeNameMap() -> NodeNameMap? { ibmad.loadNodeNameMap(nodeNameMap) }
}

/// open_node_name_map for a --node-name-map path (nil: none given).
func loadNodeNameMap(_ path: String?) -> NodeNameMap? {
    guard let path else { return nil }
    do { return try NodeNameMap(contentsOf: path) } catch {
        StandardError.emit(NodeNameMap.warning(error))
        return nil
    }
}
