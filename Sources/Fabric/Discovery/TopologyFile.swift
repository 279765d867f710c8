import MADWire

/// Reads an ibnetdiscover topology file (ours or the C tool's default output, which is
/// also ibsim's net-file format) back into a `Topology`.
///
/// What the file does not hold is not invented: ports without a cable (down) are absent,
/// a port's PortInfo carries only its LID, LMC, width and speed (and IsExtendedSpeeds-
/// Supported when the speed needs it), node paths are unknown (`.local`), and no node is
/// unreachable. Outputs that need more (the -p report of down ports) differ from a live
/// walk's.
///
/// The file is scanned as UTF-8 bytes (`TopologyBytes`): lines end at LF, numbers are
/// ASCII, and only kept node descriptions become Strings.
public enum TopologyFile {
    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> Topology {
        let parse = { (bytes: UnsafeBufferPointer<UInt8>) -> Result<Topology, ParseError> in
            var parser = Parser(bytes)
            return parser.run()
        }
        return try (text.utf8.withContiguousStorageIfAvailable(parse) ?? Array(text.utf8).withUnsafeBufferPointer(parse)).get()
    }

    private struct Identity {
        var vendorID: UInt32 = 0
        var deviceID: UInt16 = 0
        var systemImageGUID: UInt64 = 0
        var guid: UInt64?
        var portGUID: UInt64?
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var topology = Topology()
        var start: (node: UInt64, port: UInt64?)?
        var pending = Identity()
        /// The node whose port lines follow. It goes into `topology` when the next node
        /// starts (a node listed twice replaces the first, ports and all, as a dictionary
        /// store would).
        var current: Topology.Node?
        var lineNumber = 0

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            // Sized once for the node lines there are (a Node is large: every growth of the
            // dictionary moves all of them). A node line starts with "Switch", "Ca" or "Rt".
            var nodeLines = 0
            var lineStart = 0
            while lineStart < bytes.count {
                let rest = TopologyBytes(bytes, lineStart, bytes.count)
                switch bytes[lineStart] {
                case UInt8(ascii: "S"), UInt8(ascii: "C"), UInt8(ascii: "R"): nodeLines += 1
                default: break
                }
                lineStart = (rest.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count) + 1
            }
            topology.nodes.reserveCapacity(nodeLines)
            topology.order.reserveCapacity(nodeLines)
        }

        mutating func run() -> Result<Topology, ParseError> {
            var lineStart = 0
            while true {
                lineNumber += 1
                let rest = TopologyBytes(bytes, lineStart, bytes.count)
                let lineEnd = rest.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                let line = rest.upTo(lineEnd)
                do throws(ParseError) {
                    try parse(line.from(line.prefix { $0 == UInt8(ascii: " ") }.end))
                } catch {
                    return .failure(error)
                }
                guard lineEnd < bytes.count else { break }
                lineStart = lineEnd + 1
            }
            store()
            guard !topology.nodes.isEmpty else { return .failure(ParseError(line: lineNumber, message: "no Switch, Ca or Rt entry")) }
            // The file lists nodes in reverse discovery order; the walk started at `start`.
            var order = Array(topology.order.reversed())
            if let start, let index = order.firstIndex(of: start.node) {
                order.insert(order.remove(at: index), at: 0)
                // A CA's port GUID is on its port lines only; the header names the local one.
                if let port = start.port { topology.nodes[start.node]?.info.portGUID = port }
            }
            topology.order = order
            return .success(topology)
        }

        private mutating func store() {
            if let current { topology.nodes[current.guid] = current }
        }

        /// One line, leading spaces dropped.
        private mutating func parse(_ line: TopologyBytes) throws(ParseError) {
            if let header = line.removingPrefix("# Initiated from node ") {
                let words = header.words(3)
                if let node = words.first?.number(radix: 16) {
                    start = (node, words.count >= 3 && words[1].equals("port") ? words[2].number(radix: 16) : nil)
                }
                return
            }
            if line.isEmpty || line.first == UInt8(ascii: "#") { return }
            // Port lines are most of a file: told apart by their first byte, before the
            // prefixes of the other lines are tried.
            if line.first == UInt8(ascii: "[") {
                guard current != nil else { throw ParseError(line: lineNumber, message: "a port line before any node") }
                return try port(line)
            }
            if let value = assignment(line, "vendid=") { pending.vendorID = UInt32(truncatingIfNeeded: value) }
            else if let value = assignment(line, "devid=") { pending.deviceID = UInt16(truncatingIfNeeded: value) }
            else if let value = assignment(line, "sysimgguid=") { pending.systemImageGUID = value }
            else if let body = line.removingPrefix("switchguid=") {
                pending.guid = body.prefix(upTo: UInt8(ascii: "(")).hexNumber
                if let open = body.firstIndex(of: UInt8(ascii: "(")) {
                    pending.portGUID = body.from(open + 1).prefix(upTo: UInt8(ascii: ")")).number(radix: 16)
                }
            } else if let value = assignment(line, "caguid=") ?? assignment(line, "rtguid=") {
                pending.guid = value
            } else if line.hasPrefix("Switch\t") || line.hasPrefix("Ca\t") || line.hasPrefix("Rt\t") {
                store()
                current = try node(line)
                pending = Identity()
            } else {
                throw ParseError(line: lineNumber, message: "\"\(line.string)\" is not part of an ibnetdiscover topology")
            }
        }

        private func assignment(_ line: TopologyBytes, _ key: StaticString) -> UInt64? {
            line.removingPrefix(key)?.hexNumber
        }

        /// `Switch\t6 "S-…"\t\t# "leaf1" enhanced port 0 lid 3 lmc 0` or `Ca\t1 "H-…"\t\t# "H1 HCA-1"`.
        private mutating func node(_ line: TopologyBytes) throws(ParseError) -> Topology.Node {
            let kind = line.prefix(upTo: UInt8(ascii: "\t"))
            // The second tab-separated field (runs of tabs count as one separator).
            let field = line.from(kind.end).prefix { $0 == UInt8(ascii: "\t") }.end
            let ports = line.from(field).prefix(upTo: UInt8(ascii: "\t"))
            guard !ports.isEmpty, let count = ports.prefix(upTo: UInt8(ascii: " ")).number(radix: 10, limit: 255),
                  let guid = pending.guid ?? ports.quotedGUID else {
                throw ParseError(line: lineNumber, message: "malformed \(kind.string) line (expected KIND\\tPORTS \"X-GUID\")")
            }
            var info = NodeInfo()
            info.baseVersion = 1
            info.classVersion = 1
            info.nodeType = kind.equals("Switch") ? .switch : kind.equals("Rt") ? .router : .channelAdapter
            info.numberOfPorts = UInt8(count)
            info.nodeGUID = guid
            info.portGUID = pending.portGUID ?? guid
            info.systemImageGUID = pending.systemImageGUID
            info.vendorID = pending.vendorID
            info.deviceID = pending.deviceID
            let comment = line.after("# ") ?? line.from(line.end)
            let description = comment.firstQuoted?.string ?? ""
            var node = Topology.Node(info: info, description: description, switchInfo: nil, path: .local)
            node.ports.reserveCapacity(Int(count) + 1)
            if info.nodeType == .switch {
                var switchInfo = SwitchInfo()
                switchInfo.enhancedPort0 = comment.firstRange(of: "\" enhanced port 0") != nil
                node.switchInfo = switchInfo
                var port0 = PortInfo()
                port0.lid = try lid(comment.after("port 0 lid ")?.leadingDecimal ?? 0)
                port0.lmc = try lmc(comment.after(" lmc ")?.leadingDecimal ?? 0)
                port0.localPortNumber = 0
                node.ports[0] = Topology.Port(number: 0, info: port0, guid: info.portGUID, remote: nil)
            }
            if topology.nodes[guid] == nil { topology.order.append(guid) }
            return node
        }

        /// Switch port: `[1]\t"H-…"[1](…) \t\t# "H1 HCA-1" lid 1 4xEDR`;
        /// CA port: `[1](…) \t"S-…"[1]\t\t# lid 1 lmc 0 "leaf1" lid 3 4xEDR`.
        private mutating func port(_ line: TopologyBytes) throws(ParseError) {
            // Its few scalars are read out and its ports changed in place: a copy of the
            // node (a few hundred bytes) per port line was most of the parse.
            guard let isSwitch = current?.isSwitch, let nodePortGUID = current?.info.portGUID else { return }
            let malformed = ParseError(line: lineNumber, message: "malformed port line (expected [N] \"X-GUID\"[M] ...)")
            guard let close = line.firstIndex(of: UInt8(ascii: "]")),
                  let portNumber = line.upTo(close).dropFirst().number(radix: 10, limit: 255) else { throw malformed }
            let hash = line.firstIndex(of: UInt8(ascii: "#"))
            let body = line.upTo(hash ?? line.end), comment = line.from((hash ?? line.end) + 1)
            guard let remoteGUID = body.quotedGUID,
                  let quoteEnd = body.lastIndex(of: UInt8(ascii: "\"")),
                  let remotePort = body.from(quoteEnd + 1).droppingFirstCharacter.prefix(upTo: UInt8(ascii: "]")).number(radix: 10, limit: 255)
            else { throw malformed }
            var ownGUID = nodePortGUID
            if !isSwitch, body.from(close + 1).first == UInt8(ascii: "(") {
                ownGUID = body.from(close + 2).prefix(upTo: UInt8(ascii: ")")).number(radix: 16) ?? ownGUID
            }
            var info = PortInfo()
            info.localPortNumber = UInt8(portNumber)
            if isSwitch {
                info.lid = current?.ports[0]?.info.lid ?? 0
            } else {
                info.lid = try lid(comment.after("lid ")?.leadingDecimal ?? 0)
                let lmcText = comment.hasPrefix("lmc ") ? comment.dropFirst(4) : comment.after(" lmc ")
                info.lmc = try lmc(lmcText?.leadingDecimal ?? 0)
            }
            if apply(rate: comment.lastWord, to: &info) {
                if !isSwitch {
                    info.capabilityMask.insert(.isExtendedSpeedsSupported)
                } else if current?.ports[0]?.info.capabilityMask.contains(.isExtendedSpeedsSupported) == false {
                    // Once per switch: changing port 0 in place costs more than looking.
                    current?.ports[0]?.info.capabilityMask.insert(.isExtendedSpeedsSupported)
                }
            }
            info.portState = .active  // a cabled port in the file was up when it was written
            info.portPhysicalState = .linkUp
            // The file holds what the link ran at, not what its ends support: claim no more
            // (iblinkinfo's "Could be" notes would otherwise compare against nothing).
            info.linkWidthSupported = info.linkWidthActive
            info.linkSpeedSupported = info.linkSpeedActive
            info.linkSpeedExtSupported = info.linkSpeedExtActive
            let remote = Topology.PortReference(node: remoteGUID, port: UInt8(remotePort))
            current?.ports[UInt8(portNumber)] = Topology.Port(number: UInt8(portNumber), info: info, guid: ownGUID, remote: remote)
        }

        private func lid(_ value: Int) throws(ParseError) -> UInt16 {
            guard let lid = UInt16(exactly: value) else { throw ParseError(line: lineNumber, message: "lid \(value) is not a 16-bit LID") }
            return lid
        }

        private func lmc(_ value: Int) throws(ParseError) -> UInt8 {
            guard let lmc = UInt8(exactly: value) else { throw ParseError(line: lineNumber, message: "lmc \(value) does not fit in a byte") }
            return lmc
        }

        /// Sets width, speed and extended speed from "4xEDR"; true when the speed is an
        /// extended one (FDR and up).
        private func apply(rate text: TopologyBytes, to info: inout PortInfo) -> Bool {
            // Compared in place, most common first: no table is built per port line.
            let width: (value: UInt8, length: Int)? =
                text.hasPrefix("4x") ? (2, 2) : text.hasPrefix("12x") ? (8, 3) : text.hasPrefix("1x") ? (1, 2)
                : text.hasPrefix("2x") ? (16, 2) : text.hasPrefix("8x") ? (4, 2) : nil
            var rest = text
            if let width {
                info.linkWidthActive = LinkWidth(rawValue: width.value)
                rest = rest.dropFirst(width.length)
            }
            let speed: (base: UInt8, extended: UInt8)? =
                rest.equals("EDR") ? (4, 2) : rest.equals("HDR") ? (4, 4) : rest.equals("NDR") ? (4, 8)
                : rest.equals("FDR") ? (4, 1) : rest.equals("QDR") ? (4, 0) : rest.equals("DDR") ? (2, 0)
                : rest.equals("SDR") ? (1, 0) : nil
            guard let speed else { return false }
            info.linkSpeedActive = LinkSpeed(rawValue: speed.base)
            guard speed.extended != 0 else { return false }
            info.linkSpeedExtActive = LinkSpeedExtended(rawValue: speed.extended)
            return true
        }
    }
}
