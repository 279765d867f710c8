import Fabric
import MADAgents
import MADWire

/// How saquery ends when a query fails (ibdiag_sa.c, saquery.c): a bad status prints
/// sa_report_err's line and exits EIO; no answer prints "Query SA failed: <strerror>" and
/// exits with that errno; a name that matches no NodeRecord exits ENONET.
struct SAFailure: Error {
    var stderr: String
    var status: Int32
    var stdout: String = ""

    static let eio: Int32 = 5
    static let einval: Int32 = 22
    static let enonet: Int32 = 64
    static let etimedout: Int32 = 110

    /// sa_report_err: "ERROR: Query result returned 0x0200,  SA(SA_ERR_REQ_INVALID)".
    static func status(_ status: UInt16) -> SAFailure {
        let madNames = ["MAD No invalid fields", "MAD Bad version", "MAD Method specified is not supported",
                        "MAD Method/Attribute combination is not supported", "MAD Reserved", "MAD Reserved",
                        "MAD Reserved", "MAD Invalid value in Attribute field(s) or Attribute Modifier", "MAD UNKNOWN ERROR"]
        let saNames = ["SA_NO_ERROR", "SA_ERR_NO_RESOURCES", "SA_ERR_REQ_INVALID", "SA_ERR_NO_RECORDS",
                       "SA_ERR_TOO_MANY_RECORDS", "SA_ERR_REQ_INVALID_GID", "SA_ERR_REQ_INSUFFICIENT_COMPONENTS",
                       "SA_ERR_REQ_DENIED", "SA_ERR_STATUS_PRIO_SUGGESTED", "SA_ERR_UNKNOWN"]
        let low = Int(status & 0xFF), high = Int(status >> 8)
        var mad = "", sa = ""
        if low != 0 {
            mad = " (" + (low & 1 != 0 ? "BUSY" : "") + "; " + (low & 2 != 0 ? "Redirection Required" : "") + "; "
                + madNames[min(low >> 2, madNames.count - 1)] + ")"
        }
        if high != 0 { sa = " SA(" + saNames[min(high, saNames.count - 1)] + ")" }
        let hex = String(status, radix: 16)
        return SAFailure(stderr: "ERROR: Query result returned 0x" + String(repeating: "0", count: max(4 - hex.count, 0)) + hex
                         + ", " + mad + sa + "\n", status: eio)
    }
}

/// One SA query as saquery's sa_query sends it, and the records of its answer.
struct SAClient {
    let session: DiagsSession
    let sm: UInt16
    /// SM_Key for the SA header (--smkey; 0 is "untrusted").
    var smKey: UInt64 = 0

    /// SubnAdmGetTable (or Get) of `attribute` with `template` as the request's record and
    /// `mask` its ComponentMask (IBA 15.2.1.1). The records are the response as received:
    /// (received length - 56) / (AttributeOffset × 8) of them for GetTable, one for Get
    /// (ibdiag_sa.c sa_query). Through libumad2sim a table bigger than one MAD is its first
    /// 256 bytes, so its last record slots hold whatever bytes 200-255 held.
    func query(_ attribute: AttributeID, method: Method = .getTable, modifier: UInt32 = 0, mask: UInt64 = 0,
               template: [UInt8] = []) async throws(SAFailure) -> [[UInt8]] {
        var request = MAD(class: .subnetAdministration, classVersion: 2, method: method, attribute: attribute, modifier: modifier)
        request[SAHeader.smKey] = smKey
        request[SAHeader.componentMask] = mask
        if !template.isEmpty {
            request.setBytes(template, of: Field("record", byte: SAHeader.dataOffset, width: template.count * 8, .bytes))
        }
        let answer: ReceivedResponse
        do {
            answer = try await session.agent.exchange(request, to: session.gsiAddress(lid: sm), options: session.options)
        } catch {
            // umad_recv/umad_status failed: ETIMEDOUT when nothing came back.
            throw SAFailure(stderr: "Query SA failed: Connection timed out\nibmad saquery: \(error)\n", status: SAFailure.etimedout)
        }
        let response = answer.mad
        guard response.status.isSuccess else { throw .status(response.status.rawValue) }
        let bytes = response.encoded
        if method != .getTable { return [Array(bytes[SAHeader.dataOffset...])] }
        let size = Int(response.saAttributeOffset) * 8
        guard size > 0, answer.length > SAHeader.dataOffset else { return [] }
        let count = (answer.length - SAHeader.dataOffset) / size
        return (0..<count).map { Array(bytes[SAHeader.dataOffset + $0 * size ..< SAHeader.dataOffset + ($0 + 1) * size]) }
    }

    /// get_lid: a name (first character a letter) is looked up among the NodeRecords by
    /// its whole NodeDescription (ENONET when none matches); anything else is strtol base 0,
    /// which must give 1-65535 (EINVAL otherwise).
    func lid(_ text: String) async throws(SAFailure) -> UInt16 {
        if let first = text.unicodeScalars.first, (first.properties.isAlphabetic && first.isASCII) {
            for record in try await query(.nodeRecord) {
                let description = record[44..<108].prefix { $0 != 0 }
                if Array(text.utf8.prefix(64)) == Array(description) { return UInt16(record[0]) << 8 | UInt16(record[1]) }
            }
            throw SAFailure(stderr: "Failed to find lid for \"\(text)\": Machine is not on the network\n", status: SAFailure.enonet)
        }
        guard let value = SAClient.strtol(text), value > 0, value <= 0xFFFF else {
            throw SAFailure(stderr: "Invalid lid specified: \"\(text)\"\n", status: SAFailure.einval)
        }
        return UInt16(value)
    }

    /// strtol/strtoul(text, NULL, 0) on the leading part that parses: "0x" hex, "0" octal,
    /// else decimal; nil when no digit is read.
    static func strtol(_ text: String) -> Int64? {
        var s = Substring(text.drop { $0 == " " || $0 == "\t" })
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        var radix = 10
        if s.lowercased().hasPrefix("0x"), let next = s.dropFirst(2).first, next.isHexDigit { radix = 16; s = s.dropFirst(2) }
        else if s.hasPrefix("0") { radix = 8 }
        let digits = s.prefix { $0.isASCII && Int(String($0), radix: radix) != nil }
        guard !digits.isEmpty, let value = Int64(digits, radix: radix) else { return nil }
        return negative ? -value : value
    }

    /// parse_lid_and_ports: "lid/port1/port2", the LID through `lid(_:)` (an empty one too,
    /// which is invalid), each port strtoul'd (nil when absent or not a number: that
    /// component is not matched).
    func lidAndPorts(_ text: String) async throws(SAFailure) -> (lid: UInt16?, port1: Int64?, port2: Int64?) {
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let lid = try await lid(parts[0])
        let port1 = parts.count > 1 ? SAClient.strtol(parts[1]) : nil
        let port2 = parts.count > 2 ? SAClient.strtol(parts[2]) : nil
        return (lid, port1, port2)
    }
}

/// A record template and its ComponentMask, filled as saquery's CHECK_AND_SET_VAL does:
/// a value that differs from "unset" is written big-endian and its component bit set.
struct SATemplate {
    var bytes: [UInt8]
    var mask: UInt64 = 0

    init(size: Int) { bytes = [UInt8](repeating: 0, count: size) }

    /// `value` nil is the C default (`unset`); the comparison is at the field's width, as
    /// the macro casts both sides to int<width>_t (so port 255 reads as "unset" -1).
    mutating func set(_ value: Int64?, at offset: Int, width: Int, bit: Int, unset: Int64 = 0) {
        let fieldMask: UInt64 = width >= 8 ? ~0 : (1 << UInt64(8 * width)) - 1
        guard let value, UInt64(bitPattern: value) & fieldMask != UInt64(bitPattern: unset) & fieldMask else { return }
        for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> UInt64(8 * (width - 1 - i))) }
        mask |= 1 << UInt64(bit)
    }

    mutating func set(gid: [UInt8]?, at offset: Int, bit: Int) {
        guard let gid, gid.contains(where: { $0 != 0 }) else { return }
        bytes.replaceSubrange(offset..<offset + 16, with: gid)
        mask |= 1 << UInt64(bit)
    }
}
