import ArgumentParser
import Fabric
import MADWire

/// `ibmad ibroute [-a] [-n] [-M] <dest> [<startlid> [<endlid>]]`: infiniband-diags' ibroute
/// (ibroute.c): a switch's unicast (LinearForwardingTable) or multicast
/// (MulticastForwardingTable) routes, each unicast destination named from its NodeInfo,
/// PortInfo and NodeDescription. Same queries in the same order, same text; failures as
/// IBEXIT ("ibroute: iberror: failed: dump tables: not a switch", status 255).
struct IBRoute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibroute",
        abstract: "Dump a switch's unicast or multicast forwarding table (like infiniband-diags ibroute).")

    @OptionGroup var diags: DiagsOptions

    @Flag(name: [.customShort("a"), .customLong("all")], help: "Show all LIDs, even those with invalid out ports.")
    var all = false

    @Flag(name: [.customShort("n"), .customLong("no_dests")], help: "Do not resolve destinations.")
    var brief = false

    @Flag(name: [.customShort("M"), .customLong("Multicast"), .customLong("multicast")], help: "Show the multicast forwarding table.")
    var multicast = false

    @Argument(help: "The switch: a LID, a GUID with -G, a DR path with -D.")
    var destination: String?

    @Argument(help: "First LID (or MLID with -M) to dump; 0 means from the start.")
    var startLID: String?

    @Argument(help: "Last LID (or MLID) to dump; 0 means to the table's top.")
    var endLID: String?

    func run() async throws {
        guard let destination else {
            StandardError.emit(Self.helpMessage() + "\n")
            throw ExitCode(2)  // ibdiag_show_usage
        }
        // ibroute reads the range with strtoul(..., 0); we refuse what strtoul would read as 0.
        var range: [UInt32] = []
        for (name, text) in [("start LID", startLID), ("end LID", endLID)] {
            guard let text else { range.append(0); continue }
            guard let value = CNumber.unsigned(text) else {
                StandardError.emit("ibmad ibroute: \(name) \"\(text)\" is not a number: give decimal, 0x-hex or 0-octal (e.g. 0x10)\n")
                throw ExitCode(2)
            }
            range.append(UInt32(truncatingIfNeeded: value))
        }
        let map: NodeNameMap?
        let session: DiagsSession
        do {
            map = diags.loadNodeNameMap()
            session = try DiagsSession(diags)
        } catch { throw error.report(tool: "ibroute") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let target = try await session.target(destination, diags).destination
            let dumper = RouteDump(session: session, target: target, map: map, all: all, brief: brief,
                                   verbose: diags.verbose > 0, json: diags.json)
            let sw: RouteDump.Switch
            do { sw = try await dumper.checkSwitch() } catch {
                throw DiagsFailure(stdout: error.stdout.map { "dump tables: \($0)" }, detail: error.detail)
            }
            if multicast {
                await dumper.multicast(sw, start: range[0], end: range[1])
            } else {
                await dumper.unicast(sw, start: Int32(bitPattern: range[0]), end: Int32(bitPattern: range[1]))
            }
        } catch { throw error.report(tool: "ibroute") }
    }
}

/// strtoul(text, NULL, 0) for a whole argument: decimal, 0x-hex, or octal with a leading
/// 0. nil for anything else (C would stop at the first bad character).
enum CNumber {
    static func unsigned(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16) }
        if lower.hasPrefix("0") && lower.count > 1 { return UInt64(lower.dropFirst(), radix: 8) }
        return UInt64(lower)
    }
}
