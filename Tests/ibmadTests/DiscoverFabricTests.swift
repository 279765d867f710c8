import Foundation  // tests only: Process, files
import Testing

/// `ibmad ibnetdiscover` against the C ibnetdiscover on the same ibsim fabric: every output
/// form byte for byte (the "generated on" timestamp line aside), at several windows; and
/// with 5 % of MADs lost at every port (ibsim's console `Error`), the same topology as
/// without loss, where the C tool silently loses nodes.
///
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter DiscoverFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct DiscoverFabricTests {
    let fabric = TestFabric.current!

    private func withoutTimestamp(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("# Topology file: generated on ") }.joined(separator: "\n")
    }

    private func expectSame(_ arguments: [String], ours extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (c, _) = try fabric.both("ibnetdiscover", arguments)
        let ours = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover"] + arguments + extra)
        let line = (["ibnetdiscover"] + arguments + extra).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(withoutTimestamp(ours.stdout) == withoutTimestamp(c.stdout), "\(line): stdout", sourceLocation: sourceLocation)
        // ibsim's fabrics have no routers: -R alone prints nothing.
        if !arguments.contains("-R") {
            #expect(!c.stdout.isEmpty, "\(line): the C tool printed nothing", sourceLocation: sourceLocation)
        }
    }

    @Test func everyOutputFormIsTheCToolsText() throws {
        for form in [[], ["-l"], ["-H"], ["-S"], ["-R"], ["-p"], ["-g"], ["-f"], ["-f", "-g"]] {
            try expectSame(form)
        }
    }

    @Test("The window changes the walk, not the result", arguments: ["1", "2", "8", "64"])
    func windows(window: String) throws {
        try expectSame([], ours: ["-o", window])
        try expectSame(["-p"], ours: ["--outstanding_smps", window])
    }

    @Test("-s shows the C tool's new nodes by the same routes, and known ones it also met")
    func showTracesTheWalk() throws {
        let (c, _) = try fabric.both("ibnetdiscover", ["-s"])
        let ours = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "-s"])
        #expect(ours.status == 0, "\(ours.stderr)")
        func split(_ text: String) -> (new: [String], known: [String], rest: String) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let traced = lines.prefix { $0.hasPrefix("DR path slid 0; dlid 0; ") }
            return (traced.filter { $0.contains(" -> new ") }.map(String.init),
                    traced.filter { $0.contains(" -> known ") }.map(String.init),
                    lines.dropFirst(traced.count).joined(separator: "\n"))
        }
        let (theirs, mine) = (split(c.stdout), split(ours.stdout))
        #expect(mine.new.count == fabric.nodes.count)
        // Answers come back in another order with more SMPs outstanding: the same lines.
        #expect(mine.new.sorted() == theirs.new.sorted())
        // The C tool asks NodeInfo through both ends of a switch-to-switch link, we through
        // one: ours are some of its, the LID and description aside (those depend on what
        // had answered by then).
        func route(_ line: String) -> String { line.replacing(#/ lid \d+-\d+ ".*"$/#, with: "") }
        #expect(Set(mine.known.map(route)).isSubset(of: Set(theirs.known.map(route))))
        #expect(withoutTimestamp(mine.rest) == withoutTimestamp(theirs.rest))
    }

    @Test("-m reports the C tool's max hops, and the MADs used: -v's count, no more than the C tool's")
    func maxHopsAndMADsUsed() throws {
        let (c, _) = try fabric.both("ibnetdiscover", ["-m"])
        let ours = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "-m", "-v"])
        #expect(ours.status == 0, "\(ours.stderr)")
        func header(_ text: String, _ key: String) -> Int? {
            text.split(separator: "\n").first { $0.hasPrefix("# \(key): ") }.flatMap { Int($0.split(separator: " ").last!) }
        }
        let hops = try #require(header(c.stdout, "Reported max hops discovered"))
        #expect(header(ours.stdout, "Reported max hops discovered") == hops)
        let sent = try #require(ours.stderr.firstMatch(of: /(\d+) SMPs sent/).flatMap { Int($0.1) })
        #expect(header(ours.stdout, "Total MADs used") == sent)
        #expect(sent <= (try #require(header(c.stdout, "Total MADs used"))))
        func rest(_ text: String) -> String {
            withoutTimestamp(text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("# Total MADs used: ") }.joined(separator: "\n"))
        }
        #expect(rest(ours.stdout) == rest(c.stdout))
        // A loaded file: its hops as a walk of it takes them, and no MADs.
        let file = try TemporaryFiles.directory().appendingPathComponent("topology")
        _ = try fabric.both("ibnetdiscover", [file.path])
        let loaded = try IBMadBinary.run(["ibnetdiscover", "-m", "--load", file.path])
        #expect(header(loaded.stdout, "Reported max hops discovered") == hops)
        #expect(header(loaded.stdout, "Total MADs used") == 0)
    }

    @Test func nodeNameMapAndTopologyFile() throws {
        let directory = try TemporaryFiles.directory()
        let map = directory.appendingPathComponent("discover-node-name-map")
        let switchGUID = try #require(fabric.nodes.first { $0.isSwitch }?.nodeGUID)
        let hostGUID = try #require(fabric.nodes.first { !$0.isSwitch }?.nodeGUID)
        try "# test map\n\(switchGUID) \"core switch A\"\n\(hostGUID) \"login node\"\n".write(to: map, atomically: true, encoding: .utf8)
        for form in [[], ["-l"], ["-p"]] { try expectSame(form + ["--node-name-map", map.path]) }

        let theirs = directory.appendingPathComponent("c-topology"), ours = directory.appendingPathComponent("our-topology")
        _ = try fabric.both("ibnetdiscover", [theirs.path])
        let run = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", ours.path])
        #expect(run.status == 0 && run.stdout.isEmpty)
        #expect(withoutTimestamp(try String(contentsOf: ours, encoding: .utf8))
                == withoutTimestamp(try String(contentsOf: theirs, encoding: .utf8)))
        let refused = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "/nonexistent-dir/topology"])
        #expect(refused.status != 0 && refused.stdout.contains("can't open file /nonexistent-dir/topology for writing"))

        // --cache: beside the output asked for (a list with the map's names), the C tool's
        // plain topology file, with the nodes' own descriptions; --diff then finds nothing.
        let cache = directory.appendingPathComponent("our-cache")
        let (listed, cachedList) = try fabric.both("ibnetdiscover", ["-l", "--node-name-map", map.path])
        #expect(listed.stdout.contains("\"core switch A\""))
        let cached = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "-l", "--node-name-map", map.path, "--cache", cache.path])
        #expect(cached.status == 0 && cached.stdout == cachedList.stdout && cached.stdout == listed.stdout)
        #expect(withoutTimestamp(try String(contentsOf: cache, encoding: .utf8))
                == withoutTimestamp(try String(contentsOf: theirs, encoding: .utf8)))
        let diff = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--diff", cache.path])
        #expect(diff.status == 0 && diff.stdout.isEmpty, "\(diff.stdout)\(diff.stderr)")
        // A cache that cannot be written: the output, then IBEXIT's line and status.
        let (cFailed, oursFailed) = try fabric.both("ibnetdiscover", ["-l", "--cache", "/nonexistent-dir/cache"])
        #expect(oursFailed.status == cFailed.status && oursFailed.stdout == cFailed.stdout
                && cFailed.stdout.hasSuffix("caching ibnetdiscover data failed\n\n"))
    }

    @Test("--json and --dot hold the nodes and cables the C tool's topology file lists")
    func jsonAndDot() throws {
        let (c, _) = try fabric.both("ibnetdiscover", [])
        let portLines = c.stdout.split(separator: "\n").filter { $0.hasPrefix("[") }.count
        let guids = Set(c.stdout.split(separator: "\n").compactMap { line -> String? in
            for prefix in ["switchguid=", "caguid="] where line.hasPrefix(prefix) {
                return String(line.dropFirst(prefix.count).prefix { $0 != "(" })
            }
            return nil
        })
        #expect(guids.count == fabric.nodes.count)

        let json = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["complete"] as? Bool == true)
        let nodes = try #require(document["nodes"] as? [[String: Any]])
        #expect(Set(nodes.compactMap { $0["guid"] as? String }) == guids)
        let links = try #require(document["links"] as? [[String: Any]])
        #expect(links.count * 2 == portLines)  // the text lists every cable from both ends
        for node in fabric.nodes {
            let entry = nodes.first { ($0["guid"] as? String) == node.nodeGUID }
            #expect(entry.map { String($0["lid"] as? Int ?? -1) } == String(Int(node.lid.dropFirst(2), radix: 16) ?? -2),
                    "LID of \(node.nodeGUID)")
        }

        let dot = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--dot"])
        #expect(dot.status == 0 && dot.stdout.hasPrefix("graph fabric {") && dot.stdout.hasSuffix("}\n"))
        let lines = dot.stdout.split(separator: "\n")
        #expect(lines.filter { $0.contains(" -- ") }.count == links.count)
        #expect(lines.filter { $0.contains("[label=") && !$0.contains(" -- ") }.count == guids.count)
    }

    @Test("--load reads a topology file back: the C tool's file prints as the live walk does")
    func loadReadsTheTopologyFileBack() throws {
        let file = try TemporaryFiles.directory().appendingPathComponent("c-topology-for-load")
        let (written, _) = try fabric.both("ibnetdiscover", [file.path])
        #expect(written.status == 0)
        for form in [[], ["-l"], ["-H"], ["-S"], ["--json"]] {
            let live = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover"] + form)
            let loaded = try IBMadBinary.run(["ibnetdiscover", "--load", file.path] + form)
            #expect(loaded.status == 0, "\(form): \(loaded.stderr)")
            #expect(withoutTimestamp(loaded.stdout) == withoutTimestamp(live.stdout), "--load \(form)")
        }
        // ibnetdiscover's own spelling reads the same file.
        let spelled = try IBMadBinary.run(["ibnetdiscover", "--load-cache", file.path])
        let loaded = try IBMadBinary.run(["ibnetdiscover", "--load", file.path])
        #expect(spelled.status == 0 && withoutTimestamp(spelled.stdout) == withoutTimestamp(loaded.stdout))
        let missing = try IBMadBinary.run(["ibnetdiscover", "--load", "/nonexistent/topology"])
        #expect(missing.status != 0 && missing.stdout.contains("loading cached fabric failed"))
        let garbage = try TemporaryFiles.write(Array("Switch\tx\n".utf8), name: "bad-topology")
        let refused = try IBMadBinary.run(["ibnetdiscover", "--load", garbage])
        #expect(refused.status != 0 && refused.stderr.contains("line 1"))
    }

    /// The topology file is an ibsim net file: simulated again, the fabric is rediscovered
    /// with the same nodes, descriptions and cables (LIDs are the new SM's to assign).
    @Test func aDiscoveredFabricSimulatesAgain() throws {
        let file = try TemporaryFiles.directory().appendingPathComponent("our-topology-for-ibsim")
        let discovered = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", file.path])
        #expect(discovered.status == 0)
        let original = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--json"])

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let resimulated = try FileOutputProcess(root.appendingPathComponent("scripts/with-fabric"),
                                                ["--fabric", file.path, "--preload", IBMadBinary.url.path, "ibnetdiscover", "--json"]).finish()
        #expect(resimulated.status == 0)
        let data = Data(resimulated.stdout.utf8)

        func shape(_ json: Data) throws -> (nodes: Set<String>, links: Set<String>) {
            let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            let nodes = try #require(document["nodes"] as? [[String: Any]]).map {
                "\($0["guid"]!) \($0["type"]!) \($0["description"]!) \($0["ports"]!)"
            }
            let links = try #require(document["links"] as? [[String: Any]]).map { link in
                ["a", "b"].map { end in
                    let side = link[end] as? [String: Any] ?? [:]
                    return "\(side["guid"] ?? "?"):\(side["port"] ?? "?")"
                }.sorted().joined(separator: "-")
            }
            return (Set(nodes), Set(links))
        }
        let before = try shape(Data(original.stdout.utf8)), after = try shape(data)
        #expect(before.nodes.count == fabric.nodes.count)
        #expect(after.nodes == before.nodes)
        #expect(after.links == before.links)
    }

    @Test("perfquery --all-nodes prints what a loop of the C perfquery over every port prints")
    func perfqueryAllNodes() throws {
        let ours = try fabric.run(IBMadBinary.url.path, ["perfquery", "--all-nodes", "-v"])
        #expect(ours.status == 0, "\(ours.stderr)")
        // "# Port counters: Lid 3 port 2 (CapMask: 0x1600)": the ports, in our order.
        let ports = ours.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let match = line.firstMatch(of: #/^\# Port counters: Lid (\d+) port (\d+) /#) else { return nil }
            return (String(match.1), String(match.2))
        }
        #expect(ports.count == portCount())
        // -v: what was sent. No NodeDescriptions (nothing failed, the text has no names);
        // one ClassPortInfo per node and one PortCounters per port.
        let nodes = try simulatedNodeNames().count
        #expect(ours.stderr.contains("ibmad perfquery: \(nodes) nodes, "), "\(ours.stderr)")
        #expect(ours.stderr.contains(" SMPs in discovery, \(nodes + ports.count) PMA MADs for \(ports.count) ports\n"),
                "\(ours.stderr)")
        var loop = ""
        for (lid, port) in ports {
            let (c, _) = try fabric.both("perfquery", [lid, port])
            #expect(c.status == 0)
            loop += c.stdout
        }
        // ibsim counts every MAD in the data counters, ours and the loop's among them:
        // those four change between the two reads; everything else must be equal.
        func steady(_ text: String) -> String {
            text.replacing(#/(PortXmitData|PortRcvData|PortXmitPkts|PortRcvPkts):\.+\d+/#) { "\($0.1): (traffic)" }
        }
        #expect(steady(ours.stdout) == steady(loop))
        #expect(steady(ours.stdout) != ours.stdout, "the data counters were not masked")
        let extended = try fabric.run(IBMadBinary.url.path, ["perfquery", "--all-nodes", "-x", "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(extended.stdout.utf8)) as? [String: Any])
        #expect((document["records"] as? [Any])?.count == ports.count)
        let refused = try fabric.run(IBMadBinary.url.path, ["perfquery", "--all-nodes", "1"])
        #expect(refused.status == 64)
    }

    /// Cabled ports: every link has two ends; a switch's unused ports count too (the C
    /// tool's topology lists only cabled ones, the nodes file has the port counts).
    private func portCount() -> Int {
        guard let net = ProcessInfo.processInfo.environment["IBMAD_FABRIC_NET"],
              let text = try? String(contentsOfFile: net, encoding: .utf8) else { return -1 }
        // Switch lines: "Switch N "name"": every port of a switch answers PortInfo.
        return text.split(separator: "\n").reduce(0) { total, line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, let ports = Int(words[1]) else { return total }
            return words[0] == "Switch" ? total + ports : (words[0] == "Hca" || words[0] == "Ca") ? total + 1 : total
        }
    }

    @Test func badArguments() throws {
        for arguments in [["-o", "0"], ["-D", "0"], ["--retries", "-1"], ["--json", "--dot"]] {
            let run = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover"] + arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
        }
    }

    /// ibsim's node names ("leaf1", "H1", ...) from the net file.
    private func simulatedNodeNames() throws -> [String] {
        let path = try #require(ProcessInfo.processInfo.environment["IBMAD_FABRIC_NET"])
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let kind = words.first, ["Switch", "Hca", "Ca"].contains(kind), words.count >= 3 else { return nil }
            return String(words[2]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
    }

    private func console(_ command: String) throws {
        let path = try #require(ProcessInfo.processInfo.environment["IBMAD_FABRIC_CONSOLE"])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data((command + "\n").utf8))
        try handle.close()
    }

    @Test("With 5 % of MADs lost at every port, discovery still finds the whole fabric")
    func lossIsRetried() throws {
        let (reference, _) = try fabric.both("ibnetdiscover", ["-p"])
        let names = try simulatedNodeNames()
        #expect(names.count == fabric.nodes.count)
        for name in names { try console("Error \"\(name)\" 5") }
        defer { for name in names { try? console("Error \"\(name)\" 0") } }
        Thread.sleep(forTimeInterval: 0.2)  // the console is read between MADs
        let ours = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "-p", "-v"])
        #expect(ours.status == 0, "\(ours.stderr)")
        #expect(ours.stdout == reference.stdout)
        // -v reports the retries: proof that loss really happened.
        let retried = ours.stderr.firstMatch(of: /(\d+) retried/).flatMap { Int($0.1) } ?? 0
        #expect(retried > 0, "no MAD was retried: \(ours.stderr)")
    }
}
