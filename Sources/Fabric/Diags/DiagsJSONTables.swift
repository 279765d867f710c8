public import MADWire

// JSON records for the table-shaped commands (smpquery pkeys/sl2vl/vlarb/guids, ibaddr),
// in the schema of DiagsJSON. Entries are named as the text output numbers them.
extension DiagsJSON {
    private static func hex(_ value: UInt64, digits: Int) -> String { "0x" + DumpValue.hex(value, digits: digits) }

    /// `smpquery pkeys`: the entries the text shows (capacity rounded up to eight), then
    /// the capacity.
    public static func pKeys(_ blocks: [PKeyTable], capacity: Int) -> Record {
        let shown = min(((capacity + 7) / 8) * 8, blocks.count * PKeyTable.count)
        let keys = blocks.flatMap { $0.pKeys.map(\.rawValue) }.prefix(shown)
        var fields = keys.enumerated().map { index, key in
            (name: "P_Key[\(index)]", value: FieldJSONValue.number(UInt64(key)), text: hex(UInt64(key), digits: 4),
             flags: [String]?.none)
        }
        fields.append(("Capacity", .number(UInt64(max(capacity, 0))), "\(capacity)", nil))
        return Record(attribute: "P_KeyTable", fields: fields)
    }

    /// `smpquery sl2vl`: one record per row, SL0...SL15 → VL.
    public static func slToVL(_ rows: [(inPort: Int, outPort: Int, table: SLToVLMappingTable)]) -> [Record] {
        rows.map { row in
            var fields: [(name: String, value: FieldJSONValue, text: String, flags: [String]?)] = [
                ("InputPort", .number(UInt64(max(row.inPort, 0))), "\(row.inPort)", nil),
                ("OutputPort", .number(UInt64(max(row.outPort, 0))), "\(row.outPort)", nil),
            ]
            for (sl, vl) in row.table.vls.enumerated() { fields.append(("SL\(sl)", .number(UInt64(vl)), "\(vl)", nil)) }
            return Record(attribute: "SLtoVLMappingTable", fields: fields)
        }
    }

    /// `smpquery vlarb`: one record per table printed ("Low", "High"), VL[i] and Weight[i].
    public static func vlArbitration(lowCap: Int, highCap: Int, low: [VLArbitrationTable],
                                     high: [VLArbitrationTable]) -> [Record] {
        func record(_ name: String, _ cap: Int, _ blocks: [VLArbitrationTable]) -> Record {
            let entries = blocks.prefix(2).flatMap(\.entries).prefix(max(cap, 0))
            var fields: [(name: String, value: FieldJSONValue, text: String, flags: [String]?)] = []
            for (i, entry) in entries.enumerated() {
                fields.append(("VL[\(i)]", .number(UInt64(entry.vl)), "\(entry.vl)", nil))
                fields.append(("Weight[\(i)]", .number(UInt64(entry.weight)), "\(entry.weight)", nil))
            }
            return Record(attribute: "VLArbitrationTable \(name)", fields: fields)
        }
        var records: [Record] = []
        if lowCap > 0 { records.append(record("Low", lowCap, low)) }
        if highCap > 0 { records.append(record("High", highCap, high)) }
        return records
    }

    /// `smpquery guids`: the entries the text shows (capacity rounded up to two).
    public static func guids(_ blocks: [GUIDInfo], capacity: Int) -> Record {
        let shown = min(((capacity + 1) / 2) * 2, blocks.count * GUIDInfo.count)
        var fields = blocks.flatMap(\.guids).prefix(shown).enumerated().map { index, guid in
            (name: "GUID[\(index)]", value: FieldJSONValue.number(guid), text: hex(guid, digits: 16), flags: [String]?.none)
        }
        fields.append(("Capacity", .number(UInt64(max(capacity, 0))), "\(capacity)", nil))
        return Record(attribute: "GUIDInfo", fields: fields)
    }

    /// `ibaddr`: the GID and the LID range, whichever options are given.
    public static func address(portInfo: PortInfo, nodeInfo: NodeInfo) -> Record {
        let gid = Diags.portGID(prefix: portInfo.gidPrefix, guid: nodeInfo.portGUID)
        let start = UInt64(portInfo.lid), end = start + (1 << UInt64(portInfo.lmc)) - 1
        return Record(attribute: "Address", fields: [
            ("GID", .string(Diags.gidText(gid)), Diags.gidText(gid), nil),
            ("LIDStart", .number(start), "\(start)", nil),
            ("LIDEnd", .number(end), "\(end)", nil),
        ])
    }
}
