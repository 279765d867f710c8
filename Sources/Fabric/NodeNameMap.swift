#if canImport(Glibc)
import Glibc
#endif

/// The node-name map every infiniband-diags tool honours (--node-name-map): lines of
/// `GUID "name"`, `#` comments. Parsing follows rdma-core's parser so a map that works
/// with the C tools works here: the GUID is read as strtoull base 0 would (0x hex, leading
/// 0 octal, else decimal) and the name is the first run of text between quotes or `#`.
/// Unlike the C parser, a malformed line is reported with its number and text, and a `#`
/// right after the GUID is a comment rather than the start of a name.
public struct NodeNameMap: Sendable {
    public private(set) var names: [UInt64: String] = [:]

    public init() {}

    /// Parses the text of a map. `source` names it in errors (a path, or "<stdin>").
    public init(parsing text: String, source: String = "node-name-map") throws(NodeNameMapError) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop { $0.isWhitespace }
            if line.isEmpty || line.first == "#" { continue }
            let guidText = line.prefix { !$0.isWhitespace && $0 != "#" }
            guard let guid = Self.parseGUID(guidText) else {
                throw .malformedLine(source: source, line: lineNumber, text: String(rawLine),
                                     reason: "\"\(guidText)\" is not a GUID (expected e.g. 0x0002c90300001234)")
            }
            let rest = line.dropFirst(guidText.count).drop { $0.isWhitespace }
            // rdma-core takes strtok(rest, "\"#"), which turns "0x12  # comment" into a node
            // named " comment"; here a # after the GUID starts a comment, as it reads.
            if rest.first == "#" { continue }
            let name = rest.drop { $0 == "\"" }.prefix { $0 != "\"" && $0 != "#" && $0 != "\r" }
            if name.isEmpty { continue }
            names[guid] = String(name)
        }
    }

    /// Reads and parses the map at `path`.
    public init(contentsOf path: String) throws(NodeNameMapError) {
        guard let file = fopen(path, "r") else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        if ferror(file) != 0 { throw .cannotOpen(path: path, reason: "read error") }
        try self.init(parsing: String(decoding: bytes, as: UTF8.self), source: path)
    }

    /// Whether the map names `guid` (its NodeDescription is then not needed for a name).
    public func contains(_ guid: UInt64) -> Bool { names[guid] != nil }

    /// The name for `guid`: the map's entry, else the node description cleaned as
    /// infiniband-diags does (cut at 64 characters, unprintable characters as spaces).
    public func name(for guid: UInt64, nodeDescription: String) -> String {
        names[guid] ?? Self.cleanNodeDescription(nodeDescription)
    }

    /// rdma-core's clean_nodedesc (util/node_name_map.c) writes its NUL at
    /// IB_SMP_DATA_SIZE (64): a NodeDescription's 64 bytes are all kept (IBA 14.2.5.2).
    /// opensm's complib variant keeps 63; the diags are what we copy.
    public static func cleanNodeDescription(_ text: String) -> String {
        // Most descriptions are already clean: printable ASCII, at most 64 bytes.
        if text.utf8.count <= 64 && text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map {
            (0x20...0x7E).contains($0.value) ? $0 : " "
        }))
    }

    /// strtoull(text, &end, 0) that must consume all of `text`.
    static func parseGUID(_ text: Substring) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
        if text.count > 1 && text.hasPrefix("0") { return UInt64(text.dropFirst(), radix: 8) }
        return UInt64(text, radix: 10)
    }
}

extension NodeNameMap {
    /// What open_node_name_map writes to stderr when a map cannot be used; the tool then
    /// goes on without one. (Our parse error names the line by number as well.)
    public static func warning(_ error: NodeNameMapError) -> String {
        switch error {
        case .cannotOpen(let path, let reason):
            "WARNING failed to open node name map \"\(path)\" (\(reason))\n"
        case .malformedLine(let source, let line, let text, let reason):
            "WARNING failed to parse node name map \"\(source)\"\nWARNING failed line: \"\(text)\"\n"
                + "(line \(line): \(reason))\n"
        }
    }
}

public enum NodeNameMapError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case malformedLine(source: String, line: Int, text: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot read node-name-map \(path): \(reason)"
        case .malformedLine(let source, let line, let text, let reason):
            "\(source):\(line): \(reason): \(text)"
        }
    }
}
