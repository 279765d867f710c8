import MADTransport
import MADWire
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The simulated fabric a test process runs on, as scripts/with-fabric describes it. The
/// process must have libumad2sim preloaded (with-fabric --preload); otherwise `current` is
/// nil and `unavailableReason` says why.
struct TestFabric: Sendable {
    struct Node: Sendable {
        var isSwitch: Bool
        var lid: UInt16
        var nodeGUID: UInt64
        var portGUID: UInt64
        var description: String
    }

    /// The nodes, the first being the one this process (and opensm) is attached to.
    let nodes: [Node]
    let console: String

    static let current: TestFabric? = load().fabric
    static let unavailableReason: String = load().reason ?? ""

    var local: Node { nodes[0] }
    func node(_ description: String) -> Node? { nodes.first { $0.description == description } }

    private static func load() -> (fabric: TestFabric?, reason: String?) {
        let how = "run the test bundle under `scripts/with-fabric --preload .build/debug/swift-ibmadPackageTests.xctest "
            + "--testing-library swift-testing --filter UmadPortFabricTests`"
        guard let nodesPath = environment("IBMAD_FABRIC_NODES"), environment("IBSIM_SOCKNAME") != nil,
              let console = environment("IBMAD_FABRIC_CONSOLE") else {
            return (nil, "no simulated fabric (IBMAD_FABRIC_NODES, IBSIM_SOCKNAME unset): \(how)")
        }
        guard let maps = readFile("/proc/self/maps"), maps.contains("libumad2sim") else {
            return (nil, "a fabric is up but libumad2sim is not preloaded into this process: \(how)")
        }
        guard let text = readFile(nodesPath) else { return (nil, "cannot read \(nodesPath)") }
        let nodes = text.split(separator: "\n").compactMap { line -> Node? in
            let words = line.split(separator: " ", maxSplits: 4).map(String.init)
            guard words.count == 5, let lid = UInt16(words[1].dropFirst(2), radix: 16),
                  let guid = UInt64(words[2].dropFirst(2), radix: 16),
                  let portGUID = UInt64(words[3].dropFirst(2), radix: 16) else { return nil }
            return Node(isSwitch: words[0] == "SW", lid: lid, nodeGUID: guid, portGUID: portGUID,
                        description: String(words[4].dropFirst().dropLast()))
        }
        guard !nodes.isEmpty else { return (nil, "no nodes in \(nodesPath)") }
        return (TestFabric(nodes: nodes, console: console), nil)
    }

    /// Sends a command to ibsim's console (its output goes to ibsim.log).
    func consoleCommand(_ command: String) {
        let fd = open(console, O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let line = command + "\n"
        _ = line.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, line.utf8.count) }
    }
}

func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count <= 0 { break }
        bytes += chunk[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Runs an infiniband-diags tool (it inherits LD_PRELOAD, so it talks to the same fabric
/// from the same node); returns its exit status and standard output.
func runTool(_ arguments: [String]) throws -> (status: Int32, output: String) {
    var ends: [Int32] = [-1, -1]
    try #require(pipe(&ends) == 0)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
    posix_spawn_file_actions_addclose(&actions, ends[0])
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
    close(ends[1])
    defer { close(ends[0]) }
    try #require(rc == 0, "cannot run \(arguments[0]): errno \(rc)")
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
        if count <= 0 { break }
        output += chunk[..<count]
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exit, String(decoding: output, as: UTF8.self))
}

/// "Key:.....value" lines of smpquery/perfquery output as a dictionary.
func toolFields(_ output: String) -> [String: String] {
    var fields: [String: String] = [:]
    for line in output.split(separator: "\n") where !line.hasPrefix("#") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let value = line[line.index(after: colon)...].drop { $0 == "." }
        fields[String(line[..<colon])] = String(value)
    }
    return fields
}

/// smpdump's hex words ("0101 0101 1000 ...") as bytes.
func dumpBytes(_ output: String) -> [UInt8] {
    output.split(whereSeparator: { $0 == " " || $0 == "\n" }).flatMap { word -> [UInt8] in
        guard word.count == 4, let value = UInt16(word, radix: 16) else { return [] }
        return [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}

/// Records what a port delivers, for tests to wait on.
final class MADCollector: MADPortDelegate {
    enum Event: Sendable {
        case received(MAD, MADAddress, AgentID)
        case failed(SendFailure)

        var transactionID: UInt64 {
            switch self {
            case .received(let mad, _, _): mad.transactionID
            case .failed(let failure): failure.transactionID
            }
        }
    }

    private let events = Mutex<[Event]>([])

    func port(received mad: consuming ReceivedMAD) {
        let event = Event.received(mad.slot.mad, mad.source, mad.agent)
        events.withLock { $0.append(event) }
    }

    func port(sendFailed failure: SendFailure) {
        events.withLock { $0.append(.failed(failure)) }
    }

    /// The first event whose TID has these low 32 bits (the kernel owns the high half).
    func event(lowTID: UInt32, within timeout: Duration = .seconds(5)) async throws -> Event {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = events.withLock { events -> Event? in
                guard let index = events.firstIndex(where: { UInt32(truncatingIfNeeded: $0.transactionID) == lowTID })
                else { return nil }
                return events.remove(at: index)
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw CollectorTimeout(lowTID: lowTID)
    }
}

struct CollectorTimeout: Error, CustomStringConvertible {
    let lowTID: UInt32
    var description: String { "no response or send failure for TID low half 0x\(hexDigits(UInt64(lowTID), width: 8))" }
}

/// scripts/test sets IBMAD_REQUIRE_FABRIC=1 when it runs the fabric suites inside
/// scripts/with-fabric: there, a fabric that cannot be used is a failure, not a skip, so
/// CI can never pass by skipping them.
@Suite struct FabricRequirementTests {
    @Test func fabricIsUsableWhenRequired() {
        guard let required = getenv("IBMAD_REQUIRE_FABRIC"), String(cString: required) == "1" else { return }
        #expect(TestFabric.current != nil, Comment(rawValue: TestFabric.unavailableReason))
    }
}
