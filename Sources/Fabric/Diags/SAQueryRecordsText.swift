import MADWire

/// More of saquery's dump_* functions (infiniband-diags/saquery.c, rdma-core 44). Each
/// takes the record's bytes as they came (the IBA 15.2.5 wire layout, which is what the
/// C structures saquery prints overlay), at least the record's size.
extension SAQueryText {
    /// dump_class_port_info ("SA ClassPortInfo:"), for -c and CPI.
    public static func classPortInfo(_ b: [UInt8]) -> String {
        func r(_ name: String, _ value: String) -> String {
            "\t\t" + name + String(repeating: ".", count: max(25 - name.count, 0)) + value + "\n"
        }
        func x(_ value: UInt64, _ digits: Int) -> String { "0x" + DumpValue.hex(value, digits: digits, uppercase: true) }
        let word = be(b, 4, 4)
        return "SA ClassPortInfo:\n" + r("Base version", "\(b[0])") + r("Class version", "\(b[1])")
            + r("Capability mask", x(be(b, 2, 2), 4)) + r("Capability mask 2", x(word >> 5, 8))
            + r("Response time value", x(word & 0x1F, 2)) + r("Redirect GID", Diags.gidText(Array(b[8..<24])))
            + r("Redirect TC/SL/FL", x(be(b, 24, 4), 8)) + r("Redirect LID", "\(be(b, 28, 2))")
            + r("Redirect PKey", x(be(b, 30, 2), 4)) + r("Redirect QP", x(be(b, 32, 4), 8))
            + r("Redirect QKey", x(be(b, 36, 4), 8)) + r("Trap GID", Diags.gidText(Array(b[40..<56])))
            + r("Trap TC/SL/FL", x(be(b, 56, 4), 8)) + r("Trap LID", "\(be(b, 60, 2))")
            + r("Trap PKey", x(be(b, 62, 2), 4)) + r("Trap HL/QP", x(be(b, 64, 4), 8))
            + r("Trap QKey", x(be(b, 68, 4), 8))
    }

    /// ClassPortInfo:CapabilityMask2 as saquery reads it (the 27 bits above RespTimeValue).
    public static func capabilityMask2(classPortInfo b: [UInt8]) -> UInt32 { UInt32(be(b, 4, 4) >> 5) }

    /// dump_portinfo_record, saquery -s: a PortInfoRecord (IBA 15.2.5.3) in five rows.
    /// PortInfo starts at record byte 4: BaseLID at 16, MasterSMBaseLID at 18, CapabilityMask at 20.
    public static func shortPortInfoRecord(_ b: [UInt8]) -> String {
        "PortInfoRecord dump:\n" + row("EndPortLid", "\(be(b, 0, 2))") + row("PortNum", "\(b[2])")
            + row("base_lid", "\(be(b, 4 + 16, 2))") + row("master_sm_base_lid", "\(be(b, 4 + 18, 2))")
            + row("capability_mask", hx(be(b, 4 + 20, 4)))
    }

    /// dump_multicast_group_record, saquery -g: an MCMemberRecord (IBA 15.2.5.17) in six rows.
    public static func multicastGroupRecord(_ b: [UInt8]) -> String {
        "MCMemberRecord group dump:\n" + row("MGID", Diags.gidText(Array(b[0..<16]))) + row("Mlid", hx(be(b, 36, 2)))
            + row("Mtu", hx(UInt64(b[38]))) + row("pkey", hx(be(b, 40, 2))) + row("Rate", hx(UInt64(b[42])))
            + row("SL", hx(UInt64(b[44] >> 4)))
    }

    /// dump_multicast_member_record, saquery -m: `nodeName` is the NodeRecord whose PortGUID
    /// is the PortGID's interface ID, through the node-name map, or "<unknown>". With a
    /// name argument (`onlyMLID`) saquery prints just the PortGid row of that group's members.
    /// ProxyJoin is byte 49's low bit, as mcMemberRecord explains.
    public static func multicastMemberRecord(_ b: [UInt8], nodeName: String, onlyMLID: Int? = nil) -> String {
        let portGID = Diags.gidText(Array(b[16..<32]))
        if let onlyMLID {
            return onlyMLID == Int(be(b, 36, 2)) ? row("PortGid", portGID + " (" + nodeName + ")") : ""
        }
        return "MCMemberRecord member dump:\n" + row("MGID", Diags.gidText(Array(b[0..<16]))) + row("Mlid", hx(be(b, 36, 2)))
            + row("PortGid", portGID) + row("ScopeState", hx(UInt64(b[48]))) + row("ProxyJoin", hx(UInt64(b[49] & 1)))
            + row("NodeDescription", nodeName)
    }

    /// dump_switch_info_record (IBA 15.2.5.5: LID, 2 reserved bytes, SwitchInfo). The last
    /// row only when the SA's ClassPortInfo:CapabilityMask2 has IsMulticastFDBTopSupported (bit 3).
    public static func switchInfoRecord(_ b: [UInt8], saCapabilityMask2: UInt32) -> String {
        func r(_ name: String, _ value: String) -> String {
            "\t\t" + name + String(repeating: ".", count: max(40 - name.count, 0)) + value + "\n"
        }
        let s = 4
        var text = "SwitchInfoRecord dump:\n\t\tRID\n" + r("LID", "\(be(b, 0, 2))") + "\t\tSwitchInfo dump:\n"
            + r("LinearFDBCap", hx(be(b, s, 2))) + r("RandomFDBCap", hx(be(b, s + 2, 2)))
            + r("MulticastFDBCap", hx(be(b, s + 4, 2))) + r("LinearFDBTop", hx(be(b, s + 6, 2)))
            + r("DefaultPort", "\(b[s + 8])") + r("DefaultMulticastPrimaryPort", "\(b[s + 9])")
            + r("DefaultMulticastNotPrimaryPort", "\(b[s + 10])")
            + r("LifeTimeValue/PortStateChange/OpSL2VL", hx(UInt64(b[s + 11])))
            + r("LIDsPerPort", hx(be(b, s + 12, 2))) + r("PartitionEnforcementCap", hx(be(b, s + 14, 2)))
            + r("flags", hx(UInt64(b[s + 16])))
        if saCapabilityMask2 & (1 << 3) != 0 { text += r("MulticastFDBTop", hx(be(b, s + 18, 2))) }
        return text
    }

    /// dump_one_guidinfo_record ("GUIDInfo Record dump:"; IBA 15.2.5.18: LID, BlockNum,
    /// 5 reserved bytes, then 8 GUIDs).
    public static func guidInfoRecord(_ b: [UInt8]) -> String {
        var text = "GUIDInfo Record dump:\n" + wide("LID", "\(be(b, 0, 2))") + wide("Block", "\(b[2])")
        for i in 0..<8 { text += wide("GUID \(i)", hx16(be(b, 8 + 8 * i, 8))) }
        return text
    }

    /// dump_one_pkey_tbl_record (IBA 15.2.5.11: LID, BlockNum 16 bits, PortNum, 3 reserved
    /// bytes, then 32 P_Keys), four rows of eight and an empty line.
    public static func pKeyTableRecord(_ b: [UInt8]) -> String {
        var text = "PKeyTableRecord dump:\n" + wide("LID", "\(be(b, 0, 2))") + wide("Port", "\(b[4])")
            + wide("Block", "\(be(b, 2, 2))") + "\t\tPKey Table:\n"
        for rowStart in stride(from: 0, to: 32, by: 8) {
            text += "\t\t" + (rowStart..<rowStart + 8).map { "0x" + DumpValue.hex(be(b, 8 + 2 * $0, 2), digits: 4) }
                .joined(separator: " ") + "\n"
        }
        return text + "\n"
    }

    /// dump_inform_info_record (IBA 15.2.5.12: SubscriberGID, Enum, 6 reserved bytes, then
    /// InformInfo, IBA 13.4.8.3). The QPN is hidden without -K.
    public static func informInfoRecord(_ b: [UInt8], showKeys: Bool = false) -> String {
        let i = 24
        let generic = b[i + 22]
        let qpnWord = be(b, i + 28, 4)
        var text = "InformInfoRecord dump:\n\t\tRID\n" + row("SubscriberGID", Diags.gidText(Array(b[0..<16])))
            + row("SubscriberEnum", hx(be(b, 16, 2))) + "\t\tInformInfo dump:\n"
            + row("gid", Diags.gidText(Array(b[i..<i + 16]))) + row("lid_range_begin", "\(be(b, i + 16, 2))")
            + row("lid_range_end", "\(be(b, i + 18, 2))") + row("is_generic", hx(UInt64(generic)))
            + row("subscribe", hx(UInt64(b[i + 23]))) + row("trap_type", hx(be(b, i + 24, 2)))
        text += generic != 0 ? row("trap_num", "\(be(b, i + 26, 2))") : row("dev_id", hx(be(b, i + 26, 2)))
        text += row("qpn", showKeys ? "0x" + DumpValue.hex(qpnWord >> 8, digits: 6, uppercase: true) : AttributeDump.notDisplayed)
        text += row("resp_time_val", hx(qpnWord & 0x1F))
        text += row(generic != 0 ? "node_type" : "vendor_id", "0x" + DumpValue.hex(be(b, i + 33, 3), digits: 6, uppercase: true))
        return text
    }

    /// print_node_desc, saquery -D: a channel adapter's "%6d  \"name\"" line (others print nothing).
    public static func nodeDescriptionLine(_ b: [UInt8], map: NodeNameMap?) -> String {
        guard b[6] == 1 else { return "" }
        let lid = String(be(b, 0, 2))
        return String(repeating: " ", count: max(6 - lid.count, 0)) + lid + "  \""
            + Diags.nodeName(Array(b[44..<108]), guid: be(b, 16, 8), map: map) + "\"\n"
    }

    /// "\t\tname" padded with dots to 27 columns: the table records' row.
    static func wide(_ name: String, _ value: String) -> String {
        "\t\t" + name + String(repeating: ".", count: max(27 - name.count, 0)) + value + "\n"
    }
}
