public import MADWire

/// libibmad's mad_dump_<attribute> texts, from MADWire's attribute types. Each equals what
/// the C function writes into its buffer, byte for byte (FabricTests/DiagsOracleTests).
public enum AttributeDump {
    /// mad_dump_nodeinfo.
    public static func nodeInfo(_ value: NodeInfo) -> String {
        DumpTables.lines(DumpTables.nodeInfo, of: value)
    }

    /// mad_dump_portinfo when `showKeys` (the default of the library function), and
    /// infiniband-diags' dump_portinfo otherwise: that prints M_Key as "<not displayed>"
    /// unless the tool was given --show_keys (-K). `indent` is dump_portinfo's tabs
    /// (saquery PortInfoRecord uses two).
    public static func portInfo(_ value: PortInfo, showKeys: Bool = true, indent: String = "") -> String {
        var text = ""
        for field in DumpTables.portInfo {
            if field.name == "Mkey" && !showKeys {
                text += indent + DumpValue.line(field.name, notDisplayed) + "\n"
            } else {
                text += indent + field.line(in: value) + "\n"
            }
        }
        return text + DumpTables.lines(DumpTables.portInfoExtendedSpeeds, of: value, indent: indent)
    }

    /// infiniband-diags' NOT_DISPLAYED_STR, printed in place of keys without -K.
    public static let notDisplayed = "<not displayed>"

    /// mad_dump_switchinfo.
    public static func switchInfo(_ value: SwitchInfo) -> String {
        DumpTables.lines(DumpTables.switchInfo, of: value)
    }

    /// mad_dump_nodedesc: the NodeString up to its first NUL (all 64 bytes if none).
    /// Bytes are passed through unchanged, as C does; invalid UTF-8 becomes U+FFFD.
    public static func nodeDescription(_ value: NodeDescription) -> String {
        String(decoding: textBytes(value.encoded), as: UTF8.self)
    }

    /// mad_dump_perfcounters.
    public static func portCounters(_ value: PortCounters) -> String {
        DumpTables.lines(DumpTables.portCounters, of: value)
    }

    /// mad_dump_perfcounters_ext: every field, whatever the PMA's capabilities.
    public static func portCountersExtended(_ value: PortCountersExtended) -> String {
        DumpTables.lines(DumpTables.portCountersExtendedBase + DumpTables.portCountersExtendedWidth, of: value)
            + DumpTables.lines(DumpTables.portCountersExtendedErrors, of: value)
    }

    /// mad_dump_sltovl: "|%2u|" per SL 0–15, then a newline.
    public static func slToVL(_ value: SLToVLMappingTable) -> String {
        let bytes = value.encoded
        var text = "|"
        for sl in 0..<16 {
            let vl = (bytes[sl / 2] >> (sl % 2 == 0 ? 4 : 0)) & 0xF
            text += pad(String(vl), 2) + "|"
        }
        return text + "\n"
    }

    /// mad_dump_vlarbitration for the first `entries` of one 32-entry block: a VL row and
    /// a weight row, each value "0x%-2X|".
    public static func vlArbitration(_ value: VLArbitrationTable, entries: Int) -> String {
        let bytes = value.encoded
        let count = min(max(entries, 0), bytes.count / 2)
        func cell(_ byte: UInt8) -> String {
            let hex = String(byte, radix: 16, uppercase: true)
            return "0x" + hex + (hex.count < 2 ? " " : "") + "|"
        }
        var text = "\nVL    : |"
        for i in 0..<count { text += cell(bytes[2 * i] & 0xF) }
        text += "\nWEIGHT: |"
        for i in 0..<count { text += cell(bytes[2 * i + 1]) }
        return text + "\n"
    }

    /// Bytes up to the first NUL.
    static func textBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        bytes.prefix { $0 != 0 }
    }

    /// printf("%*s"): right-aligned in `width` columns.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
