import ArgumentParser
import Fabric
import MADWire

/// `ibmad smpquery <op> <dest> [port]`: infiniband-diags' smpquery (smpquery.c). The same
/// text on stdout, the same IBEXIT line and status 255 on failure, status 2 with the usage
/// when arguments are missing; our explanation of a failure goes to stderr.
struct SMPQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smpquery",
        abstract: "Query SMA attributes (like infiniband-diags smpquery).",
        discussion: "Ops (case insensitive): " + Operation.allCases.map { "\($0.name) (\($0.alias))" }.joined(separator: ", "))

    enum Operation: CaseIterable {
        case nodeInfo, nodeDesc, portInfo, switchInfo, pKeyTable, sl2vl, vlArbitration, guidInfo

        /// smpquery's match_tbl names and aliases.
        var name: String {
            switch self {
            case .nodeInfo: "NodeInfo"
            case .nodeDesc: "NodeDesc"
            case .portInfo: "PortInfo"
            case .switchInfo: "SwitchInfo"
            case .pKeyTable: "PKeyTable"
            case .sl2vl: "SL2VLTable"
            case .vlArbitration: "VLArbitration"
            case .guidInfo: "GUIDInfo"
            }
        }
        var alias: String {
            switch self {
            case .nodeInfo: "NI"
            case .nodeDesc: "ND"
            case .portInfo: "PI"
            case .switchInfo: "SI"
            case .pKeyTable: "PKeys"
            case .sl2vl: "SL2VL"
            case .vlArbitration: "VLArb"
            case .guidInfo: "GI"
            }
        }
        init?(_ text: String) {
            let lower = text.lowercased()
            guard let op = Self.allCases.first(where: { $0.name.lowercased() == lower || $0.alias.lowercased() == lower }) else {
                return nil
            }
            self = op
        }
    }

    @OptionGroup var diags: DiagsOptions

    @Flag(name: [.customShort("K"), .customLong("show_keys")], help: "Show M_Key in PortInfo.")
    var showKeys = false

    @Argument(help: "The operation (NodeInfo, NodeDesc, PortInfo, SwitchInfo, PKeyTable, SL2VLTable, VLArbitration, GUIDInfo).")
    var operation: String?

    @Argument(help: "The destination: a LID, a GUID with -G, a DR path with -D.")
    var destination: String?

    @Argument(help: "Operation parameters: [<portnum>].")
    var parameters: [String] = []

    func run() async throws {
        guard let operation, let destination else {
            StandardError.emit(Self.helpMessage() + "\n")
            throw ExitCode(2)  // ibdiag_show_usage
        }
        guard let op = Operation(operation) else {
            throw DiagsFailure(stdout: "operation '\(operation)' not supported",
                               detail: "known operations: " + Operation.allCases.map { "\($0.name) (\($0.alias))" }.joined(separator: ", "))
                .report(tool: "smpquery")
        }
        // strtol(argv[0], NULL, 0), as smpquery reads the port: junk reads as 0.
        let portNumber = parameters.first.map { Int(LIDArgument.number($0) ?? 0) } ?? 0
        let map: NodeNameMap?
        let session: DiagsSession
        do {
            map = diags.loadNodeNameMap()
            session = try DiagsSession(diags)
        } catch { throw error.report(tool: "smpquery") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let target = try await session.target(destination, diags)
            let output: String
            do {
                output = try await query(op, target: target, port: portNumber, session: session, map: map)
            } catch {
                throw DiagsFailure(stdout: error.stdout.map { "operation \(operation): \($0)" }, detail: error.detail)
            }
            print(output, terminator: "")
        } catch { throw error.report(tool: "smpquery") }
    }

    /// Runs one operation as smpquery.c does (same queries, same order) and returns the
    /// text, or JSON with --json.
    func query(_ op: Operation, target: DiagsTarget, port: Int, session: DiagsSession,
               map: NodeNameMap?) async throws(DiagsFailure) -> String {
        let destination = target.destination
        let modifier = UInt32(truncatingIfNeeded: port)
        func get<A: WireStructure>(_ type: A.Type, _ attribute: AttributeID, _ modifier: UInt32 = 0,
                                   _ failure: String) async throws(DiagsFailure) -> A {
            let mad = try await session.get(attribute, modifier: modifier, at: target, orFail: failure)
            return try session.decode(type, mad, orFail: failure)
        }
        func json(_ query: String, port: Int? = nil, _ records: [DiagsJSON.Record]) -> String {
            DiagsJSON.document(tool: "smpquery", query: query, destination: destination, port: port, records: records)
        }
        switch op {
        case .nodeInfo:
            let info = try await get(NodeInfo.self, .nodeInfo, 0, "node info query failed")
            return diags.json ? json("nodeinfo", [DiagsJSON.nodeInfo(info)]) : SMPQueryText.nodeInfo(info, destination: destination)
        case .nodeDesc:
            let info = try await get(NodeInfo.self, .nodeInfo, 0, "node info query failed")
            let description = try await get(NodeDescription.self, .nodeDescription, 0, "node desc query failed")
            return diags.json
                ? json("nodedesc", [DiagsJSON.nodeDescription(description, nodeGUID: info.nodeGUID, map: map)])
                : SMPQueryText.nodeDescription(description, nodeGUID: info.nodeGUID, map: map)
        case .portInfo:
            let info = try await get(PortInfo.self, .portInfo, modifier, "port info query failed")
            return diags.json ? json("portinfo", port: port, [DiagsJSON.portInfo(info, showKeys: showKeys)])
                : SMPQueryText.portInfo(info, destination: destination, port: port, showKeys: showKeys)
        case .switchInfo:
            let info = try await get(SwitchInfo.self, .switchInfo, 0, "switch info query failed")
            return diags.json ? json("switchinfo", [DiagsJSON.switchInfo(info)]) : SMPQueryText.switchInfo(info, destination: destination)
        case .pKeyTable:
            let node = try await get(NodeInfo.self, .nodeInfo, 0, "node info query failed")
            guard port <= Int(node.numberOfPorts) else { throw DiagsFailure(stdout: "invalid port number") }
            var capacity = Int(node.partitionCap)
            if node.nodeType == .switch && port != 0 {
                capacity = Int(try await get(SwitchInfo.self, .switchInfo, 0, "switch info failed").partitionEnforcementCap)
            }
            var blocks: [PKeyTable] = []
            for block in 0..<((capacity + 31) / 32) {
                blocks.append(try await get(PKeyTable.self, .pKeyTable, UInt32(block) | modifier << 16, "pkey table query failed"))
            }
            return diags.json ? json("pkeys", port: port, [DiagsJSON.pKeys(blocks, capacity: capacity)])
                : SMPQueryText.pKeys(blocks, capacity: capacity)
        case .sl2vl:
            let node = try await get(NodeInfo.self, .nodeInfo, 0, "node info query failed")
            guard port <= Int(node.numberOfPorts) else { throw DiagsFailure(stdout: "invalid port number") }
            let pairs = node.nodeType == .switch ? (0...Int(node.numberOfPorts)).map { ($0, port) } : [(0, 0)]
            var rows: [(inPort: Int, outPort: Int, table: SLToVLMappingTable)] = []
            for (input, output) in pairs {
                let table = try await get(SLToVLMappingTable.self, .slToVLMappingTable,
                                          UInt32(truncatingIfNeeded: input << 8 | output), "slvl query failed")
                rows.append((input, output, table))
            }
            return diags.json ? json("sl2vl", port: port, DiagsJSON.slToVL(rows)) : SMPQueryText.slToVL(rows, destination: destination)
        case .vlArbitration:
            if port == 0 {
                let node = try await get(NodeInfo.self, .nodeInfo, 0, "node info query failed")
                if node.nodeType == .switch {
                    let info = try await get(SwitchInfo.self, .switchInfo, 0, "switch info query failed")
                    if !info.enhancedPort0 {
                        return diags.json ? json("vlarb", port: 0, [])
                            : SMPQueryText.noVLArbitrationBaseSwitchPort0(destination: destination)
                    }
                }
            }
            let info = try await get(PortInfo.self, .portInfo, modifier, "port info query failed")
            let lowCap = Int(info.vlArbitrationLowCap), highCap = Int(info.vlArbitrationHighCap)
            var low: [VLArbitrationTable] = [], high: [VLArbitrationTable] = []
            // Blocks 1-2 hold the low-priority table, 3-4 the high (IBA 14.2.5.9).
            for (cap, first) in [(lowCap, 1), (highCap, 3)] where cap > 0 {
                var blocks: [VLArbitrationTable] = []
                for block in first..<(first + (cap > 32 ? 2 : 1)) {
                    blocks.append(try await get(VLArbitrationTable.self, .vlArbitrationTable,
                                                UInt32(block) << 16 | modifier, "vl arb query failed"))
                }
                if first == 1 { low = blocks } else { high = blocks }
            }
            return diags.json
                ? json("vlarb", port: port, DiagsJSON.vlArbitration(lowCap: lowCap, highCap: highCap, low: low, high: high))
                : SMPQueryText.vlArbitration(destination: destination, port: port, lowCap: lowCap, highCap: highCap,
                                             low: low, high: high)
        case .guidInfo:
            let info = try await get(PortInfo.self, .portInfo, 0, "port info failed")
            let capacity = Int(info.guidCap)
            var blocks: [GUIDInfo] = []
            for block in 0..<((capacity + 7) / 8) {
                blocks.append(try await get(GUIDInfo.self, .guidInfo, UInt32(block), "guid info query failed"))
            }
            return diags.json ? json("guids", [DiagsJSON.guids(blocks, capacity: capacity)]) : SMPQueryText.guids(blocks, capacity: capacity)
        }
    }
}
