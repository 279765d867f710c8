import Fabric
import Foundation
import MADWire
import Testing

/// One capture of Tests/Fixtures/captures: the C tool's command line and printed output,
/// the MADs it exchanged, and the request/response pair the .txt marks.
struct DiagsCapture: CustomTestStringConvertible, Sendable {
    let name: String
    let command: [String]
    let output: String
    let exitStatus: Int
    let request: [UInt8]
    let response: [UInt8]
    /// The `lid=` of the marked request line (where the query went).
    let requestLID: UInt16

    var testDescription: String { name }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/captures").standardized

    static func load(_ name: String) throws -> DiagsCapture {
        let text = try String(contentsOf: directory.appendingPathComponent(name + ".txt"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let command = lines[1].split(separator: " ").map(String.init)
        guard let outputStart = text.range(of: "# output:\n") else { throw CaptureError.malformed(name) }
        let status = lines.first { $0.hasPrefix("# exit status: ") }.flatMap { Int($0.dropFirst(15)) } ?? -1
        let requestLine = lines.first { $0.contains("send") && $0.hasSuffix("<- request") } ?? ""
        let lidText = requestLine.split(separator: " ").first { $0.hasPrefix("lid=0x") }?.dropFirst(6) ?? "0"
        func bytes(_ suffix: String) throws -> [UInt8] {
            [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).\(suffix).mad")))
        }
        return DiagsCapture(name: name, command: command, output: String(text[outputStart.upperBound...]),
                            exitStatus: status, request: try bytes("request"), response: try bytes("response"),
                            requestLID: UInt16(lidText, radix: 16) ?? 0)
    }

    enum CaptureError: Error { case malformed(String) }

    var responseMAD: MAD { try! MAD(decoding: response) }

    /// The positional arguments after the options (and their values) of the command.
    var arguments: [String] {
        var result: [String] = []
        var skipNext = false
        for word in command.dropFirst() {
            if skipNext { skipNext = false; continue }
            if word == "--slid" || word == "--dlid" { skipNext = true; continue }
            if word.hasPrefix("-") { continue }
            result.append(word)
        }
        return result
    }

    var isDirected: Bool { command.contains("-D") }
}

@Suite struct DiagsCaptureTests {
    /// The PMA's ClassPortInfo capability masks, from the perfquery capture that saved that
    /// pair (the other perfquery captures saved their counters pair; same ibsim PMA).
    static func pmaCapabilities() throws -> (mask: UInt16, mask2: UInt32) {
        let capture = try DiagsCapture.load("perf-classportinfo")
        return PerfQueryText.capabilities(try capture.responseMAD.attribute(ClassPortInfo.self))
    }

    func destination(_ capture: DiagsCapture, _ target: String) throws -> DiagsDestination {
        capture.isDirected ? .directed(try DirectedRoutePath(parsing: target)) : .lid(UInt16(target)!)
    }

    /// What our formatter prints for the capture's command and response.
    func format(_ capture: DiagsCapture) throws -> String {
        let mad = capture.responseMAD
        let tool = capture.command[0]
        let args = capture.arguments
        switch tool {
        case "smpquery":
            let dest = try destination(capture, args[1])
            let port = args.count > 2 ? Int(args[2])! : 0
            // A DR SMP's status word carries the D bit (IBA 14.2.1.2); the status is the rest.
            let status = mad.managementClass == .subnetDirectedRoute ? mad.status.rawValue & 0x7FFF : mad.status.rawValue
            if status != 0 {
                typealias F = SMPQueryText.Failure
                let reason = ["nodeinfo": F.nodeInfo, "portinfo": F.portInfo, "switchinfo": F.switchInfo,
                              "nodedesc": F.nodeDescription][args[0]]!
                #expect(capture.exitStatus == Int(Diags.exitFailureStatus))
                return SMPQueryText.failure(operation: args[0], reason)
            }
            switch args[0] {
            case "nodeinfo": return SMPQueryText.nodeInfo(try mad.attribute(NodeInfo.self), destination: dest)
            case "nodedesc":
                // NodeGUID only selects a node-name-map entry; no map was given.
                return SMPQueryText.nodeDescription(try mad.attribute(NodeDescription.self), nodeGUID: 0)
            case "portinfo":
                return SMPQueryText.portInfo(try mad.attribute(PortInfo.self), destination: dest, port: port)
            case "switchinfo": return SMPQueryText.switchInfo(try mad.attribute(SwitchInfo.self), destination: dest)
            default: Issue.record("no formatter for \(args)"); return ""
            }
        case "perfquery":
            let caps = try Self.pmaCapabilities()
            let dest = DiagsDestination.lid(UInt16(args[0])!)
            let port = Int(args[1])!
            if capture.command.contains("-x") {
                return PerfQueryText.portCountersExtended(try mad.attribute(PortCountersExtended.self), destination: dest,
                                                          port: port, capabilityMask: caps.mask, capabilityMask2: caps.mask2)
            }
            if mad.attributeID == ClassPortInfo.attributeID {
                // Only the header depends on ClassPortInfo; the counters pair was not saved.
                return "# Port counters: \(dest) port \(port) (CapMask: 0x\(String(caps.mask, radix: 16, uppercase: true)))\n"
            }
            return PerfQueryText.portCounters(try mad.attribute(PortCounters.self), destination: dest, port: port,
                                              capabilityMask: caps.mask)
        case "sminfo":
            return SMInfoText.line(try mad.attribute(SMInfo.self), lid: capture.requestLID)
        case "saquery":
            if capture.command.contains("PR") { return SAQueryText.pathRecord(try mad.attribute(PathRecord.self)) }
            return SAQueryText.nodeRecord(try mad.attribute(NodeRecord.self))
        default:
            Issue.record("no formatter for \(tool)")
            return ""
        }
    }

    static let captureNames: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: DiagsCapture.directory.path)) ?? []
        return files.filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }.sorted()
    }()

    @Test func everyCaptureIsCovered() {
        #expect(Self.captureNames.count >= 14, "captures found: \(Self.captureNames)")
    }

    @Test(arguments: captureNames)
    func matchesTheCToolByteForByte(_ name: String) throws {
        let capture = try DiagsCapture.load(name)
        let ours = try format(capture)
        if capture.name == "perf-classportinfo" {
            #expect(capture.output.hasPrefix(ours), "\(name)\nours:\n\(ours)\nC:\n\(capture.output)")
        } else {
            #expect(Array(ours.utf8) == Array(capture.output.utf8), "\(name)\nours:\n\(ours)\nC:\n\(capture.output)")
        }
    }

    /// The JSON of a capture parses as JSON and carries the same values as the text.
    @Test func portInfoJSONAgreesWithTheText() throws {
        let capture = try DiagsCapture.load("portinfo")
        let info = try capture.responseMAD.attribute(PortInfo.self)
        let json = DiagsJSON.document(tool: "smpquery", query: "portinfo", destination: .lid(12), port: 1,
                                      records: [DiagsJSON.portInfo(info)])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        #expect(object["port"] as? Int == 1)
        let destination = object["destination"] as! [String: Any]
        #expect(destination["text"] as? String == "Lid 12")
        let records = object["records"] as! [[String: Any]]
        let fields = records[0]["fields"] as! [[String: Any]]
        #expect(!fields.contains { $0["name"] as? String == "Mkey" }, "M_Key is hidden without -K")
        // Every "Name:....text" line of the C output (M_Key and flag lines aside) is a field.
        var textLines = capture.output.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("\t") && !$0.hasPrefix("Mkey:") }
        for field in fields {
            let name = field["name"] as! String, text = field["text"] as! String
            let line = textLines.removeFirst()
            #expect(line == Substring(DumpValue.line(name, text)), "\(name)")
        }
        #expect(textLines.isEmpty)
        let capMask = fields.first { $0["name"] as? String == "CapMask" }!
        #expect(capMask["value"] as? Int == 0x50c048)
        #expect((capMask["flags"] as? [String])?.first == "IsTrapSupported")
    }

    @Test func saRecordJSONKeepsSaqueryRows() throws {
        let capture = try DiagsCapture.load("sa-pathrecord")
        let text = SAQueryText.pathRecord(try capture.responseMAD.attribute(PathRecord.self))
        let json = DiagsJSON.document(tool: "saquery", query: "PathRecord", destination: nil,
                                      records: [DiagsJSON.saRecord(attribute: "PathRecord", text: text)])
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let fields = (object["records"] as! [[String: Any]])[0]["fields"] as! [[String: Any]]
        #expect(fields.count == 16)
        #expect(fields[1]["name"] as? String == "dgid" && fields[1]["value"] as? String == "fe80::1000:0:0:51")
        #expect(fields[12]["name"] as? String == "rate" && fields[12]["value"] as? String == "0x90")
    }
}
