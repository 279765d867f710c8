@testable import Fabric
import MADWire
import Testing

/// TopologyFile.parse scans bytes; the Character-level parser it replaced
/// (ReferenceTopologyFile) is the oracle: the same Topology or the same error, line and
/// message, for a C-format file and for thousands of damaged copies of it.
@Suite struct TopologyFileTests {
    /// The C ibnetdiscover's topology file format: switches (one with base port 0, one
    /// EDR link, one QDR), channel adapters with LMC and their own port GUIDs, a router,
    /// a CA-to-CA cable, and -g's "\t# " after a switchguid.
    static let sample = """
        #
        # Topology file: generated on Fri Nov 27 16:33:00 2026
        #
        # Initiated from node 1000000000000010 port 1000000000000011

        vendid=0x2c9
        devid=0xcf08
        sysimgguid=0x2000000000000400
        switchguid=0x2000000000000400(2000000000000400)\t# 
        Switch\t4 "S-2000000000000400"\t\t# "leaf1" enhanced port 0 lid 7 lmc 0
        [1]\t"H-1000000000000010"[1](1000000000000011) \t\t# "H1 HCA-1" lid 12 4xEDR
        [2]\t"H-1000000000000020"[2](1000000000000022) \t\t# "H2 HCA-1" lid 13 4xEDR
        [3]\t"S-2000000000000500"[1]\t\t# "spine1" lid 9 4xQDR
          [4]\t"R-3000000000000010"[1](3000000000000011) \t\t# "router" lid 20 1xSDR

        vendid=0x2c9
        devid=0xcf09
        switchguid=0x2000000000000500(2000000000000500)
        Switch\t2 "S-2000000000000500"\t\t# "spine1" base port 0 lid 9 lmc 2
        [1]\t"S-2000000000000400"[3]\t\t# "leaf1" lid 7 4xQDR

        vendid=0x2c9
        devid=0x1017
        sysimgguid=0x1000000000000010
        caguid=0x1000000000000010
        Ca\t2 "H-1000000000000010"\t\t# "H1 HCA-1"
        [1](1000000000000011) \t"S-2000000000000400"[1]\t\t# lid 12 lmc 1 "leaf1" lid 7 4xEDR
        [2](1000000000000012) \t"H-1000000000000020"[1] (1000000000000021) \t\t# lid 14 lmc 0 "H2 HCA-1" lid 15 12xHDR

        vendid=0x2c9
        devid=0x1017
        caguid=1000000000000020
        Ca\t2 "H-1000000000000020"\t\t# "H2 HCA-1"
        [1](1000000000000021) \t"H-1000000000000010"[2] (1000000000000012) \t\t# lid 15 lmc 0 "H1 HCA-1" lid 14 12xHDR
        [2](1000000000000022) \t"S-2000000000000400"[2]\t\t# lid 13 lmc 0 "leaf1" lid 7 4xEDR

        vendid=0x2c9
        devid=0x1018
        rtguid=0x3000000000000010
        Rt\t1 "R-3000000000000010"\t\t# "router"
        [1](3000000000000011) \t"S-2000000000000400"[4]\t\t# lid 20 lmc 0 "leaf1" lid 7 1xSDR

        """

    /// What parsing gave: everything the Topology holds, as bytes, or the error.
    enum Outcome: Equatable, CustomStringConvertible {
        case topology([UInt8])
        case error(String)

        init(_ parse: () throws -> Topology) {
            do { self = .topology(Self.bytes(of: try parse())) } catch { self = .error("\(error)") }
        }

        var description: String {
            switch self {
            case .topology(let bytes): "a topology (\(bytes.count) bytes)"
            case .error(let message): message
            }
        }

        var parsed: Bool { if case .topology = self { true } else { false } }

        static func bytes(of topology: Topology) -> [UInt8] {
            func raw(_ structure: some RawWireStructure) -> [UInt8] { structure.withUnsafeBytes { Array($0) } }
            func word(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
            var out = topology.order.flatMap(word) + word(UInt64(topology.unreachable.count))
            for guid in topology.nodes.keys.sorted() {
                let node = topology.nodes[guid]!
                out += word(guid) + raw(node.info) + Array(node.description.utf8) + [0]
                out += node.switchInfo.map(raw) ?? [0xFF]
                out += Array("\(node.path)".utf8)
                for port in node.ports.values.sorted(by: { $0.number < $1.number }) {
                    out += [port.number] + word(port.guid) + raw(port.info)
                    out += port.remote.map { word($0.node) + [$0.port] } ?? [0xFF]
                }
            }
            return out
        }
    }

    /// The byte scanner's outcome and the old parser's.
    static func outcome(_ text: String) -> (new: Outcome, old: Outcome) {
        (Outcome { try TopologyFile.parse(text) }, Outcome { try ReferenceTopologyFile.parse(text) })
    }

    @Test func theSampleParsesAsBeforeAndPrintsBackUnchanged() throws {
        let (new, old) = Self.outcome(Self.sample)
        #expect(new.parsed, "\(new)")
        #expect(new == old)
        let topology = try TopologyFile.parse(Self.sample)
        #expect(topology.nodes.count == 5 && topology.order.first == 0x1000_0000_0000_0010)
        #expect(topology.nodes[0x1000_0000_0000_0010]?.info.portGUID == 0x1000_0000_0000_0011)
        #expect(topology.nodes[0x2000_0000_0000_0500]?.ports[0]?.info.lmc == 2)
        #expect(topology.nodes[0x2000_0000_0000_0400]?.switchInfo?.enhancedPort0 == true)
        // A port supports what the file shows it running at, no more: iblinkinfo prints no
        // "Could be" note for a loaded link.
        for port in topology.nodes.values.flatMap(\.ports.values) where port.remote != nil {
            #expect(port.info.linkWidthSupported == port.info.linkWidthActive && port.info.linkSpeedSupported == port.info.linkSpeedActive
                    && port.info.linkSpeedExtSupported == port.info.linkSpeedExtActive, "port \(port.number)")
        }
        #expect(!LinkInfoText.text(topology).contains("Could be"))
        // Ours, written from what was read, reads back to the same text.
        let written = IBNetDiscoverText.topology(topology, generated: "now\n")
        let reread = try TopologyFile.parse(written)
        #expect(IBNetDiscoverText.topology(reread, generated: "now\n") == written)
        #expect(Self.outcome(written).new == Self.outcome(written).old)
        // -g's "Non-Chassis Nodes" heading was never part of what is read back.
        let grouped = Self.outcome(IBNetDiscoverText.topology(topology, generated: "now\n", grouping: true))
        #expect(grouped.new == .error("line 6: \"Non-Chassis Nodes\" is not part of an ibnetdiscover topology"))
        #expect(grouped.new == grouped.old)
    }

    @Test("-m: the header reports the max hops a walk of the file takes and the MADs used")
    func maxHopsHeader() throws {
        let topology = try TopologyFile.parse(Self.sample)
        // H1 leaves by its port to leaf1 (1 hop); leaf1 leads on through ports 2-4 (2 hops);
        // spine1's only link is the one it is entered by.
        #expect(topology.maxHopsDiscovered == 2)
        let written = IBNetDiscoverText.topology(topology, generated: "now\n", madsUsed: 17)
        #expect(written.hasPrefix("#\n# Topology file: generated on now\n#\n# Reported max hops discovered: 2\n"
                                  + "# Total MADs used: 17\n# Initiated from node 1000000000000010 port 1000000000000011\n"))
        // The two lines are comments to a reader.
        #expect(Self.outcome(written).new == Self.outcome(IBNetDiscoverText.topology(topology, generated: "now\n")).new)
        #expect(Topology().maxHopsDiscovered == 0)
    }

    @Test("-s lines: libibnetdisc's dump_endnode")
    func sightingLines() {
        var topology = Topology()
        var path = DirectedRoutePath.local
        topology.sightings.append(.init(path: path, isNew: true, nodeType: .channelAdapter, guid: 0x1000_0000_0000_0010,
                                        port: 1, lid: 0, lmc: 0, description: ""))
        path = try! path.appending(1).appending(33)
        topology.sightings.append(.init(path: path, isNew: false, nodeType: .switch, guid: 0x3_0000_0000_01b0,
                                        port: 0, lid: 1478, lmc: 2, description: "spine27"))
        topology.sightings.append(.init(path: path, isNew: true, nodeType: NodeType(rawValue: 7), guid: 1,
                                        port: 3, lid: 5, lmc: 0, description: "odd"))
        #expect(IBNetDiscoverText.sightings(topology) == """
            DR path slid 0; dlid 0; 0 -> new Channel Adapter {1000000000000010} portnum 1 lid 0-0 ""
            DR path slid 0; dlid 0; 0,1,33 -> known Switch {00030000000001b0} portnum 0 lid 1478-1481 "spine27"
            DR path slid 0; dlid 0; 0,1,33 -> new ?(7)? {0000000000000001} portnum 3 lid 5-5 "odd"

            """)
    }

    /// Every line cut short at every byte, every byte deleted, and every byte replaced by
    /// two of the grammar's delimiters or a non-ASCII letter (taken in turn).
    @Test func damagedCopiesGiveTheSameTopologyOrTheSameError() {
        let lines = Self.sample.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
        let replacements = Array(" \t\"#[]()-+x\n".utf8).map { [$0] } + [Array("é".utf8)]
        var compared = 0, mismatches: [String] = []
        func check(_ line: Int, _ damaged: [UInt8]) {
            var bytes: [UInt8] = []
            for (number, original) in lines.enumerated() {
                if number > 0 { bytes.append(0x0A) }
                bytes += number == line ? damaged : original
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let (new, old) = Self.outcome(text)
            compared += 1
            if new != old && mismatches.count < 5 {
                mismatches.append("line \(line + 1) as \(String(decoding: damaged, as: UTF8.self).debugDescription):\n new \(new)\n old \(old)")
            }
        }
        for (number, line) in lines.enumerated() {
            for cut in 0..<line.count { check(number, Array(line[..<cut])) }
            for index in line.indices {
                var deleted = line
                deleted.remove(at: index)
                check(number, deleted)
                // No digits: the old parser trapped on a LID over 65535.
                for turn in [0, 7] {
                    var replaced = line
                    replaced.replaceSubrange(index...index, with: replacements[(number + index + turn) % replacements.count])
                    check(number, replaced)
                }
            }
        }
        #expect(mismatches == [])
        #expect(compared > 5_000)
    }

    @Test("Malformed input names the line and what was expected", arguments: [
        ("Switch\tx\n", "line 1: malformed Switch line (expected KIND\\tPORTS \"X-GUID\")"),
        ("\n\nCa\t1 \"H-zz\"\n", "line 3: malformed Ca line (expected KIND\\tPORTS \"X-GUID\")"),
        ("[1]\t\"S-1\"[1]\n", "line 1: a port line before any node"),
        ("Ca\t1 \"H-1\"\n[1](2) \t\"S-3\"\t# lid 1\n", "line 2: malformed port line (expected [N] \"X-GUID\"[M] ...)"),
        ("Ca\t1 \"H-1\"\n[256](2) \t\"S-3\"[1]\n", "line 2: malformed port line (expected [N] \"X-GUID\"[M] ...)"),
        ("vendid=0xgg\n", "line 1: \"vendid=0xgg\" is not part of an ibnetdiscover topology"),
        ("  speed=7\n", "line 1: \"speed=7\" is not part of an ibnetdiscover topology"),
        ("", "line 1: no Switch, Ca or Rt entry"),
        ("#\n# comment\n\n", "line 4: no Switch, Ca or Rt entry"),
    ])
    func malformed(text: String, message: String) {
        #expect(throws: TopologyFile.ParseError.self) { try TopologyFile.parse(text) }
        #expect(Self.outcome(text).new == .error(message))
        #expect(Self.outcome(text).old == .error(message))
    }

    /// The old parser trapped converting these; now they are errors.
    @Test func outOfRangeLIDsAndLMCsAreErrors() {
        func error(_ text: String) -> String {
            do { _ = try TopologyFile.parse(text); return "no error" } catch { return error.description }
        }
        #expect(error("Switch\t2 \"S-1\"\t\t# \"s\" base port 0 lid 65536 lmc 0\n")
                == "line 1: lid 65536 is not a 16-bit LID")
        #expect(error("Ca\t1 \"H-1\"\n[1](2) \t\"S-3\"[1]\t\t# lid 1 lmc 300 \"s\" lid 7 4xEDR\n")
                == "line 2: lmc 300 does not fit in a byte")
    }

    /// Every node listed many times over: the last listing of a node wins, as before.
    @Test func nodesListedAgainReplaceTheEarlierListing() {
        let copies = (0..<20).map { _ in Self.sample }.joined()
        let (new, old) = Self.outcome(copies)
        #expect(new.parsed && new == old)
    }
}
