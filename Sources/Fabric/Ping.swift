#if canImport(Glibc)
import Glibc
#endif
public import MADAgents
public import MADTransport
public import MADWire

/// infiniband-diags' ibping protocol: a vendor-class Get answered with the server's
/// "host.domain" (ibping.c, libibmad's ib_vendor_call_via and mad_respond_via).
///
/// The request is class 0x32 (IB_VENDOR_OPENIB_PING_CLASS: range 2, so it carries an OUI,
/// IBA 13.4.4), class version 1, method Get, attribute 0, modifier 0, OUI 0x001405 (the
/// OpenIB OUI) unless -o names another. The server copies its name into the 216 data bytes
/// after the vendor header (byte 40, IBA 13.4.4 Figure 148's VendorData) and sends it back
/// with GetResp and status 0.
public enum Ping {
    public static let managementClass = ManagementClass(rawValue: 0x32)
    public static let classVersion: UInt8 = 1
    public static let openIBOUI: UInt32 = 0x00_1405
    public static let attribute = AttributeID(rawValue: 0)
    /// VendorData: bytes 40–255 of a vendor range 2 MAD.
    public static let dataOffset = 40
    public static let dataSize = MAD.size - dataOffset

    /// The Get a client sends.
    public static func request(oui: UInt32 = openIBOUI) -> MAD {
        var mad = MAD(class: managementClass, classVersion: classVersion, method: .get, attribute: attribute)
        mad.vendorOUI = oui
        return mad
    }

    /// The reply text in a response: the bytes at VendorData up to the first NUL (the C
    /// client prints them with %s).
    public static func replyText(_ response: MAD) -> String {
        response.withUnsafeBytes { bytes in
            String(decoding: bytes[dataOffset...].prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// "host.domain" as the C server answers: gethostname, a dot and getdomainname (which
    /// Linux reports as "(none)" when unset), or the bare host name when the domain is
    /// empty; cut to the 216 data bytes with room for the terminating NUL.
    public static func hostAndDomain() -> String {
        var host = [CChar](repeating: 0, count: dataSize)
        if gethostname(&host, host.count - 1) != 0 { return "?hostname?" }
        var name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var domain = [CChar](repeating: 0, count: dataSize)
        let domainText = getdomainname(&domain, domain.count - 1) == 0
            ? String(decoding: domain.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?domainname?"
        if !domainText.isEmpty { name += "." + domainText }
        return String(decoding: name.utf8.prefix(dataSize - 1), as: UTF8.self)
    }

    /// Serves ping requests on `agent` (a port agent for class 0x32 and `oui`), answering
    /// each Get with `reply` in VendorData.
    public static func serve(on agent: MADAgent, oui: UInt32 = openIBOUI, reply: String = hostAndDomain()) throws {
        var data = [UInt8](repeating: 0, count: dataSize)
        for (index, byte) in reply.utf8.prefix(dataSize - 1).enumerated() { data[index] = byte }
        let payload = data
        try agent.serve(class: managementClass, version: classVersion, oui: oui, attribute: attribute, methods: [.get]) {
            _, _, response in
            response.withUnsafeMutableBytes { bytes in
                for (index, byte) in payload.enumerated() { bytes[dataOffset + index] = byte }
            }
            return .success
        }
    }

    /// One ping: the reply text and the round trip in microseconds (CLOCK_MONOTONIC), or
    /// nil when no answer came (after the request's retries) or it carried a non-zero status.
    public static func once(on agent: MADAgent, to destination: MADAddress, oui: UInt32 = openIBOUI,
                            options: RequestOptions? = nil) async throws(CancellationError) -> (reply: String, microseconds: UInt64)? {
        let start = monotonicNanoseconds()
        do {
            let response = try await agent.request(request(oui: oui), to: destination, options: options)
            guard response.status.isSuccess else { return nil }
            return (replyText(response), (monotonicNanoseconds() - start) / 1_000)
        } catch MADAgentError.cancelled {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return nil
        }
    }
}

/// The client's running totals and its closing report, in ibping's words.
public struct PingStatistics: Sendable {
    public var transmitted: UInt64 = 0
    public var received: UInt64 = 0
    public var minimum: UInt64 = .max
    public var maximum: UInt64 = 0
    public var total: UInt64 = 0
    /// The first reply's text, which the report names.
    public var firstReply = ""

    public init() {}

    public mutating func record(_ outcome: (reply: String, microseconds: UInt64)?) {
        transmitted += 1
        guard let outcome else { return }
        received += 1
        if firstReply.isEmpty { firstReply = outcome.reply }
        minimum = min(minimum, outcome.microseconds)
        maximum = max(maximum, outcome.microseconds)
        total += outcome.microseconds
    }

    /// "Pong from HOST (Lid N): time M.UUU ms".
    public static func pongLine(_ reply: String, from destination: String, microseconds: UInt64) -> String {
        "Pong from \(reply) (\(destination)): time \(milliseconds(microseconds)) ms\n"
    }

    /// The report ibping prints at the end or on SIGINT/SIGTERM.
    public func report(destination: String, elapsedMicroseconds: UInt64) -> String {
        let lost = transmitted - received
        let loss = lost != 0 ? lost * 100 / transmitted : 0
        let average = received > 0 ? total / received : 0
        return "\n--- \(firstReply) (\(destination)) ibping statistics ---\n"
            + "\(transmitted) packets transmitted, \(received) received, \(loss)% packet loss, time \(elapsedMicroseconds / 1000) ms\n"
            + "rtt min/avg/max = \(Self.milliseconds(minimum == .max ? 0 : minimum))/\(Self.milliseconds(average))/\(Self.milliseconds(maximum)) ms\n"
    }

    /// Microseconds as "M.UUU" milliseconds.
    static func milliseconds(_ microseconds: UInt64) -> String {
        let fraction = String(microseconds % 1000)
        return "\(microseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
