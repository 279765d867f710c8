import Foundation  // tests only: TestFabric runs ibmad and the C saquery
import Testing

/// `ibmad saquery` against the C saquery on the same ibsim fabric: the same stdout byte for
/// byte and the same exit status. ibsim has no RMPP, so a table arrives as its first MAD
/// only; both tools must print exactly the records that MAD holds.
///
///     swift build --build-tests
///     scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter SAQueryFabricTests
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct SAQueryFabricTests {
    let fabric = TestFabric.current!

    func expectSame(_ arguments: [String], masking: (String) -> String = { $0 },
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (c, ours) = try fabric.both("saquery", arguments)
        let line = (["saquery"] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        #expect(masking(ours.stdout) == masking(c.stdout), "\(line): stdout", sourceLocation: sourceLocation)
    }

    /// The SM's node, every switch, and a few channel adapters.
    var spread: [TestFabric.Node] {
        let cas = fabric.nodes.filter { !$0.isSwitch }
        return [fabric.nodes[0]] + fabric.nodes.filter(\.isSwitch) + cas.dropFirst().prefix(3)
    }

    @Test func nodeRecords() throws {
        // The whole table (its first MAD), one LID's record, and a LID nobody has (no records).
        try expectSame(["NR"])
        try expectSame(["NodeRecord"])
        for node in spread { try expectSame(["NR", node.lid]) }
        try expectSame(["nr", "0x3000"])
        let (c, ours) = try fabric.both("saquery", ["NR", fabric.nodes[1].lid])
        #expect(c.stdout.contains("NodeRecord dump:") && ours.stdout == c.stdout)
    }

    @Test func pathRecords() throws {
        let lids = spread.map(\.lid)
        for source in lids.prefix(3) {
            for destination in lids { try expectSame(["PR", "--slid", source, "--dlid", destination]) }
        }
        // A table of many paths: under ibsim the SA's first MAD holds two whole PathRecords,
        // and saquery also prints a third 64-byte slot that is not a record (DLID 0, bytes
        // that change from run to run). Ours prints the real records, the same as C's.
        func realRecords(_ text: String) -> String {
            text.split(separator: "PathRecord dump:\n").prefix { !$0.contains("\t\tdlid....................0\n") }
                .map { "PathRecord dump:\n" + $0 }.joined()
        }
        for arguments in [["PR"], ["PR", "--dlid", lids[1]], ["PR", lids[0], lids[1]]] {  // PR ignores its arguments
            let (c, ours) = try fabric.both("saquery", arguments)
            #expect(ours.status == c.status, "saquery \(arguments): \(ours.stderr)")
            #expect(ours.stdout == realRecords(c.stdout), "saquery \(arguments)")
            #expect(ours.stdout.components(separatedBy: "PathRecord dump:").count - 1 == 2, "saquery \(arguments): two records")
        }
    }

    @Test func smInfoRecords() throws {
        // ActCount (IBA 14.2.5.13) advances between the two queries: compare the rest.
        func masked(_ text: String) -> String { text.replacing(/ActCount\.+\d+/, with: "ActCount N") }
        try expectSame(["SMIR"], masking: masked)
        try expectSame(["SMIR", fabric.nodes[0].lid], masking: masked)
        try expectSame(["SMInfoRecord", spread[1].lid], masking: masked)  // not an SM: no records
        let ours = try fabric.both("saquery", ["SMIR"]).ours
        #expect(ours.stdout.contains("SMInfoRecord dump:"))
    }

    @Test func portInfoRecords() throws {
        try expectSame(["PIR"])
        for node in spread {
            try expectSame(["PIR", node.lid])
            try expectSame(["PIR", node.lid + "/1"])
        }
        let switchLID = try #require(fabric.nodes.first { $0.isSwitch }).lid
        try expectSame(["PIR", switchLID + "/3"])
        try expectSame(["PortInfoRecord", switchLID + "/0/0"])
    }

    /// A name where a query or LID goes: saquery looks it up among the NodeRecords and, not
    /// finding it, exits 64 (ENONET) printing nothing on stdout; we do not look names up.
    @Test func namesThatAreNotFound() throws {
        for arguments in [["BAD"], ["NR", "xyz"], ["PIR", "nosuch/1"]] {
            let (c, ours) = try fabric.both("saquery", arguments)
            #expect(c.status == 64 && ours.status == c.status, "saquery \(arguments): C \(c.status), ours \(ours.status)")
            #expect(ours.stdout == c.stdout && ours.stderr.contains("not a LID"), "saquery \(arguments): \(ours.stderr)")
        }
        // A LID nobody has, or a port a switch lacks: no records, status 0.
        let switchLID = try #require(fabric.nodes.first { $0.isSwitch }).lid
        for arguments in [["SMIR", "0x3000"], ["PIR", switchLID + "/9"], ["PR", "--slid", fabric.nodes[0].lid, "--dlid", "0x3000"]] {
            try expectSame(arguments)
        }
    }

    /// --json says what the text says: one record per "... dump:" (PortInfoRecord: its RID,
    /// then the PortInfo), each of the record's rows a field with that name and text.
    @Test func json() throws {
        let node = spread[1]
        for (arguments, column) in [(["NR", node.lid], 24), (["PR", "--slid", spread[0].lid, "--dlid", node.lid], 24),
                                    (["SMIR"], 22), (["PIR", node.lid + "/1"], 24)] {
            let text = try fabric.run(IBMadBinary.url.path, ["saquery"] + arguments)
            let json = try fabric.run(IBMadBinary.url.path, ["saquery", "--json"] + arguments)
            #expect(text.status == 0 && json.status == 0, "saquery \(arguments): \(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["tool"] as? String == "saquery")
            let records = try #require(object["records"] as? [[String: Any]])
            let first = try #require(records.first?["fields"] as? [[String: Any]])
            // The first record's rows: the text's "\t\tname....value" lines up to the next heading.
            let rows = text.stdout.split(separator: "\n").dropFirst().prefix { $0.hasPrefix("\t\t") || $0 == "\tRID" }
                .filter { $0.hasPrefix("\t\t") && $0.contains("..") }
            #expect(!rows.isEmpty)
            #expect(rows.count == first.count, "saquery \(arguments): \(rows.count) rows, \(first.count) fields")
            for (row, field) in zip(rows, first) {
                let name = try #require(field["name"] as? String), value = try #require(field["text"] as? String)
                #expect(row.hasPrefix("\t\t" + name + ".") && row.dropFirst(2 + column) == value, "saquery \(arguments): \(row)")
            }
            if arguments[0] == "PIR" {
                #expect(records.count == 2 && records[1]["attribute"] as? String != "PortInfoRecord")
            }
        }
    }
}
