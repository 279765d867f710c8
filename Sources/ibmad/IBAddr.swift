import ArgumentParser
import Fabric
import MADWire

/// `ibmad ibaddr [lid|dr_path|guid] [port]`: infiniband-diags' ibaddr (ibaddr.c): the
/// port's GID and LID range from NodeInfo and PortInfo. As in ibaddr, -L means "LID range
/// in decimal" here (ibaddr drops the common -L; a LID is the default address anyway).
struct IBAddr: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibaddr",
        abstract: "Show a port's GID and LID range (like infiniband-diags ibaddr).")

    @OptionGroup var diags: DiagsOptions

    @Flag(name: [.customShort("g"), .customLong("gid_show")], help: "Show the GID only.")
    var gidOnly = false

    @Flag(name: [.customShort("l"), .customLong("lid_show")], help: "Show the LID range only.")
    var lidOnly = false

    @Flag(name: .customLong("Lid_show"), help: "Show the LID range in decimal only (also -L).")
    var decimal = false

    @Argument(help: "The port: a LID, a GUID with -G, a DR path with -D (default: this port).")
    var destination: String?

    @Argument(help: "Port number for PortInfo.")
    var port: String?

    func run() async throws {
        var portNumber = port.map { Int(truncatingIfNeeded: LIDArgument.number($0) ?? 0) } ?? 0
        let decimalLID = decimal || diags.lid
        var style: IBAddrText.LIDStyle = decimalLID ? .decimal : (lidOnly ? .hex : .none)
        var showGID = gidOnly
        if !gidOnly && !lidOnly && !decimalLID { showGID = true; style = .hex }
        let session: DiagsSession
        do { session = try DiagsSession(diags) } catch { throw error.report(tool: "ibaddr") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let target: DiagsTarget
            if let destination {
                target = try await session.target(destination, diags)
            } else {
                // resolve_self: this port's LID, and its number for PortInfo.
                target = .lid(session.localLID)
                portNumber = session.portNumber
            }
            let failure = "can't resolve requested address"
            let node = try session.decode(NodeInfo.self, try await session.get(.nodeInfo, at: target, orFail: failure), orFail: failure)
            let info = try session.decode(PortInfo.self, try await session.get(.portInfo, modifier: UInt32(truncatingIfNeeded: portNumber),
                                                                               at: target, orFail: failure), orFail: failure)
            if diags.json {
                print(DiagsJSON.document(tool: "ibaddr", query: "address", destination: target.destination, port: portNumber,
                                         records: [DiagsJSON.address(portInfo: info, nodeInfo: node)]), terminator: "")
            } else {
                print(IBAddrText.line(portInfo: info, nodeInfo: node, gid: showGID, lid: style), terminator: "")
            }
        } catch { throw error.report(tool: "ibaddr") }
    }
}
