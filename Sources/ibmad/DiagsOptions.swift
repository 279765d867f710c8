import ArgumentParser
import Fabric
import MADAgents
import MADWire

/// The options every infiniband-diags tool takes (ibdiag_common.c), shared by the
/// fabric-facing subcommands through `@OptionGroup`.
struct DiagsOptions: ParsableArguments {
    @OptionGroup var portOptions: PortOptions
    var ca: String? { portOptions.ca }
    var port: Int? { portOptions.port }
    var timeout: Int? { portOptions.timeout }

    @Flag(name: [.customShort("D"), .customLong("Direct")], help: "The destination is a directed-route path (0,1,3).")
    var direct = false

    @Flag(name: [.customShort("G"), .customLong("Guid")], help: "The destination is a port GUID (resolved through the SA).")
    var guid = false

    @Flag(name: [.customShort("L"), .customLong("Lid")], help: "The destination is a LID (the default).")
    var lid = false

    @Option(name: [.customShort("s"), .customLong("sm_port")],
            help: ArgumentHelp("SM LID to ask for path records (default: the port's SM LID).", valueName: "lid"))
    var smPort: LIDArgument?

    @Option(name: [.customShort("y"), .customLong("m_key")], help: ArgumentHelp("M_Key to put in SMPs.", valueName: "key"))
    var mKey: GUIDArgument?

    @OptionGroup var reportOptions: ReportOptions
    var debug: Int { reportOptions.debug }
    var verbose: Int { reportOptions.verbose }
    var nodeNameMap: String? { reportOptions.nodeNameMap }
    var json: Bool { reportOptions.json }

    @OptionGroup var transportOptions: TransportOptions

    @Option(name: .customLong("dgid"),
            help: ArgumentHelp("Destination GID (RoCE has no LIDs): fe80::..., ::ffff:a.b.c.d, or a.b.c.d for IPv4-mapped.",
                               valueName: "gid"))
    var dgid: String?

    @Option(name: .customLong("dqpn"),
            help: ArgumentHelp("Destination QP of GMPs (default 1, the GSI; a verbs server has a QP of its own).",
                               valueName: "qpn"))
    var dqpn: UInt32?

    func validate() throws {
        if let dqpn, dqpn == 0 || dqpn > 0xFF_FFFF { throw ValidationError("--dqpn \(dqpn) is not a GSI QP number (1-0xFFFFFF; QP0 takes SMPs only)") }
        _ = try parseDestinationGID(dgid, option: "--dgid")
        if [direct, guid, lid].filter({ $0 }).count > 1 { throw ValidationError("use only one of -D, -G and -L") }
        try portOptions.checkRanges()
    }

    /// The port DiagsSession opens (the GID was checked by validate()).
    var transport: TransportChoice {
        TransportChoice(kind: transportOptions.transport, gidIndex: transportOptions.gidIndex,
                        destinationGID: (try? parseDestinationGID(dgid, option: "--dgid")) ?? nil,
                        destinationQP: dqpn ?? 1)
    }

    /// Per-request timeout and retries as libibmad: MAD_DEF_TIMEOUT_MS 1000, MAD_DEF_RETRIES 3.
    var requestOptions: RequestOptions { portOptions.requestOptions }

    func loadNodeNameMap() -> NodeNameMap? { reportOptions.loadNodeNameMap() }
}

/// A unicast LID, 0x0001-0xBFFF (IBA 4.1.3: 0 is reserved, 0xC000-0xFFFE multicast,
/// 0xFFFF permissive). Decimal or 0x-hex, as strtoul(..., 0) reads it.
struct LIDArgument: ExpressibleByArgument, Sendable {
    var value: UInt16

    init?(argument: String) { try? self.init(parsing: argument) }

    init(parsing text: String) throws(DiagsFailure) {
        guard let number = Self.number(text) else {
            throw DiagsFailure(detail: "\"\(text)\" is not a LID: give a number, decimal or 0x-hex (e.g. 12 or 0xc)")
        }
        guard number != 0 else { throw DiagsFailure(detail: "LID 0 is reserved; unicast LIDs are 0x0001-0xBFFF") }
        guard number <= 0xBFFF else {
            throw DiagsFailure(detail: "LID \(text) is not a unicast LID (0x0001-0xBFFF); 0xC000-0xFFFE are multicast, 0xFFFF permissive")
        }
        value = UInt16(number)
    }

    static func number(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16) }
        return UInt64(lower)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A 64-bit GUID (or M_Key) in hex, with or without 0x (strtoull(..., 0) also takes decimal,
/// but GUIDs are always written in hex).
struct GUIDArgument: ExpressibleByArgument, Sendable {
    var value: UInt64

    init?(argument: String) { try? self.init(parsing: argument) }

    init(parsing text: String) throws(DiagsFailure) {
        var digits = Substring(text.lowercased())
        if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 16, let value = UInt64(digits, radix: 16) else {
            throw DiagsFailure(detail: "\"\(text)\" is not a GUID: give up to 16 hex digits, e.g. 0x0002c90300a1b2c3")
        }
        self.value = value
    }
}

/// A directed route as -D takes it: "0,1,3" (MADWire's strict parser).
struct DRPathArgument: ExpressibleByArgument, Sendable {
    var value: DirectedRoutePath

    init?(argument: String) { try? self.init(parsing: argument) }

    init(parsing text: String) throws(DiagsFailure) {
        do { value = try DirectedRoutePath(parsing: text) } catch {
            throw DiagsFailure(detail: "bad directed route: \(error.detail)")
        }
    }
}

/// How a diags subcommand fails: what the C tool prints on stdout (IBEXIT's
/// "tool: iberror: failed: ..."), an explanation for stderr, and the exit status.
struct DiagsFailure: Error {
    /// The IBEXIT text after "failed: " (nil: print nothing on stdout).
    var stdout: String?
    var detail: String?
    var status: Int32 = Diags.exitFailureStatus

    init(stdout: String? = nil, detail: String? = nil, status: Int32 = Diags.exitFailureStatus) {
        self.stdout = stdout
        self.detail = detail
        self.status = status
    }

    /// Prints the failure as `tool` and returns the exit code to throw.
    func report(tool: String) -> ExitCode {
        if let stdout { print(Diags.exitMessage(tool: tool, stdout), terminator: "") }
        if let detail { StandardError.emit("ibmad \(tool): \(detail)\n") }
        return ExitCode(status)
    }
}

/// Where a query goes, after -L/-G/-D and the destination argument are resolved.
enum DiagsTarget {
    case lid(UInt16)
    case directed(DirectedRoutePath)

    var destination: DiagsDestination {
        switch self {
        case .lid(let lid): .lid(lid)
        case .directed(let path): .directed(path)
        }
    }
}
