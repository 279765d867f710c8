import Foundation  // tests only: Process, files
import Testing

/// `ibmad ibnetdiscover --diff` against the C tool's on the same ibsim fabric. Here, in
/// LinkInfoFabricTests' suite, because it changes the topology: that suite runs on its own
/// fabric, one test at a time. The C tool diffs against libibnetdisc's binary cache, ours
/// against the C tool's topology text taken at the same moment.
extension LinkInfoFabricTests {
    /// The diffchecks compared after each change: the default, each key alone with a node
    /// type, all of them, any case (strcasecmp), and -l, which takes precedence over --diff.
    private static let diffChecks: [[String]] = [
        [], ["--diffcheck", "sw,ca,router,port,lid,nodedesc"], ["--diffcheck", "sw,lid"], ["--diffcheck", "ca,lid"],
        ["--diffcheck", "ca,port,lid"], ["--diffcheck", "sw,port,nodedesc"], ["--diffcheck", "SW,Port"],
        ["--diffcheck", "router"], ["--diffcheck", "port,lid"], ["-l"],
    ]

    private func snapshot(_ name: String) throws -> (binary: String, text: String) {
        let directory = try TemporaryFiles.directory()
        let binary = directory.appendingPathComponent("diff-\(name).cache").path
        let text = directory.appendingPathComponent("diff-\(name).net").path
        try? FileManager.default.removeItem(atPath: binary)  // ibnetdiscover --cache will not overwrite
        let c = try fabric.run("/usr/bin/env", ["PATH=/usr/sbin:/usr/bin", "ibnetdiscover", "--cache", binary, text])
        try #require(c.status == 0, "ibnetdiscover --cache: \(c.stderr)")
        return (binary, text)
    }

    /// Both tools' diff: `load` (optional) and `diff` name a snapshot each, the binary
    /// cache for the C tool and the text for ours. Returns the C tool's output.
    @discardableResult
    private func expectSameDiff(load: (binary: String, text: String)? = nil, against diff: (binary: String, text: String),
                                _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let c = try fabric.run("/usr/bin/env", ["PATH=/usr/sbin:/usr/bin", "ibnetdiscover", "--diff", diff.binary]
            + (load.map { ["--load-cache", $0.binary] } ?? []) + arguments)
        let ours = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--diff", diff.text]
            + (load.map { ["--load", $0.text] } ?? []) + arguments)
        let line = "--diff \(load == nil ? "" : "--load ")\(arguments.joined(separator: " "))"
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(ours.stdout == c.stdout, "\(line): stdout", sourceLocation: sourceLocation)
        return c.stdout
    }

    /// Until two C walks 0.5 s apart agree: opensm answers the traps of a changed link
    /// with a sweep of its own, which must not land between the two tools' walks.
    private func waitForQuietFabric() throws {
        var last = ""
        for _ in 0..<20 {
            let walk = try fabric.run("/usr/bin/env", ["PATH=/usr/sbin:/usr/bin", "ibnetdiscover"])
            let topology = walk.stdout.split(separator: "\n").filter { !$0.contains("generated on") }.joined(separator: "\n")
            if walk.status == 0 && topology == last { return }
            last = topology
            Thread.sleep(forTimeInterval: 0.5)
        }
        Issue.record("the fabric did not settle within 10 s of the change")
    }

    /// fat-tree-small.net: leaf4 port 3 leads to H15 and leaf3 port 3 to H11. Recabled
    /// here as leaf4[3]-leaf3[3] (both hosts gone, two switch ports cabled to another
    /// switch), with H14's LID and leaf2's changed too (Baselid).
    @Test func diffMatchesTheCToolsBeforeAndAfterRecabling() throws {
        try waitForQuietFabric()
        let before = try snapshot("before")
        for checks in Self.diffChecks {
            #expect(try expectSameDiff(against: before, checks) == "" || checks == ["-l"], "\(checks): nothing changed yet")
        }
        let h14 = try #require(fabric.nodes.first { $0.portGUID == "0x10000000000000e1" }, "not fat-tree-small.net")
        let leaf2 = try #require(fabric.nodes.first { $0.nodeGUID == "0x2000000000000020" }, "not fat-tree-small.net")
        try console("Unlink \"leaf4\"[3]")
        try console("Unlink \"leaf3\"[3]")
        try console("Link \"leaf4\"[3] \"leaf3\"[3]")
        try console("Baselid \"H14\"[1] 77")
        try console("Baselid \"leaf2\"[0] 55")
        defer {
            try? console("Unlink \"leaf4\"[3]")
            try? console("Link \"leaf4\"[3] \"H15\"[1]")
            try? console("Link \"leaf3\"[3] \"H11\"[1]")
            try? console("Baselid \"H14\"[1] \(h14.lid)")
            try? console("Baselid \"leaf2\"[0] \(leaf2.lid)")
            try? waitForQuietFabric()  // before the next test's walks
        }
        try waitForQuietFabric()
        let recabled = try expectSameDiff(against: before, [])
        #expect(recabled.contains("< [3]\t\"H-10000000000000f0\"[1]") && recabled.contains("> [3]\t\"S-2000000000000030\"[3]"),
                "the recabling is not in the diff: \(recabled)")
        let lids = try expectSameDiff(against: before, ["--diffcheck", "sw,ca,lid"])
        #expect(lids.contains("> Switch\t6 \"S-2000000000000020\"\t\t# \"leaf2\" enhanced port 0 lid 55 lmc 0")
                && lids.contains("# lid 77 lmc 0"), "the LID changes are not in the diff: \(lids)")
        for checks in Self.diffChecks { try expectSameDiff(against: before, checks) }

        // Two files and no walk, both ways: the hosts the recabling took away come back
        // ("> " lines) when the later file is the one diffed against.
        let after = try snapshot("after")
        for checks in [[], ["--diffcheck", "sw,ca,port,lid"], ["--diffcheck", "ca"]] {
            try expectSameDiff(load: after, against: before, checks)
            let back = try expectSameDiff(load: before, against: after, checks)
            #expect(back.contains("> caguid=0x10000000000000f0"), "\(checks): \(back)")
        }
    }

    @Test func unreadableFilesAndBadOptionsFailAsTheCTools() throws {
        // IBEXIT: the same stdout and status 255; ours says why on stderr.
        let (c, ours) = try fabric.both("ibnetdiscover", ["--diff", "/nonexistent"])
        #expect(ours.status == c.status && ours.stdout == c.stdout && c.stdout.contains("loading cached fabric for diff failed"),
                "\(c.stdout) / \(ours.stdout)")
        #expect(ours.stderr.contains("/nonexistent"), "\(ours.stderr)")
        // libibnetdisc's binary cache: refused by name.
        let binary = try snapshot("binary").binary
        let refused = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--diff", binary])
        #expect(refused.status == c.status && refused.stderr.contains("libibnetdisc binary cache"), "\(refused.stderr)")
        // A key the C tool does not know: a usage error (2 from the C tool, 64 from ours).
        let (cKey, oursKey) = try fabric.both("ibnetdiscover", ["--diff", binary, "--diffcheck", "sw,bogus"])
        #expect(cKey.status != 0 && oursKey.status == 64 && oursKey.stdout.isEmpty, "\(cKey.status) \(oursKey.status)")
        #expect(oursKey.stderr.contains("'bogus'") && oursKey.stderr.contains("nodedesc"), "\(oursKey.stderr)")
        // -f: a topology file holds no VLCap for the earlier side's " v=" (the C tool's cache does).
        let full = try fabric.run(IBMadBinary.url.path, ["ibnetdiscover", "--diff", binary, "-f"])
        #expect(full.status == 64 && full.stderr.contains("VLCap"), "\(full.stderr)")
    }
}
