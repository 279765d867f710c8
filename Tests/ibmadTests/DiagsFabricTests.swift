import Foundation  // tests only: Process runs ibmad and the C tools, JSONSerialization reads --json
import Testing

/// The fabric scripts/with-fabric started, from its environment; nil outside one.
struct TestFabric {
    struct Node {
        let isSwitch: Bool
        let lid: String
        let nodeGUID: String
        let portGUID: String
    }

    let preload: String
    let nodes: [Node]

    static let current: TestFabric? = {
        let environment = ProcessInfo.processInfo.environment
        guard let preload = environment["IBMAD_IBSIM_PRELOAD"], environment["IBSIM_SOCKNAME"] != nil,
              let path = environment["IBMAD_FABRIC_NODES"], let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        // TYPE LID NODEGUID PORTGUID "NODEDESC"
        let nodes = text.split(separator: "\n").compactMap { line -> Node? in
            let words = line.split(separator: " ")
            guard words.count >= 4 else { return nil }
            return Node(isSwitch: words[0] == "SW", lid: String(words[1]), nodeGUID: String(words[2]), portGUID: String(words[3]))
        }
        return nodes.isEmpty ? nil : TestFabric(preload: preload, nodes: nodes)
    }()

    static let skipReason: Comment =
        "needs a simulated fabric: run the test bundle under scripts/with-fabric (IBMAD_IBSIM_PRELOAD, IBSIM_SOCKNAME and IBMAD_FABRIC_NODES unset)"

    /// Where the C tools are (infiniband-diags installs them in /usr/sbin).
    static func cTool(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return path.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` attached to the fabric (libumad2sim preloaded) in a scratch
    /// directory (libumad2sim creates ./sys-<pid> there). One at a time: ibsim has ~10
    /// client slots.
    ///
    /// A C tool killed by a signal is run again, twice at most: under libumad2sim they
    /// crash now and then (CI once saw ibqueryerrors die of SIGSEGV with its stdout lost,
    /// not reproduced in 100 runs of the same command), which says nothing about the
    /// output ours is compared with. Ours is never run again: its crash is a failure.
    func run(_ executable: String, _ arguments: [String]) throws -> IBMadBinary.Result {
        var attempt = 0
        while true {
            let (result, signaled) = try runOnce(executable, arguments)
            attempt += 1
            guard signaled, executable != IBMadBinary.url.path, attempt < 3 else { return result }
            let line = ([executable] + arguments).joined(separator: " ")
            FileHandle.standardError.write(Data("note: \(line) died of signal \(result.status); running it again\n".utf8))
        }
    }

    private func runOnce(_ executable: String, _ arguments: [String]) throws -> (IBMadBinary.Result, signaled: Bool) {
        let directory = try TemporaryFiles.directory()
        let output = directory.appendingPathComponent("fabric-stdout"), errors = directory.appendingPathComponent("fabric-stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = preload
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return (IBMadBinary.Result(status: process.terminationStatus,
                                   stdout: try String(contentsOf: output, encoding: .utf8),
                                   stderr: try String(contentsOf: errors, encoding: .utf8)),
                process.terminationReason == .uncaughtSignal)
    }

    /// The C tool's run and ours of the same command line.
    func both(_ tool: String, _ arguments: [String]) throws -> (c: IBMadBinary.Result, ours: IBMadBinary.Result) {
        // Through env, so that argv[0] is the bare name IBEXIT prints ("smpquery: iberror: ...").
        let directory = try #require(Self.cTool(tool), "\(tool) (infiniband-diags) is not installed")
        let c = try run("/usr/bin/env", ["PATH=" + URL(fileURLWithPath: directory).deletingLastPathComponent().path, tool] + arguments)
        let ours = try run(IBMadBinary.url.path, [tool] + arguments)
        return (c, ours)
    }
}

/// `ibmad smpquery`, `sminfo`, `perfquery`, `ibaddr` and `smpdump` against the C tools on the same ibsim fabric: the
/// same stdout byte for byte and the same exit status; JSON that says what the text says;
/// failures with the C tool's status and stdout plus our explanation on stderr.
///
///     swift build --build-tests
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter DiagsFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct DiagsFabricTests {
    let fabric = TestFabric.current!

    func expectSame(_ tool: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (c, ours) = try fabric.both(tool, arguments)
        let line = ([tool] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(ours.stdout == c.stdout, "\(line): stdout", sourceLocation: sourceLocation)
    }

    /// A spread of nodes: the SM's own node, every switch, and a few channel adapters.
    var spread: [TestFabric.Node] {
        let cas = fabric.nodes.filter { !$0.isSwitch }
        return [fabric.nodes[0]] + fabric.nodes.filter(\.isSwitch) + cas.dropFirst().prefix(3)
    }

    @Test func attributesByLID() throws {
        for node in spread {
            for op in ["nodeinfo", "NodeDesc", "ni", "portinfo", "switchinfo", "pkeys", "sl2vl", "vlarb", "GUIDInfo"] {
                try expectSame("smpquery", [op, node.lid])
            }
            try expectSame("smpquery", ["portinfo", node.lid, "1"])
            try expectSame("smpquery", ["-K", "pi", node.lid, "1"])
            if node.isSwitch {
                for arguments in [["pkeys", node.lid, "2"], ["sl2vl", node.lid, "3"], ["vlarb", node.lid, "1"], ["portinfo", node.lid, "4"]] {
                    try expectSame("smpquery", arguments)
                }
            }
        }
    }

    @Test func attributesByGUID() throws {
        for node in spread {
            try expectSame("smpquery", ["-G", "nodeinfo", node.portGUID])
            try expectSame("smpquery", ["-G", "portinfo", node.portGUID, "1"])
        }
        // Without the 0x (strtoull base 0 would read it as decimal; ours reads hex).
        let bare = String(fabric.nodes[0].portGUID.dropFirst(2))
        let (c, ours) = try fabric.both("smpquery", ["-G", "nodedesc", bare])
        #expect(ours.status == 0, "a GUID without 0x is hex to us: \(ours.stderr)")
        _ = c
    }

    @Test func attributesByDirectedRoute() throws {
        let paths = ["0", "0,1"] + (1...6).map { "0,1,\($0)" } + ["0,1,1,1", "0,1,2,1"]
        for path in paths {
            for op in ["nodeinfo", "nodedesc", "portinfo", "switchinfo", "pkeys", "sl2vl", "vlarb", "guidinfo"] {
                try expectSame("smpquery", ["-D", op, path])
            }
        }
    }

    @Test func smInfo() throws {
        // ActCount (IBA 14.2.5.13) advances between the two queries: compare the rest.
        func masked(_ text: String) -> String {
            text.replacing(/activity count \d+/, with: "activity count N")
        }
        for arguments in [[], [fabric.nodes[0].lid], ["-D", "0"]] {
            let (c, ours) = try fabric.both("sminfo", arguments)
            #expect(ours.status == c.status, "sminfo \(arguments): \(ours.stderr)")
            #expect(masked(ours.stdout) == masked(c.stdout), "sminfo \(arguments)")
            #expect(ours.stdout.contains("activity count"))
        }
        // Not an SM: SMInfo answers with an error status; both fail with "query".
        let other = try #require(fabric.nodes.first { $0.isSwitch })
        try expectSame("sminfo", [other.lid])
    }

    @Test func failuresMatchTheCTools() throws {
        let cases: [(arguments: [String], explanation: String)] = [
            (["nodeinfo", "0"], "LID 0 is reserved"),
            (["nodeinfo", "0xC000"], "not a unicast LID"),
            (["nodeinfo", "49152"], "not a unicast LID"),
            (["nodeinfo", "0x3000"], "no response from LID 12288"),  // unassigned: unreachable
            (["-G", "nodeinfo", "0xzz"], "is not a GUID"),
            (["-G", "nodeinfo", "0x1234"], "GUID 0x1234"),
            (["-D", "nodeinfo", "0,77"], "no response"),
            (["-D", "nodeinfo", "0" + String(repeating: ",1", count: 64)], "more than 63 hops"),
            (["switchinfo", fabric.nodes[0].lid], "with status"),
            (["badop", "1"], "known operations"),
        ]
        for (arguments, explanation) in cases {
            let (c, ours) = try fabric.both("smpquery", arguments)
            #expect(c.status != 0 && ours.status == c.status, "smpquery \(arguments): C \(c.status), ours \(ours.status)")
            if arguments.last?.count ?? 0 < 64 {
                #expect(ours.stdout == c.stdout, "smpquery \(arguments): the IBEXIT line")
            }
            #expect(ours.stderr.contains(explanation), "smpquery \(arguments): stderr \(ours.stderr)")
        }
        // Missing arguments: the usage and status 2, as ibdiag_show_usage.
        let (c, ours) = try fabric.both("smpquery", ["nodeinfo"])
        #expect(c.status == 2 && ours.status == 2)
        #expect(ours.stdout.isEmpty && !ours.stderr.isEmpty)
    }

    /// perfquery's data and packet counters count the queries themselves (ibsim's PMA sees
    /// our MADs and the C tool's), so: run C, ours, C again. A line both C runs agree on must
    /// be ours byte for byte; a counter that moved must be, in ours, between the two.
    func expectSameCounters(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (before, ours) = try fabric.both("perfquery", arguments)
        let after = try fabric.both("perfquery", arguments).c
        let line = (["perfquery"] + arguments).joined(separator: " ")
        #expect(ours.status == before.status && before.status == after.status, "\(line): exit status \(ours.stderr)",
                sourceLocation: sourceLocation)
        let (b, o, a) = (before.stdout.split(separator: "\n", omittingEmptySubsequences: false),
                         ours.stdout.split(separator: "\n", omittingEmptySubsequences: false),
                         after.stdout.split(separator: "\n", omittingEmptySubsequences: false))
        #expect(b.count == o.count && a.count == o.count, "\(line): \(o.count) lines, C \(b.count)", sourceLocation: sourceLocation)
        for (index, ourLine) in o.enumerated() where index < min(b.count, a.count) {
            if b[index] == a[index] {
                #expect(ourLine == b[index], "\(line): line \(index + 1)", sourceLocation: sourceLocation)
                continue
            }
            func split(_ text: Substring) -> (String, UInt64?) {
                let name = text.prefix { $0 != "." }
                return (String(name), UInt64(text.reversed().prefix { $0 != "." }.reversed().map(String.init).joined()))
            }
            let (name, value) = split(ourLine), (bName, low) = split(b[index]), (_, high) = split(a[index])
            #expect(name == bName && value != nil && low != nil && high != nil
                    && low! <= value! && value! <= high!, "\(line): \(ourLine) not within \(b[index]) ... \(a[index])",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func perfQuery() throws {
        let switchLID = try #require(fabric.nodes.first { $0.isSwitch }).lid
        let host = fabric.nodes[min(1, fabric.nodes.count - 1)].lid
        for arguments in [[], ["-x"], [fabric.nodes[0].lid], [host, "1"], ["-x", host, "1"], [switchLID, "1"], [switchLID, "3"],
                          ["-x", switchLID, "2"], [switchLID, "1,2,3"], [switchLID, "1-3"], ["-a", switchLID], ["-x", "-a", switchLID],
                          ["-a", switchLID, "1,2"], ["-l", switchLID, "1-3"], [switchLID, "255"],
                          ["-G", fabric.nodes[0].portGUID, "1"]] {
            try expectSameCounters(arguments)
        }
        for arguments in [["0x3000"], ["0"], [switchLID, "3-1"], ["-G", "0x1234"]] {
            try expectSame("perfquery", arguments)
        }
    }

    @Test func ibaddrAndSMPDump() throws {
        for node in spread {
            for arguments in [[node.lid], ["-g", node.lid], ["-l", node.lid], ["-L", node.lid], ["-g", "-L", node.lid],
                              ["-G", node.portGUID], [node.lid, "1"]] {
                try expectSame("ibaddr", arguments)
            }
            for arguments in [[node.lid, "0x11"], [node.lid, "0x15", "1"], [node.lid, "0x12"], [node.lid, "16"]] {
                try expectSame("smpdump", arguments)
            }
        }
        for arguments in [[], ["-D", "0,1"], ["-D", "0,1", "3"], ["-D", "0,1,2"], ["0x3000"], ["0"], ["-D", "0,77"]] {
            try expectSame("ibaddr", arguments)
        }
        for arguments in [["-D", "0", "0x11"], ["-D", "0,1", "0x11"], ["-D", "0,1", "16"], ["-D", "0,1,2", "0x15", "1"],
                          ["-D", "0,1", "0x12"], ["-D", "0", "0x12"], ["2"]] {
            try expectSame("smpdump", arguments)
        }
    }

    @Test func jsonSaysWhatTheTextSays() throws {
        for node in spread {
            for op in ["nodeinfo", "portinfo", "switchinfo"] where op != "switchinfo" || node.isSwitch {
                let text = try fabric.run(IBMadBinary.url.path, ["smpquery", op, node.lid])
                let json = try fabric.run(IBMadBinary.url.path, ["smpquery", "--json", op, node.lid])
                #expect(text.status == 0 && json.status == 0)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
                #expect(object["tool"] as? String == "smpquery")
                let destination = try #require(object["destination"] as? [String: Any])
                #expect(destination["lid"] as? Int == Int(node.lid.dropFirst(2), radix: 16))
                let records = try #require(object["records"] as? [[String: Any]])
                let fields = try #require(records.first?["fields"] as? [[String: Any]])
                // Every "Name:....value" line of the text is a field with that name and text.
                var lines = text.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("\t") }
                lines.removeAll { $0.hasPrefix("Mkey:") }  // hidden without -K, omitted from JSON
                #expect(lines.count == fields.count, "\(op) \(node.lid): \(lines.count) lines, \(fields.count) fields")
                for (line, field) in zip(lines, fields) {
                    let name = try #require(field["name"] as? String), value = try #require(field["text"] as? String)
                    #expect(line.hasPrefix(name + ":") && line.hasSuffix(value), "\(op): \(line) vs \(name)=\(value)")
                }
            }
        }
        // perfquery on a switch port no query passes through (its counters stay still).
        // JSON's QP1Dropped is IBA's field where the text repeats VL15Dropped (libibmad).
        let switchLID = try #require(fabric.nodes.first { $0.isSwitch }).lid
        for extended in [false, true] {
            let arguments = (extended ? ["-x"] : []) + [switchLID, "6"]
            let text = try fabric.run(IBMadBinary.url.path, ["perfquery"] + arguments)
            let json = try fabric.run(IBMadBinary.url.path, ["perfquery", "--json"] + arguments)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let mask = try #require(object["capabilityMask"] as? Int)
            #expect(text.stdout.contains("CapMask: 0x\(String(mask, radix: 16, uppercase: true))"))
            let fields = try #require((object["records"] as? [[String: Any]])?.first?["fields"] as? [[String: Any]])
            let lines = text.stdout.split(separator: "\n").filter { !$0.hasPrefix("#") }
            #expect(lines.count == fields.count, "perfquery \(arguments): \(lines.count) lines, \(fields.count) fields")
            for (line, field) in zip(lines, fields) where field["name"] as? String != "QP1Dropped" {
                let name = try #require(field["name"] as? String), value = try #require(field["text"] as? String)
                #expect(line.hasPrefix(name + ":") && line.hasSuffix("." + value), "perfquery: \(line) vs \(name)=\(value)")
            }
        }
        for node in spread.prefix(3) {
            let text = try fabric.run(IBMadBinary.url.path, ["ibaddr", node.lid])
            let json = try fabric.run(IBMadBinary.url.path, ["ibaddr", "--json", node.lid])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let fields = try #require((object["records"] as? [[String: Any]])?.first?["fields"] as? [[String: Any]])
            let values = Dictionary(uniqueKeysWithValues: fields.map { ($0["name"] as? String ?? "", $0["text"] as? String ?? "") })
            let start = try #require(values["LIDStart"].flatMap { Int($0) }), end = try #require(values["LIDEnd"].flatMap { Int($0) })
            #expect(text.stdout == "GID \(values["GID"] ?? "?") LID start 0x\(String(start, radix: 16)) end 0x\(String(end, radix: 16))\n")
        }
        let text = try fabric.run(IBMadBinary.url.path, ["sminfo"])
        let json = try fabric.run(IBMadBinary.url.path, ["sminfo", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let fields = try #require((object["records"] as? [[String: Any]])?.first?["fields"] as? [[String: Any]])
        let guid = try #require(fields.first { $0["name"] as? String == "GUID" }?["text"] as? String)
        #expect(text.stdout.contains("sm guid \(guid),"))
    }
}

/// scripts/test sets IBMAD_REQUIRE_FABRIC=1 inside scripts/with-fabric: there the fabric
/// suite must run, so a fabric it cannot use is a failure instead of a skip.
@Suite struct DiagsFabricAvailabilityTests {
    @Test func fabricIsUsableWhenRequired() {
        guard ProcessInfo.processInfo.environment["IBMAD_REQUIRE_FABRIC"] == "1" else { return }
        #expect(TestFabric.current != nil, TestFabric.skipReason)
    }
}
