import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// A 16-byte GID (IBA 4.1.1) as text and back. RoCE GIDs are IPv6 addresses: link-local
/// (fe80::...) for RoCE v1/v2 over IPv6, or IPv4-mapped (::ffff:a.b.c.d) for RoCE v2 over
/// IPv4 (IBA A17.4.5.1), so the text form is IPv6 notation, as infiniband-diags reads
/// `--dgid` (inet_pton AF_INET6).
public enum GIDText {
    /// Parses IPv6 notation (including `::ffff:10.0.0.1`); a bare dotted IPv4 address is
    /// taken as its IPv4-mapped GID. Returns the GID in network byte order, or nil.
    public static func parse(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(AF_INET6, text, $0.baseAddress) == 1 }
        if parsed { return bytes }
        var v4 = [UInt8](repeating: 0, count: 4)
        guard text.contains("."), v4.withUnsafeMutableBytes({ inet_pton(AF_INET, text, $0.baseAddress) == 1 }) else {
            return nil
        }
        return ipv4Mapped(v4)
    }

    /// `::ffff:a.b.c.d` for an IPv4 address (RFC 4291 2.5.5.2), as RoCE v2 over IPv4 uses.
    public static func ipv4Mapped(_ address: [UInt8]) -> [UInt8] {
        precondition(address.count == 4, "an IPv4 address is 4 bytes")
        return [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + address
    }

    /// The IPv4 address inside an IPv4-mapped GID, else nil.
    public static func mappedIPv4(_ gid: [UInt8]) -> [UInt8]? {
        guard gid.count == 16, gid[0..<10].allSatisfy({ $0 == 0 }), gid[10] == 0xFF, gid[11] == 0xFF else { return nil }
        return Array(gid[12..<16])
    }

    /// The canonical IPv6 text (RFC 5952, as inet_ntop writes it: `fe80::1`, `::ffff:10.0.0.1`).
    public static func format(_ gid: [UInt8]) -> String {
        precondition(gid.count == 16, "a GID is 16 bytes")
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = gid.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What identifies one address handle: a UD AH fixes everything about the path except the
/// remote QP and Q_Key, which travel in each work request. On RoCE the destination is the
/// GID (the LID is meaningless and ignored); on InfiniBand it is the LID and SL, plus the
/// GRH fields when the caller asks for a global route.
struct AddressHandleKey: Hashable, Sendable, CustomStringConvertible {
    var lid: UInt16
    var serviceLevel: UInt8
    var destinationGID: [UInt8]?
    var flowLabel: UInt32 = 0
    var hopLimit: UInt8 = 0
    var trafficClass: UInt8 = 0

    /// The key for `address` on a port whose link layer is Ethernet (`roce`) or not. On
    /// RoCE the destination GID must be of the family of the port's own (`sourceGID`): RoCE v2
    /// carries an IPv4-mapped GID in an IPv4 header and any other in IPv6 (IBA A17.4.5.1), and
    /// a packet between the two families is never delivered.
    static func make(for address: MADAddress, roce: Bool, sourceGID: [UInt8]? = nil) throws(VerbsPortError) -> AddressHandleKey {
        guard let route = address.globalRoute else {
            if roce {
                throw .unroutable("RoCE has no LIDs: every MAD needs a global route with the destination GID "
                                  + "(MADAddress.globalRoute; --dgid on the command line)")
            }
            guard (1...0xBFFF).contains(address.lid) else {
                throw .unroutable("LID \(address.lid) is not a unicast LID (1-0xBFFF)")
            }
            return AddressHandleKey(lid: address.lid, serviceLevel: address.serviceLevel & 0xF, destinationGID: nil)
        }
        if roce, let sourceGID, (GIDText.mappedIPv4(sourceGID) == nil) != (GIDText.mappedIPv4(route.destinationGID) == nil) {
            let ipv4 = GIDText.mappedIPv4(sourceGID) != nil
            throw .unroutable("destination GID \(GIDText.format(route.destinationGID)) is "
                              + (ipv4 ? "IPv6" : "IPv4-mapped") + " but this port sends from "
                              + "\(GIDText.format(sourceGID)) (" + (ipv4 ? "IPv4-mapped" : "IPv6")
                              + "): open the port with a GID index of the destination's family")
        }
        // RoCE: the GID alone routes; hop limit 255 is the kernel's choice for MADs
        // (ib_create_ah_from_wc). IB with a GRH keeps the LID for the local route.
        return AddressHandleKey(lid: roce ? 0 : address.lid, serviceLevel: address.serviceLevel & 0xF,
                                destinationGID: route.destinationGID, flowLabel: route.flowLabel & 0xF_FFFF,
                                hopLimit: route.hopLimit, trafficClass: route.trafficClass)
    }

    var description: String {
        if let gid = destinationGID { return "GID \(GIDText.format(gid))" + (lid != 0 ? " (LID \(lid))" : "") }
        return "LID \(lid)"
    }
}

/// Where a UD receive came from, read from the 40 bytes in front of the MAD. A GRH is an
/// IPv6-format header (IBA 8.3: version 6, SGID at byte 8). On RoCE v2 over IPv4 the
/// provider writes the 20-byte IPv4 header in the last 20 bytes instead (rdma_rxe zeroes
/// the first 20); libibverbs' ibv_init_ah_from_wc tells the two apart the same way: an
/// IPv6 version nibble means a GRH unless the bytes at 20 are a valid IPv4 header.
enum VerbsReceivedHeader {
    struct Route: Equatable {
        var sourceGID: [UInt8]
        var flowLabel: UInt32
        var hopLimit: UInt8
        var trafficClass: UInt8
    }

    /// The route back to the sender, or nil when the bytes are neither a GRH nor IPv4.
    static func parse(_ area: UnsafeRawBufferPointer) -> Route? {
        guard area.count >= 40 else { return nil }
        let word0 = UInt32(area[0]) << 24 | UInt32(area[1]) << 16 | UInt32(area[2]) << 8 | UInt32(area[3])
        let ipv4Header = UnsafeRawBufferPointer(rebasing: area[20..<40])
        let looksIPv4 = ipv4Header[0] >> 4 == 4 && ipv4Header[0] & 0xF == 5 && ipv4Checksum(ipv4Header) == 0
        if word0 >> 28 == 6 && !looksIPv4 {
            return Route(sourceGID: Array(area[8..<24]), flowLabel: word0 & 0xF_FFFF, hopLimit: area[7],
                         trafficClass: UInt8(truncatingIfNeeded: word0 >> 20))
        }
        guard ipv4Header[0] >> 4 == 4, word0 >> 28 != 6 || looksIPv4 else { return nil }
        return Route(sourceGID: GIDText.ipv4Mapped(Array(ipv4Header[12..<16])), flowLabel: 0,
                     hopLimit: ipv4Header[8], trafficClass: ipv4Header[1])
    }

    /// The one's-complement sum over a 20-byte IPv4 header (RFC 791): 0 when its checksum holds.
    static func ipv4Checksum(_ header: UnsafeRawBufferPointer) -> UInt16 {
        var sum: UInt32 = 0
        for offset in stride(from: 0, to: 20, by: 2) { sum += UInt32(header[offset]) << 8 | UInt32(header[offset + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
