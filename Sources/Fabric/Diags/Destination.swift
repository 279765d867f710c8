#if canImport(Glibc)
import Glibc
#endif
public import MADWire

/// Where a query went, as infiniband-diags names it in its headers: libibmad's portid2str
/// ("Lid 12", "DR path slid 65535; dlid 65535; 0,1", "Lid 3 DR path ...").
public struct DiagsDestination: Sendable, Hashable, CustomStringConvertible {
    /// The LID, or 0 for a purely directed route.
    public var lid: UInt16
    /// A GRH destination GID, printed after the LID when present.
    public var gid: [UInt8]?
    /// The directed route, if any (`DirectedRoutePath.local` and nil both print no hops).
    public var path: DirectedRoutePath?

    public init(lid: UInt16, gid: [UInt8]? = nil, path: DirectedRoutePath? = nil) {
        self.lid = lid
        self.gid = gid
        self.path = path
    }

    public static func lid(_ lid: UInt16) -> DiagsDestination { DiagsDestination(lid: lid) }
    public static func directed(_ path: DirectedRoutePath) -> DiagsDestination { DiagsDestination(lid: 0, path: path) }

    /// portid2str. Note libibmad's quirk: a LID with no DR hops never prints the path, and
    /// a LID of 0 always prints "DR path" even without hops.
    public var description: String {
        var text = ""
        let hops = path?.ports ?? []
        // RoCE: no LID, only the GID (our extension; libibmad never addresses a port so).
        if lid == 0, hops.isEmpty, path == nil, let gid, gid.count == 16 { return "Gid " + Diags.gidText(gid) }
        if lid > 0 {
            text += "Lid \(lid)"
            if let gid, gid.count == 16 { text += " Gid " + Diags.gidText(gid) }
            if hops.isEmpty { return text }
            text += " "
        }
        let slid = path?.drSLID ?? 0, dlid = path?.drDLID ?? 0
        text += "DR path slid \(slid); dlid \(dlid); 0"
        for port in hops { text += ",\(port)" }
        return text
    }
}

/// Helpers shared by the tool formats.
public enum Diags {
    /// What infiniband-diags' IBEXIT prints before exiting with status 255 (-1): on
    /// STDOUT, e.g. "smpquery: iberror: failed: operation portinfo: port info query failed".
    /// With -d (ibdebug) the C tools add "[pid N] <C function>:", which we do not mimic.
    public static func exitMessage(tool: String, _ message: String) -> String {
        "\(tool): iberror: failed: \(message)\n"
    }

    /// libibmad's IBWARN line on STDERR: "ibwarn: [pid] function: message" (the C
    /// function that warned; a message ending in a newline gets a second one, as in C).
    public static func warning(pid: Int32, function: String, _ message: String) -> String {
        "ibwarn: [\(pid)] \(function): \(message)\n"
    }

    /// The exit status IBEXIT leaves (exit(-1)).
    public static let exitFailureStatus: Int32 = 255

    /// A GID as inet_ntop(AF_INET6) writes it (glibc: "::" for the longest zero run,
    /// IPv4-mapped forms), which is what every infiniband-diags tool prints.
    public static func gidText(_ gid: [UInt8]) -> String {
        precondition(gid.count == 16, "a GID is 16 bytes")
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = gid.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(AF_INET6, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The port GID a GID prefix and a port GUID make (IBA 4.1.1), as 16 bytes.
    public static func portGID(prefix: UInt64, guid: UInt64) -> [UInt8] {
        var gid = [UInt8]()
        for word in [prefix, guid] {
            for shift in stride(from: 56, through: 0, by: -8) { gid.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return gid
    }

    /// A node description as infiniband-diags prints it (util/node_name_map.c): the map's
    /// name for `guid` if it has one, else the text up to the first NUL (64 bytes at most)
    /// with every byte that is not printable ASCII replaced by a space (clean_nodedesc).
    public static func nodeName(_ description: [UInt8], guid: UInt64, map: NodeNameMap?) -> String {
        if let name = map?.names[guid] { return name }
        let bytes = description.prefix(64).prefix { $0 != 0 }.map { (0x20...0x7E).contains($0) ? $0 : 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
