public import MADWire

/// What infiniband-diags' saquery prints per record (infiniband-diags/saquery.c, rdma-core
/// 44). saquery prints the records' C structures field by field, so these read the record
/// bytes at the offsets of those structures (which are the IBA 15.2.5 wire layouts).
public enum SAQueryText {
    /// dump_node_record ("NodeRecord dump:"). NodeDescription goes through the node-name
    /// map by NodeGUID, as saquery does.
    public static func nodeRecord(_ record: NodeRecord, map: NodeNameMap? = nil) -> String {
        let b = record.encoded
        let nodeType = Int(b[6])
        let typeName = (1...3).contains(nodeType) ? ["Channel Adapter", "Switch", "Router"][nodeType - 1] : "UNKNOWN"
        let nodeGUID = be(b, 16, 8)
        return "NodeRecord dump:\n"
            + row("lid", "\(be(b, 0, 2))") + row("reserved", hx(be(b, 2, 2)))
            + row("base_version", hx(UInt64(b[4]))) + row("class_version", hx(UInt64(b[5])))
            + row("node_type", typeName) + row("num_ports", "\(b[7])")
            + row("sys_guid", hx16(be(b, 8, 8))) + row("node_guid", hx16(nodeGUID))
            + row("port_guid", hx16(be(b, 24, 8))) + row("partition_cap", hx(be(b, 32, 2)))
            + row("device_id", hx(be(b, 34, 2))) + row("revision", hx(be(b, 36, 4)))
            + row("port_num", "\(b[40])") + row("vendor_id", hx(be(b, 41, 3)))
            + row("NodeDescription", Diags.nodeName(Array(b[44..<108]), guid: nodeGUID, map: map))
    }

    /// dump_path_record ("PathRecord dump:"): mtu, rate and pkt_life include their
    /// selector bits, num_path its Reversible bit, as saquery prints the raw bytes.
    public static func pathRecord(_ record: PathRecord) -> String {
        let b = record.encoded
        let qosSL = be(b, 52, 2)
        var resv2 = "0x"
        for byte in b[58..<64] { resv2 += DumpValue.hex(UInt64(byte), digits: 2, uppercase: true) }
        return "PathRecord dump:\n"
            + row("service_id", hx16(be(b, 0, 8)))
            + row("dgid", Diags.gidText(Array(b[8..<24]))) + row("sgid", Diags.gidText(Array(b[24..<40])))
            + row("dlid", "\(be(b, 40, 2))") + row("slid", "\(be(b, 42, 2))")
            + row("hop_flow_raw", hx(be(b, 44, 4))) + row("tclass", hx(UInt64(b[48])))
            + row("num_path_revers", hx(UInt64(b[49]))) + row("pkey", hx(be(b, 50, 2)))
            + row("qos_class", hx(qosSL >> 4)) + row("sl", hx(qosSL & 0xF))
            + row("mtu", hx(UInt64(b[54]))) + row("rate", hx(UInt64(b[55])))
            + row("pkt_life", hx(UInt64(b[56]))) + row("preference", hx(UInt64(b[57])))
            + row("resv2", resv2)
    }

    /// dump_sm_info_record ("SMInfoRecord dump:"). saquery's own layout: the name column
    /// is narrower than the other records'.
    public static func smInfoRecord(_ record: SMInfoRecord) -> String {
        let b = record.encoded
        func r(_ name: String, _ value: String) -> String {
            "\t\t" + name + String(repeating: ".", count: max(22 - name.count, 0)) + value + "\n"
        }
        return "SMInfoRecord dump:\n\t\tRID\n" + r("LID", "\(be(b, 0, 2))") + "\t\tSMInfo dump:\n"
            + r("GUID", hx16(be(b, 4, 8))) + r("SM_Key", hx16(be(b, 12, 8)))
            + r("ActCount", "\(be(b, 20, 4))") + r("Priority", "\(b[24] >> 4)") + r("SMState", "\(b[24] & 0xF)")
    }

    /// dump_one_link_record ("LinkRecord dump:"): a wider name column again.
    public static func linkRecord(_ record: LinkRecord) -> String {
        let b = record.encoded
        func r(_ name: String, _ value: String) -> String {
            "\t\t" + name + String(repeating: ".", count: max(27 - name.count, 0)) + value + "\n"
        }
        return "LinkRecord dump:\n" + r("FromLID", "\(be(b, 0, 2))") + r("FromPort", "\(b[2])")
            + r("ToPort", "\(b[3])") + r("ToLID", "\(be(b, 4, 2))")
    }

    /// dump_one_portinfo_record: the RID, then the PortInfo as smpquery prints it, indented
    /// by two tabs.
    public static func portInfoRecord(_ record: PortInfoRecord, showKeys: Bool = false) -> String {
        "PortInfoRecord dump:\n\tRID\n" + row("EndPortLid", "\(record.endportLID)")
            + row("PortNum", "\(record.portNum)") + row("Options", "0x" + String(record.options, radix: 16))
            + "\tPortInfo dump:\n" + AttributeDump.portInfo(record.portInfo, showKeys: showKeys, indent: "\t\t")
    }

    /// dump_one_mcmember_record ("MCMember Record dump:"). libibmad quirk: ProxyJoin is
    /// read from a C bit-field `proxy_join:1`, which on little-endian hosts is the least
    /// significant bit of byte 49; IBA 15.2.5.17 puts ProxyJoin in the most significant.
    public static func mcMemberRecord(_ record: MCMemberRecord) -> String {
        let b = record.encoded
        let slFlowHop = be(b, 44, 4)
        func r(_ name: String, _ value: UInt64) -> String { row(name, "0x" + String(value, radix: 16)) }
        return "MCMember Record dump:\n"
            + row("MGID", Diags.gidText(Array(b[0..<16]))) + row("PortGid", Diags.gidText(Array(b[16..<32])))
            + r("qkey", be(b, 32, 4)) + r("mlid", be(b, 36, 2)) + r("mtu", UInt64(b[38]))
            + r("TClass", UInt64(b[39])) + r("pkey", be(b, 40, 2)) + r("rate", UInt64(b[42]))
            + r("pkt_life", UInt64(b[43])) + r("SL", slFlowHop >> 28) + r("FlowLabel", (slFlowHop >> 8) & 0xFFFFF)
            + r("HopLimit", slFlowHop & 0xFF) + r("Scope", UInt64(b[48] >> 4)) + r("JoinState", UInt64(b[48] & 0xF))
            + r("ProxyJoin", UInt64(b[49] & 1))
    }

    /// dump_service_record ("ServiceRecord dump:"). The key prints as "<not displayed>"
    /// without -K; the name is the first 64 bytes up to a NUL, unfiltered.
    public static func serviceRecord(_ record: ServiceRecord, showKeys: Bool = false) -> String {
        let b = record.encoded
        var key = "0x"
        for byte in b[32..<48] { key += DumpValue.hex(UInt64(byte), digits: 2) }
        var text = "ServiceRecord dump:\n" + row("ServiceID", hx16(be(b, 0, 8)))
            + row("ServiceGID", Diags.gidText(Array(b[8..<24]))) + row("ServiceP_Key", hx(be(b, 24, 2)))
            + row("ServiceLease", hx(be(b, 28, 4))) + row("ServiceKey", showKeys ? key : AttributeDump.notDisplayed)
            + row("ServiceName", String(decoding: AttributeDump.textBytes(Array(b[48..<112])), as: UTF8.self))
        for i in 0..<16 { text += row("ServiceData8.\(i + 1)", hx(UInt64(b[112 + i]))) }
        for i in 0..<8 { text += row("ServiceData16.\(i + 1)", hx(be(b, 128 + 2 * i, 2))) }
        for i in 0..<4 { text += row("ServiceData32.\(i + 1)", hx(be(b, 144 + 4 * i, 4))) }
        for i in 0..<2 { text += row("ServiceData64.\(i + 1)", hx16(be(b, 160 + 8 * i, 8))) }
        return text
    }

    /// "\t\tname" padded with dots to 24 columns, then the value: saquery's usual row.
    static func row(_ name: String, _ value: String) -> String {
        "\t\t" + name + String(repeating: ".", count: max(24 - name.count, 0)) + value + "\n"
    }

    /// "0x%X".
    static func hx(_ value: UInt64) -> String { "0x" + String(value, radix: 16, uppercase: true) }
    /// "0x%016" PRIx64.
    public static func hx16(_ value: UInt64) -> String { "0x" + DumpValue.hex(value, digits: 16) }

    /// A big-endian unsigned integer of `count` bytes at `offset`.
    public static func be(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        bytes[offset..<(offset + count)].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
