import ArgumentParser
import Fabric
import MADWire

/// `ibmad ibportstate <dest> <portnum> [<op> ...]`: infiniband-diags' ibportstate
/// (ibportstate.c, rdma-core 44). Query shows a port's state, widths and speeds (and, for an
/// active switch port, its peer's); the other ops send a PortInfo Set (IBA 14.2.5.6) built
/// from the port's PortInfo with PortState/PortPhysicalState set as the op asks, and show
/// the PortInfo the SMA answers with. Text, failures and exit statuses as the C tool.
struct IBPortState: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibportstate",
        abstract: "Query or change a port's state, speed and width (like infiniband-diags ibportstate).",
        discussion: "Ops: query (default), enable, disable, on, off, reset, down, arm, active; with a value: "
            + "speed N, espeed N, fdr10 N, width N, vls N, mtu N, lid N, smlid N, lmc N, mkey N, mkeylease N, mkeyprot N.")

    @OptionGroup var diags: DiagsOptions

    @Flag(name: [.customShort("K"), .customLong("show_keys")], help: "Show M_Key in PortInfo.")
    var showKeys = false

    @Argument(help: "<dest dr_path|lid|guid> <portnum> [<op> [<value>]]...")
    var arguments: [String] = []

    func run() async throws {
        guard arguments.count >= 2 else {
            StandardError.emit(Self.helpMessage() + "\n")
            throw ExitCode(2)  // ibdiag_show_usage
        }
        // ibportstate reads the port with strtol(..., 0), junk as 0; we refuse junk.
        guard let port = CNumber.unsigned(arguments[1]), port <= 255 else {
            StandardError.emit("ibmad ibportstate: port number \"\(arguments[1])\" is not a port number 0-255 (decimal or 0x-hex)\n")
            throw ExitCode(2)
        }
        let session: DiagsSession
        do { session = try DiagsSession(diags) } catch { throw error.report(tool: "ibportstate") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let target = try await session.target(arguments[0], diags).destination
            let request = try PortStateRequest(parsing: Array(arguments.dropFirst(2)))
            var run = PortStateRun(session: session, target: target, port: Int(port), request: request,
                                   showKeys: showKeys, json: diags.json)
            try await run.perform()
            run.finishJSON()
        } catch { throw error.report(tool: "ibportstate") }
    }
}

/// The ops and values of an ibportstate command line, checked as ibportstate checks them
/// (same IBEXIT texts).
struct PortStateRequest {
    enum Operation: String, CaseIterable {
        case query, enable, reset, disable, down, arm, active, on, off
    }
    enum Value: String, CaseIterable {
        case speed, espeed, fdr10, width, vls, mtu, lid, smlid, lmc, mkey, mkeylease, mkeyprot
    }

    var operation: Operation?
    var values: [Value: UInt64] = [:]

    /// ibportstate's "port_op != QUERY || changed": anything other than a plain query.
    var changes: Bool { (operation ?? .query) != .query || !values.isEmpty }

    init(parsing words: [String]) throws(DiagsFailure) {
        var index = 0
        while index < words.count {
            let word = words[index]
            if let op = Operation(rawValue: word) {
                if operation != nil {
                    throw DiagsFailure(stdout: "\(word) only one of: query, enable, disable, reset, down, arm, active, can be specified")
                }
                operation = op
            } else if let key = Value(rawValue: word) {
                index += 1
                guard index < words.count else { throw DiagsFailure(stdout: "\(word) requires an additional parameter") }
                values[key] = try Self.check(key, words[index])
            } else {
                throw DiagsFailure(stdout: "invalid operation: \(word)",
                                   detail: "ops: " + (Operation.allCases.map(\.rawValue) + Value.allCases.map { "\($0.rawValue) N" }).joined(separator: ", "))
            }
            index += 1
        }
    }

    /// The range checks of ibportstate's main(); a value strtoull would read as 0 (not a
    /// number) is refused here, where C takes it as 0.
    static func check(_ key: Value, _ text: String) throws(DiagsFailure) -> UInt64 {
        guard let value = CNumber.unsigned(text) else {
            if key == .mkey { throw DiagsFailure(stdout: "Bad new M_Key\n", detail: "\"\(text)\" is not a 64-bit number") }
            throw DiagsFailure(stdout: "invalid \(key.rawValue) value \(text)", detail: "give a number, decimal or 0x-hex")
        }
        func bad(_ what: String, hex: Bool = false) -> DiagsFailure {
            DiagsFailure(stdout: "invalid \(what) " + (hex ? "0x" + String(value, radix: 16) : "\(value)"))
        }
        switch key {
        case .speed where value > 15: throw bad("speed value")
        case .espeed where value > 31: throw bad("extended speed value")
        case .fdr10 where value > 1: throw bad("fdr10 speed value")
        case .width where value > 31 && value != 255: throw bad("width value")
        case .vls where value == 0 || value > 5: throw bad("vls value")
        case .mtu where value == 0 || value > 5: throw bad("mtu value")
        case .lid where value == 0 || value >= 0xC000: throw bad("lid value", hex: true)
        case .smlid where value == 0 || value >= 0xC000: throw bad("smlid value", hex: true)
        case .lmc where value > 7: throw bad("lmc value")
        case .mkeylease where value > 0xFFFF: throw bad("mkey lease time")
        case .mkeyprot where value > 3: throw bad("mkey protection bit setting")
        default: return value
        }
    }
}
