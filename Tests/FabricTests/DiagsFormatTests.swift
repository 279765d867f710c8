import Fabric
import Foundation
import MADWire
import Testing

/// The parts of the tool formats no capture reaches: saturation in perfquery -a, node
/// names, portid2str variants, and the JSON of the table commands.
@Suite struct DiagsFormatTests {
    @Test func aggregationSaturatesAtEachCounterWidth() {
        var a = PortCounters(), b = PortCounters()
        typealias F = PortCounters.Fields
        a[F.symbolErrorCounter] = 0xFFF0; b[F.symbolErrorCounter] = 0x20       // 16 bits
        a[F.linkDownedCounter] = 200; b[F.linkDownedCounter] = 100             // 8 bits
        a[F.localLinkIntegrityErrors] = 9; b[F.localLinkIntegrityErrors] = 9   // 4 bits
        a[F.portXmitData] = 0xFFFF_FFF0; b[F.portXmitData] = 0x10              // 32 bits: exactly wraps
        a[F.portRcvData] = 7; b[F.portRcvData] = 8
        a[F.portXmitWait] = 5; b[F.portXmitWait] = 6
        a[F.counterSelect2] = 0x11; b[F.counterSelect2] = 0x22
        let total = PerfQueryText.aggregate([a, b], capabilityMask: PerfQueryText.portXmitWaitSupported)!
        #expect(total[F.symbolErrorCounter] == 0xFFFF)
        #expect(total[F.linkDownedCounter] == 0xFF)
        #expect(total[F.localLinkIntegrityErrors] == 0xF)
        #expect(total[F.portXmitData] == 0xFFFF_FFFF)
        #expect(total[F.portRcvData] == 15)
        #expect(total[F.portXmitWait] == 11)
        #expect(total[F.portSelect] == 255)
        #expect(total[F.counterSelect2] == 0x22, "not summed by perfquery: the last port's")
        // Without PortXmitWait support perfquery zeroes it before summing.
        #expect(PerfQueryText.aggregate([a, b], capabilityMask: 0)![F.portXmitWait] == 0)
        let text = PerfQueryText.aggregatedPortCounters([a, b], destination: .lid(5), capabilityMask: 0x1000)
        #expect(text.hasPrefix("# Port counters: Lid 5 port 255 (CapMask: 0x1000)\nPortSelect:......................255\n"))
    }

    @Test func extendedAggregationSumsOnlyWhatTheMasksAnnounce() {
        var a = PortCountersExtended(), b = PortCountersExtended()
        typealias F = PortCountersExtended.Fields
        a[F.portXmitData] = .max - 1; b[F.portXmitData] = 5
        a[F.portUnicastXmitPkts] = 1; b[F.portUnicastXmitPkts] = 2
        a[F.symbolErrorCounter] = 3; b[F.symbolErrorCounter] = 4
        let narrow = PerfQueryText.aggregate([a, b], capabilityMask: 0, capabilityMask2: 0)!
        #expect(narrow[F.portXmitData] == .max)
        #expect(narrow[F.portUnicastXmitPkts] == 2 && narrow[F.symbolErrorCounter] == 4)
        let wide = PerfQueryText.aggregate([a, b], capabilityMask: PerfQueryText.extendedWidthSupported,
                                           capabilityMask2: PerfQueryText.additionalPortCountersExtended)!
        #expect(wide[F.portUnicastXmitPkts] == 3 && wide[F.symbolErrorCounter] == 7)
        let text = PerfQueryText.portCountersExtended(wide, destination: .lid(1), port: 1, capabilityMask: 0x200,
                                                      capabilityMask2: 2)
        #expect(text.hasPrefix("# Port extended counters: Lid 1 port 1 (CapMask: 0x200 CapMask2: 0x0000002)\n"))
        #expect(text.contains("\nCounterSelect2:..................0x00000000\nSymbolErrorCounter:..............7\n"))
        #expect(text.hasSuffix("QP1Dropped:......................0\n"))
    }

    @Test func nodeNamesAreCleanedAsNodeNameMapDoes() throws {
        var bytes = Array("leaf\u{1}one\u{7f}x".utf8) + [0xC3, 0xA9]
        #expect(Diags.nodeName(bytes + [0, 65], guid: 1, map: nil) == "leaf one x  ")
        bytes = [UInt8](repeating: 0x41, count: 64)
        #expect(Diags.nodeName(bytes, guid: 1, map: nil).count == 64, "clean_nodedesc keeps 64 characters")
        let map = try NodeNameMap(parsing: "0x10 \"mapped name\"")
        #expect(Diags.nodeName(bytes, guid: 0x10, map: map) == "mapped name")
    }

    @Test func nodeDescriptionDotsShrinkToOne() throws {
        let long = try NodeDescription(decoding: Array("A name that is exactly 32 chars!".utf8) + [UInt8](repeating: 0, count: 32))
        #expect(SMPQueryText.nodeDescription(long, nodeGUID: 0) == "Node Description:.A name that is exactly 32 chars!\n")
        let short = try NodeDescription(decoding: Array("ab".utf8) + [UInt8](repeating: 0, count: 62))
        #expect(SMPQueryText.nodeDescription(short, nodeGUID: 0) == "Node Description:" + String(repeating: ".", count: 30) + "ab\n")
    }

    @Test func destinationsReadLikePortid2str() throws {
        #expect(DiagsDestination.lid(12).description == "Lid 12")
        #expect(DiagsDestination.directed(.local).description == "DR path slid 65535; dlid 65535; 0")
        let path = try DirectedRoutePath(parsing: "0,1,5")
        #expect(DiagsDestination(lid: 3, path: path).description == "Lid 3 DR path slid 65535; dlid 65535; 0,1,5")
        let gid: [UInt8] = [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0x51]
        #expect(DiagsDestination(lid: 12, gid: gid).description == "Lid 12 Gid fe80::1000:0:0:51")
        #expect(Diags.gidText([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 0, 0, 1]) == "::ffff:10.0.0.1")
        #expect(Diags.exitMessage(tool: "smpquery", "operation pkeys: node info query failed")
            == "smpquery: iberror: failed: operation pkeys: node info query failed\n")
    }

    @Test func sminfoStatesBeyondMasterPrintQuestionMarks() {
        var info = SMInfo()
        info.guid = 0xABC
        info.actCount = 7
        info.priority = 15
        info.smState = SMState(rawValue: 9)
        #expect(SMInfoText.line(info, lid: 0) == "sminfo: sm lid 0 sm guid 0xabc, activity count 7 priority 15 state 9 ???\n")
    }

    /// Each table command's JSON parses and shows what its text shows.
    @Test func tableJSONAgreesWithTheCaptures() throws {
        func parse(_ records: [DiagsJSON.Record]) throws -> [[[String: Any]]] {
            let json = DiagsJSON.document(tool: "smpquery", query: "t", destination: .lid(12), records: records)
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            return (object["records"] as! [[String: Any]]).map { $0["fields"] as! [[String: Any]] }
        }
        let pkeys = try MultiCapture("pkeys-ca")
        let keyFields = try parse([DiagsJSON.pKeys(try pkeys.all(PKeyTable.self).map(\.value), capacity: 64)])[0]
        let printed = pkeys.output.split(separator: "\n").dropLast().flatMap { $0.split(separator: " ").dropFirst() }
        #expect(keyFields.dropLast().map { $0["text"] as! String } == printed.map(String.init))
        #expect(keyFields.last?["value"] as? Int == 64)

        let guids = try MultiCapture("guids-switch")
        let guidFields = try parse([DiagsJSON.guids(try guids.all(GUIDInfo.self).map(\.value), capacity: 1)])[0]
        #expect(guidFields.map { $0["name"] as! String } == ["GUID[0]", "GUID[1]", "Capacity"])
        #expect(guidFields[0]["text"] as? String == "0x2000000000000010")

        let vlarb = try MultiCapture("vlarb-switch")
        let blocks = try vlarb.all(VLArbitrationTable.self)
        let tables = try parse(DiagsJSON.vlArbitration(lowCap: 8, highCap: 8,
                                                       low: blocks.filter { $0.modifier >> 16 == 1 }.map(\.value),
                                                       high: blocks.filter { $0.modifier >> 16 == 3 }.map(\.value)))
        #expect(tables.count == 2 && tables[0].count == 16)
        #expect(tables[1][1]["name"] as? String == "Weight[0]" && tables[1][1]["value"] as? Int == 4)

        let sl2vl = try MultiCapture("sl2vl-ca")
        let rows = try parse(DiagsJSON.slToVL(try sl2vl.all(SLToVLMappingTable.self).map { (inPort: 0, outPort: 0, table: $0.value) }))
        #expect(rows[0].count == 18 && rows[0][17]["name"] as? String == "SL15" && rows[0][17]["value"] as? Int == 7)

        let ibaddr = try MultiCapture("ibaddr")
        let address = try parse([DiagsJSON.address(portInfo: try ibaddr.one(PortInfo.self), nodeInfo: try ibaddr.one(NodeInfo.self))])[0]
        #expect(address[0]["value"] as? String == "fe80::1000:0:0:51")
        #expect(address[1]["value"] as? Int == 12 && address[2]["value"] as? Int == 12)
    }

    @Test func saRecordJSONReadsEveryRow() throws {
        let smir = try MultiCapture("sa-smir")
        let sm = DiagsJSON.saRecord(attribute: "SMInfoRecord",
                                    text: SAQueryText.smInfoRecord(smir.records(SMInfoRecord.self)[0]), column: 22)
        #expect(sm.fields.map(\.name) == ["LID", "GUID", "SM_Key", "ActCount", "Priority", "SMState"])
        #expect(sm.fields.map(\.text) == ["1", "0x1000000000000011", "0x0000000000000000", "473", "0", "3"])
        let lr = try MultiCapture("sa-lr")
        let link = DiagsJSON.saRecord(attribute: "LinkRecord",
                                      text: SAQueryText.linkRecord(lr.records(LinkRecord.self)[0]), column: 27)
        #expect(link.fields.map(\.text) == ["2", "1", "4", "10"])
        var record = NodeRecord()
        record.setBytes(Array("..dots first".utf8), of: NodeDescription.Fields.nodeString.embedded(at: 44))
        let node = DiagsJSON.saRecord(attribute: "NodeRecord", text: SAQueryText.nodeRecord(record))
        #expect(node.fields.last?.name == "NodeDescription" && node.fields.last?.text == "..dots first")
        #expect(node.fields[4].text == "UNKNOWN", "node type 0 is UNKNOWN in saquery")
    }

    /// smpquery's row arithmetic for capacities that do not fill their blocks.
    @Test func partialTableBlocks() throws {
        let pkeys = SMPQueryText.pKeys([PKeyTable(), PKeyTable()], capacity: 40).split(separator: "\n")
        #expect(pkeys.count == 6)
        #expect(pkeys[4] == "  32: 0x0000 0x0000 0x0000 0x0000 0x0000 0x0000 0x0000 0x0000")
        #expect(pkeys[5] == "40 pkeys capacity for this port")
        let guids = SMPQueryText.guids([GUIDInfo()], capacity: 5).split(separator: "\n")
        #expect(guids.map { $0.prefix(5) } == ["   0:", "   2:", "   4:", "5 gui"])
        #expect(SMPQueryText.pKeys([], capacity: 0) == "0 pkeys capacity for this port\n")
    }

    @Test func perfqueryWarningsReadLikeIBWARN() {
        #expect(PerfQueryText.noExtendedCounterSupportWarning(capabilityMask: 0x100, pid: 42)
            == "ibwarn: [42] dump_perfcounters: PerfMgt ClassPortInfo CapMask 0x100; No extended counter support indicated\n\n")
        #expect(PerfQueryText.noExtendedCounterSupportWarning(capabilityMask: 0x400, pid: 42) == nil)
        #expect(PerfQueryText.emulatingAllPortSelectWarning(pid: 7)
            == "ibwarn: [7] main: Emulating AllPortSelect by iterating through all ports\n")
    }
}
