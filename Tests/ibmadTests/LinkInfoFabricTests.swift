import Foundation  // tests only: Process, files
import Testing

/// `ibmad iblinkinfo` against the C iblinkinfo on the same ibsim fabric, every form byte
/// for byte, before and after ibsim's console takes a link down (`Unlink`). Runs on its
/// own fabric (scripts/test): it changes the topology.
///
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter LinkInfoFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct LinkInfoFabricTests {
    let fabric = TestFabric.current!

    private func console(_ command: String) throws {
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
        // A file holds no down ports and no supported speeds: only the cabled lines compare.
        #expect(Set(loaded.stdout.split(separator: "\n").map { $0.prefix(60) })
                .isSubset(of: Set(live.stdout.split(separator: "\n").map { $0.prefix(60) })))

        try console("Unlink \"leaf4\"[3]")
        defer { try? console("ReLink \"leaf4\"[3]") }
        let down = try expectSame(["-d"])
        #expect(down.contains("Down/"), "the unlinked port is not down: \(down)")
        for form in forms { _ = try expectSame(form) }
    }
}
