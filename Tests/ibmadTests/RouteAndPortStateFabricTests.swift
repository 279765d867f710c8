import Foundation  // tests only: Process runs ibmad, the C tools and scripts/with-fabric; JSONSerialization reads --json
import Testing

/// `ibmad ibroute` and `ibmad ibportstate` against the C tools on the same ibsim fabric: the
/// same stdout byte for byte and the same exit status, JSON that says what the text says.
/// ibportstate's Set ops change the fabric, so each Set sequence runs twice on a FRESH
/// fabric of its own (scripts/with-fabric inside the test), once with the C ibportstate and
/// once with ours, and the two transcripts (outputs, exit statuses and the resulting
/// PortInfo read back with the C smpquery) must be identical.
///
///     swift build --build-tests
///     IBMAD_REQUIRE_FABRIC=1 scripts/with-fabric .build/debug/swift-ibmadPackageTests.xctest \
///         --testing-library swift-testing --filter 'RouteAndPortStateFabricTests|DiagsFabricAvailabilityTests'
@Suite(.serialized, .enabled(if: TestFabric.current != nil, TestFabric.skipReason))
struct RouteAndPortStateFabricTests {
    let fabric = TestFabric.current!

    var switches: [TestFabric.Node] { fabric.nodes.filter(\.isSwitch) }
    var hosts: [TestFabric.Node] { fabric.nodes.filter { !$0.isSwitch } }

    @discardableResult
    func expectSame(_ tool: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> IBMadBinary.Result {
        let (c, ours) = try fabric.both(tool, arguments)
        let line = ([tool] + arguments).joined(separator: " ")
        #expect(ours.status == c.status, "\(line): exit status C \(c.status), ours \(ours.status) (ours stderr: \(ours.stderr))",
                sourceLocation: sourceLocation)
        #expect(ours.stdout == c.stdout, "\(line): stdout", sourceLocation: sourceLocation)
        return ours
    }

    // MARK: ibroute

    @Test func unicastOnEverySwitch() throws {
        for node in switches {
            for arguments in [[node.lid], ["-a", node.lid], ["-n", node.lid], ["-a", "-n", node.lid], [node.lid, "5"],
                              [node.lid, "0x5", "0x10"], ["-a", node.lid, "0", "1"], [node.lid, "0x10", "0x5"], [node.lid, "0x40"],
                              [node.lid, "0x16", "0x16"], [node.lid, "010", "0x13"], ["-G", node.nodeGUID], ["-G", "-n", node.nodeGUID, "2", "9"]] {
                let ours = try expectSame("ibroute", arguments)
                #expect(ours.stdout.hasPrefix("Unicast lids [") && ours.stdout.hasSuffix("lids dumped \n"), "ibroute \(arguments)")
            }
        }
    }

    @Test func unicastByDirectedRoute() throws {
        for path in ["0,1", "0,1,5", "0,1,6", "0,1,5,2", "0,1,6,4"] {
            try expectSame("ibroute", ["-D", path])
            try expectSame("ibroute", ["-D", "-a", path, "0", "3"])
        }
    }

    @Test func multicastOnEverySwitch() throws {
        for node in switches {
            for arguments in [["-M", node.lid], ["-M", "-n", node.lid], ["-M", "-a", node.lid, "0xc000", "0xc004"],
                              ["-M", "-a", "-n", node.lid, "0xc3fe", "0xffff"], ["-v", "-M", node.lid, "0xc000", "0xc001"],
                              ["-M", node.lid, "5", "0xc001"], ["-M", "-G", node.nodeGUID]] {
                try expectSame("ibroute", arguments)
            }
        }
        // Every MLID of one switch (32 MFT blocks), and one by directed route.
        try expectSame("ibroute", ["-M", "-a", switches[0].lid])
        try expectSame("ibroute", ["-M", "-a", "-D", "0,1", "0xc010", "0xc040"])
    }

    /// The names ibroute prints come from the node-name map when one is given (ours reads it
    /// with Fabric's NodeNameMap, the C tool with its own parser).
    @Test func nodeNameMap() throws {
        let mapped = Array(fabric.nodes.prefix(4))
        let map = mapped.enumerated().map { "\($0.element.nodeGUID) \"mapped-\($0.offset) name\"" }.joined(separator: "\n") + "\n"
        let path = try TemporaryFiles.write(map, name: "route-node-name-map")
        for node in switches.prefix(3) {
            let ours = try expectSame("ibroute", ["--node-name-map", path, node.lid])
            #expect(ours.stdout.contains("'mapped-0 name'"), "ibroute --node-name-map: \(ours.stdout)")
            try expectSame("ibroute", ["--node-name-map", path, "-M", node.lid])
        }
    }

    @Test func ibrouteFailures() throws {
        let host = hosts[0].lid
        let cases: [(arguments: [String], explanation: String)] = [
            ([host], "forwarding tables belong to switches"),
            (["-M", host], "forwarding tables belong to switches"),
            (["-D", "0"], "forwarding tables belong to switches"),
            (["0x3000"], "12288"),  // unassigned: no answer
            (["-D", "0,99"], "no response"),
            (["0"], "LID 0 is reserved"),
            (["0xC000"], "not a unicast LID"),
            (["-G", "0x1234"], "GUID 0x1234"),
            (["-G", "0xzz"], "is not a GUID"),
        ]
        for (arguments, explanation) in cases {
            let (c, ours) = try fabric.both("ibroute", arguments)
            #expect(c.status == 255 && ours.status == c.status, "ibroute \(arguments): C \(c.status), ours \(ours.status)")
            #expect(ours.stdout == c.stdout, "ibroute \(arguments): the IBEXIT line")
            #expect(ours.stderr.contains(explanation), "ibroute \(arguments): stderr \(ours.stderr)")
        }
        let notSwitch = try fabric.both("ibroute", [host]).ours
        #expect(notSwitch.stdout == "ibroute: iberror: failed: dump tables: not a switch\n")
        // No destination: the usage and status 2, as ibdiag_show_usage.
        let (c, ours) = try fabric.both("ibroute", [])
        #expect(c.status == 2 && ours.status == 2 && ours.stdout.isEmpty && !ours.stderr.isEmpty)
        // Deliberate difference: a range that is not a number is refused (strtoul reads it as 0).
        for arguments in [[switches[0].lid, "abc"], [switches[0].lid, "1", "0x1g"]] {
            let ours = try fabric.run(IBMadBinary.url.path, ["ibroute"] + arguments)
            #expect(ours.status == 2 && ours.stdout.isEmpty && ours.stderr.contains("is not a number"), "ibroute \(arguments): \(ours.stderr)")
        }
    }

    /// --json: one LinearForwardingTableEntry per text row (LID, port, and the destination
    /// text after ": "), "dumped" as the footer's count.
    @Test func ibrouteJSON() throws {
        for node in switches.prefix(3) {
            for arguments in [[node.lid], ["-a", node.lid, "0", "4"], ["-n", node.lid]] {
                let text = try fabric.run(IBMadBinary.url.path, ["ibroute"] + arguments)
                let json = try fabric.run(IBMadBinary.url.path, ["ibroute", "--json"] + arguments)
                #expect(text.status == 0 && json.status == 0, "ibroute \(arguments): \(json.stderr)")
                let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
                #expect(object["tool"] as? String == "ibroute" && object["query"] as? String == "unicast")
                let records = try #require(object["records"] as? [[String: Any]])
                let rows = text.stdout.split(separator: "\n").filter { $0.hasPrefix("0x") }
                #expect(records.count == rows.count + 1, "ibroute \(arguments): \(rows.count) rows, \(records.count) records")
                #expect(text.stdout.hasSuffix("\(object["dumped"] as? Int ?? -1) \(arguments[0] == "-a" ? "" : "valid ")lids dumped \n"))
                let switchFields = try #require(records.first?["fields"] as? [[String: Any]])
                let guid = try #require(switchFields.first { $0["name"] as? String == "NodeGUID" }?["text"] as? String)
                #expect(text.stdout.contains("guid \(guid) ("))
                for (row, record) in zip(rows, records.dropFirst()) {
                    let fields = try #require(record["fields"] as? [[String: Any]])
                    let texts = fields.map { $0["text"] as? String ?? "?" }
                    #expect(row == (texts.prefix(2) + (texts.count > 2 ? [": " + texts[2]] : [""])).joined(separator: " "),
                            "ibroute \(arguments): \(row) vs \(texts)")
                }
            }
            let text = try fabric.run(IBMadBinary.url.path, ["ibroute", "-M", "-a", node.lid, "0xc000", "0xc003"])
            let json = try fabric.run(IBMadBinary.url.path, ["ibroute", "--json", "-M", "-a", node.lid, "0xc000", "0xc003"])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let records = try #require(object["records"] as? [[String: Any]])
            #expect(object["query"] as? String == "multicast" && records.count == 5)
            #expect(text.stdout.hasSuffix("\(object["dumped"] as? Int ?? -1) mlids dumped \n"))
        }
    }

    // MARK: ibportstate queries

    @Test func portStateQueries() throws {
        for host in [hosts[0], hosts[1], hosts[hosts.count - 1]] {
            try expectSame("ibportstate", [host.lid, "1"])
            try expectSame("ibportstate", ["-K", host.lid, "1"])
            try expectSame("ibportstate", [host.lid, "1", "query"])
            try expectSame("ibportstate", ["-G", host.portGUID, "1"])
        }
        for node in switches {
            try expectSame("ibportstate", [node.lid, "0"])
            try expectSame("ibportstate", ["-K", node.lid, "0"])
        }
        // An active switch port asks its peer one hop further by a route that starts
        // LID-routed (DrSLID = our LID); ibsim does not answer it and both tools fail alike
        // (C after one 1 s timeout, ours after its retries: two switches are enough).
        for node in switches.prefix(2) { try expectSame("ibportstate", [node.lid, "2"]) }
        // The peer by a purely directed route: every port of leaf1 and of a spine.
        for (path, ports) in [("0,1", 1...6), ("0,1,5", 1...4), ("0", 1...1)] {
            for port in ports { try expectSame("ibportstate", ["-D", path, "\(port)"]) }
        }
    }

    @Test func portStateFailures() throws {
        let sw = switches[0].lid, host = hosts[0].lid
        let cases: [[String]] = [
            [sw, "9"],  // no such port: the SMA answers with an error status
            ["0x3000", "1"],  // nobody there
            ["-D", "0,99", "1"],
            ["0", "1"], ["-G", "0x1234", "1"],
            [sw, "1", "bogus"], [sw, "1", "enable", "disable"], [sw, "1", "speed"], [sw, "1", "speed", "16"],
            [sw, "1", "espeed", "32"], [sw, "1", "fdr10", "2"], [sw, "1", "width", "32"], [sw, "1", "vls", "0"],
            [sw, "1", "vls", "6"], [sw, "1", "mtu", "6"], [sw, "1", "lid", "0xc000"], [sw, "1", "smlid", "0"],
            [sw, "1", "lmc", "8"], [sw, "1", "mkeylease", "0x10000"], [sw, "1", "mkeyprot", "4"],
            [sw, "1", "mkey", "5"],  // M_Key on a switch port other than 0
            [host, "1", "on", "off"],
        ]
        for arguments in cases {
            let (c, ours) = try fabric.both("ibportstate", arguments)
            #expect(c.status == 255 && ours.status == c.status, "ibportstate \(arguments): C \(c.status), ours \(ours.status)")
            #expect(ours.stdout == c.stdout, "ibportstate \(arguments): stdout")
        }
        let (c, ours) = try fabric.both("ibportstate", [sw])
        #expect(c.status == 2 && ours.status == 2 && ours.stdout.isEmpty && !ours.stderr.isEmpty)
        // Deliberate differences: values that are not numbers are refused (C reads them as 0).
        let badPort = try fabric.run(IBMadBinary.url.path, ["ibportstate", sw, "one"])
        #expect(badPort.status == 2 && badPort.stdout.isEmpty && badPort.stderr.contains("is not a port number"), "\(badPort.stderr)")
        let badSpeed = try fabric.run(IBMadBinary.url.path, ["ibportstate", sw, "1", "speed", "fast"])
        #expect(badSpeed.status == 255 && badSpeed.stdout == "ibportstate: iberror: failed: invalid speed value fast\n")
    }

    @Test func portStateJSON() throws {
        for (arguments, blocks) in [([hosts[0].lid, "1"], ["PortInfo"]), (["-D", "0,1", "3"], ["PortInfo", "PeerPortInfo"])] {
            let text = try fabric.run(IBMadBinary.url.path, ["ibportstate"] + arguments)
            let json = try fabric.run(IBMadBinary.url.path, ["ibportstate", "--json"] + arguments)
            #expect(text.status == 0 && json.status == 0, "ibportstate \(arguments): \(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let records = try #require(object["records"] as? [[String: Any]])
            let portInfos = records.filter { blocks.contains($0["attribute"] as? String ?? "") }
            #expect(portInfos.count == blocks.count)
            // Each "# Port info: DEST port N" block of the text: its name/value lines are the
            // record's fields after Destination and Port, in order.
            let sections = text.stdout.components(separatedBy: "# ").filter { $0.hasPrefix("Port info: ") }
            #expect(sections.count == portInfos.count)
            for (section, record) in zip(sections, portInfos) {
                let fields = try #require(record["fields"] as? [[String: Any]])
                let destination = fields[0]["text"] as? String ?? "", port = fields[1]["text"] as? String ?? ""
                #expect(section.hasPrefix("Port info: \(destination) port \(port)\n"))
                let lines = section.split(separator: "\n").dropFirst().filter { $0.contains(":.") && !$0.hasPrefix("Mkey:") }
                let named = fields.dropFirst(2)
                #expect(lines.count >= named.count)
                for (line, field) in zip(lines, named) {
                    let name = field["name"] as? String ?? "?", value = field["text"] as? String ?? "?"
                    #expect(line.hasPrefix(name + ":") && line.hasSuffix("." + value), "ibportstate \(arguments): \(line) vs \(name)=\(value)")
                }
            }
        }
    }

    /// "on" for a port that is not disabled sends no Set: C prints a message, JSON keeps it.
    @Test func portStateOnWhenEnabled() throws {
        let text = try expectSame("ibportstate", ["-D", "0,1", "2", "on"])
        #expect(text.stdout.hasPrefix("Initial Switch PortInfo:\n") && text.stdout.hasSuffix("Port is already in enable state\n"))
        let json = try fabric.run(IBMadBinary.url.path, ["ibportstate", "--json", "-D", "0,1", "2", "on"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let records = try #require(object["records"] as? [[String: Any]])
        #expect(object["query"] as? String == "on")
        #expect(records.map { $0["attribute"] as? String ?? "" } == ["InitialPortInfo", "MellanoxExtendedPortInfo", "Messages"])
        let message = (records.last?["fields"] as? [[String: Any]])?.first?["text"] as? String
        #expect(message == "Port is already in enable state")
    }

    // MARK: ibportstate Set ops, each sequence on fresh fabrics

    /// Runs `commands` (one command line each) on a fresh fabric of its own: "ibportstate ..."
    /// with the C tool or, given `ibmad`, ours; every other command (smpquery) is the C tool.
    /// Returns the transcript: each command, its stdout and its exit status.
    func transcript(_ commands: [String], ibmad: String?) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let list = try TemporaryFiles.write(commands.joined(separator: "\n") + "\n", name: "portstate-commands-\(UUID().uuidString)")
        let script = """
            set -u
            # No SM while the sequence runs (the subnet is up, LIDs and routes stay in ibsim):
            # told of port changes by ibsim's traps, opensm would reconfigure ports at moments
            # that depend on how fast each tool runs (the C tool's own transcript varied).
            sm=$IBMAD_FABRIC_OPENSM_PID
            kill "$sm"
            while kill -0 "$sm" 2>/dev/null; do sleep 0.05; done
            dir=$(mktemp -d); cd "$dir"
            while IFS= read -r line; do
                read -r -a words <<< "$line"
                echo "$ $line"
                if [[ ${words[0]} == ibportstate && -n $2 ]]; then cmd=("$2" "${words[@]}"); else cmd=("${words[@]}"); fi
                LD_PRELOAD=$IBMAD_IBSIM_PRELOAD "${cmd[@]}" 2>>"$dir/stderr" </dev/null
                echo "[exit $?]"
            done < "$1"
            rm -rf "$dir"
            """
        let net = try #require(ProcessInfo.processInfo.environment["IBMAD_FABRIC_NET"], "IBMAD_FABRIC_NET is unset")
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        let result = try FileOutputProcess(root.appendingPathComponent("scripts/with-fabric"),
                                           ["--fabric", net, "bash", "-c", script, "transcript", list, ibmad ?? ""],
                                           environment: environment).finish()
        #expect(result.status == 0, "scripts/with-fabric for \(commands.first ?? "")")
        return result.stdout
    }

    func expectSameSequence(_ commands: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try transcript(commands, ibmad: nil)
        let ours = try transcript(commands, ibmad: IBMadBinary.url.path)
        #expect(c.components(separatedBy: "[exit ").count == commands.count + 1, "C transcript: \(c)", sourceLocation: sourceLocation)
        #expect(ours == c, "transcripts differ", sourceLocation: sourceLocation)
        if ours != c {
            let (a, b) = (c.split(separator: "\n", omittingEmptySubsequences: false), ours.split(separator: "\n", omittingEmptySubsequences: false))
            if let index = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                Issue.record("first difference at line \(index + 1): C \"\(a[index])\" ours \"\(b[index])\"", sourceLocation: sourceLocation)
            }
        }
    }

    /// Disable a switch port and enable it again (ibsim leaves it Polling: no SM sweeps),
    /// on/off, reset of a host's port by LID.
    @Test func disableEnableOnOff() throws {
        try expectSameSequence([
            "ibportstate -D 0,1 4 disable", "smpquery -D portinfo 0,1 4", "ibportstate -D 0,1 4",
            "ibportstate -D 0,1 4 enable", "smpquery -D portinfo 0,1 4",
            "ibportstate -D 0,1 2 on", "ibportstate -D 0,1 2 off", "ibportstate -D 0,1 2 on", "smpquery -D portinfo 0,1 2",
            "ibportstate 0x16 1 reset", "smpquery portinfo 0x16 1",
        ])
    }

    /// Enabled width, speed, extended speed and FDR10 (Mellanox ExtendedPortInfo), VLs, MTU,
    /// LMC, and the logical states.
    @Test func widthSpeedAndStates() throws {
        try expectSameSequence([
            "ibportstate -D 0,1 3 width 1", "ibportstate -D 0,1 3 speed 1", "ibportstate -D 0,1 3 espeed 1",
            "ibportstate -D 0,1 3 fdr10 1", "smpquery -D portinfo 0,1 3",
            "ibportstate -D 0,1 5 vls 2 mtu 3 lmc 1", "smpquery -D portinfo 0,1 5",
            "ibportstate -D 0,1 6 down", "ibportstate -D 0,1 6 arm", "ibportstate -D 0,1 6 active", "smpquery -D portinfo 0,1 6",
            "ibportstate -D 0,1 0 mkeylease 100", "ibportstate -K -D 0,1 0 mkeyprot 0", "ibportstate -D 0 1 lid 0x30 smlid 1",
            "smpquery -D portinfo 0 1",
        ])
    }

    /// Set ops addressed by LID and by GUID.
    @Test func setByLIDAndGUID() throws {
        let leaf = try #require(switches.first { $0.nodeGUID == "0x2000000000000020" } ?? switches.first)
        try expectSameSequence([
            "ibportstate \(leaf.lid) 4 width 2", "ibportstate \(leaf.lid) 4 speed 7", "smpquery portinfo \(leaf.lid) 4",
            "ibportstate -G \(hosts[2].portGUID) 1 speed 3", "ibportstate \(leaf.lid) 3 disable", "ibportstate \(leaf.lid) 3",
            "ibportstate \(hosts[3].lid) 1 down", "smpquery portinfo \(hosts[3].lid) 1",
        ])
    }
}
