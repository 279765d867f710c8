import Foundation  // tests only: Process, files, JSONSerialization
import Testing

/// `ibmad ibqueryerrors` against the C ibqueryerrors on the same ibsim fabric, with error
/// counters set through ibsim's console (PerformanceSet): the same report byte for byte
/// and the same exit status for each option; -k really clears; --json says what the text
/// says. Runs on its own fabric (scripts/test): it changes counters.
///
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter ErrorSweepFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct ErrorSweepFabricTests {
    let fabric = TestFabric.current!

    private func console(_ command: String) throws { try console([command]) }

    /// Several commands in one write: ibsim reads its console a line at a time between
    /// MADs (readline() byte by byte, then select() again), so the rest waits in the FIFO.
    private func console(_ commands: [String]) throws {
        let path = try #require(ProcessInfo.processInfo.environment["IBMAD_FABRIC_CONSOLE"])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data(commands.map { $0 + "\n" }.joined().utf8))
        try handle.close()
        Thread.sleep(forTimeInterval: 0.2)  // time for ibsim to read them
    }

    private func expectSame(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (c, ours) = try fabric.both("ibqueryerrors", arguments)
        let line = (["ibqueryerrors"] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(ours.stdout == c.stdout, "\(line): stdout", sourceLocation: sourceLocation)
    }

    private func clearAll() throws {
        let run = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "-k", "-K"])
        #expect(run.stderr.isEmpty || !run.stderr.contains("Failed"), "\(run.stderr)")
    }

    @Test func reportsMatchTheCTool() throws {
        try clearAll()
        try expectSame([])  // a clean fabric: exit 0
        try console("PerformanceSet \"leaf1\"[2] PortCounters.SymbolErrorCounter=15")
        try console("PerformanceSet \"H3\"[1] PortCounters.PortRcvErrors=7")
        try console("PerformanceSet \"spine2\"[3] PortCounters.PortRcvSwitchRelayErrors=3")
        try console("PerformanceSet \"leaf4\"[5] PortCounters.LinkDownedCounter=2")
        defer { try? clearAll() }
        for arguments in [[], ["-c"], ["-s", "SymbolErrorCounter,PortRcvErrors"], ["--suppress", "LinkDownedCounter"],
                          ["--switch"], ["--ca"], ["--router"], ["--switch", "--ca"], ["-R"], ["--skip-sl"]] {
            try expectSame(arguments)
        }
        let directory = try TemporaryFiles.directory()
        let thresholds = directory.appendingPathComponent("error_thresholds")
        try "# test\nSymbolErrorCounter=20\nPortRcvErrors=0x3\n\nLinkDownedCounter=1\nNoSuchCounter=5\n"
            .write(to: thresholds, atomically: true, encoding: .utf8)
        try expectSame(["--threshold-file", thresholds.path])
        try expectSame(["--threshold-file", directory.appendingPathComponent("missing").path])
        // A cached topology: the C tool's own file.
        let topology = directory.appendingPathComponent("sweep-topology")
        _ = try fabric.both("ibnetdiscover", [topology.path])
        let (c, _) = try fabric.both("ibqueryerrors", [])
        let loaded = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "--load-cache", topology.path])
        #expect(loaded.stdout == c.stdout && loaded.status == c.status, "--load-cache: \(loaded.stderr)")
        for window in ["1", "4"] {
            let windowed = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "-o", window])
            #expect(windowed.stdout == c.stdout, "-o \(window)")
        }

        let json = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "--json"])
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let errors = try #require(document["errors"] as? [[String: Any]])
        let portLines = c.stdout.split(separator: "\n").filter { $0.hasPrefix("   GUID ") }
        #expect(errors.count == portLines.count)
        #expect(document["badPorts"] as? Int == 4)
        let h3 = errors.first { ($0["name"] as? String) == "H3 HCA-1" }
        #expect((h3?["counters"] as? [String: Any])?["PortRcvErrors"] as? Int == 7)
    }

    @Test("-k clears the error counters it read, for the C tool too")
    func clearErrors() throws {
        try clearAll()
        try console("PerformanceSet \"leaf2\"[1] PortCounters.SymbolErrorCounter=4")
        try console("PerformanceSet \"H7\"[1] PortCounters.VL15Dropped=9")
        let before = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "-k"])
        #expect(before.status == 1 && before.stdout.contains("[SymbolErrorCounter == 4]") && before.stdout.contains("[VL15Dropped == 9]"))
        let (c, ours) = try fabric.both("ibqueryerrors", [])
        #expect(c.status == 0 && ours.status == 0 && ours.stdout == c.stdout)
    }

    /// The port GUID of the node whose description starts with `name` (IBMAD_FABRIC_NODES).
    private func portGUID(_ name: String) throws -> String {
        let path = try #require(ProcessInfo.processInfo.environment["IBMAD_FABRIC_NODES"])
        let line = try #require(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .first { $0.contains("\"\(name)") }, "\(name) is not in \(path)")
        return String(line.split(separator: " ")[3])
    }

    @Test("-r, --details, -G/-S and -D as the C tool prints them")
    func linkDetailsAndOneNode() throws {
        try clearAll()
        try console("PerformanceSet \"H3\"[1] PortCounters.PortRcvErrors=7")
        try console("PerformanceSet \"H3\"[1] PortRcvErrorDetails.PortMalformedPacketErrors=4")
        try console("PerformanceSet \"leaf1\"[2] PortCounters.PortXmitDiscards=5")
        try console("PerformanceSet \"leaf1\"[2] PortXmitDiscardDetails.PortNeighborMTUDiscards=3")
        try console("PerformanceSet \"spine2\"[3] PortCounters.SymbolErrorCounter=2")
        defer { try? clearAll() }
        let h3 = try portGUID("H3 "), leaf1 = try portGUID("leaf1")
        // -G names a CA: the C tool's single-node discovery links none of its ports, so -r
        // shows no far end. (-G of a switch hangs the C tool on ibsim: compared from the
        // cache below.) -D 0,9 leads nowhere: no summary, status 0. -G 0x1234: found nowhere.
        for arguments in [["-r"], ["--details"], ["--details", "-r"], ["-G", h3], ["-S", h3, "-r"], ["-G", "0x1234"], ["-G", "nonsense"],
                          ["-D", "0,1"], ["-D", "0,1", "-r"], ["-D", "0,1,2", "-r"], ["-D", "0,1,3", "--details"], ["-D", "0,9"],
                          ["--switch", "-r", "--details"], ["-c", "-r"]] {
            try expectSame(arguments)
        }
        // From a cached fabric: the C tool reads its --cache file, ours the topology text.
        let directory = try TemporaryFiles.directory()
        let cache = directory.appendingPathComponent("sweep-cache").path, topology = directory.appendingPathComponent("sweep-text").path
        _ = try fabric.run(try #require(TestFabric.cTool("ibnetdiscover")), ["--cache", cache, topology])
        for arguments in [["-G", leaf1, "--details"], ["-G", h3, "--details"], ["-G", leaf1, "--switch"]] {
            try expectSameFromCache(arguments, cache: cache, topology: topology, seed: [])
        }
        let (c, ours) = try (fabric.run(try #require(TestFabric.cTool("ibqueryerrors")), ["--load-cache", cache, "-D", "0,1"]),
                             fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "--load-cache", topology, "-D", "0,1"]))
        #expect(c.status == 255 && ours.status == c.status && ours.stdout == c.stdout && ours.stderr.contains("Cannot specify cache and direct route path"))
    }

    /// The C tool with `--load-cache CACHE`, ours with `--load-cache TOPOLOGY`, each after
    /// `seed` is written to ibsim's console (the data counters count every MAD, so each
    /// run starts from the same values and sends the same PMA MADs in the same order).
    /// Returns our report.
    @discardableResult
    private func expectSameFromCache(_ arguments: [String], cache: String, topology: String, seed: [String],
                                     sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let cTool = try #require(TestFabric.cTool("ibqueryerrors"))
        try console(seed)
        let c = try fabric.run(cTool, ["--load-cache", cache] + arguments)
        try console(seed)
        let ours = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors", "--load-cache", topology] + arguments)
        let line = (["ibqueryerrors", "--load-cache"] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(ours.stdout == c.stdout, "\(line): stdout", sourceLocation: sourceLocation)
        return ours.stdout
    }

    @Test("--data and --counters: data counters in the C tool's units, one node from the cache")
    func dataCounters() throws {
        try clearAll()
        try console("PerformanceSet \"H3\"[1] PortCounters.PortRcvErrors=7")
        try console("PerformanceSet \"leaf1\"[2] PortCounters.PortXmitDiscards=5")
        defer { try? clearAll() }
        let directory = try TemporaryFiles.directory()
        let cache = directory.appendingPathComponent("data-cache").path, topology = directory.appendingPathComponent("data-text").path
        _ = try fabric.run(try #require(TestFabric.cTool("ibnetdiscover")), ["--cache", cache, topology])
        // Values across the units (B..GB words, K..G packets); every port the MADs cross.
        let values = ["PortXmitData=123456789", "PortRcvData=1000", "PortXmitPkts=4242", "PortRcvPkts=5000000000"]
        func seed(_ node: String, ports: ClosedRange<Int>) -> [String] {
            ports.flatMap { port in values.map { "PerformanceSet \"\(node)\"[\(port)] PortCountersExtended.\($0)" } }
        }
        let h3 = try portGUID("H3 "), leaf1 = try portGUID("leaf1")
        for arguments in [["--counters"], ["--data"], ["--data", "--details"], ["--counters", "--ca"]] {
            let report = try expectSameFromCache(["-G", h3] + arguments, cache: cache, topology: topology,
                                                 seed: seed("H3", ports: 1...1))
            // The seeded value (and the MADs since): the console's commands took effect.
            #expect(report.contains("[PortRcvPkts == 500000000"), "\(arguments): \(report)")
            try expectSameFromCache(["-G", leaf1] + arguments, cache: cache, topology: topology, seed: seed("leaf1", ports: 0...8))
        }
    }

    @Test func badArguments() throws {
        for arguments in [["-s", "NoSuchCounter"], ["-o", "0"], ["-G"], ["--detail"]] {
            let run = try fabric.run(IBMadBinary.url.path, ["ibqueryerrors"] + arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
        }
    }
}
