// MAD round trips per second on the soft-RoCE rig (issue 5 item 6), one process, one run:
// a UmadPort responder on rxe0 (vendor class 0x32, OUI 0x001405, a trivial GetResp), and
// three requesters on rxe1, each a MADAgent over
//   verbs-pool    VerbsGSIPort: its pool registered once as one MR
//   umad          UmadPort: ib_umad, the kernel copies and maps each MAD
//   verbs-per-send-MR  PerSendRegistrationPort: ibv_reg_mr/ibv_dereg_mr around every send
// all to the responder's IPv6 link-local GID (GID index 0; umad requesters on RoCE need the
// IPv6 GID, DESIGN.md). Sequential: one MAD outstanding; windowed: W at once. Variants
// interleave per repetition so drift hits all alike. Prints a markdown table.
//
//   rig-bench [--count N] [--window W] [--repetitions R]     (scripts/bench-rig runs it)
import MADAgents
import MADTransport
import MADWire

#if canImport(Glibc)
import Glibc
#endif

let benchClass = ManagementClass(rawValue: 0x32)
let benchOUI: UInt32 = 0x00_1405

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count, let number = Int(arguments[at + 1]), number > 0 else {
        return value
    }
    return number
}

let count = argument("--count", default: 2000)
let window = argument("--window", default: 16)
let repetitions = argument("--repetitions", default: 5)
let responderDevice = "rxe0", requesterDevice = "rxe1"

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func gid(_ device: String, index: Int) throws -> [UInt8] {
    let path = "/sys/class/infiniband/\(device)/ports/1/gids/\(index)"
    guard let file = fopen(path, "r") else { throw BenchError("cannot read \(path)") }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, 128, file) != nil else { throw BenchError("empty \(path)") }
    let text = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let gid = GIDText.parse(text) else { throw BenchError("\(path) holds \(text)") }
    return gid
}

/// `total` round trips with `concurrency` requests outstanding; round trips per second.
func measure(_ agent: MADAgent, to destination: MADAddress, total: Int, concurrency: Int) async throws -> Double {
    var request = MAD(class: benchClass, classVersion: 1, method: .get, attribute: AttributeID(rawValue: 0))
    request.vendorOUI = benchOUI
    let template = request
    let options = RequestOptions(timeoutMilliseconds: 1000, retries: 3)
    let start = now()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<concurrency {
            let share = total / concurrency + (worker < total % concurrency ? 1 : 0)
            group.addTask {
                for _ in 0..<share {
                    let response = try await agent.request(template, to: destination, options: options)
                    guard response.status.isSuccess else { throw BenchError("status \(response.status)") }
                }
            }
        }
        try await group.waitForAll()
    }
    return Double(total) / (now() - start)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double) -> String { String(Int(value.rounded())) }

do {
    // The responder: UmadPort on rxe0 through the kernel's ib_umad.
    let responderPort = try UmadPort(caName: responderDevice, portNumber: 1)
    let responder = try MADAgent(port: responderPort)
    try responder.serve(class: benchClass, version: 1, oui: benchOUI, attribute: AttributeID(rawValue: 0), methods: [.get]) {
        _, _, _ in .success
    }
    let destination = MADAddress(lid: 0, queuePair: 1, globalRoute: GlobalRoute(destinationGID: try gid(responderDevice, index: 0)))

    let verbsPort = try VerbsGSIPort(deviceName: requesterDevice, portNumber: 1, gidIndex: 0)
    let umadPort = try UmadPort(caName: requesterDevice, portNumber: 1)
    let naivePort = try PerSendRegistrationPort(
        wrapping: VerbsGSIPort(deviceName: requesterDevice, portNumber: 1, gidIndex: 0))
    let configuration = MADAgent.Configuration(window: max(window, 1))
    let variants: [(name: String, agent: MADAgent)] = [
        ("verbs-pool (VerbsGSIPort)", try MADAgent(port: verbsPort, configuration: configuration)),
        ("umad (UmadPort)", try MADAgent(port: umadPort, configuration: configuration)),
        ("verbs-per-send-MR", try MADAgent(port: naivePort, configuration: configuration)),
    ]
    // Warm up: address handles, first-touch pages, the responder's path.
    for variant in variants { _ = try await measure(variant.agent, to: destination, total: 50, concurrency: 1) }

    var results: [String: [Double]] = [:]
    for repetition in 1...repetitions {
        for variant in variants {
            for (mode, concurrency) in [("sequential", 1), ("window \(window)", window)] {
                let rate = try await measure(variant.agent, to: destination, total: count, concurrency: concurrency)
                results["\(variant.name)|\(mode)", default: []].append(rate)
            }
        }
        printError("rig-bench: repetition \(repetition)/\(repetitions) done\n")
    }
    print("| requester port | mode | median RT/s | min RT/s | max RT/s |")
    print("|---|---|---:|---:|---:|")
    var medians: [String: Double] = [:]
    for variant in variants {
        for mode in ["sequential", "window \(window)"] {
            let values = results["\(variant.name)|\(mode)"] ?? []
            medians["\(variant.name)|\(mode)"] = median(values)
            print("| \(variant.name) | \(mode) | \(format(median(values))) | \(format(values.min() ?? 0)) | \(format(values.max() ?? 0)) |")
        }
    }
    print("")
    print("| mode | pool / per-send-MR | pool / umad |")
    print("|---|---:|---:|")
    for mode in ["sequential", "window \(window)"] {
        let pool = medians["\(variants[0].name)|\(mode)"] ?? 0
        let umad = medians["\(variants[1].name)|\(mode)"] ?? 1
        let naive = medians["\(variants[2].name)|\(mode)"] ?? 1
        print("| \(mode) | \(String(format: pool / naive)) | \(String(format: pool / umad)) |")
    }
    // The send path alone, without the wire: preparing one MAD in a pool slot (acquire,
    // store, release) vs the same plus the registration pair a per-send MR adds.
    let prepare = MAD(class: benchClass, classVersion: 1, method: .get, attribute: AttributeID(rawValue: 0))
    var poolCosts: [Double] = [], registeringCosts: [Double] = []
    for _ in 1...repetitions {
        var start = now()
        for _ in 0..<count {
            let slot = try verbsPort.pool.tryAcquire(.send)
            slot.store(prepare)
        }
        poolCosts.append((now() - start) * 1e6 / Double(count))
        start = now()
        for _ in 0..<count {
            let slot = try verbsPort.pool.tryAcquire(.send)
            slot.store(prepare)
            try naivePort.registrationPair(slot.withUnsafeMutableMAD { $0.baseAddress! })
        }
        registeringCosts.append((now() - start) * 1e6 / Double(count))
    }
    print("")
    print("| send path per MAD (no wire) | median µs | min µs |")
    print("|---|---:|---:|")
    print("| pool slot: acquire + store + release | \(String(format: median(poolCosts), unit: "")) | \(String(format: poolCosts.min() ?? 0, unit: "")) |")
    print("| the same + ibv_reg_mr/ibv_dereg_mr | \(String(format: median(registeringCosts), unit: "")) | \(String(format: registeringCosts.min() ?? 0, unit: "")) |")
    print("| ratio (per-send MR / pool) | \(String(format: median(registeringCosts) / median(poolCosts))) | |")
    print("")
    print("\(count) round trips per measurement, \(repetitions) repetitions, responder: UmadPort on \(responderDevice), "
          + "requesters on \(requesterDevice), GID index 0 (IPv6 link-local)")
    for variant in variants { variant.agent.close() }
    verbsPort.close(); umadPort.close(); naivePort.close()
    responder.close(); responderPort.close()
} catch {
    printError("rig-bench: \(error)\n")
    exit(1)
}

extension String {
    /// Two decimals, without Foundation.
    init(format ratio: Double, unit: String = "×") {
        let hundredths = Int((ratio * 100).rounded())
        let fraction = hundredths % 100
        self = "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)\(unit)"
    }
}

/// Writes to standard error (fd 2; the C `stderr` global is not concurrency-safe in Swift 6).
func printError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
