// A vendor-class GSI responder and requester over VerbsGSIPort: the smallest complete
// pair a fabric-manager author can copy. On the soft-RoCE rig (scripts/rxe-rig):
//
//   vendor-class-example serve -C rxe0 [--gid-index 0] [--count N]
//   vendor-class-example ask   -C rxe1 --dgid fe80::ff:fe00:1 --dqpn QPN [--gid-index 0] [--text hi]
//
// A verbs responder listens on its own UD QP, not on QP1 (QP1 is the kernel's GSI, which
// answers unknown classes with "unsupported method/attribute"): `serve` prints its QP
// number and `ask` aims at it with --dqpn. Both QPs hold the GSI Q_Key 0x80010000.
//
// What it shows:
// - one VerbsGSIPort per process: a UD QP holding the GSI Q_Key, its MAD buffers all in
//   one pool registered once as a memory region (DESIGN.md "The common-buffer pool");
// - MADAgent over it: `serve` registers a handler for one attribute of a vendor class,
//   `request` owns the TID, the deadline and the retries (nobody else does on a UD QP);
// - addressing on RoCE: no LIDs, every MAD carries a GRH with the destination GID, and
//   the responder answers to the GID the request came from (the agent does that).
import MADAgents
import MADTransport
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Vendor class range 2 (0x30-0x4F, IBA 13.4.4) carries an OUI, so several vendors can
/// share a class number; pick your company's OUI. 0x31 keeps clear of ibping's 0x32.
let exampleClass = ManagementClass(rawValue: 0x31)
let exampleOUI: UInt32 = 0x00_1405
let exampleVersion: UInt8 = 1
/// Our one attribute: "Greeting". VendorData (bytes 40-255) holds NUL-terminated text.
let greeting = AttributeID(rawValue: 0x0010)
let dataOffset = 40

struct Options {
    var command = ""
    var device: String?
    var port = 1
    var gidIndex = 0
    var destinationGID: [UInt8]?
    var text = "hello"
    var count: Int?
    var destinationQP: UInt32 = 1
}

func usage(_ problem: String) -> Never {
    let text = "vendor-class-example: \(problem)\n"
        + "usage: vendor-class-example serve -C DEVICE [-P PORT] [--gid-index N] [--count N]\n"
        + "       vendor-class-example ask -C DEVICE [-P PORT] [--gid-index N] --dgid GID --dqpn QPN [--text TEXT]\n"
    printError(text)
    exit(2)
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var rest = arguments[...]
    guard let command = rest.popFirst(), command == "serve" || command == "ask" else { usage("give serve or ask") }
    options.command = command
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { usage("\(flag) needs a value") }
        switch flag {
        case "-C": options.device = value
        case "-P": options.port = Int(value) ?? 0
        case "--gid-index": options.gidIndex = Int(value) ?? -1
        case "--dgid":
            // IPv6 text, ::ffff:a.b.c.d, or a bare IPv4 address (taken as IPv4-mapped).
            guard let gid = GIDText.parse(value) else { usage("--dgid \(value) is not a GID (fe80::1, ::ffff:10.0.0.1, 10.0.0.1)") }
            options.destinationGID = gid
        case "--text": options.text = value
        case "--count": options.count = Int(value)
        case "--dqpn": options.destinationQP = UInt32(value) ?? 0
        default: usage("unknown option \(flag)")
        }
    }
    if options.command == "ask" && options.destinationGID == nil { usage("ask needs --dgid (RoCE has no LIDs)") }
    if options.destinationQP == 0 || options.destinationQP > 0xFF_FFFF { usage("--dqpn wants the QP number serve printed") }
    return options
}

func text(in mad: MAD) -> String {
    mad.withUnsafeBytes { String(decoding: $0[dataOffset...].prefix { $0 != 0 }, as: UTF8.self) }
}

func store(_ text: String, in mad: inout MAD) {
    mad.withUnsafeMutableBytes { bytes in
        for index in dataOffset..<MAD.size { bytes[index] = 0 }
        for (index, byte) in text.utf8.prefix(MAD.size - dataOffset - 1).enumerated() { bytes[dataOffset + index] = byte }
    }
}

/// The responder: answers Get(Greeting) with the text it was sent, prefixed.
func serve(_ options: Options, port: VerbsGSIPort, agent: MADAgent) async throws {
    let answered = Counter()
    try agent.serve(class: exampleClass, version: exampleVersion, oui: exampleOUI, attribute: greeting, methods: [.get]) {
        request, source, response in
        // `response` is the request with method GetResp; fill the data, return the status.
        let number = answered.increment()
        let from = source.globalRoute.map { GIDText.format($0.destinationGID) } ?? "LID \(source.lid)"
        store("reply \(number) to \(from): \(text(in: request))", in: &response)
        return .success
    }
    print("serving class 0x\(String(exampleClass.rawValue, radix: 16)) OUI 0x\(String(exampleOUI, radix: 16)) "
          + "on \(port.deviceName) QP \(port.queuePairNumber) GID \(GIDText.format(port.info.gid))")
    fflush(nil)
    // Answer until --count requests were served (or forever); the handler runs on the port's thread.
    while options.count.map({ answered.value < $0 }) ?? true { try await Task.sleep(for: .milliseconds(20)) }
    // Let the last response leave before the port closes.
    try await Task.sleep(for: .milliseconds(200))
}

/// The requester: one Get(Greeting) to the destination GID's GSI (QP1).
func ask(_ options: Options, agent: MADAgent) async throws {
    var request = MAD(class: exampleClass, classVersion: exampleVersion, method: .get, attribute: greeting)
    request.vendorOUI = exampleOUI
    store(options.text, in: &request)
    let gid = options.destinationGID!
    // sourceGIDIndex must be of the destination's family (IPv6 GID vs IPv4-mapped).
    let destination = MADAddress(lid: 0, queuePair: options.destinationQP,
                                 globalRoute: GlobalRoute(destinationGID: gid, sourceGIDIndex: UInt8(options.gidIndex)))
    // UD is unreliable: the agent retries after each timeout, with a fresh deadline.
    let response = try await agent.request(request, to: destination,
                                           options: RequestOptions(timeoutMilliseconds: 500, retries: 5))
    guard response.status.isSuccess else {
        print("\(GIDText.format(gid)) answered with status \(response.status)")
        exit(1)
    }
    print("answer from \(GIDText.format(gid)): \(text(in: response))")
}

/// A thread-safe counter the handler (port thread) and the main task share.
final class Counter: Sendable {
    private let storage = Mutex(0)
    func increment() -> Int { storage.withLock { $0 += 1; return $0 } }
    var value: Int { storage.withLock { $0 } }
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
do {
    // Opening fails with a clear VerbsPortError: no such device, no GID index N, or no
    // CAP_NET_RAW for the privileged GSI Q_Key (run as root or grant the capability).
    let port = try VerbsGSIPort(deviceName: options.device, portNumber: options.port, gidIndex: options.gidIndex)
    let agent = try MADAgent(port: port)
    defer {
        agent.close()
        port.close()
    }
    if options.command == "serve" { try await serve(options, port: port, agent: agent) } else { try await ask(options, agent: agent) }
} catch {
    printError("vendor-class-example: \(error)\n")
    exit(1)
}

/// Writes to standard error (fd 2; the C `stderr` global is not concurrency-safe in Swift 6).
func printError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
