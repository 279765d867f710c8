import Foundation  // tests only: Process runs the built `ibmad`, JSONSerialization reads its output
import Testing

/// Runs the `ibmad` executable built next to this test bundle (override: IBMAD_BINARY).
enum IBMadBinary {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["IBMAD_BINARY"] { return URL(fileURLWithPath: path) }
        let test = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = test.deletingLastPathComponent()
        // The test bundle may be a directory (…/X.xctest/…): walk up to the products folder.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("ibmad")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return test.deletingLastPathComponent().appendingPathComponent("ibmad")
    }()

    static func run(_ arguments: [String], stdin: [UInt8] = []) throws -> Result {
        let directory = try TemporaryFiles.directory()
        let input = directory.appendingPathComponent("stdin-\(UUID().uuidString)")
        let output = directory.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errors = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        try Data(stdin).write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { for file in [input, output, errors] { try? FileManager.default.removeItem(at: file) } }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: output, encoding: .utf8),
                      stderr: try String(contentsOf: errors, encoding: .utf8))
    }
}

enum TemporaryFiles {
    /// One directory per test process, removed when the process exits (atexit: swift-testing
    /// has no suite-wide teardown, and the tests share it).
    static func directory() throws -> URL {
        let url = processDirectory()
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        _ = removedAtExit
        return url
    }

    private static func processDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ibmad-decode-tests-\(getpid())")
    }

    private static let removedAtExit: Void = {
        atexit { try? FileManager.default.removeItem(at: TemporaryFiles.processDirectory()) }
    }()

    static func write(_ bytes: [UInt8], name: String) throws -> String {
        let url = try directory().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func write(_ text: String, name: String) throws -> String { try write(Array(text.utf8), name: name) }
}

/// Hex dumps in the shapes other tools print, generated here so the tests do not depend on
/// those tools being installed.
enum Dumps {
    static func hex(_ byte: UInt8) -> String { String(format: "%02x", byte) }
    static func ascii(_ bytes: ArraySlice<UInt8>) -> String {
        String(bytes.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "." })
    }
    static func lines(_ bytes: [UInt8], _ width: Int = 16) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: width).map { bytes[$0..<min($0 + width, bytes.count)] }
    }

    /// `xxd`: "00000000: 0181 0101 ...  ................"
    static func xxd(_ bytes: [UInt8]) -> String {
        lines(bytes).map { line in
            var groups: [String] = []
            for start in stride(from: line.startIndex, to: line.endIndex, by: 2) {
                groups.append(line[start..<min(start + 2, line.endIndex)].map(hex).joined())
            }
            let hexPart = groups.joined(separator: " ").padding(toLength: 39, withPad: " ", startingAt: 0)
            return String(format: "%08x: ", line.startIndex) + hexPart + "  " + ascii(line)
        }.joined(separator: "\n") + "\n"
    }

    /// `xxd -p`: 30 bytes a line, no spaces.
    static func plain(_ bytes: [UInt8]) -> String {
        lines(bytes, 30).map { $0.map(hex).joined() }.joined(separator: "\n") + "\n"
    }

    /// libibmad xdump (smpdump): groups of two bytes, 16 bytes a line, no offsets.
    static func xdump(_ bytes: [UInt8]) -> String {
        lines(bytes).map { line in
            stride(from: line.startIndex, to: line.endIndex, by: 2)
                .map { line[$0..<min($0 + 2, line.endIndex)].map(hex).joined() }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    /// `hexdump -C`, with `*` for repeated lines and the final offset line.
    static func hexdumpC(_ bytes: [UInt8]) -> String {
        var text = ""
        var previous: ArraySlice<UInt8>?
        var starred = false
        for line in lines(bytes) {
            if let previous, previous.elementsEqual(line), line.count == 16 {
                if !starred { text += "*\n"; starred = true }
                continue
            }
            starred = false
            previous = line
            var hexPart = ""
            for (index, byte) in line.enumerated() { hexPart += hex(byte) + " " + (index == 7 ? " " : "") }
            text += String(format: "%08x  ", line.startIndex) + hexPart.padding(toLength: 49, withPad: " ", startingAt: 0)
                + " |" + ascii(line) + "|\n"
        }
        return text + String(format: "%08x\n", bytes.count)
    }

    /// `tshark -x`: "0000  01 81 ...   ................", one block per frame.
    static func tshark(_ frames: [[UInt8]]) -> String {
        frames.map { bytes in
            lines(bytes).map { line in
                String(format: "%04x  ", line.startIndex)
                    + line.map(hex).joined(separator: " ").padding(toLength: 47, withPad: " ", startingAt: 0)
                    + "   " + ascii(line)
            }.joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }
}

@Suite(.serialized) struct DecodeCommandTests {
    static let capturesURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/captures").standardized

    /// A DR NodeInfo response built by hand: a switch with 8 ports and a printable byte or
    /// two, so the ASCII columns of the dumps hold hex-looking letters.
    static let nodeInfoMAD: [UInt8] = {
        var mad = [UInt8](repeating: 0, count: 256)
        mad[0] = 1; mad[1] = 0x81; mad[2] = 1; mad[3] = 0x81
        mad[4] = 0x80; mad[7] = 1
        mad[15] = 0x42
        mad[17] = 0x11
        let info: [UInt8] = [1, 1, 2, 8] + [0, 0, 0, 0, 0, 0, 0, 1] + [0xde, 0xad, 0xbe, 0xef, 0x61, 0x62, 0x63, 0x64]
            + [0xde, 0xad, 0xbe, 0xef, 0x61, 0x62, 0x63, 0x65] + [0, 32, 0xcf, 0x08, 0, 0, 0, 0xa1, 1, 0, 2, 0xc9]
        mad.replaceSubrange(64..<(64 + info.count), with: info)
        mad[129] = 1
        return mad
    }()

    static func decodedText(_ arguments: [String], stdin: [UInt8] = []) throws -> String {
        let result = try IBMadBinary.run(["decode"] + arguments, stdin: stdin)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        return result.stdout
    }

    @Test func binaryFileAndStdinAgree() throws {
        let path = try TemporaryFiles.write(Self.nodeInfoMAD, name: "nodeinfo.bin")
        let fromFile = try Self.decodedText([path])
        #expect(fromFile.contains("NodeType"))
        #expect(fromFile.contains("Switch (2)"))
        #expect(fromFile.contains("0xdeadbeef61626364"))
        #expect(fromFile.contains("InitialPath        1"))
        #expect(try Self.decodedText([], stdin: Self.nodeInfoMAD) == fromFile)
        #expect(try Self.decodedText(["-"], stdin: Self.nodeInfoMAD) == fromFile)
    }

    @Test(arguments: ["xxd", "xxd -p", "xdump", "hexdump -C", "tshark -x"])
    func hexFormatsDecodeLikeBinary(_ format: String) throws {
        let expected = try Self.decodedText([], stdin: Self.nodeInfoMAD)
        let text = switch format {
        case "xxd": Dumps.xxd(Self.nodeInfoMAD)
        case "xxd -p": Dumps.plain(Self.nodeInfoMAD)
        case "xdump": Dumps.xdump(Self.nodeInfoMAD)
        case "hexdump -C": Dumps.hexdumpC(Self.nodeInfoMAD)
        default: Dumps.tshark([Self.nodeInfoMAD])
        }
        if format == "hexdump -C" { #expect(text.contains("*\n")) }
        #expect(try Self.decodedText([], stdin: Array(text.utf8)) == expected, "\(format):\n\(text)")
        // CRLF line ends too.
        let crlf = text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try Self.decodedText([], stdin: Array(crlf.utf8)) == expected)
    }

    @Test func realToolsWhenInstalled() throws {
        let path = try TemporaryFiles.write(Self.nodeInfoMAD, name: "nodeinfo-tools.bin")
        let expected = try Self.decodedText([path])
        for tool in [["/usr/bin/xxd"], ["/usr/bin/xxd", "-p"], ["/usr/bin/hexdump", "-C"]]
        where FileManager.default.isExecutableFile(atPath: tool[0]) {
            let process = Process()
            let pipe = Pipe()
            process.executableURL = URL(fileURLWithPath: tool[0])
            process.arguments = Array(tool.dropFirst()) + [path]
            process.standardOutput = pipe
            try process.run()
            let dump = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(try Self.decodedText([], stdin: Array(dump)) == expected, "\(tool)")
        }
    }

    @Test func tsharkFramesWithSkip() throws {
        // LRH (8) + BTH (12) + DETH (8) before each MAD, ICRC + VCRC (6) after.
        let headers = [UInt8](repeating: 0xAA, count: 28)
        var second = Self.nodeInfoMAD
        second[15] = 0x43
        let frames = [headers + Self.nodeInfoMAD + [1, 2, 3, 4, 5, 6], headers + second + [1, 2, 3, 4, 5, 6]]
        let result = try IBMadBinary.run(["decode", "--skip", "28"], stdin: Array(Dumps.tshark(frames).utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("TID 0x0000000000000042"))
        #expect(result.stdout.contains("TID 0x0000000000000043"))
        #expect(result.stderr.contains("ignoring 6 bytes after the last whole MAD"))
    }

    @Test func severalMADsInOneBinaryFile() throws {
        let path = try TemporaryFiles.write(Self.nodeInfoMAD + Self.nodeInfoMAD, name: "two.bin")
        let text = try Self.decodedText([path])
        #expect(text.contains("two.bin, byte 0"))
        #expect(text.contains("two.bin, byte 256"))
    }

    @Test func bareAttributeFromSmpdumpOutput() throws {
        let data = Array(Self.nodeInfoMAD[64..<128])
        let text = try Self.decodedText(["--attribute", "NodeInfo"], stdin: Array(Dumps.xdump(data).utf8))
        #expect(text.contains("Switch (2)"))
        #expect(!text.contains("MAD header"))
        // By ID and class; names ignore case and underscores.
        let byID = try Self.decodedText(["--attribute", "0x11", "--class", "smp"], stdin: Array(Dumps.xdump(data).utf8))
        #expect(byID == text)
        let counters = try Self.decodedText(["--attribute", "portcounters", "--class", "PerfMgt", "--input", "binary"],
                                            stdin: [UInt8](repeating: 0, count: 64))
        #expect(counters.contains("PortXmitData"))
    }

    @Test func json() throws {
        let path = try TemporaryFiles.write(Self.nodeInfoMAD + Self.nodeInfoMAD, name: "two-json.bin")
        let result = try IBMadBinary.run(["decode", "--json", path])
        #expect(result.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect(array[1]["offset"] as? Int == 256)
        #expect(array[0]["source"] as? String == path)
        #expect(array[0]["attributeName"] as? String == "NodeInfo")
        let sections = try #require(array[0]["sections"] as? [[String: Any]])
        let fields = try #require(sections.first { $0["title"] as? String == "NodeInfo" }?["fields"] as? [[String: Any]])
        let guid = try #require(fields.first { $0["name"] as? String == "NodeGUID" })
        #expect(guid["value"] as? String == "0xdeadbeef61626364")  // above 2^53: a hex string
        #expect(guid["text"] as? String == "0xdeadbeef61626364")
    }

    // MARK: Errors

    @Test func shortInput() throws {
        let result = try IBMadBinary.run(["decode", "--input", "binary"], stdin: [UInt8](repeating: 1, count: 100))
        #expect(result.status == 1)
        #expect(result.stderr.contains("input has 100 bytes; a MAD is 256"))
        let skipped = try IBMadBinary.run(["decode", "--skip", "28"], stdin: Self.nodeInfoMAD)
        #expect(skipped.status == 1)
        #expect(skipped.stderr.contains("input has 228 bytes after --skip 28; a MAD is 256"))
        let attribute = try IBMadBinary.run(["decode", "--attribute", "NodeInfo"], stdin: Array("0101 0208\n".utf8))
        #expect(attribute.status == 1)
        #expect(attribute.stderr.contains("input has 4 bytes; NodeInfo is 40"))
    }

    @Test func oddNumberOfHexDigits() throws {
        let result = try IBMadBinary.run(["decode"], stdin: Array("0181 0101\n0000 000\n".utf8))
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2, column 6: odd number of hex digits in '000'"), "\(result.stderr)")
    }

    @Test func nonHexCharacter() throws {
        let result = try IBMadBinary.run(["decode"], stdin: Array("0181 01g1\n".utf8))
        #expect(result.status == 1)
        #expect(result.stderr.contains("<stdin>: line 1, column 8: 'g' is not a hex digit"), "\(result.stderr)")
        let offsets = try IBMadBinary.run(["decode"], stdin: Array("00000000: 0181 0101\n00000004: 01zz\n".utf8))
        #expect(offsets.stderr.contains("line 2, column 13: 'z' is not a hex digit"), "\(offsets.stderr)")
    }

    @Test func unknownAttributeListsKnownOnes() throws {
        let result = try IBMadBinary.run(["decode", "--attribute", "Bogus"], stdin: Self.nodeInfoMAD)
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown attribute 'Bogus'"))
        #expect(result.stderr.contains("NodeInfo (SMP)"))
        #expect(result.stderr.contains("PortCounters (PerfMgt)"))
    }

    @Test func missingFileAndEmptyInput() throws {
        let missing = try IBMadBinary.run(["decode", "/nonexistent/mad.bin"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot open /nonexistent/mad.bin: No such file or directory"))
        let empty = try IBMadBinary.run(["decode"])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("input is empty"))
    }

    @Test func badOptions() throws {
        #expect(try IBMadBinary.run(["decode", "--skip", "-1"]).status == 64)
        #expect(try IBMadBinary.run(["decode", "--class", "sa"]).status == 64)
        #expect(try IBMadBinary.run(["decode", "--attribute", "NodeInfo", "--class", "nope"]).status == 64)
    }

    // MARK: Real captures (Tests/Fixtures/captures, from infiniband-diags under ibsim)

    /// infiniband-diags labels → IBA field names, where they differ.
    static let labels: [String: String] = [
        // smpquery nodeinfo
        "BaseVers": "BaseVersion", "ClassVers": "ClassVersion", "SystemGuid": "SystemImageGUID",
        "Guid": "NodeGUID", "PortGuid": "PortGUID", "PartCap": "PartitionCap", "DevId": "DeviceID",
        "LocalPort": "LocalPortNum", "VendorId": "VendorID",
        // smpquery nodedesc
        "Node Description": "NodeString",
        // smpquery portinfo
        "Lid": "LID", "SMLid": "MasterSMLID", "CapMask": "CapabilityMask", "MkeyLeasePeriod": "M_KeyLeasePeriod",
        "SMSL": "MasterSMSL", "VLArbHighCap": "VLArbitrationHighCap", "VLArbLowCap": "VLArbitrationLowCap",
        "HoqLife": "HOQLife", "GuidCap": "GUIDCap", "SubnetTimeout": "SubnetTimeOut", "RespTimeVal": "RespTimeValue",
        "MkeyViolations": "M_KeyViolations", "PkeyViolations": "P_KeyViolations", "QkeyViolations": "Q_KeyViolations",
        // smpquery switchinfo
        "LinearFdbCap": "LinearFDBCap", "RandomFdbCap": "RandomFDBCap", "McastFdbCap": "MulticastFDBCap",
        "LinearFdbTop": "LinearFDBTop", "DefPort": "DefaultPort", "DefMcastPrimPort": "DefaultMulticastPrimaryPort",
        "DefMcastNotPrimPort": "DefaultMulticastNotPrimaryPort", "LifeTime": "LifeTimeValue",
        "StateChange": "PortStateChange", "OptSLtoVLMapping": "OptimizedSLtoVLMappingProgramming",
        "LidsPerPort": "LIDsPerPort", "PartEnforceCap": "PartitionEnforcementCap",
        "InboundPartEnf": "InboundEnforcementCap", "OutboundPartEnf": "OutboundEnforcementCap",
        "FilterRawInbound": "FilterRawInboundCap", "FilterRawOutbound": "FilterRawOutboundCap",
        // saquery NodeRecord / PathRecord
        "lid": "LID", "base_version": "NodeInfo.BaseVersion", "class_version": "NodeInfo.ClassVersion",
        "node_type": "NodeInfo.NodeType", "num_ports": "NodeInfo.NumPorts", "sys_guid": "NodeInfo.SystemImageGUID",
        "node_guid": "NodeInfo.NodeGUID", "port_guid": "NodeInfo.PortGUID", "partition_cap": "NodeInfo.PartitionCap",
        "device_id": "NodeInfo.DeviceID", "revision": "NodeInfo.Revision", "port_num": "NodeInfo.LocalPortNum",
        "vendor_id": "NodeInfo.VendorID", "NodeDescription": "NodeDescription.NodeString",
        "service_id": "ServiceID", "dgid": "DGID", "sgid": "SGID", "dlid": "DLID", "slid": "SLID", "pkey": "P_Key",
    ]

    /// "Label:.....value" (smpquery, perfquery) and "\t\tlabel.....value" (saquery) lines.
    static func printedValues(_ text: String) -> [(label: String, value: String)] {
        var values: [(String, String)] = []
        guard let output = text.range(of: "# output:\n") else { return [] }
        for line in text[output.upperBound...].split(separator: "\n") where !line.hasPrefix("#") {
            let trimmed = line.drop { $0 == "\t" }
            guard let dots = trimmed.range(of: "..") else { continue }
            var label = trimmed[..<dots.lowerBound]
            if label.hasSuffix(":") { label = label.dropLast() }
            let value = trimmed[dots.upperBound...].drop { $0 == "." }
            if !label.isEmpty && !value.isEmpty { values.append((String(label), String(value))) }
        }
        return values
    }

    static func number(_ text: String) -> UInt64? {
        text.lowercased().hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    /// Every capture's response: decodes, and each value the tool printed for a field we
    /// can name equals ours (numbers by value, names and GIDs by text).
    @Test func capturesMatchWhatTheToolsPrinted() throws {
        guard FileManager.default.fileExists(atPath: Self.capturesURL.path) else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.capturesURL.path)
            .filter { $0.hasSuffix(".response.mad") }.map { String($0.dropLast(".response.mad".count)) }.sorted()
        #expect(names.count >= 10)
        var compared = 0
        for name in names {
            for kind in ["request", "response"] {
                let path = Self.capturesURL.appendingPathComponent("\(name).\(kind).mad").path
                let result = try IBMadBinary.run(["decode", "--json", path])
                #expect(result.status == 0, "\(name).\(kind): \(result.stderr)")
                let objects = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
                #expect(objects.count == 1)
                guard kind == "response" else { continue }
                let sections = (objects[0]["sections"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String != "header" }
                let fields = sections.flatMap { $0["fields"] as? [[String: Any]] ?? [] }
                let txt = try String(contentsOf: Self.capturesURL.appendingPathComponent("\(name).txt"), encoding: .utf8)
                // perf-classportinfo's printed output is the counters of a later MAD, not this one.
                guard name != "perf-classportinfo" else { continue }
                for (label, printed) in Self.printedValues(txt) {
                    let fieldName = Self.labels[label] ?? label
                    guard let field = fields.first(where: { $0["name"] as? String == fieldName }) else { continue }
                    let text = field["text"] as? String ?? ""
                    // Names: an enumerated value prints as "Name (raw)" ("2048 (4)" for an MTU), a
                    // mask as "0x7 (A, B, C)" where the tools print "A or B or C".
                    let sameName = text == printed || text.hasPrefix(printed + " (")
                        || text.hasSuffix("(" + printed.replacingOccurrences(of: " or ", with: ", ") + ")")
                    if let expected = Self.number(printed), !sameName {
                        let ours = (field["value"] as? NSNumber)?.uint64Value ?? (field["value"] as? String).flatMap(Self.number)
                        #expect(ours == expected, "\(name): \(label) printed \(printed), ours \(text)")
                    } else {
                        #expect(sameName, "\(name): \(label) printed \(printed), ours \(text)")
                    }
                    compared += 1
                }
            }
        }
        #expect(compared >= 150, "only \(compared) printed values were compared")
        print("DecodeCommandTests: compared \(compared) values printed by infiniband-diags")
    }

    @Test func captureSpecifics() throws {
        guard FileManager.default.fileExists(atPath: Self.capturesURL.path) else { return }
        func text(_ name: String) throws -> String {
            try Self.decodedText([Self.capturesURL.appendingPathComponent("\(name).response.mad").path])
        }
        let dr = try text("nodeinfo-dr-4hop")
        #expect(dr.contains("InitialPath        1,5,2,1"))
        #expect(dr.contains("NodeType         Channel Adapter (1)"))
        let path = try text("sa-pathrecord")
        #expect(path.contains("DGID                    fe80::1000:0:0:51"))
        #expect(path.contains("1 PathRecord in this MAD"))
        let sm = try text("sminfo")
        #expect(sm.contains("0x1000000000000011"))
        let bad = try text("portinfo-badport")
        #expect(bad.contains("invalid attribute or attribute modifier"))
        let cpi = try text("perf-classportinfo")
        #expect(cpi.contains("ClassPortInfo"))
    }
}
