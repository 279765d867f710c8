import Fabric
import Foundation
import MADWire
import Testing

/// A capture of Tests/Fixtures/diags-captures (scripts/capture-diags): a C tool's command,
/// output and EVERY MAD it received, for commands that take several queries.
struct MultiCapture: Sendable {
    let name: String
    let command: [String]
    let output: String
    let responses: [MAD]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/diags-captures").standardized

    init(_ name: String) throws {
        self.name = name
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name + ".txt"), encoding: .utf8)
        command = text.split(separator: "\n")[1].split(separator: " ").map(String.init)
        output = String(text[text.range(of: "# output:\n")!.upperBound...])
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasPrefix(name + ".") && $0.hasSuffix(".mad") && $0.dropFirst(name.count + 1).count == 8 }
            .sorted()
        responses = try files.map { try MAD(decoding: [UInt8](Data(contentsOf: Self.directory.appendingPathComponent($0)))) }
    }

    func all<A: MADAttribute>(_ type: A.Type) throws -> [(modifier: UInt32, value: A)] {
        try responses.filter { $0.attributeID == A.attributeID }.map { ($0.attributeModifier, try $0.attribute(A.self)) }
    }

    func one<A: MADAttribute>(_ type: A.Type) throws -> A {
        guard let first = try all(type).first else { throw Missing(attribute: A.layout.name, capture: name) }
        return first.value
    }

    struct Missing: Error { let attribute: String, capture: String }

    /// The records of a single-MAD SA answer (AttributeOffset gives the stride, IBA 15.2.1.1).
    func records<R: WireStructure>(_ type: R.Type) -> [R] {
        let mad = responses[0]
        let bytes = mad.encoded
        let stride = Int(mad.saAttributeOffset) * 8
        guard stride > 0 else { return [] }
        return Swift.stride(from: SAHeader.dataOffset, through: 256 - R.layout.byteCount, by: stride).compactMap {
            try? R(decoding: bytes[$0...])
        }
    }
}

@Suite struct DiagsMultiCaptureTests {
    /// Compares with the C output; `records` limits it to the first so many "... dump:" blocks.
    func check(_ name: String, firstRecords records: Int? = nil, _ format: (MultiCapture) throws -> String) throws {
        let capture = try MultiCapture(name)
        let ours = try format(capture)
        var expected = capture.output
        if let records {
            let blocks = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let starts = blocks.indices.filter { blocks[$0].hasSuffix(" dump:") }
            expected = blocks[..<starts[records]].joined(separator: "\n") + "\n"
        }
        #expect(Array(ours.utf8) == Array(expected.utf8), "\(name)\nours:\n\(ours)\nC:\n\(expected)")
    }

    static func lid(_ capture: MultiCapture, _ index: Int) -> DiagsDestination { .lid(UInt16(capture.command[index])!) }

    @Test(arguments: ["pkeys-ca", "pkeys-switch"])
    func pKeys(_ name: String) throws {
        try check(name) { c in
            let node = try c.one(NodeInfo.self)
            let port = Int(c.command[3])!
            let capacity = node.nodeType == .switch && port != 0
                ? Int(try c.one(SwitchInfo.self).partitionEnforcementCap) : Int(node.partitionCap)
            return SMPQueryText.pKeys(try c.all(PKeyTable.self).map(\.value), capacity: capacity)
        }
    }

    @Test(arguments: ["sl2vl-ca", "sl2vl-switch"])
    func slToVL(_ name: String) throws {
        try check(name) { c in
            let rows = try c.all(SLToVLMappingTable.self).map {
                (inPort: Int($0.modifier >> 8 & 0xFF), outPort: Int($0.modifier & 0xFF), table: $0.value)
            }
            return SMPQueryText.slToVL(rows, destination: Self.lid(c, 2))
        }
    }

    @Test(arguments: ["vlarb-ca", "vlarb-switch", "vlarb-switch-port0"])
    func vlArbitration(_ name: String) throws {
        try check(name) { c in
            let port = c.command.count > 3 ? Int(c.command[3])! : 0
            let info = try c.one(PortInfo.self)
            let blocks = try c.all(VLArbitrationTable.self)
            return SMPQueryText.vlArbitration(
                destination: Self.lid(c, 2), port: port, lowCap: Int(info.vlArbitrationLowCap),
                highCap: Int(info.vlArbitrationHighCap),
                low: blocks.filter { (1...2).contains($0.modifier >> 16) }.map(\.value),
                high: blocks.filter { (3...4).contains($0.modifier >> 16) }.map(\.value))
        }
    }

    @Test(arguments: ["guids", "guids-switch"])
    func guids(_ name: String) throws {
        try check(name) { c in
            SMPQueryText.guids(try c.all(GUIDInfo.self).map(\.value), capacity: Int(try c.one(PortInfo.self).guidCap))
        }
    }

    @Test(arguments: ["ibaddr", "ibaddr-switch", "ibaddr-gid", "ibaddr-decimal"])
    func ibaddr(_ name: String) throws {
        try check(name) { c in
            let gidOnly = c.command.contains("-g"), decimal = c.command.contains("-L")
            return IBAddrText.line(portInfo: try c.one(PortInfo.self), nodeInfo: try c.one(NodeInfo.self),
                                   gid: !decimal, lid: gidOnly ? .none : decimal ? .decimal : .hex)
        }
    }

    @Test func sminfoWithALID() throws {
        try check("sminfo-lid") { c in SMInfoText.line(try c.one(SMInfo.self), lid: 1) }
    }

    /// Switch 3 has AllPortSelect: one query for port 255. HCA 12 has not: perfquery queries
    /// each port (one here) and sums.
    @Test(arguments: ["perfquery-all", "perfquery-all-ext", "perfquery-all-ca", "perfquery-all-ext-ca"])
    func perfqueryAllPorts(_ name: String) throws {
        try check(name) { c in
            // The C output ends with perfquery's stderr: the emulation warning, with its pid.
            var warning = ""
            if let line = c.output.split(separator: "\n").first(where: { $0.hasPrefix("ibwarn: [") }),
               let pid = Int32(line.dropFirst(9).prefix { $0 != "]" }) {
                warning = PerfQueryText.emulatingAllPortSelectWarning(pid: pid)
            }
            return try perfqueryText(c) + warning
        }
    }

    func perfqueryText(_ c: MultiCapture) throws -> String {
        let caps = PerfQueryText.capabilities(try c.one(ClassPortInfo.self))
        let dest = Self.lid(c, c.command.count - 1)
        let aggregated = caps.mask & PerfQueryText.allPortSelect == 0
        if c.command.contains("-x") {
            let values = try c.all(PortCountersExtended.self).map(\.value)
            return aggregated
                ? PerfQueryText.aggregatedPortCountersExtended(values, destination: dest, capabilityMask: caps.mask,
                                                               capabilityMask2: caps.mask2)
                : PerfQueryText.portCountersExtended(values[0], destination: dest, port: 255,
                                                     capabilityMask: caps.mask, capabilityMask2: caps.mask2)
        }
        let values = try c.all(PortCounters.self).map(\.value)
        return aggregated
            ? PerfQueryText.aggregatedPortCounters(values, destination: dest, capabilityMask: caps.mask)
            : PerfQueryText.portCounters(values[0], destination: dest, port: 255, capabilityMask: caps.mask)
    }

    @Test func saSMInfoRecord() throws {
        try check("sa-smir") { c in c.records(SMInfoRecord.self).prefix(1).map(SAQueryText.smInfoRecord).joined() }
    }

    @Test func saPortInfoRecord() throws {
        try check("sa-pir") { c in c.records(PortInfoRecord.self).prefix(1).map { SAQueryText.portInfoRecord($0) }.joined() }
    }

    @Test func saMCMemberRecord() throws {
        try check("sa-mcmr") { c in c.records(MCMemberRecord.self).prefix(1).map(SAQueryText.mcMemberRecord).joined() }
    }

    /// 25 LinkRecords fill the first (only) segment libumad2sim delivers; the last four
    /// reach bytes 224-255, which libumad2sim fills with heap garbage (the capture has zeros
    /// there), so the first 21 are compared.
    @Test func saLinkRecords() throws {
        try check("sa-lr", firstRecords: 21) { c in
            c.records(LinkRecord.self).prefix(21).map(SAQueryText.linkRecord).joined()
        }
    }
}
