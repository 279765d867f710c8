#if canImport(Glibc)
import Glibc
#endif
import MADWire

/// The pieces of ibqueryerrors' text beyond the error counters (infiniband-diags
/// ibqueryerrors.c): data counters in conv_cnt_human_readable's units, the detail
/// attributes' counters, and -r's "Link info" line.
enum ErrorSweepText {
    /// A counter read from a PerfMgt response: libibmad's name, byte offset within the
    /// attribute (which starts at byte 64 of the MAD, IBA 16.1.1) and width in bits.
    struct Counter {
        var name: String
        var byte: Int
        var bits: Int
        func read(_ mad: MAD) -> UInt64 { mad[Field(name, byte: 64 + byte, width: bits)] }
        var isData: Bool { name.hasSuffix("Data") }
    }

    /// PortCounters' data counters (IB_PC_XMT_BYTES_F ... IB_PC_RCV_PKTS_F).
    static let portCountersData = [Counter(name: "PortXmitData", byte: 24, bits: 32), Counter(name: "PortRcvData", byte: 28, bits: 32),
                                   Counter(name: "PortXmitPkts", byte: 32, bits: 32), Counter(name: "PortRcvPkts", byte: 36, bits: 32)]
    /// PortCountersExtended's (IB_PC_EXT_XMT_BYTES_F ... IB_PC_EXT_RCV_MPKTS_F); the first
    /// four only when the PMA lacks IsExtendedWidthSupported (CapabilityMask bit 9).
    static let extendedData = ["PortXmitData", "PortRcvData", "PortXmitPkts", "PortRcvPkts", "PortUnicastXmitPkts",
                               "PortUnicastRcvPkts", "PortMulticastXmitPkts", "PortMulticastRcvPkts"]
        .enumerated().map { Counter(name: $1, byte: 8 + 8 * $0, bits: 64) }

    /// What ibqueryerrors prints after PortXmitDiscards with --details: it reads
    /// PortXmitDiscardDetails but decodes it with PortRcvErrorDetails' field names
    /// (IB_PC_RCV_LOCAL_PHY_ERR_F ... IB_PC_RCV_ERR_LAST_F), and the reverse after
    /// PortRcvErrors; both attributes keep 16-bit counters from byte 4, so each shows the
    /// other's names over its own values. Copied as the C tool does it.
    static let afterXmitDiscards = ["PortLocalPhysicalErrors", "PortMalformedPktErrors", "PortBufferOverrunErrors",
                                    "PortDLIDMappingErrors", "PortVLMappingErrors", "PortLoopingErrors"]
        .enumerated().map { Counter(name: $1, byte: 4 + 2 * $0, bits: 16) }
    static let afterRcvErrors = ["PortInactiveDiscards", "PortNeighborMTUDiscards", "PortSwLifetimeLimitDiscards",
                                 "PortSwHOQLifetimeLimitDiscards"]
        .enumerated().map { Counter(name: $1, byte: 4 + 2 * $0, bits: 16) }
    static let xmitDiscardDetails = AttributeID(rawValue: 0x0016)
    static let rcvErrorDetails = AttributeID(rawValue: 0x0015)

    /// query_and_dump: " [NAME == VALUE]" for each non-zero counter.
    static func nonZero(_ counters: [Counter], in mad: MAD) -> String {
        counters.map { ($0.name, $0.read(mad)) }.filter { $0.1 != 0 }.map { " [\($0.0) == \($0.1)]" }.joined()
    }

    /// " [NAME == VALUE (X.XXXunit)]", as print_results (non-zero only) and print_data_cnts
    /// (all) write a data counter.
    static func data(_ counter: Counter, _ value: UInt64) -> String {
        let (scaled, unit) = humanReadable(value, data: counter.isData)
        return " [\(counter.name) == \(value) (\(fixed3(Double(scaled)))\(unit))]"
    }

    /// conv_cnt_human_readable: the value in powers of 1024 as a C float; data counters
    /// count 4-byte words, so they are multiplied by 4 and shown in bytes.
    static func humanReadable(_ value: UInt64, data: Bool) -> (Float, String) {
        var rest = value / 1024, unit = 0
        var divisor: UInt64 = 1
        while rest != 0 {
            unit += 1
            rest /= 1024
            divisor &*= 1024
        }
        var scaled = Float(value)
        if data {
            scaled *= 4
            if scaled / Float(divisor) > 1024 {
                unit += 1
                divisor &*= 1024
            }
        }
        scaled /= Float(divisor)
        let units = data ? ["B", "KB", "MB", "GB", "TB", "PB", "EB"] : ["", "K", "M", "G", "T", "P", "E"]
        return (scaled, unit < units.count ? units[unit] : "")
    }

    /// printf("%5.3f") through the C library, so rounding is the C tool's.
    static func fixed3(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%5.3f", $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// print_port_config's lines by (node GUID, port number). The link and far-end text
    /// is iblinkinfo's -l line (same get_max_msg, widths and remote form); only the
    /// start differs ("Link info: LID PORT" with no space between), and a port without a
    /// far end always shows the empty form.
    static func linkInfo(_ topology: Topology, nodeNames: NodeNameMap) -> [LinkKey: String] {
        var options = LinkInfoText.Options()
        options.lineMode = true
        let text = LinkInfoText.text(topology, nodeNames: nodeNames, options: options)
        var byPort: [LinkKey: Substring] = [:]  // by port GUID and number
        for line in text.split(separator: "\n") {
            // "0xPORTGUID "NAME" LLLLLL PPPP[  ] ==(...)==>  ..."
            guard let marker = line.indices.first(where: { line[$0...].hasPrefix("[  ] ==") }), line.hasPrefix("0x"),
                  let guid = UInt64(line.dropFirst(2).prefix(16), radix: 16),
                  let port = UInt8(line[line.index(marker, offsetBy: -4)..<marker].drop { $0 == " " })
            else { continue }
            byPort[LinkKey(node: guid, port: port)] = line[line.index(marker, offsetBy: 5)...]
        }
        var lines: [LinkKey: String] = [:]
        for node in topology.nodes.values {
            for (number, port) in node.ports {
                guard let found = byPort[LinkKey(node: port.guid, port: number)] else { continue }
                var rest = String(found)
                if rest.hasSuffix("==>      \"Port not available\"") {
                    rest = String(rest.dropLast("    \"Port not available\"".count)) + "           [  ] \"\" ( )"
                }
                let lid = node.isSwitch ? node.lid : port.info.lid
                lines[LinkKey(node: node.guid, port: number)] =
                    "       Link info: \(pad(String(lid), 6))\(pad(String(number), 4))[  ] \(rest)\n"
            }
        }
        return lines
    }

    struct LinkKey: Hashable {
        var node: UInt64
        var port: UInt8
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
