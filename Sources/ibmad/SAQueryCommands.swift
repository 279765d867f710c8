import Fabric
import MADWire

/// saquery's commands that are not one query by name: -N/-D/-L/-l/-G/-O/-U (print_node_records),
/// -c, -s (print_issm_records), -g and -m (print_multicast_*_records).
extension SAQueryRun {
    func command(_ command: SAQuerySelection.Command, name: String?, into output: inout SAQueryOutput) async throws(SAFailure) {
        _ = try await pathEnds()
        switch command {
        case .query:
            return
        case .classPortInfo:
            let info: [UInt8]
            do { info = try await classPortInfo() } catch {
                throw SAFailure(stderr: error.stderr + "Failed to query SA:ClassPortInfo\n", status: error.status)
            }
            output.emit(SAQueryText.classPortInfo(info), attribute: "ClassPortInfo", column: 25)
        case .nodeRecords:
            try await nodeRecords(name: name, into: &output)
        case .isSM:
            // get_issm_records: PortInfoRecords whose CapabilityMask has the bit (component 7;
            // modifier bit 31 asks opensm to match any of the given bits).
            // JSON names each record's list: "PortInfoRecord (IsSM)" or "(IsSMdisabled)".
            for (heading, bit, list) in [("IsSM ports\n", UInt32(1) << 1, "IsSM"), ("\nIsSMdisabled ports\n", UInt32(1) << 10, "IsSMdisabled")] {
                var template = SATemplate(size: 68)
                template.set(Int64(bit), at: 4 + 20, width: 4, bit: 7)
                let records = try await client.query(.portInfoRecord, modifier: 1 << 31, mask: template.mask, template: template.bytes)
                output.heading(heading)
                for record in records { output.emit(SAQueryText.shortPortInfoRecord(record), attribute: "PortInfoRecord (\(list))") }
            }
        case .groups:
            for record in try await client.query(.mcMemberRecord) {
                output.emit(SAQueryText.multicastGroupRecord(record), attribute: "MCMemberRecord")
            }
        case .members:
            let groups = try await client.query(.mcMemberRecord)
            let nodes = try await client.query(.nodeRecord)
            let onlyMLID = name.map { Int(truncatingIfNeeded: SAClient.strtol($0) ?? 0) }
            for record in groups {
                // The NodeRecord whose PortGUID is the PortGID's interface ID names the member.
                let node = nodes.first { $0[24..<32] == record[24..<32] }
                let nodeName = node.map { Diags.nodeName(Array($0[44..<108]), guid: SAQueryText.be($0, 16, 8), map: map) } ?? "<unknown>"
                output.emit(SAQueryText.multicastMemberRecord(record, nodeName: nodeName, onlyMLID: onlyMLID), attribute: "MCMemberRecord")
            }
        }
    }

    /// print_node_records: every NodeRecord, filtered and printed as -D/-L/-l/-G/-O/-U ask.
    func nodeRecords(name: String?, into output: inout SAQueryOutput) async throws(SAFailure) {
        let records = try await client.query(.nodeRecord)
        let print = select.nodePrint
        if print == .allDescriptions { output.heading("   LID \"name\"\n================\n") }
        let requestedLID = name.map { UInt16(truncatingIfNeeded: SAClient.strtol($0) ?? 0) }
        let requestedGUID = name.map { UInt64(bitPattern: SAClient.strtol($0) ?? 0) }
        for record in records {
            let lid = SAQueryText.be(record, 0, 2), portGUID = SAQueryText.be(record, 24, 8)
            let description = Array(record[44..<108])
            let mapped = Diags.nodeName(description, guid: SAQueryText.be(record, 16, 8), map: map)
            switch print {
            case .allDescriptions:
                let line = SAQueryText.nodeDescriptionLine(record, map: map)
                output.emit(line, attribute: "NodeRecord",
                            jsonRecords: line.isEmpty ? [] : [DiagsJSON.Record(attribute: "NodeRecord", fields: [
                                ("LID", .number(lid), "\(lid)", nil), ("NodeDescription", .string(mapped), mapped, nil)])])
                continue
            case .nameOfLID:
                if UInt64(requestedLID ?? 0) != lid { continue }
            case .nameOfGUID:
                if requestedGUID != portGUID { continue }
            default:
                // strncmp(name, NodeDescription or the mapped name, 64) == 0.
                if let name {
                    let wanted = Array(name.utf8.prefix(64)).prefix { $0 != 0 }
                    let raw = description.prefix { $0 != 0 }
                    if Array(wanted) != Array(raw) && Array(wanted) != Array(mapped.utf8.prefix(64)) { continue }
                }
            }
            switch print {
            case .lidOnly, .uniqueLID: output.emit("\(lid)\n", attribute: "NodeRecord", jsonRecords: [Self.row("LID", .number(lid), "\(lid)")])
            case .guidOnly:
                let guid = SAQueryText.hx16(portGUID)
                output.emit(guid + "\n", attribute: "NodeRecord", jsonRecords: [Self.row("PortGUID", .number(portGUID), guid)])
            case .nameOfLID, .nameOfGUID:
                output.emit(mapped + "\n", attribute: "NodeRecord", jsonRecords: [Self.row("NodeDescription", .string(mapped), mapped)])
            default:
                try dump(.node, record, into: &output)
            }
            if print == .uniqueLID { return }
        }
    }

    /// A one-field JSON record for the one-value lines (-L, -G, -O, -D).
    static func row(_ name: String, _ value: DiagsJSON.FieldJSONValue, _ text: String) -> DiagsJSON.Record {
        DiagsJSON.Record(attribute: "NodeRecord", fields: [(name, value, text, nil)])
    }
}
