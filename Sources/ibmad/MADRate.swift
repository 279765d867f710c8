import ArgumentParser
import Fabric
import MADAgents
import MADTransport
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `ibmad mad-rate WINDOW COUNT MAXLID` (hidden; scripts/bench): the requester's raw
/// rate, LID-routed SubnGet(NodeInfo) round-robin over LIDs 1...MAXLID through
/// MADAgent's bulk sweep with WINDOW outstanding, next to Benchmarks/mad-flood (the same
/// loop in C straight on libibumad).
struct MADRate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mad-rate", abstract: "Measure the SMP requester's rate (benchmark).", shouldDisplay: false)

    @OptionGroup var diags: DiagsOptions
    @Argument var window: Int
    @Argument var count: Int
    @Argument var maxLID: UInt16

    func validate() throws {
        guard (1...4096).contains(window), count > 0, (1...0xBFFF).contains(maxLID) else {
            throw ValidationError("WINDOW 1-4096, COUNT > 0 and MAXLID 1-0xBFFF")
        }
    }

    func run() async throws {
        let session: DiagsSession
        do { session = try DiagsSession(diags, window: window) } catch { throw error.report(tool: "mad-rate") }
        defer { session.close() }
        let maxLID = self.maxLID
        let failures = FailureCount()
        let start = monotonicNanoseconds()
        await session.agent.sweep(count: count, options: session.options, request: { item in
            (MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo),
             .subnetManagement(lid: UInt16(item % Int(maxLID)) + 1))
        }) { _, outcome in
            if case .failure = outcome { failures.add() }
        }
        let seconds = Double(monotonicNanoseconds() - start) / 1e9
        let statistics = session.agent.statistics
        print("window \(window): \(count) MADs in \(String(format3: seconds)) s = \(Int((Double(count) / seconds).rounded())) MADs/s "
              + "(\(statistics.retries) resent, \(failures.value) failed)")
        if failures.value > 0 { throw ExitCode(1) }
    }
}

private final class FailureCount: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

extension String {
    /// "%.3f" without Foundation.
    init(format3 value: Double) {
        let thousandths = Int((value * 1000).rounded())
        let fraction = String(thousandths % 1000)
        self = "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
