public import MADWire

/// `--json`: the data each infiniband-diags-style command prints, as JSON, written with
/// MADWire's JSONWriter (integers above 2^53 become "0x…" strings).
///
/// Schema (one object per command):
///
///     {
///       "tool": "smpquery",               // perfquery, sminfo, saquery, ibaddr
///       "query": "portinfo",              // the subcommand / attribute
///       "destination": {"lid": 12, "drPath": "0,1", "drSLID": 65535, "drDLID": 65535,
///                       "text": "Lid 12"},  // drPath/drSLID/drDLID only for directed routes
///       "port": 1,                        // when the query names a port
///       "capabilityMask": 4608,           // perfquery: the PMA's ClassPortInfo masks
///       "records": [                      // one object per attribute or record printed
///         {"attribute": "PortInfo",
///          "fields": [{"name": "LinkWidthEnabled", "value": 2, "text": "4X"}, ...]}
///       ]
///     }
///
/// `name` and `text` are what the C tool prints left and right of the dots; `value` is
/// the raw field. Capability masks add `"flags": ["IsTrapSupported", ...]` and print the
/// number alone as `text`. Keys hidden by the text output (M_Key without -K) are omitted.
/// Deliberate difference from the text: PortCounters' QP1Dropped is IBA's field (bytes
/// 20-21), where libibmad's text repeats VL15Dropped. saquery records (`saRecord`) carry
/// saquery's row names and printed values as strings (saquery prints C struct members,
/// selector bits included); tables (DiagsJSONTables.swift) name entries "P_Key[0]",
/// "GUID[3]", "SL15", "VL[2]"/"Weight[2]", plus "Capacity".
public enum DiagsJSON {
    /// One record: its fields in the C tool's order.
    public struct Record {
        public let attribute: String
        public let fields: [(name: String, value: FieldJSONValue, text: String, flags: [String]?)]

        public init(attribute: String, fields: [(name: String, value: FieldJSONValue, text: String, flags: [String]?)]) {
            self.attribute = attribute
            self.fields = fields
        }

        /// A record from a libibmad field table.
        public init(attribute: String, table: [DumpField], of structure: some WireStructure, hiding hidden: Set<String> = []) {
            self.attribute = attribute
            self.fields = table.filter { !hidden.contains($0.name) }.map { field in
                let raw = structure[field.field]
                let text = field.value(in: structure)
                let lines = text.split(separator: "\n").map { String($0.drop { $0 == "\t" }) }
                switch field.style {
                case .portCapMask, .portCapMask2:
                    return (field.name, .number(raw), lines.first ?? text, Array(lines.dropFirst()))
                default:
                    return (field.name, .number(raw), text, nil)
                }
            }
        }
    }

    public enum FieldJSONValue: Sendable {
        case number(UInt64)
        case string(String)
    }

    /// The whole document.
    public static func document(tool: String, query: String, destination: DiagsDestination?, port: Int? = nil,
                                extra: [(String, UInt64)] = [], records: [Record]) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("tool", tool)
        w.member("query", query)
        if let destination {
            w.key("destination")
            w.beginObject()
            w.member("lid", Int(destination.lid))
            if let path = destination.path {
                w.member("drPath", (["0"] + path.ports.map { String($0) }).joined(separator: ","))
                w.member("drSLID", Int(path.drSLID))
                w.member("drDLID", Int(path.drDLID))
            }
            w.member("text", destination.description)
            w.endObject()
        }
        if let port { w.member("port", port) }
        for (key, value) in extra { w.member(key, value) }
        w.key("records")
        w.beginArray()
        for record in records {
            w.beginObject()
            w.member("attribute", record.attribute)
            w.key("fields")
            w.beginArray()
            for field in record.fields {
                w.beginObject()
                w.member("name", field.name)
                switch field.value {
                case .number(let n): w.member("value", n)
                case .string(let s): w.member("value", s)
                }
                w.member("text", field.text)
                if let flags = field.flags {
                    w.key("flags")
                    w.beginArray()
                    for flag in flags { w.string(flag) }
                    w.endArray()
                }
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output + "\n"
    }

    // Records for the attributes the commands print.

    public static func nodeInfo(_ value: NodeInfo) -> Record {
        Record(attribute: "NodeInfo", table: DumpTables.nodeInfo, of: value)
    }

    public static func portInfo(_ value: PortInfo, showKeys: Bool = false) -> Record {
        Record(attribute: "PortInfo", table: DumpTables.portInfo + DumpTables.portInfoExtendedSpeeds, of: value,
               hiding: showKeys ? [] : ["Mkey"])
    }

    public static func switchInfo(_ value: SwitchInfo) -> Record {
        Record(attribute: "SwitchInfo", table: DumpTables.switchInfo, of: value)
    }

    public static func portCounters(_ value: PortCounters) -> Record {
        // QP1Dropped from IBA's bytes 20-21; the text repeats VL15Dropped there (libibmad bug).
        Record(attribute: "PortCounters", table: DumpTables.portCountersCorrected, of: value)
    }

    /// The fields perfquery -x would print for these capabilities.
    public static func portCountersExtended(_ value: PortCountersExtended, capabilityMask: UInt16,
                                            capabilityMask2: UInt32) -> Record {
        var table = DumpTables.portCountersExtendedBase
        if capabilityMask & PerfQueryText.extendedWidthSupported != 0 { table += DumpTables.portCountersExtendedWidth }
        if capabilityMask2 & PerfQueryText.additionalPortCountersExtended != 0 { table += DumpTables.portCountersExtendedErrors }
        return Record(attribute: "PortCountersExtended", table: table, of: value)
    }

    public static func nodeDescription(_ value: NodeDescription, nodeGUID: UInt64, map: NodeNameMap? = nil) -> Record {
        let name = Diags.nodeName(value.encoded, guid: nodeGUID, map: map)
        return Record(attribute: "NodeDescription", fields: [("NodeDescription", .string(name), name, nil)])
    }

    public static func smInfo(_ value: SMInfo) -> Record {
        let states = ["SMINFO_NOTACT", "SMINFO_DISCOVER", "SMINFO_STANDBY", "SMINFO_MASTER"]
        let state = Int(value.smState.rawValue)
        return Record(attribute: "SMInfo", fields: [
            ("GUID", .number(value.guid), "0x" + String(value.guid, radix: 16), nil),
            ("ActCount", .number(UInt64(value.actCount)), "\(value.actCount)", nil),
            ("Priority", .number(UInt64(value.priority)), "\(value.priority)", nil),
            ("SMState", .number(UInt64(state)), states.indices.contains(state) ? states[state] : "???", nil),
        ])
    }

    /// An SA record from its saquery text: every "\t\tname....value" row becomes a field
    /// whose `value` is the printed text (saquery prints C struct members, not IBA fields).
    /// `column` is where the record's values start after the tabs: 24 for most records,
    /// 22 for SMInfoRecord, 27 for LinkRecord (so a value that begins with dots survives).
    /// Lines without dots ("RID") are headings and skipped; for PortInfoRecord pass only
    /// the RID part and add `portInfo(record.portInfo)`.
    public static func saRecord(attribute: String, text: String, column: Int = 24) -> Record {
        var fields: [(name: String, value: FieldJSONValue, text: String, flags: [String]?)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("\t") {
            let body = line.drop { $0 == "\t" }
            guard let dots = body.firstRange(of: "..") else { continue }
            let name = String(body[..<dots.lowerBound])
            let value = String(body.dropFirst(max(column, name.count + 1)))
            fields.append((name, .string(value), value, nil))
        }
        return Record(attribute: attribute, fields: fields)
    }
}
