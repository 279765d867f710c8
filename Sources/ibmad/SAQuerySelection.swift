import ArgumentParser
import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// The queries saquery knows by name or alias (query_cmds in saquery.c).
enum SAQueryKind: CaseIterable {
    case classPortInfo, node, portInfo, pKeyTable, informInfo, link, service, path, mcMember, guidInfo, switchInfo, smInfo

    init?(_ text: String) {
        guard let kind = Self.allCases.first(where: { text.lowercased() == $0.name.lowercased() || text.lowercased() == $0.alias.lowercased() })
        else { return nil }
        self = kind
    }

    var name: String {
        switch self {
        case .classPortInfo: "ClassPortInfo"
        case .node: "NodeRecord"
        case .portInfo: "PortInfoRecord"
        case .pKeyTable: "PKeyTableRecord"
        case .informInfo: "InformInfoRecord"
        case .link: "LinkRecord"
        case .service: "ServiceRecord"
        case .path: "PathRecord"
        case .mcMember: "MCMemberRecord"
        case .guidInfo: "GUIDInfoRecord"
        case .switchInfo: "SwitchInfoRecord"
        case .smInfo: "SMInfoRecord"
        }
    }

    var alias: String {
        switch self {
        case .classPortInfo: "CPI"
        case .node: "NR"
        case .portInfo: "PIR"
        case .pKeyTable: "PKTR"
        case .informInfo: "IIR"
        case .link: "LR"
        case .service: "SR"
        case .path: "PR"
        case .mcMember: "MCMR"
        case .guidInfo: "GIR"
        case .switchInfo: "SWIR"
        case .smInfo: "SMIR"
        }
    }

    /// Queries the C saquery has that we do not: named, they fail instead of being taken
    /// for node names.
    static let unsupported: Set<String> = ["sl2vltablerecord", "sl2vl", "vlarbitrationtablerecord", "vlar",
                                           "lftrecord", "lftr", "mftrecord", "mftr"]
    static var names: String { allCases.map { "\($0.name) (\($0.alias))" }.joined(separator: ", ") }
}

/// saquery's own options (saquery.c main): the query or command they choose, and the
/// PathRecord/MCMemberRecord components. Values are read as strtoul base 0, as saquery does.
struct SAQuerySelection: ParsableArguments {
    enum Command: Equatable {
        case query, nodeRecords, classPortInfo, isSM, groups, members
        var name: String {
            switch self {
            case .query: "query"
            case .nodeRecords: "NodeRecord"
            case .classPortInfo: "ClassPortInfo"
            case .isSM: "IsSM"
            case .groups: "MCGroups"
            case .members: "MCMembers"
            }
        }
    }

    /// How -N and friends print NodeRecords (node_print_desc).
    enum NodePrint { case all, lidOnly, uniqueLID, guidOnly, allDescriptions, nameOfLID, nameOfGUID }

    @Flag(name: .customShort("p"), help: "Get PathRecord info.") var pathRecord = false
    @Flag(name: .customShort("N"), help: "Get NodeRecord info.") var nodeRecord = false
    @Flag(name: .customShort("L"), help: "Return the LIDs of the name specified.") var lidsOfName = false
    @Flag(name: .customShort("l"), help: "Return the unique LID of the name specified.") var uniqueLIDOfName = false
    @Flag(name: .customShort("G"), help: "Return the GUIDs of the name specified.") var guidsOfName = false
    @Flag(name: .customShort("O"), help: "Return the name for the LID specified.") var nameOfLID = false
    @Flag(name: .customShort("U"), help: "Return the name for the GUID specified.") var nameOfGUID = false
    @Flag(name: .customShort("s"), help: "Return the PortInfoRecords with the IsSM or IsSMdisabled capability bit.") var isSM = false
    @Flag(name: .customShort("g"), help: "Get multicast group info.") var groups = false
    @Flag(name: .customShort("m"), help: "Get multicast member info (with an MLID: that group's member GIDs only).") var members = false
    @Flag(name: .customShort("x"), help: "Get LinkRecord info.") var linkRecord = false
    @Flag(name: .customShort("c"), help: "Get the SA's ClassPortInfo.") var classPortInfo = false
    @Flag(name: .customShort("S"), help: "Get ServiceRecord info.") var serviceRecord = false
    @Flag(name: .customShort("I"), help: "Get InformInfoRecord (subscription) info.") var informInfoRecord = false
    @Flag(name: [.customShort("D"), .customLong("list")], help: "The node descriptions of the CAs.") var list = false

    @Option(name: .customLong("src-to-dst"), help: ArgumentHelp("PathRecord for <src:dst> (node names or LIDs).", valueName: "src:dst"))
    var sourceToDestination: String?
    @Option(name: .customLong("sgid-to-dgid"), help: ArgumentHelp("PathRecord for <sgid-dgid> (IPv6 format).", valueName: "sgid-dgid"))
    var sgidToDgid: String?
    @Option(name: .customLong("smkey"), help: ArgumentHelp("SA SM_Key for the query (default 0, untrusted).", valueName: "val"))
    var smKey: String?
    @Option(name: .customLong("slid"), help: ArgumentHelp("Source LID (PathRecord).", valueName: "lid")) var slid: String?
    @Option(name: .customLong("dlid"), help: ArgumentHelp("Destination LID (PathRecord).", valueName: "lid")) var dlid: String?
    @Option(name: .customLong("mlid"), help: ArgumentHelp("Multicast LID (MCMemberRecord).", valueName: "lid")) var mlid: String?
    @Option(name: .customLong("sgid"), help: ArgumentHelp("Source GID (PathRecord).", valueName: "gid")) var sgid: String?
    @Option(name: .customLong("dgid"), help: ArgumentHelp("Destination GID (PathRecord).", valueName: "gid")) var dgid: String?
    @Option(name: .customLong("gid"), help: ArgumentHelp("Port GID (MCMemberRecord).", valueName: "gid")) var gid: String?
    @Option(name: .customLong("mgid"), help: ArgumentHelp("Multicast GID (MCMemberRecord).", valueName: "gid")) var mgid: String?
    @Option(name: [.customShort("r"), .customLong("reversible")], help: "Reversible path (PathRecord).") var reversible: String?
    @Option(name: [.customShort("n"), .customLong("numb_path")], help: "Number of paths (PathRecord).") var numbPath: String?
    @Option(name: .customLong("pkey"), help: "P_Key (PathRecord, MCMemberRecord).") var pkey: String?
    @Option(name: .customLong("sl"), help: "Service level (PathRecord, MCMemberRecord).") var sl: String?
    @Option(name: [.customShort("q"), .customLong("qkey")], help: "Q_Key (MCMemberRecord).") var qkey: String?
    @Option(name: .customLong("scope"), help: "Scope (MCMemberRecord).") var scope: String?
    @Option(name: [.customShort("J"), .customLong("join_state")], help: "Join state (MCMemberRecord).") var joinState: String?
    @Option(name: .customLong("service_id"), help: "ServiceID (PathRecord).") var serviceID: String?

    /// The query an option chose (query_type), in saquery's order: the last one given
    /// wins there; here the first of these that is set.
    var kind: SAQueryKind? {
        if sourceToDestination != nil || sgidToDgid != nil || pathRecord { return .path }
        if serviceRecord { return .service }
        if informInfoRecord { return .informInfo }
        if linkRecord { return .link }
        return nil
    }

    var nodePrint: NodePrint {
        if list { return .allDescriptions }
        if lidsOfName { return .lidOnly }
        if uniqueLIDOfName { return .uniqueLID }
        if guidsOfName { return .guidOnly }
        if nameOfLID { return .nameOfLID }
        if nameOfGUID { return .nameOfGUID }
        return .all
    }

    var command: Command {
        if nodeRecord || nodePrint != .all { return .nodeRecords }
        if classPortInfo { return .classPortInfo }
        if isSM { return .isSM }
        if groups { return .groups }
        if members { return .members }
        return .query
    }

    /// What makes saquery print its usage (exit 2), as it says it on stderr.
    func usageError(name: String?) -> String? {
        let print = nodePrint
        if [.lidOnly, .uniqueLID, .guidOnly].contains(print) && name == nil { return "ERROR: name not specified" }
        if print == .nameOfLID && name == nil { return "ERROR: lid not specified" }
        if print == .nameOfGUID && name == nil { return "ERROR: guid not specified" }
        if print == .nameOfLID && (SAClient.strtol(name ?? "") ?? 0) & 0xFFFF == 0 { return "ERROR: lid invalid" }
        if let sourceToDestination, !sourceToDestination.contains(":") { return "--src-to-dst: give src:dst" }
        if let sgidToDgid {
            let parts = sgidToDgid.split(separator: "-", maxSplits: 1).map(String.init)
            if parts.count != 2 || Self.gid(parts[0]) == nil || Self.gid(parts[1]) == nil {
                return "--sgid-to-dgid: give two GIDs in IPv6 format joined by '-'"
            }
        }
        for (option, value) in [("--sgid", sgid), ("--dgid", dgid), ("--gid", gid), ("--mgid", mgid)] {
            if let value, Self.gid(value) == nil { return "\(option): \"\(value)\" is not a GID in IPv6 format" }
        }
        return nil
    }

    /// inet_pton(AF_INET6): 16 bytes, or nil.
    static func gid(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let ok = bytes.withUnsafeMutableBytes { inet_pton(AF_INET6, text, $0.baseAddress) }
        return ok == 1 ? bytes : nil
    }

    static func number(_ text: String?) -> Int64? { text.map { SAClient.strtol($0) ?? 0 } }
}
