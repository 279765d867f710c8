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

    /// A table larger than one MAD: both tools count (received length - 56) / size records
    /// (IBA 15.2.1.1). Through libumad2sim that length is 256 and bytes 224-255 are heap
    /// garbage that differs between the two processes, so the records wholly below byte
    /// 224 must be the same byte for byte and the others only as many.
    func expectSameRecords(_ arguments: [String], heading: String, size: Int,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (c, ours) = try fabric.both("saquery", arguments)
        let line = (["saquery"] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status (ours stderr: \(ours.stderr))", sourceLocation: sourceLocation)
        let (cRecords, ourRecords) = (c.stdout.components(separatedBy: heading), ours.stdout.components(separatedBy: heading))
        #expect(ourRecords.count == cRecords.count, "\(line): \(ourRecords.count - 1) records, C \(cRecords.count - 1)",
                sourceLocation: sourceLocation)
        let clean = (224 - 56) / size  // records before the garbage
        #expect(ourRecords.prefix(clean + 1) == cRecords.prefix(clean + 1), "\(line): the records below byte 224",
                sourceLocation: sourceLocation)
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
        // A table of many paths: under ibsim the SA's answer is its first 256 bytes, and both
        // tools print (256 - 56) / 64 = 3 records, the third over bytes 184-247, whose last
        // bytes (224-255) libumad2sim fills with heap garbage. PR ignores its arguments.
        for arguments in [["PR"], ["PR", "--dlid", lids[1]], ["PR", lids[0], lids[1]], ["-p"]] {
            try expectSameRecords(arguments, heading: "PathRecord dump:", size: 64)
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

    /// A name where a query or LID goes: saquery looks it up among the NodeRecords (here
    /// the one record the first MAD holds) by its whole NodeDescription and, not finding
    /// it, exits 64 (ENONET) with "Failed to find lid for ..." on stderr, as we do.
    @Test func namesThatAreNotFound() throws {
        for arguments in [["BAD"], ["NR", "xyz"], ["PIR", "nosuch/1"], ["--src-to-dst", "nosuch:1"], ["NR", "H1"]] {
            let (c, ours) = try fabric.both("saquery", arguments)
            #expect(c.status == 64 && ours.status == c.status, "saquery \(arguments): C \(c.status), ours \(ours.status)")
            #expect(ours.stdout == c.stdout && Self.messages(ours.stderr) == Self.messages(c.stderr), "saquery \(arguments): \(ours.stderr)")
        }
        // A LID nobody has, or a port a switch lacks: no records, status 0.
        let switchLID = try #require(fabric.nodes.first { $0.isSwitch }).lid
        for arguments in [["SMIR", "0x3000"], ["PIR", switchLID + "/9"], ["PR", "--slid", fabric.nodes[0].lid, "--dlid", "0x3000"]] {
            try expectSame(arguments)
        }
        // LIDs that are not numbers saquery accepts (0, over 65535, empty): EINVAL (22).
        for arguments in [["NR", "0"], ["NR", "0x10000"], ["PIR", "/1"], ["LR", "/3"]] {
            let (c, ours) = try fabric.both("saquery", arguments)
            #expect(c.status == 22 && ours.status == c.status && Self.messages(ours.stderr) == Self.messages(c.stderr),
                    "saquery \(arguments): \(ours.stderr)")
        }
    }

    /// stderr without libumad2sim's "ibwarn: [pid] sim_connect: ..." line.
    static func messages(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("sim_connect") }.joined(separator: "\n")
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

/// The other records and saquery's own options.
extension SAQueryFabricTests {
    var switchLIDs: [String] { fabric.nodes.filter(\.isSwitch).map(\.lid) }

    @Test func linkRecords() throws {
        // The whole table: (256 - 56) / 8 = 25 slots, the last four past byte 224.
        for arguments in [["LR"], ["LinkRecord"], ["-x"]] { try expectSameRecords(arguments, heading: "LinkRecord dump:", size: 8) }
        let host = fabric.nodes[0].lid
        for lid in switchLIDs.prefix(3) {
            for arguments in [["LR", lid], ["LR", lid + "/1"], ["LR", lid + "/2", host], ["LR", lid + "/1", "/1"],
                              ["-x", lid + "/4"], ["LR", lid + "/9"]] {
                try expectSame(arguments)
            }
        }
        try expectSame(["LR", host, switchLIDs[0]])
        let (c, ours) = try fabric.both("saquery", ["LR", switchLIDs[0] + "/1"])
        #expect(c.stdout.contains("LinkRecord dump:") && ours.stdout == c.stdout)
    }

    @Test func serviceAndInformInfoRecords() throws {
        // opensm on ibsim registers no services and no subscriptions: empty tables, status 0.
        for arguments in [["SR"], ["ServiceRecord"], ["-S"], ["IIR"], ["-I"], ["IIR", "fe80::1000:0:0:11"]] { try expectSame(arguments) }
        let (c, ours) = try fabric.both("saquery", ["IIR", "not-a-gid"])
        #expect(c.status == 22 && ours.status == 22 && Self.messages(ours.stderr) == Self.messages(c.stderr))
    }

    /// opensm creates the IPoIB broadcast group (ff12:401b:ffff::ffff:ffff, MLID 0xC000).
    @Test func multicastRecords() throws {
        for arguments in [["MCMR"], ["MCMemberRecord"], ["MCMR", "--mlid", "0xc000"], ["MCMR", "--mlid", "0xc001"],
                          ["MCMR", "--mgid", "ff12:401b:ffff::ffff:ffff"], ["MCMR", "--mgid", "ff12:401b:ffff::1"],
                          ["MCMR", "--pkey", "0xffff"], ["MCMR", "--sl", "0"], ["MCMR", "--scope", "2"],
                          ["-g"], ["-m"], ["-m", "0xC000"], ["-m", "0xC001"]] {
            try expectSame(arguments)
        }
        let (c, ours) = try fabric.both("saquery", ["-g"])
        #expect(c.stdout.contains("ff12:401b:ffff::ffff:ffff") && ours.stdout == c.stdout)
    }

    @Test func classPortInfoSMsAndSwitches() throws {
        for arguments in [["-c"], ["CPI"], ["ClassPortInfo"], ["-s"], ["SWIR"], ["SWIR", switchLIDs[0]], ["SWIR", fabric.nodes[0].lid]] {
            try expectSame(arguments)
        }
        let (c, ours) = try fabric.both("saquery", ["-s"])
        #expect(c.stdout.hasPrefix("IsSM ports\nPortInfoRecord dump:") && ours.stdout == c.stdout)
        // SwitchInfoRecord is 24 bytes: 8 slots in a full MAD.
        try expectSameRecords(["SwitchInfoRecord"], heading: "SwitchInfoRecord dump:", size: 24)
    }

    @Test func guidAndPKeyRecords() throws {
        for arguments in [["GIR"], ["GUIDInfoRecord"]] { try expectSameRecords(arguments, heading: "GUIDInfo Record dump:", size: 72) }
        for node in spread { try expectSame(["GIR", node.lid]); try expectSame(["GIR", node.lid + "/0"]) }
        // opensm refuses P_KeyTableRecords to an untrusted (SM_Key 0) requester: sa_report_err, EIO.
        for arguments in [["PKTR"], ["PKTR", switchLIDs[0] + "/1/0"]] {
            let (c, ours) = try fabric.both("saquery", arguments)
            #expect(ours.status == c.status && ours.stdout == c.stdout && Self.messages(ours.stderr) == Self.messages(c.stderr),
                    "saquery \(arguments): C \(c.status) \(c.stderr), ours \(ours.status) \(ours.stderr)")
        }
    }

    @Test func nodeRecordCommands() throws {
        let first = try #require(try fabric.both("saquery", ["-N"]).c.stdout.split(separator: "\n").first { $0.contains("NodeDescription") })
        let name = String(first.split(separator: ".").last ?? "")
        let lid = try #require(try fabric.both("saquery", ["NR"]).c.stdout.split(separator: "\n").first { $0.contains("lid....") })
            .split(separator: ".").last.map(String.init) ?? ""
        for arguments in [["-N"], ["-N", name], ["-N", "nosuch"], ["-D"], ["--list"], ["-O", lid], ["-O", "0x3000"],
                          ["-U", "0x1000000000000101"], ["-L", name], ["-l", name], ["-G", name], ["-L", "nosuch"],
                          ["NR", name], ["PIR", name + "/1"], ["SMIR", name]] {
            try expectSame(arguments)
        }
        // No name or LID where one is needed: the usage, status 2.
        for arguments in [["-L"], ["-O"], ["-U"], ["-O", "0"]] {
            let (c, ours) = try fabric.both("saquery", arguments)
            #expect(c.status == 2 && ours.status == 2 && ours.stdout.isEmpty, "saquery \(arguments): \(ours.stderr)")
        }
    }

    @Test func pathRecordOptions() throws {
        let lids = spread.map(\.lid)
        for arguments in [["--src-to-dst", "\(lids[0]):\(lids[1])"], ["--src-to-dst", "\(lids[1]):\(lids[0])"],
                          ["PR", "--slid", lids[0], "--dlid", lids[2], "-n", "1"], ["PR", "--slid", lids[0], "--dlid", lids[2], "-r", "1"],
                          ["PR", "--slid", lids[0], "--dlid", lids[2], "--pkey", "0xffff"],
                          ["PR", "--slid", lids[0], "--dlid", lids[2], "--sl", "0"],
                          ["--sgid-to-dgid", "fe80::1000:0:0:11-fe80::3000:0:0:10"],
                          ["PR", "--sgid", "fe80::1000:0:0:11", "--dgid", "fe80::2000:0:0:10"]] {
            try expectSame(arguments)
        }
    }

    /// --node-name-map renames NodeRecords' NodeDescription (saquery), members' node names
    /// (-m, -D, -O) and smpquery nodedesc, as remap_node_name does; an unreadable map is a
    /// warning and the tools go on without it.
    @Test func nodeNameMap() throws {
        let guids = fabric.nodes.map(\.nodeGUID)
        let map = try TemporaryFiles.write(guids.enumerated().map { "\($1) \"mapped node \($0)\"   # comment" }.joined(separator: "\n") + "\n",
                                           name: "saquery-node-name-map")
        for arguments in [["NR"], ["-N"], ["-D"], ["-m"], ["-O", fabric.nodes[0].lid], ["NR", spread[1].lid]] {
            try expectSame(["--node-name-map", map] + arguments)
        }
        let (c, ours) = try fabric.both("saquery", ["--node-name-map", map, "-N"])
        #expect(c.stdout.contains("NodeDescription.........mapped node ") && ours.stdout == c.stdout)
        for node in spread {
            let (c, ours) = try fabric.both("smpquery", ["--node-name-map", map, "nodedesc", node.lid])
            #expect(c.stdout.contains("mapped node") && ours.stdout == c.stdout && ours.status == c.status, "smpquery nodedesc \(node.lid)")
        }
        for tool in [["saquery", "NR"], ["smpquery", "nodedesc", fabric.nodes[0].lid]] {
            let (c, ours) = try fabric.both(tool[0], ["--node-name-map", "/nonexistent/map"] + tool.dropFirst())
            #expect(ours.status == 0 && c.status == 0 && ours.stdout == c.stdout, "\(tool): a missing map is only a warning")
            #expect(Self.messages(ours.stderr) == Self.messages(c.stderr), "\(tool): \(ours.stderr)")
        }
    }

    @Test func jsonOfTheNewRecords() throws {
        for (arguments, column) in [(["LR", switchLIDs[0] + "/1"], 27), (["-c"], 25), (["MCMR"], 24), (["-g"], 24),
                                    (["SWIR", switchLIDs[0]], 40), (["GIR", switchLIDs[0] + "/0"], 27)] {
            let text = try fabric.run(IBMadBinary.url.path, ["saquery"] + arguments)
            let json = try fabric.run(IBMadBinary.url.path, ["saquery", "--json"] + arguments)
            #expect(text.status == 0 && json.status == 0, "saquery \(arguments): \(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let fields = try #require((object["records"] as? [[String: Any]])?.first?["fields"] as? [[String: Any]])
            let rows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("\t\t") && $0.contains("..") }
            #expect(rows.count >= fields.count && !fields.isEmpty, "saquery \(arguments)")
            for (row, field) in zip(rows, fields) {
                let name = try #require(field["name"] as? String), value = try #require(field["text"] as? String)
                #expect(row.hasPrefix("\t\t" + name + ".") && row.dropFirst(2 + column) == value, "saquery \(arguments): \(row)")
            }
        }
    }

    /// The one-value lines (-D, -O, -L) become one-field records; -s names its two lists.
    @Test func jsonOfTheNodeLinesAndIsSM() throws {
        let text = try fabric.run(IBMadBinary.url.path, ["saquery", "-D"]).stdout
        let json = try fabric.run(IBMadBinary.url.path, ["saquery", "--json", "-D"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let records = try #require(object["records"] as? [[String: Any]])
        let lines = text.split(separator: "\n").dropFirst(2)
        #expect(records.count == lines.count && !lines.isEmpty, "saquery --json -D: \(json.stdout)")
        for (line, record) in zip(lines, records) {
            let fields = try #require(record["fields"] as? [[String: Any]])
            let lid = try #require(fields.first?["text"] as? String), name = try #require(fields.last?["text"] as? String)
            #expect(line.trimmingCharacters(in: .whitespaces) == "\(lid)  \"\(name)\"")
        }
        let sm = try fabric.run(IBMadBinary.url.path, ["saquery", "--json", "-s"])
        let smObject = try #require(try JSONSerialization.jsonObject(with: Data(sm.stdout.utf8)) as? [String: Any])
        let attributes = (smObject["records"] as? [[String: Any]] ?? []).compactMap { $0["attribute"] as? String }
        #expect(attributes.first == "PortInfoRecord (IsSM)", "saquery --json -s: \(sm.stdout)")
    }
}
