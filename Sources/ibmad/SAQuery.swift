import ArgumentParser
import Fabric
import MADTransport
import MADWire

/// `ibmad saquery QUERY [ARG]`: infiniband-diags' saquery (saquery.c) for NodeRecord,
/// PathRecord, SMInfoRecord and PortInfoRecord. Like saquery, every query is a SubnAdmGetTable
/// (IBA 15.4) to the SM LID with a ComponentMask (IBA 15.2.1.1) for the components given,
/// and the records printed are those in the response as received: (length - 56) /
/// (AttributeOffset * 8) of them (ibdiag_sa.c sa_query). Without RMPP reassembly (ibsim)
/// a multi-record answer is only its first MAD, and saquery prints only those records.
struct SAQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saquery",
        abstract: "Query the subnet administrator's records (like infiniband-diags saquery).")

    @OptionGroup var diags: DiagsOptions

    @Option(name: .customLong("slid"), help: ArgumentHelp("Source LID (PathRecord).", valueName: "lid"))
    var slid: String?

    @Option(name: .customLong("dlid"), help: ArgumentHelp("Destination LID (PathRecord).", valueName: "lid"))
    var dlid: String?

    @Argument(help: "NodeRecord (NR) [lid], PathRecord (PR), SMInfoRecord (SMIR) [lid], PortInfoRecord (PIR) [lid[/port[/options]]].")
    var query: String

    /// saquery takes a second argument only for LinkRecord; PathRecord ignores its
    /// arguments (query_path_records reads only the options), so extra ones are accepted.
    @Argument(help: "The query's argument.")
    var arguments: [String] = []

    var argument: String? { kind == .path ? nil : arguments.first }
    var kind: Kind? { Kind(query) }
    /// ENONET, saquery's status when a name is not found.
    static let notOnNetwork: Int32 = 64

    func run() async throws {
        // saquery takes an unknown query name, or a LID that is not a number, for a node name
        // to look up in the NodeRecord table; not found, it exits with ENONET (64). Names are
        // not supported here: fail the same way, saying why.
        let lidText = argument?.split(separator: "/", omittingEmptySubsequences: false).first.map(String.init)
        guard let kind, lidText.map({ LIDArgument.number($0) != nil }) ?? true else {
            let name = kind == nil ? query : lidText ?? ""
            StandardError.emit("ibmad saquery: \"\(name)\" is not a LID, and node names are not supported; "
                               + "queries: NodeRecord (NR), PathRecord (PR), SMInfoRecord (SMIR), PortInfoRecord (PIR)\n")
            throw ExitCode(Self.notOnNetwork)
        }
        let session: DiagsSession
        do { session = try DiagsSession(diags) } catch { throw error.report(tool: "saquery") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let map = try diags.loadNodeNameMap()
            var request = MAD(class: .subnetAdministration, classVersion: 2, method: .getTable, attribute: kind.attribute)
            // The record's LID/port/options components, as parse_lid_and_ports reads "lid/port/options"
            // (strtoul base 0; a value that is 0 for a LID or absent for the others is not matched).
            let parts = argument.map { $0.split(separator: "/", omittingEmptySubsequences: false).map { LIDArgument.number(String($0)) } } ?? []
            var mask: UInt64 = 0
            func set(_ value: UInt64?, byte: Int, width: Int, bit: Int, unset: UInt64?) {
                guard let value, value != unset else { return }
                request[Field("component", byte: SAHeader.dataOffset + byte, width: width)] = value & (1 << width - 1)
                mask |= 1 << bit
            }
            switch kind {
            case .node, .smInfo:
                set(parts.first ?? nil, byte: 0, width: 16, bit: 0, unset: 0)  // NodeRecord/SMInfoRecord LID
            case .portInfo:
                set(parts.first ?? nil, byte: 0, width: 16, bit: 0, unset: 0)  // EndportLID
                set(parts.count > 1 ? parts[1] : nil, byte: 2, width: 8, bit: 1, unset: nil)  // PortNum
                set(parts.count > 2 ? parts[2] : nil, byte: 3, width: 8, bit: 2, unset: nil)  // Options
            case .path:
                // IBA 15.2.5.16: DLID is component 4, SLID component 5.
                set(dlid.flatMap(LIDArgument.number), byte: 40, width: 16, bit: 4, unset: 0)
                set(slid.flatMap(LIDArgument.number), byte: 42, width: 16, bit: 5, unset: 0)
            }
            request[SAHeader.componentMask] = mask
            let sm = diags.smPort?.value ?? session.port.smLID
            guard sm != 0 else {
                throw DiagsFailure(detail: "the port knows no SM LID (is a subnet manager running?); give -s")
            }
            let response: MAD
            do {
                response = try await session.agent.request(request, to: .generalServices(lid: sm), options: session.options)
            } catch {
                throw DiagsFailure(detail: "SubnAdmGetTable(\(kind.name)) to the SA at LID \(sm) failed: \(error)")
            }
            guard response.status.isSuccess else {
                throw DiagsFailure(detail: "the SA at LID \(sm) answered \(kind.name) with status \(response.status)")
            }
            let bytes = response.encoded
            let size = Int(response.saAttributeOffset) * 8
            let count = size == 0 ? 0 : (bytes.count - SAHeader.dataOffset) / size
            var text = ""
            var records: [DiagsJSON.Record] = []
            for index in 0..<count {
                let start = SAHeader.dataOffset + index * size
                // saquery counts records from umad_recv's length, which MADAgent does not pass
                // on; a slot past the message's end is recognised by its LID 0 (reserved, IBA
                // 4.1.3: no SA record has it). Exact only while the pool's slot beyond the
                // received bytes holds no older nonzero MAD data.
                let lid = Int(bytes[start + kind.lidOffset]) << 8 | Int(bytes[start + kind.lidOffset + 1])
                if lid == 0 { break }
                let (dump, json) = try kind.dump(bytes[start..<min(start + size, bytes.count)], map: map)
                text += dump
                records += json
            }
            if diags.json {
                print(DiagsJSON.document(tool: "saquery", query: kind.name, destination: nil, records: records), terminator: "")
            } else {
                print(text, terminator: "")
            }
        } catch { throw error.report(tool: "saquery") }
    }

    enum Kind {
        case node, path, smInfo, portInfo

        init?(_ name: String) {
            switch name.lowercased() {
            case "noderecord", "nr": self = .node
            case "pathrecord", "pr": self = .path
            case "sminforecord", "smir": self = .smInfo
            case "portinforecord", "pir": self = .portInfo
            default: return nil
            }
        }

        var name: String {
            switch self {
            case .node: "NodeRecord"
            case .path: "PathRecord"
            case .smInfo: "SMInfoRecord"
            case .portInfo: "PortInfoRecord"
            }
        }

        /// Where the record's LID is (NodeRecord/SMInfoRecord LID, PortInfoRecord EndportLID,
        /// PathRecord DLID).
        var lidOffset: Int { self == .path ? 40 : 0 }

        var attribute: AttributeID {
            switch self {
            case .node: .nodeRecord
            case .path: .pathRecord
            case .smInfo: .smInfoRecord
            case .portInfo: .portInfoRecord
            }
        }

        /// One record as saquery's dump_* prints it, and as JSON (the printed rows; a
        /// PortInfoRecord's PortInfo as smpquery --json gives it). `bytes` is the record
        /// padded to AttributeOffset (IBA 15.2.1.1), so the record is its first part.
        func dump(_ bytes: ArraySlice<UInt8>, map: NodeNameMap?) throws(DiagsFailure) -> (String, [DiagsJSON.Record]) {
            do {
                switch self {
                case .node:
                    let text = SAQueryText.nodeRecord(try NodeRecord(decoding: bytes.prefix(NodeRecord.layout.byteCount)), map: map)
                    return (text, [DiagsJSON.saRecord(attribute: name, text: text)])
                case .path:
                    let text = SAQueryText.pathRecord(try PathRecord(decoding: bytes.prefix(PathRecord.layout.byteCount)))
                    return (text, [DiagsJSON.saRecord(attribute: name, text: text)])
                case .smInfo:
                    let text = SAQueryText.smInfoRecord(try SMInfoRecord(decoding: bytes.prefix(SMInfoRecord.layout.byteCount)))
                    return (text, [DiagsJSON.saRecord(attribute: name, text: text, column: 22)])
                case .portInfo:
                    let record = try PortInfoRecord(decoding: bytes.prefix(PortInfoRecord.layout.byteCount))
                    let text = SAQueryText.portInfoRecord(record)
                    let rid = text.split(separator: "\tPortInfo dump:", maxSplits: 1).first.map(String.init) ?? ""
                    return (text, [DiagsJSON.saRecord(attribute: name, text: rid), DiagsJSON.portInfo(record.portInfo)])
                }
            } catch {
                throw DiagsFailure(detail: "a \(name) in the answer does not decode: \(error)")
            }
        }
    }
}
