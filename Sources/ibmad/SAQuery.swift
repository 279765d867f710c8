import ArgumentParser
import Fabric
import MADAgents
import MADTransport
import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// `ibmad saquery [options] [query [args]]`: infiniband-diags' saquery (saquery.c). Every
/// query is a SubnAdmGetTable (IBA 15.4) to the port's SM LID with a ComponentMask (IBA
/// 15.2.1.1) for what was given; the records printed are those of the response as received
/// (SAClient.query). saquery takes -D -G -L -s for its own meanings, so its common options
/// are only -C -P -t -d -v (SAQueryOptions).
struct SAQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saquery",
        abstract: "Query the subnet administrator's records (like infiniband-diags saquery).")

    @OptionGroup var common: SAQueryOptions
    @OptionGroup var select: SAQuerySelection

    @Argument(help: """
        NodeRecord (NR) [lid|name], PortInfoRecord (PIR) [[lid]/[port]/[options]], SMInfoRecord (SMIR) [lid], \
        SwitchInfoRecord (SWIR) [lid], GUIDInfoRecord (GIR) [[lid]/[block]], PKeyTableRecord (PKTR) \
        [[lid]/[port]/[block]], LinkRecord (LR) [[from_lid]/[from_port]] [[to_lid]/[to_port]], ServiceRecord (SR), \
        PathRecord (PR), MCMemberRecord (MCMR), InformInfoRecord (IIR) [subscriber_gid], ClassPortInfo (CPI).
        """)
    var arguments: [String] = []

    func run() async throws {
        var arguments = arguments
        var kind = select.kind
        let command = select.command
        if kind == nil && command == .query {
            if let first = arguments.first, let found = SAQueryKind(first) {
                kind = found
                arguments.removeFirst()
            } else if let first = arguments.first, SAQueryKind.unsupported.contains(first.lowercased()) {
                StandardError.emit("ibmad saquery: \(first) is not supported (yet); supported: \(SAQueryKind.names)\n")
                throw ExitCode(SAFailure.einval)
            } else {
                kind = .node
            }
        }
        let name = arguments.first
        if let failure = select.usageError(name: name) {
            StandardError.emit(failure + "\n")
            throw ExitCode(2)  // ibdiag_show_usage
        }
        let session: DiagsSession
        do {
            // saquery's --dgid names a PathRecord's DGID (SAQuerySelection); the SA itself is
            // reached by the port's SM LID over either transport.
            session = try DiagsSession(ca: common.ca, port: common.port,
                                       options: RequestOptions(timeoutMilliseconds: common.timeout ?? 1000, retries: 3),
                                       transport: TransportChoice(kind: common.transport.transport, gidIndex: common.transport.gidIndex),
                                       classes: .gsi)
        } catch { throw error.report(tool: "saquery") }
        defer { session.close() }
        guard session.smLID != 0 else {
            // sa_get_handle: "No SM/SA found on port", then IBPANIC("Failed to bind to the SA").
            StandardError.emit("ibmad saquery: the port knows no SM LID (is a subnet manager running?)\n")
            throw ExitCode(255)
        }
        let map = common.loadNodeNameMap()
        let client = SAClient(session: session, sm: session.smLID, smKey: select.smKey.flatMap { SAClient.strtol($0) }
                                .map { UInt64(bitPattern: $0) } ?? 0)
        var output = SAQueryOutput(json: common.json)
        do throws(SAFailure) {
            let run = SAQueryRun(client: client, select: select, map: map, arguments: arguments)
            switch command {
            case .query: try await run.query(kind ?? .node, into: &output)
            default: try await run.command(command, name: name, into: &output)
            }
        } catch {
            output.flush(query: kind?.name ?? command.name)
            if !error.stdout.isEmpty { print(error.stdout, terminator: "") }
            StandardError.emit(error.stderr)
            throw ExitCode(error.status)
        }
        output.flush(query: kind?.name ?? command.name)
    }
}

/// What saquery keeps of infiniband-diags' common options (it takes -D -G -L -s -y itself).
struct SAQueryOptions: ParsableArguments {
    @OptionGroup var portOptions: PortOptions
    var ca: String? { portOptions.ca }
    var port: Int? { portOptions.port }
    var timeout: Int? { portOptions.timeout }

    @OptionGroup var reportOptions: ReportOptions
    var debug: Int { reportOptions.debug }
    var verbose: Int { reportOptions.verbose }
    var nodeNameMap: String? { reportOptions.nodeNameMap }
    var json: Bool { reportOptions.json }

    @OptionGroup var transport: TransportOptions

    func validate() throws {
        try portOptions.checkRanges()
    }

    func loadNodeNameMap() -> NodeNameMap? { reportOptions.loadNodeNameMap() }
}

/// Text as saquery prints it, or the same records as one JSON document.
struct SAQueryOutput {
    let json: Bool
    var records: [DiagsJSON.Record] = []

    /// `text` as printed; in JSON its rows (`saRecord`), or `jsonRecords` when given.
    mutating func emit(_ text: String, attribute: String, column: Int = 24, jsonRecords: [DiagsJSON.Record]? = nil) {
        if json {
            if let jsonRecords { records += jsonRecords; return }
            if text.contains("..") { records.append(DiagsJSON.saRecord(attribute: attribute, text: text, column: column)) }
        } else {
            print(text, terminator: "")
        }
    }

    /// Lines with no record (headings such as "IsSM ports").
    func heading(_ text: String) { if !json { print(text, terminator: "") } }

    mutating func flush(query: String) {
        guard json else { return }
        print(DiagsJSON.document(tool: "saquery", query: query, destination: nil, records: records), terminator: "")
        records = []
    }
}
