import Foundation  // tests only: Process runs ibmad and the C perfquery, FileHandle feeds ibsim's console
import Testing

/// `ibmad perfquery -r/-R` against the C perfquery on ibsim: counters are seeded through
/// ibsim's console (PerformanceSet), then one tool resets (reading first with -r) and the
/// same tool reads again. Each tool runs the same sequence on the same freshly seeded port,
/// and every output, before and after, must be the C tool's byte for byte, and the reset
/// counters must read 0 while those the mask spared keep their value.
///
/// The port is a leaf switch's host port whose host nobody queries: the only MADs through
/// it are none, so its data counters stay where the seed put them.
///
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter PerfResetFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil && PerfResetFabric.current != nil, TestFabric.skipReason))
struct PerfResetFabricTests {
    let fabric = TestFabric.current!
    let sim = PerfResetFabric.current!

    /// ibsim's own counter values for the seeded port.
    static let seeds: [(String, Int)] = [
        ("PortCounters.SymbolErrorCounter", 7), ("PortCounters.LinkDownedCounter", 3),
        ("PortCounters.PortRcvErrors", 5), ("PortCounters.PortXmitData", 1000),
        ("PortCounters.PortRcvPkts", 11), ("PortCounters.PortXmitWait", 9),
        ("PortCountersExtended.PortXmitData", 5000), ("PortCountersExtended.PortRcvPkts", 77),
        ("PortCountersExtended.PortUnicastXmitPkts", 12),
    ]

    /// Clears the port with the C perfquery (-R, -x -R), then sets the seeds: every run of
    /// a sequence starts from the same counters, whatever traffic came before.
    func seed() throws {
        for arguments in [["-R", sim.lid, String(sim.port)], ["-x", "-R", sim.lid, String(sim.port)]] {
            let result = try perfquery(ours: false, arguments)
            #expect(result.status == 0, "perfquery \(arguments): \(result.stdout)")
        }
        for (field, value) in Self.seeds {
            try sim.console("PerformanceSet \"\(sim.switchName)\"[\(sim.port)] \(field)=\(value)")
        }
    }

    /// Seeds, runs `perfquery ARGUMENTS` with `tool`, then reads the port's counters and
    /// extended counters with the same tool.
    func sequence(ours: Bool, _ arguments: [String]) throws -> [IBMadBinary.Result] {
        try seed()
        let lidPort = [sim.lid, String(sim.port)]
        return try [arguments, lidPort, ["-x"] + lidPort].map { try perfquery(ours: ours, $0) }
    }

    func perfquery(ours: Bool, _ arguments: [String]) throws -> IBMadBinary.Result {
        if ours { return try fabric.run(IBMadBinary.url.path, ["perfquery"] + arguments) }
        let path = try #require(TestFabric.cTool("perfquery"), "perfquery (infiniband-diags) is not installed")
        return try fabric.run("/usr/bin/env", ["PATH=" + URL(fileURLWithPath: path).deletingLastPathComponent().path, "perfquery"] + arguments)
    }

    /// Both sequences, compared step by step; returns ours.
    @discardableResult
    func expectSame(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> [IBMadBinary.Result] {
        let c = try sequence(ours: false, arguments)
        let ours = try sequence(ours: true, arguments)
        let line = (["perfquery"] + arguments).joined(separator: " ")
        for (step, (cStep, ourStep)) in zip(c, ours).enumerated() {
            #expect(ourStep.status == cStep.status, "\(line), step \(step): exit status (ours stderr: \(ourStep.stderr))",
                    sourceLocation: sourceLocation)
            #expect(ourStep.stdout == cStep.stdout, "\(line), step \(step): stdout", sourceLocation: sourceLocation)
        }
        return ours
    }

    static func value(_ name: String, in text: String) -> Int? {
        text.split(separator: "\n").first { $0.hasPrefix(name + ":") }.flatMap { Int($0.split(separator: ".").last ?? "") }
    }

    @Test func resetAfterReadShowsTheSeedThenZero() throws {
        let ours = try expectSame(["-r", sim.lid, String(sim.port)])
        #expect(Self.value("SymbolErrorCounter", in: ours[0].stdout) == 7, "read before the reset: \(ours[0].stdout)")
        #expect(Self.value("PortXmitData", in: ours[0].stdout) == 1000)
        for counter in ["SymbolErrorCounter", "LinkDownedCounter", "PortRcvErrors", "PortXmitData", "PortRcvPkts", "PortXmitWait"] {
            #expect(Self.value(counter, in: ours[1].stdout) == 0, "\(counter) after -r: \(ours[1].stdout)")
        }
    }

    @Test func resetOnlyPrintsNothing() throws {
        let ours = try expectSame(["-R", sim.lid, String(sim.port)])
        #expect(ours[0].status == 0 && ours[0].stdout.isEmpty)
        #expect(Self.value("SymbolErrorCounter", in: ours[1].stdout) == 0)
        #expect(Self.value("PortXmitWait", in: ours[1].stdout) == 0, "bit 16 (PortXmitWait supported) is in CounterSelect2")
        // -R without -x leaves PortCountersExtended alone on ibsim (its own counters).
        #expect(Self.value("PortXmitData", in: ours[2].stdout) == 5000)
    }

    @Test func resetMaskSelectsCounters() throws {
        // 0x1: SymbolErrorCounter only (IBA 16.1.3.5 CounterSelect bit 0); no CounterSelect2.
        let ours = try expectSame(["-R", sim.lid, String(sim.port), "0x1"])
        #expect(Self.value("SymbolErrorCounter", in: ours[1].stdout) == 0)
        #expect(Self.value("LinkDownedCounter", in: ours[1].stdout) == 3)
        #expect(Self.value("PortXmitWait", in: ours[1].stdout) == 9, "a mask argument drops the PortXmitWait bit")
        // 0x1000: PortXmitData (bit 12) only; -r reads first.
        let data = try expectSame(["-r", sim.lid, String(sim.port), "0x1000"])
        #expect(Self.value("PortXmitData", in: data[1].stdout) == 0 && Self.value("SymbolErrorCounter", in: data[1].stdout) == 7)
        // 0: performance_reset_via's "all" (~0).
        try expectSame(["-R", sim.lid, String(sim.port), "0"])
    }

    @Test func extendedReset() throws {
        let ours = try expectSame(["-x", "-r", sim.lid, String(sim.port)])
        #expect(Self.value("PortXmitData", in: ours[0].stdout) == 5000)
        #expect(Self.value("PortXmitData", in: ours[2].stdout) == 0)
        try expectSame(["-x", "-R", sim.lid, String(sim.port)])
        try expectSame(["-x", "-R", sim.lid, String(sim.port), "0x1"])
    }

    @Test func portListsRangesAndAllPorts() throws {
        for arguments in [["-R", "-a", sim.lid], ["-r", "-a", sim.lid], ["-R", sim.lid, "1,\(sim.port)"],
                          ["-r", sim.lid, "\(sim.port)-\(sim.port + 1)"], ["-R", "-l", sim.lid, "1-\(sim.port)"],
                          ["-x", "-R", "-a", sim.lid]] {
            let ours = try expectSame(arguments)
            if arguments[0] == "-x" {
                #expect(Self.value("PortXmitData", in: ours[2].stdout) == 0, "perfquery \(arguments)")
                #expect(Self.value("SymbolErrorCounter", in: ours[1].stdout) == 7, "perfquery \(arguments): -x clears only PortCountersExtended")
            } else {
                #expect(Self.value("SymbolErrorCounter", in: ours[1].stdout) == 0, "perfquery \(arguments)")
            }
        }
    }

    @Test func failedResetsMatch() throws {
        // A port the switch does not have: ibsim answers the Set with an error status.
        for arguments in [["-R", sim.lid, "9"], ["-x", "-R", sim.lid, "9"], ["-R", "0x3000", "1"]] {
            let c = try perfquery(ours: false, arguments), ours = try perfquery(ours: true, arguments)
            #expect(c.status == 255 && ours.status == c.status, "perfquery \(arguments): C \(c.status), ours \(ours.status)")
            #expect(ours.stdout == c.stdout, "perfquery \(arguments)")
            #expect(!ours.stderr.isEmpty)
        }
    }

    @Test func jsonNamesTheCounterSelect() throws {
        try seed()
        let json = try perfquery(ours: true, ["--json", "-r", sim.lid, String(sim.port)])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let mask = try #require(object["capabilityMask"] as? Int)
        #expect(object["counterSelect"] as? Int == 0xFFFF)
        // perfquery.c: bit 16 when PortXmitWait is supported (CapabilityMask bit 12), 17 for QP1Dropped (bit 15).
        #expect(object["counterSelect2"] as? Int == (mask >> 12 & 1) | (mask >> 15 & 1) << 1)
        let fields = try #require((object["records"] as? [[String: Any]])?.first?["fields"] as? [[String: Any]])
        #expect(fields.first { $0["name"] as? String == "SymbolErrorCounter" }?["value"] as? Int == 7)
        let reset = try perfquery(ours: true, ["--json", "-R", sim.lid, String(sim.port)])
        let resetObject = try #require(try JSONSerialization.jsonObject(with: Data(reset.stdout.utf8)) as? [String: Any])
        #expect(resetObject["query"] as? String == "counters-reset" && (resetObject["records"] as? [Any])?.isEmpty == true)
    }
}

/// The switch port PerfResetFabricTests seeds and its ibsim console.
struct PerfResetFabric {
    let console: URL
    let log: URL
    /// The switch's ibsim name (its NodeDescription) and LID.
    let switchName: String
    let lid: String
    let port = 3

    /// A leaf other than the SM's (the first node's) leaf: "leaf4" in fat-tree-small.net.
    static let current: PerfResetFabric? = {
        let environment = ProcessInfo.processInfo.environment
        guard let console = environment["IBMAD_FABRIC_CONSOLE"], let log = environment["IBMAD_FABRIC_LOG"],
              let nodes = environment["IBMAD_FABRIC_NODES"], let text = try? String(contentsOfFile: nodes, encoding: .utf8)
        else { return nil }
        // TYPE LID NODEGUID PORTGUID "NODEDESC"
        let leaves = text.split(separator: "\n").compactMap { line -> (String, String)? in
            let words = line.split(separator: " ", maxSplits: 4)
            guard words.count == 5, words[0] == "SW", words[4].hasPrefix("\"leaf") else { return nil }
            return (String(words[4].dropFirst().dropLast()), String(words[1]))
        }.sorted { $0.0 < $1.0 }
        guard let leaf = leaves.last, leaves.count > 1 else { return nil }
        return PerfResetFabric(console: URL(fileURLWithPath: console), log: URL(fileURLWithPath: log),
                               switchName: leaf.0, lid: leaf.1)
    }()

    /// Sends one console command and waits until ibsim's log acknowledges it ("... has
    /// been set to N"): ibsim reads its console FIFO on its own schedule.
    func console(_ command: String) throws {
        func acknowledged() -> Int {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").components(separatedBy: "has been set to").count
        }
        let before = acknowledged()
        let handle = try FileHandle(forWritingTo: console)
        handle.write(Data((command + "\n").utf8))
        try handle.close()
        // Bounded so that a console that never answers fails instead of hanging.
        var polls = 0
        while acknowledged() <= before && polls < 2000 {
            usleep(5000)
            polls += 1
        }
        #expect(acknowledged() > before, "ibsim did not acknowledge: \(command)")
    }
}
