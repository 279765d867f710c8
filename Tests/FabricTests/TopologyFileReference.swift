@testable import Fabric
import MADWire

/// The Character-level parser TopologyFile had before it scanned bytes, kept verbatim
/// (only renamed) as the oracle that the byte scanner accepts the same grammar and builds
/// the same Topology, with the same errors, for every input these tests give both.
enum ReferenceTopologyFile {
    struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    static func parse(_ text: String) throws(ParseError) -> Topology {
        var topology = Topology()
        var start: (node: UInt64, port: UInt64?)?
        var pending = Identity()
        var current: UInt64?
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.drop { $0 == " " }
            if line.hasPrefix("# Initiated from node ") {
                let words = line.dropFirst("# Initiated from node ".count).split(separator: " ")
                if let node = words.first.flatMap({ UInt64($0, radix: 16) }) {
                    start = (node, words.count >= 3 && words[1] == "port" ? UInt64(words[2], radix: 16) : nil)
                }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if let value = assignment(line, "vendid=") { pending.vendorID = UInt32(truncatingIfNeeded: value) }
            else if let value = assignment(line, "devid=") { pending.deviceID = UInt16(truncatingIfNeeded: value) }
            else if let value = assignment(line, "sysimgguid=") { pending.systemImageGUID = value }
            else if line.hasPrefix("switchguid=") {
                let body = line.dropFirst("switchguid=".count)
                pending.guid = hexNumber(body.prefix { $0 != "(" })
                if let open = body.firstIndex(of: "(") { pending.portGUID = UInt64(body[body.index(after: open)...].prefix { $0 != ")" }, radix: 16) }
            } else if let value = assignment(line, "caguid=") ?? assignment(line, "rtguid=") {
                pending.guid = value
            } else if line.hasPrefix("Switch\t") || line.hasPrefix("Ca\t") || line.hasPrefix("Rt\t") {
                current = try node(line, pending, lineNumber, into: &topology)
                pending = Identity()
            } else if line.hasPrefix("[") {
                guard let current else { throw ParseError(line: lineNumber, message: "a port line before any node") }
                try port(line, of: current, lineNumber, into: &topology)
            } else {
                throw ParseError(line: lineNumber, message: "\"\(line)\" is not part of an ibnetdiscover topology")
            }
        }
        guard !topology.nodes.isEmpty else { throw ParseError(line: lineNumber, message: "no Switch, Ca or Rt entry") }
        // The file lists nodes in reverse discovery order; the walk started at `start`.
        var order = Array(topology.order.reversed())
        if let start, let index = order.firstIndex(of: start.node) {
            order.insert(order.remove(at: index), at: 0)
            // A CA's port GUID is on its port lines only; the header names the local one.
            if let port = start.port { topology.nodes[start.node]?.info.portGUID = port }
        }
        topology.order = order
        return topology
    }

    private struct Identity {
        var vendorID: UInt32 = 0
        var deviceID: UInt16 = 0
        var systemImageGUID: UInt64 = 0
        var guid: UInt64?
        var portGUID: UInt64?
    }

    private static func assignment(_ line: Substring, _ key: String) -> UInt64? {
        line.hasPrefix(key) ? hexNumber(line.dropFirst(key.count)) : nil
    }

    private static func hexNumber(_ text: Substring) -> UInt64? {
        let trimmed = text.prefix { !$0.isWhitespace }
        return trimmed.hasPrefix("0x") ? UInt64(trimmed.dropFirst(2), radix: 16) : UInt64(trimmed, radix: 16)
    }

    /// `Switch\t6 "S-…"\t\t# "leaf1" enhanced port 0 lid 3 lmc 0` or `Ca\t1 "H-…"\t\t# "H1 HCA-1"`.
    private static func node(_ line: Substring, _ identity: Identity, _ number: Int, into topology: inout Topology) throws(ParseError) -> UInt64 {
        let kind = line.prefix { $0 != "\t" }
        let fields = line.split(separator: "\t", omittingEmptySubsequences: true)
        guard fields.count >= 2, let ports = UInt8(fields[1].prefix { $0 != " " }),
              let guid = identity.guid ?? quotedGUID(fields[1]) else {
            throw ParseError(line: number, message: "malformed \(kind) line (expected KIND\\tPORTS \"X-GUID\")")
        }
        var info = NodeInfo()
        info.baseVersion = 1
        info.classVersion = 1
        info.nodeType = kind == "Switch" ? .switch : kind == "Rt" ? .router : .channelAdapter
        info.numberOfPorts = ports
        info.nodeGUID = guid
        info.portGUID = identity.portGUID ?? guid
        info.systemImageGUID = identity.systemImageGUID
        info.vendorID = identity.vendorID
        info.deviceID = identity.deviceID
        let comment = line.firstRange(of: "# ").map { line[$0.upperBound...] } ?? ""
        let description = firstQuoted(comment) ?? ""
        var node = Topology.Node(info: info, description: description, switchInfo: nil, path: .local)
        if info.nodeType == .switch {
            var switchInfo = SwitchInfo()
            switchInfo.enhancedPort0 = comment.contains("\" enhanced port 0")
            node.switchInfo = switchInfo
            var port0 = PortInfo()
            port0.lid = UInt16(word(after: "port 0 lid ", in: comment) ?? 0)
            port0.lmc = UInt8(word(after: " lmc ", in: comment) ?? 0)
            port0.localPortNumber = 0
            node.ports[0] = Topology.Port(number: 0, info: port0, guid: info.portGUID, remote: nil)
        }
        if topology.nodes[guid] == nil { topology.order.append(guid) }
        topology.nodes[guid] = node
        return guid
    }

    /// Switch port: `[1]\t"H-…"[1](…) \t\t# "H1 HCA-1" lid 1 4xEDR`;
    /// CA port: `[1](…) \t"S-…"[1]\t\t# lid 1 lmc 0 "leaf1" lid 3 4xEDR`.
    private static func port(_ line: Substring, of guid: UInt64, _ number: Int, into topology: inout Topology) throws(ParseError) {
        guard let node = topology.nodes[guid] else { return }
        let malformed = ParseError(line: number, message: "malformed port line (expected [N] \"X-GUID\"[M] ...)")
        guard let close = line.firstIndex(of: "]"),
              let portNumber = UInt8(line[line.index(after: line.startIndex)..<close]) else { throw malformed }
        let (body, comment) = line.firstRange(of: "#").map { (line[..<$0.lowerBound], line[$0.upperBound...]) } ?? (line, "")
        guard let remoteGUID = quotedGUID(body),
              let quoteEnd = body.lastIndex(of: "\""),
              let remotePort = UInt8(body[body.index(after: quoteEnd)...].dropFirst().prefix { $0 != "]" }) else { throw malformed }
        var ownGUID = node.info.portGUID
        if !node.isSwitch, body[body.index(after: close)...].first == "(" {
            ownGUID = UInt64(body[body.index(close, offsetBy: 2)...].prefix { $0 != ")" }, radix: 16) ?? ownGUID
        }
        var info = PortInfo()
        info.localPortNumber = portNumber
        let lids = comment.ranges(of: "lid ").map { Int(comment[$0.upperBound...].prefix { $0.isNumber }) ?? 0 }
        if node.isSwitch {
            info.lid = node.ports[0]?.info.lid ?? 0
        } else {
            info.lid = UInt16(lids.first ?? 0)
            info.lmc = UInt8(word(after: " lmc ", in: " " + comment) ?? 0)
        }
        let rateText = comment.split(separator: " ").last.map(String.init) ?? ""
        let extended = apply(rate: rateText, to: &info)
        if extended {
            if node.isSwitch { topology.nodes[guid]!.ports[0]?.info.capabilityMask.insert(.isExtendedSpeedsSupported) }
            else { info.capabilityMask.insert(.isExtendedSpeedsSupported) }
        }
        info.portState = .active  // a cabled port in the file was up when it was written
        info.portPhysicalState = .linkUp
        // What the link ran at is all the file says of what its ends support.
        info.linkWidthSupported = info.linkWidthActive
        info.linkSpeedSupported = info.linkSpeedActive
        info.linkSpeedExtSupported = info.linkSpeedExtActive
        let remote = Topology.PortReference(node: remoteGUID, port: remotePort)
        topology.nodes[guid]!.ports[portNumber] = Topology.Port(number: portNumber, info: info, guid: ownGUID, remote: remote)
    }

    /// Sets width, speed and extended speed from "4xEDR"; true when the speed is an
    /// extended one (FDR and up).
    private static func apply(rate text: String, to info: inout PortInfo) -> Bool {
        let widths: [(String, UInt8)] = [("12x", 8), ("1x", 1), ("2x", 16), ("4x", 2), ("8x", 4)]
        var rest = Substring(text)
        for (name, value) in widths where rest.hasPrefix(name) {
            info.linkWidthActive = LinkWidth(rawValue: value)
            rest = rest.dropFirst(name.count)
            break
        }
        switch rest {
        case "SDR": info.linkSpeedActive = LinkSpeed(rawValue: 1)
        case "DDR": info.linkSpeedActive = LinkSpeed(rawValue: 2)
        case "QDR": info.linkSpeedActive = LinkSpeed(rawValue: 4)
        default:
            let extended: [String: UInt8] = ["FDR": 1, "EDR": 2, "HDR": 4, "NDR": 8]
            guard let value = extended[String(rest)] else { return false }
            info.linkSpeedActive = LinkSpeed(rawValue: 4)
            info.linkSpeedExtActive = LinkSpeedExtended(rawValue: value)
            return true
        }
        return false
    }

    private static func quotedGUID(_ text: Substring) -> UInt64? {
        guard let name = firstQuoted(text), name.count > 2, name.dropFirst().first == "-" else { return nil }
        return UInt64(name.dropFirst(2), radix: 16)
    }

    private static func firstQuoted(_ text: Substring) -> String? {
        guard let open = text.firstIndex(of: "\"") else { return nil }
        let rest = text[text.index(after: open)...]
        guard let close = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<close])
    }

    private static func word(after key: String, in text: Substring) -> Int? {
        guard let range = text.firstRange(of: key) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }
}
