import Foundation  // tests only: JSONSerialization checks the hand-written JSON, FileManager lists sources
import MADWire
import Testing

@Suite struct AttributeCatalogTests {
    /// Every attribute type the catalog must know. A new type in Sources/MADWire/Attributes
    /// must be added both to the catalog and here (`everyTypeInTheFolderIsRegistered`
    /// fails until it is).
    static let expected: [(type: String, name: String, scope: AttributeCatalog.Scope, id: UInt16)] = [
        ("NodeDescription", "NodeDescription", .subnetManagement, 0x0010),
        ("NodeInfo", "NodeInfo", .subnetManagement, 0x0011),
        ("SwitchInfo", "SwitchInfo", .subnetManagement, 0x0012),
        ("GUIDInfo", "GUIDInfo", .subnetManagement, 0x0014),
        ("PortInfo", "PortInfo", .subnetManagement, 0x0015),
        ("PKeyTable", "P_KeyTable", .subnetManagement, 0x0016),
        ("SLToVLMappingTable", "SLtoVLMappingTable", .subnetManagement, 0x0017),
        ("VLArbitrationTable", "VLArbitrationTable", .subnetManagement, 0x0018),
        ("LinearForwardingTable", "LinearForwardingTable", .subnetManagement, 0x0019),
        ("MulticastForwardingTable", "MulticastForwardingTable", .subnetManagement, 0x001B),
        ("SMInfo", "SMInfo", .subnetManagement, 0x0020),
        ("PortCounters", "PortCounters", .performance, 0x0012),
        ("PortCountersExtended", "PortCountersExtended", .performance, 0x001D),
        ("NodeRecord", "NodeRecord", .subnetAdministration, 0x0011),
        ("PortInfoRecord", "PortInfoRecord", .subnetAdministration, 0x0012),
        ("SwitchInfoRecord", "SwitchInfoRecord", .subnetAdministration, 0x0014),
        ("SMInfoRecord", "SMInfoRecord", .subnetAdministration, 0x0018),
        ("LinkRecord", "LinkRecord", .subnetAdministration, 0x0020),
        ("GUIDInfoRecord", "GUIDInfoRecord", .subnetAdministration, 0x0030),
        ("ServiceRecord", "ServiceRecord", .subnetAdministration, 0x0031),
        ("PKeyTableRecord", "P_KeyTableRecord", .subnetAdministration, 0x0033),
        ("PathRecord", "PathRecord", .subnetAdministration, 0x0035),
        ("MCMemberRecord", "MCMemberRecord", .subnetAdministration, 0x0038),
        ("ClassPortInfo", "ClassPortInfo", .common, 0x0001),
        ("Notice", "Notice", .common, 0x0002),
        ("InformInfo", "InformInfo", .common, 0x0003),
    ]

    @Test func expectedEntriesAreRegistered() {
        for item in Self.expected {
            let entry = AttributeCatalog.entries.first { $0.typeName == item.type }
            #expect(entry != nil, "\(item.type) is not in AttributeCatalog.entries")
            guard let entry else { continue }
            #expect(entry.name == item.name)
            #expect(entry.scope == item.scope, "\(item.type)")
            #expect(entry.attributeID.rawValue == item.id, "\(item.type)")
        }
        #expect(AttributeCatalog.entries.count == Self.expected.count,
                "catalog has entries the expected list lacks: add them to the list")
    }

    /// Scans the attribute folder for wire structure types, so a type added there by
    /// anyone fails this test until it is registered.
    @Test func everyTypeInTheFolderIsRegistered() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/MADWire/Attributes").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        var found: [String] = []
        for file in files {
            let text = try String(contentsOfFile: folder.appendingPathComponent(file).path, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("public struct ") {
                let declaration = line.dropFirst("public struct ".count)
                guard let colon = declaration.firstIndex(of: ":") else { continue }
                let name = String(declaration[..<colon])
                let conformances = declaration[colon...]
                if conformances.contains("MADAttribute") || conformances.contains("WireStructure")
                    || conformances.contains("Record") {
                    found.append(name)
                }
            }
        }
        let registered = Set(AttributeCatalog.entries.map(\.typeName))
        for name in found { #expect(registered.contains(name), "\(name) in Sources/MADWire/Attributes is not in AttributeCatalog") }
        let listed = Set(Self.expected.map(\.type))
        for name in found { #expect(listed.contains(name), "\(name) is missing from AttributeCatalogTests.expected") }
    }

    @Test func lookupsUseTheClass() {
        #expect(AttributeCatalog.entry(for: .subnetLIDRouted, attribute: .portInfo)?.name == "PortInfo")
        #expect(AttributeCatalog.entry(for: .subnetDirectedRoute, attribute: .nodeInfo)?.name == "NodeInfo")
        #expect(AttributeCatalog.entry(for: .performance, attribute: .portCounters)?.name == "PortCounters")
        #expect(AttributeCatalog.entry(for: .performance, attribute: .nodeInfo) == nil)  // PortSamplesResult
        #expect(AttributeCatalog.entry(for: .performance, attribute: .classPortInfo)?.name == "ClassPortInfo")
        #expect(AttributeCatalog.entry(for: .subnetAdministration, attribute: .classPortInfo)?.name == "ClassPortInfo")
        #expect(AttributeCatalog.name(of: .pathRecord, in: .subnetAdministration) == "PathRecord")
        #expect(AttributeCatalog.name(of: .nodeInfo, in: .performance) == "PortSamplesResult")
        #expect(AttributeCatalog.name(of: AttributeID(rawValue: 0x7777), in: .performance) == nil)
        #expect(AttributeCatalog.entries(named: "pkeytable").first?.name == "P_KeyTable")
        #expect(AttributeCatalog.entries(named: "PortInfo", in: .performance).isEmpty)
    }

    @Test func layoutsFitTheirClassData() {
        for entry in AttributeCatalog.entries {
            let limit = switch entry.scope {
            case .subnetManagement: 64
            case .performance: 192
            case .subnetAdministration, .common: 200
            }
            #expect(entry.layout.byteCount <= limit, "\(entry.name)")
            for field in entry.layout.fields {
                #expect(field.bits.endByte <= entry.layout.byteCount, "\(entry.name).\(field.name)")
            }
        }
    }

    @Test func headerFieldsPerClass() {
        func names(_ c: UInt8) -> [String] { AttributeCatalog.headerFields(for: ManagementClass(rawValue: c)).map(\.name) }
        #expect(names(0x01).contains("M_Key") && !names(0x01).contains("SMPData"))
        #expect(names(0x81).contains("DrSLID") && names(0x81).contains("InitialPath") && names(0x81).contains("HopPointer"))
        #expect(names(0x03).contains("RMPPType") && names(0x03).contains("ComponentMask"))
        #expect(names(0x30).contains("OUI") && names(0x30).contains("RMPPFlags"))
        #expect(names(0x04).last == "Reserved" && names(0x04).count == MADHeader.fields.count + 1)
        #expect(names(0x07) == MADHeader.fields.map(\.name))
        #expect(AttributeCatalog.dataRange(for: .subnetAdministration) == 56..<256)
        #expect(AttributeCatalog.dataRange(for: .subnetLIDRouted) == 64..<128)
        #expect(AttributeCatalog.dataRange(for: ManagementClass(rawValue: 0x40)) == 40..<256)
        #expect(AttributeCatalog.dataRange(for: .communicationManagement) == 24..<256)
    }
}

@Suite struct FieldRenderingTests {
    @Test(arguments: [
        ("fe800000000000000002c90300000001", "fe80::2:c903:0:1"),
        ("00000000000000000000000000000000", "::"),
        ("00000000000000000000000000000001", "::1"),
        ("fe800000000000000000000000000000", "fe80::"),
        ("00010000000200000000000300000004", "1:0:2::3:0:4"),
        ("00010002000300040005000600070008", "1:2:3:4:5:6:7:8"),
        ("00010000000200030004000500060007", "1:0:2:3:4:5:6:7"),
    ])
    func gidText(_ hex: String, _ text: String) {
        #expect(FieldText.gid(hexBytes(hex)) == text)
    }

    @Test func textStopsAtNulAndEscapes() {
        #expect(FieldText.text(Array("switch-1".utf8) + [0, 0x41]) == "switch-1")
        #expect(FieldText.text([0x41, 0x0A, 0x5C, 0xFF]) == "A\\x0a\\\\\\xff")
    }

    @Test func lidsAndMasks() {
        #expect(FieldText.lid(1) == "1 (0x0001)")
        #expect(FieldText.lid(0xFFFF) == "65535 (0xffff) permissive")
        #expect(FieldText.lid(0xC001).hasSuffix("multicast"))
        let names = ValueNames([(1, "1X"), (2, "4X")])
        let mask = Field("LinkWidthSupported", byte: 0, width: 8, .bitmask(names))
        let rendered = [UInt8]([0x13]).withUnsafeBytes { RenderedField(mask, in: $0) }
        #expect(rendered.text == "0x13 (1X, 4X, other bits 0x10)")
    }

    @Test func fieldsPastTheEndAreMissingNotRead() {
        let field = Field("LID", byte: 2, width: 16)
        let rendered = [UInt8]([1, 2, 3]).withUnsafeBytes { RenderedField(field, in: $0) }
        #expect(rendered.value == .missing)
    }

    @Test func jsonWriterEscapesAndLimitsNumbers() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("s", "quote\" back\\ nl\n tab\t bell\u{07} é ✓")
        writer.member("small", UInt64(1) << 53)
        writer.member("big", (UInt64(1) << 53) + 1)
        writer.key("list")
        writer.beginArray()
        writer.number(1)
        writer.null()
        writer.bool(true)
        writer.beginObject()
        writer.endObject()
        writer.endArray()
        writer.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(writer.output.utf8)) as? [String: Any])
        #expect(object["s"] as? String == "quote\" back\\ nl\n tab\t bell\u{07} é ✓")
        #expect((object["small"] as? NSNumber)?.uint64Value == UInt64(1) << 53)
        #expect(object["big"] as? String == "0x0020000000000001")
        #expect((object["list"] as? [Any])?.count == 4)
    }
}

@Suite struct MADDescriptionTests {
    static func nodeInfoResponse() -> MAD {
        var mad = MAD(class: .subnetDirectedRoute, classVersion: 1, method: .getResponse,
                      attribute: .nodeInfo, transactionID: 0x1234_5678_9ABC_DEF0)
        mad.status = MADStatus(rawValue: 0x8000)  // D bit: a returning DR SMP
        var info = NodeInfo()
        info.baseVersion = 1
        info.classVersion = 1
        info.nodeType = .switch
        info.numberOfPorts = 8
        info.nodeGUID = 0x0002_C903_0000_0001
        info.portGUID = 0x0002_C903_0000_0001
        info.vendorID = 0x0002C9
        try! mad.setAttribute(info)
        mad.withUnsafeMutableBytes { raw in
            raw[7] = 2          // hop count
            raw[128 + 1] = 1    // initial path 1,3
            raw[128 + 2] = 3
        }
        return mad
    }

    static func field(_ description: MADDescription, _ section: String, _ name: String) -> RenderedField? {
        description.sections.first { $0.title == section }?.fields.first { $0.name == name }
    }

    @Test func nodeInfoText() {
        let description = MADDescription(Self.nodeInfoResponse())
        #expect(description.summary.hasPrefix("SubnDirectedRoute (0x81) GetResp (0x81) NodeInfo (0x0011)"))
        #expect(Self.field(description, "NodeInfo", "NodeType")?.text == "Switch (2)")
        #expect(Self.field(description, "NodeInfo", "NodeGUID")?.text == "0x0002c90300000001")
        #expect(Self.field(description, "NodeInfo", "NodeGUID")?.value == .unsigned(0x0002_C903_0000_0001))
        let header = "MAD header"
        #expect(Self.field(description, header, "D")?.text == "1")
        #expect(Self.field(description, header, "Status")?.text == "success (0x0000)")
        #expect(Self.field(description, header, "InitialPath")?.text == "1,3")
        #expect(Self.field(description, header, "Method")?.text == "GetResp (0x81)")
        // Reserved fields that are zero are not listed.
        #expect(Self.field(description, header, "Reserved") == nil)
        let text = description.text
        #expect(text.contains("NodeType"))
        #expect(text.contains("Switch (2)"))
    }

    @Test func reservedBitsAreShownWhenSet() {
        var mad = Self.nodeInfoResponse()
        mad.withUnsafeMutableBytes { $0[18] = 0x01 }
        let description = MADDescription(mad)
        #expect(Self.field(description, "MAD header", "Reserved")?.value == .unsigned(0x0100))
    }

    @Test func nodeInfoJSON() throws {
        let description = MADDescription(Self.nodeInfoResponse())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(description.json.utf8)) as? [String: Any])
        #expect(object["attributeName"] as? String == "NodeInfo")
        #expect(object["transactionID"] as? String == "0x123456789abcdef0")
        let sections = try #require(object["sections"] as? [[String: Any]])
        let nodeInfo = try #require(sections.first { $0["title"] as? String == "NodeInfo" })
        #expect(nodeInfo["offset"] as? Int == 64)
        let fields = try #require(nodeInfo["fields"] as? [[String: Any]])
        let type = try #require(fields.first { $0["name"] as? String == "NodeType" })
        #expect(type["value"] as? Int == 2)
        #expect(type["bitOffset"] as? Int == (64 + 2) * 8)
        let guid = try #require(fields.first { $0["name"] as? String == "NodeGUID" })
        #expect(guid["value"] as? Int == 0x0002_C903_0000_0001)  // below 2^53: a number
    }

    @Test func unknownClassIsHeaderAndHexDump() {
        var mad = MAD(class: ManagementClass(rawValue: 0x55), classVersion: 1, method: .get,
                      attribute: AttributeID(rawValue: 0x4242))
        mad.withUnsafeMutableBytes { $0[24] = 0xAB }
        let description = MADDescription(mad)
        #expect(description.sections.count == 2)
        #expect(description.sections[1].kind == .data)
        #expect(description.sections[1].offset == 24)
        #expect(description.sections[1].data.first == 0xAB)
        #expect(description.text.contains("0018: ab 00"))
    }

    @Test func unknownAttributeOfKnownClassIsNamedWhenPossible() {
        let mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .ledInfo)
        let description = MADDescription(mad)
        #expect(description.summary.contains("LedInfo (0x0031)"))
        #expect(description.sections.last?.kind == .data)
        #expect(description.sections.last?.offset == 64)
    }

    @Test func bareAttribute() throws {
        let entry = try #require(AttributeCatalog.entries(named: "NodeInfo").first)
        var bytes = Self.nodeInfoResponse().encoded[64..<128].map { $0 }
        let description = try MADDescription(attribute: entry, bytes: bytes)
        #expect(description.header == nil)
        #expect(Self.field(description, "NodeInfo", "NodeType")?.text == "Switch (2)")
        #expect(description.sections.count == 1)
        bytes[50] = 7  // non-zero bytes after the attribute are shown
        #expect(try MADDescription(attribute: entry, bytes: bytes).sections.count == 2)
        #expect(throws: MADWireError.self) { try MADDescription(attribute: entry, bytes: Array(bytes[0..<30])) }
    }

    // MARK: SA tables (IBA 15.2.1.1, 13.6.2.1)

    static func pathRecordTable(records: Int) -> MAD {
        var mad = MAD(class: .subnetAdministration, classVersion: 2, method: .getTableResponse, attribute: .pathRecord)
        mad.saAttributeOffset = 8  // 64-byte records
        mad.withUnsafeMutableBytes { raw in
            for index in 0..<records where 56 + index * 64 + 64 <= 256 {
                let start = 56 + index * 64
                raw[start + 8] = 0xFE; raw[start + 9] = 0x80    // DGID fe80::…
                raw[start + 23] = UInt8(index + 1)
                raw[start + 41] = UInt8(index + 1)               // DLID
            }
        }
        return mad
    }

    @Test func getTableResponseDecodesEveryRecordThatFits() {
        let description = MADDescription(Self.pathRecordTable(records: 3))
        let records = description.sections.filter { $0.kind == .record }
        #expect(records.map(\.title) == ["PathRecord [0]", "PathRecord [1]", "PathRecord [2]"])
        #expect(records.map(\.offset) == [56, 120, 184])
        #expect(records[2].fields.first { $0.name == "DGID" }?.text == "fe80::3")
        #expect(records[1].fields.first { $0.name == "DLID" }?.text == "2 (0x0002)")
        #expect(description.notes.contains("3 PathRecords in this MAD, 64 bytes apart"))
    }

    @Test func getTableResponseWithoutRMPPStopsAtAnEmptySlot() {
        let description = MADDescription(Self.pathRecordTable(records: 1))
        #expect(description.sections.filter { $0.kind == .record }.count == 1)
    }

    @Test func rmppFirstSegmentUsesPayloadLength() {
        var mad = Self.pathRecordTable(records: 1)
        mad.rmppVersion = 1
        mad.rmppType = .data
        mad.rmppFlags = [.active, .first]
        mad.rmppData1 = 1
        mad.rmppData2 = 20 + 5 * 64  // five records in all, three fit in this segment
        let description = MADDescription(mad)
        #expect(description.sections.filter { $0.kind == .record }.count == 3)  // empty slots included
        #expect(description.notes.contains("5 records in all; the rest follow in later RMPP segments"))
        mad.rmppData2 = 20  // an empty table
        #expect(MADDescription(mad).sections.filter { $0.kind == .record }.isEmpty)
    }

    @Test func laterRMPPSegmentsAndControlPacketsAreRaw() {
        var mad = Self.pathRecordTable(records: 3)
        mad.rmppVersion = 1
        mad.rmppType = .data
        mad.rmppFlags = [.active]
        mad.rmppData1 = 2
        var description = MADDescription(mad)
        #expect(description.sections.last?.kind == .data)
        #expect(description.sections.last?.notes.first?.hasPrefix("RMPP segment 2 continues") == true)
        mad.rmppType = .ack
        description = MADDescription(mad)
        #expect(description.sections.last?.notes == ["RMPP ACK carries no records"])
    }

    @Test func saStatusNames() {
        var mad = MAD(class: .subnetAdministration, classVersion: 2, method: .getResponse, attribute: .pathRecord)
        mad.status = MADStatus(rawValue: 0x0300)
        #expect(MADDescription(mad).summary.hasSuffix("ERR_NO_RECORDS"))
    }

    // MARK: Robustness

    static let fuzzClasses: [UInt8] = [0x01, 0x81, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x21, 0x30, 0x4F, 0x00, 0xFF]
    static let fuzzCases = 6000

    /// Random MADs of every known class and attribute (and random ones): describing, text and
    /// JSON must always succeed, and the JSON must parse.
    @Test func randomMADsNeverTrapAndGiveValidJSON() throws {
        var generator = SeededGenerator(seed: differentialSeed)
        var attributeIDs = AttributeCatalog.entries.map(\.attributeID.rawValue)
        attributeIDs += [0x0000, 0x0031, 0x0035, 0xFFFF]
        for index in 0..<Self.fuzzCases {
            var mad = MAD()
            mad.withUnsafeMutableBytes { raw in
                for i in 0..<raw.count { raw[i] = UInt8.random(in: 0...255, using: &generator) }
                // Mostly plausible headers, sometimes sparse data, so every path is reached.
                if index % 4 != 0 { raw[0] = 1 }
                if index % 3 == 0 { for i in 64..<raw.count where UInt8.random(in: 0...3, using: &generator) != 0 { raw[i] = 0 } }
            }
            mad.managementClass = ManagementClass(rawValue: Self.fuzzClasses[index % Self.fuzzClasses.count])
            if index % 7 != 0 { mad.attributeID = AttributeID(rawValue: attributeIDs[index / 7 % attributeIDs.count]) }
            if mad.managementClass == .subnetAdministration {
                let methods: [UInt8] = [0x92, 0x81, 0x12, 0x93, mad.method.rawValue]
                mad.method = Method(rawValue: methods[index % methods.count])
                if index % 2 == 0 { mad.rmppFlags = [.active, .first]; mad.rmppType = .data; mad.rmppData1 = UInt32(index % 3) }
                if index % 5 == 0 { mad.saAttributeOffset = UInt16(index % 40) }
            }
            let description = MADDescription(mad)
            #expect(!description.text.isEmpty)
            let json = description.json
            let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8))
            #expect(parsed is [String: Any], "case \(index), seed \(differentialSeed): \(json.prefix(300))")
            if !(parsed is [String: Any]) { return }
        }
    }

    @Test func randomBareAttributesNeverTrap() throws {
        var generator = SeededGenerator(seed: differentialSeed &+ 1)
        for entry in AttributeCatalog.entries {
            for _ in 0..<100 {
                let count = Int.random(in: entry.layout.byteCount...(entry.layout.byteCount + 64), using: &generator)
                let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let description = try MADDescription(attribute: entry, bytes: bytes)
                #expect(!description.text.isEmpty)
                #expect((try? JSONSerialization.jsonObject(with: Data(description.json.utf8))) is [String: Any])
            }
        }
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

@Suite struct SMPTrapDescriptionTests {
    /// An SMP Trap carries the 64-byte Notice without IssuerGID (IBA 14.2.5.1): no
    /// "needs 80 bytes" note and no IssuerGID line; a GMP Notice keeps all 80 bytes.
    @Test func smpNoticeIsTheSixtyFourByteForm() throws {
        var mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: .trap, attribute: .notice)
        var notice = Notice()
        notice.isGeneric = true
        notice.trapNumber = 128
        let written = mad.withUnsafeMutableBytes { raw in
            (try? notice.encodeSMPData(into: UnsafeMutableRawBufferPointer(rebasing: raw[64...]))) != nil
        }
        #expect(written)
        let text = MADDescription(mad).text
        #expect(!text.contains("needs 80 bytes"))
        #expect(!text.contains("IssuerGID"))
        #expect(text.contains("TrapNumber/DeviceID    128"))

        let report = MAD(class: .subnetAdministration, classVersion: 2, method: .report, attribute: .notice)
        #expect(MADDescription(report).text.contains("IssuerGID"))
    }
}
