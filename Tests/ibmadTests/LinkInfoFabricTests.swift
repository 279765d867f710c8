import Foundation  // tests only: Process, files
import Testing

/// `ibmad iblinkinfo` against the C iblinkinfo on the same ibsim fabric, every form byte
/// for byte, before and after ibsim's console takes a link down (`Unlink`). Runs on its
/// own fabric (scripts/test): it changes the topology. ibnetdiscover --diff is tested here
/// too, for the same reason (LinkInfoFabricTests+Diff.swift).
///
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter LinkInfoFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct LinkInfoFabricTests {
    let fabric = TestFabric.current!

    func console(_ command: String) throws {
        let path = try #require(ProcessInfo.processInfo.environment["IBMAD_FABRIC_CONSOLE"])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data((command + "\n").utf8))
        try handle.close()
        Thread.sleep(forTimeInterval: 0.3)  // ibsim reads its console between MADs
    }

    private func expectSame(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let (c, ours) = try fabric.both("iblinkinfo", arguments)
        let line = (["iblinkinfo"] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(ours.stdout == c.stdout, "\(line): stdout", sourceLocation: sourceLocation)
        return c.stdout
    }

    /// Partial scans on fabrics/fat-tree-small.net (the local port is H1's, on leaf1 port 1;
    /// leaf N port 5 to spine1 port N, port 6 to spine2 port N): each start and hop count
    /// in every output form. libibnetdisc's one fabric-wide hop count decides which ports of
    /// the nodes at the edge show "Port not available" (`Discovery.PartialScan`); -D to a
    /// host two hops away (0,1,2) shows its quirk of linking the host to the leaf's port
    /// the route came in by. Not here: -S/-G of a switch (the C tool's LID-routed scan
    /// hangs on ibsim).
    @Test func partialScansMatch() throws {
        let h5 = try #require(fabric.nodes.first { $0.portGUID == "0x1000000000000051" }, "not fat-tree-small.net").portGUID
        let starts: [[String]] = [
            ["-D", "0"], ["-D", "0,1"], ["-D", "0,1,5"], ["-D", "0,1,5", "-a"], ["-D", "0,1", "-n", "2", "-a"],
            ["-D", "0,1", "-a", "-n", "1"], ["-D", "0,1", "-n", "0", "-a"], ["-D", "0,1,2"], ["-D", "0,1,2", "-a"],
            ["-D", "0,1,6,3", "-n", "2", "-a"], ["--Direct", "0,1,5,4"],
            ["-n", "1"], ["--hops", "1", "--all"], ["-n", "2"], ["-n", "3", "-a"], ["-a"],
            ["-S", h5], ["-G", h5, "-a"], ["--port-guid", "0x1234"], ["--switch", "0x1234", "-a"],
        ]
        var compared = 0
        for start in starts {
            for form in [[], ["-l"], ["-d"], ["-p"], ["--switches-only"], ["--cas-only"]] {
                _ = try expectSame(start + form)
                compared += 1
            }
        }
        // A route to nowhere: the C tool's NodeInfo of the start fails (exit 1).
        _ = try expectSame(["-D", "0,1,9"])
        // With -a the C tool prints nothing and exits 0; ours also prints nothing, but the
        // start that never answered makes it exit 1 (nothing found is not a success).
        let (c, ours) = try fabric.both("iblinkinfo", ["-D", "0,1,9", "-a"])
        #expect(c.stdout.isEmpty && ours.stdout.isEmpty && c.status == 0 && ours.status == 1)
        #expect(ours.stderr.contains("0,1,9"), "\(ours.stderr)")
        _ = try expectSame(["-D", "0,1", "--load-cache", "/nonexistent"])  // exit 1: cache with a route
        #expect(compared == 120)
    }

    @Test func loadCacheRejectsLibibnetdiscBinaryCaches() throws {
        let directory = try TemporaryFiles.directory()
        let cache = directory.appendingPathComponent("linkinfo-binary-cache")
        let c = try fabric.run("/usr/bin/env", ["PATH=/usr/sbin:/usr/bin", "ibnetdiscover", "--cache", cache.path])
        try #require(c.status == 0, "ibnetdiscover --cache: \(c.stderr)")
        let ours = try IBMadBinary.run(["iblinkinfo", "--load-cache", cache.path])
        #expect(ours.status == 1 && ours.stdout.isEmpty)
        #expect(ours.stderr.contains("libibnetdisc binary cache") && ours.stderr.contains("ibnetdiscover > FILE"), "\(ours.stderr)")
        // An ibnetdiscover text file with -G: that node only, as from a live scan.
        let text = directory.appendingPathComponent("linkinfo-text")
        _ = try fabric.both("ibnetdiscover", [text.path])
        let loaded = try IBMadBinary.run(["iblinkinfo", "--load", text.path, "-G", "0x1000000000000051"])
        #expect(loaded.status == 0 && loaded.stdout.hasPrefix("CA: H5 HCA-1:\n") && loaded.stdout.split(separator: "\n").count == 2,
                "\(loaded.stdout)\(loaded.stderr)")
    }

    @Test func everyFormMatchesBeforeAndAfterALinkGoesDown() throws {
        let forms = [[], ["-l"], ["-d"], ["-p"], ["--switches-only"], ["--cas-only"], ["-l", "-d"]]
        for form in forms { _ = try expectSame(form) }
        for unknown in [["-R"], ["-x"]] {  // usage errors: 2 from the C tool, 64 (EX_USAGE) from ours
            let (c, ours) = try fabric.both("iblinkinfo", unknown)
            #expect(c.status != 0 && ours.status == 64 && ours.stdout.isEmpty, "\(unknown)")
        }
        let file = try TemporaryFiles.directory().appendingPathComponent("linkinfo-topology")
        _ = try fabric.both("ibnetdiscover", [file.path])
        let live = try fabric.run(IBMadBinary.url.path, ["iblinkinfo"])
        let loaded = try IBMadBinary.run(["iblinkinfo", "--load-cache", file.path])
        #expect(loaded.status == 0)
        // A file holds no down ports and no supported widths or speeds: its cabled lines are
        // the live ones without their "Could be" notes (nothing claimed the file does not hold).
        func withoutNotes(_ line: Substring) -> Substring {
            line.range(of: "\" (", options: .backwards).map { line[..<$0.upperBound] } ?? line
        }
        #expect(!loaded.stdout.contains("Could be"), "\(loaded.stdout)")
        #expect(Set(loaded.stdout.split(separator: "\n").map(withoutNotes))
                .isSubset(of: Set(live.stdout.split(separator: "\n").map(withoutNotes))), "\(loaded.stdout)\n\(live.stdout)")

        // --filterdownports: the C tool reads libibnetdisc's binary cache, ours the
        // ibnetdiscover text of the same fabric, taken with every link up and with the link down.
        let directory = try TemporaryFiles.directory()
        func caches(_ name: String) throws -> (binary: String, text: String) {
            let binary = directory.appendingPathComponent("linkinfo-\(name).cache").path
            let text = directory.appendingPathComponent("linkinfo-\(name).net").path
            try? FileManager.default.removeItem(atPath: binary)  // ibnetdiscover --cache will not overwrite
            let c = try fabric.run("/usr/bin/env", ["PATH=/usr/sbin:/usr/bin", "ibnetdiscover", "--cache", binary])
            try #require(c.status == 0, "ibnetdiscover --cache: \(c.stderr)")
            _ = try fabric.both("ibnetdiscover", [text])
            return (binary, text)
        }
        func expectSameFiltered(_ cache: (binary: String, text: String), _ form: [String], hides: Bool) throws {
            let c = try fabric.run("/usr/bin/env", ["PATH=/usr/sbin:/usr/bin", "iblinkinfo", "--filterdownports", cache.binary] + form)
            let ours = try fabric.run(IBMadBinary.url.path, ["iblinkinfo", "--filterdownports", cache.text] + form)
            #expect(ours.status == c.status && ours.stdout == c.stdout, "--filterdownports \(form): \(ours.stderr)")
            #expect(c.stdout.contains("Down/") != hides, "\(form): \(c.stdout)")
        }
        let allUp = try caches("up")

        try console("Unlink \"leaf4\"[3]")
        defer { try? console("ReLink \"leaf4\"[3]") }
        let down = try expectSame(["-d"])
        #expect(down.contains("Down/"), "the unlinked port is not down: \(down)")
        let linkDown = try caches("down")
        for form in [[], ["-d"], ["-l", "-d"], ["--switches-only"]] {
            try expectSameFiltered(allUp, form, hides: false)  // down now, up then: shown
            try expectSameFiltered(linkDown, form, hides: true)  // down then too: hidden
        }
        for form in forms + [["-D", "0,1,5,4"], ["-D", "0,1,5,4", "-d", "-l"], ["-D", "0,1,6,4", "-a"]] { _ = try expectSame(form) }
    }
}
