import ArgumentParser
import Fabric
import MADWire

/// `ibmad smpdump [-D] <dlid|dr_path> <attr> [mod]`: infiniband-diags' smpdump
/// (smpdump.c): one SubnGet, its 64 data bytes as libibmad's xdump prints them (or as
/// text with --string), then "SMP status: 0x…" when the status is not 0. smpdump's -s is
/// --string only here: -s is the common SM LID option.
struct SMPDump: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smpdump",
        abstract: "Dump the data of one SMP (like infiniband-diags smpdump).")

    @OptionGroup var diags: DiagsOptions

    @Flag(name: .customLong("string"), help: "Print the data as a string (NodeDescription).")
    var string = false

    @Argument(help: "A LID, or a DR path with -D.")
    var destination: String?

    @Argument(help: "Attribute ID (e.g. 0x15 for PortInfo).")
    var attribute: String?

    @Argument(help: "Attribute modifier.")
    var modifier: String?

    /// libibmad's xdump: two bytes per group, a space between groups, 16 bytes a line.
    static func xdump(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for (index, byte) in bytes.enumerated() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
            let count = index + 1
            if count < bytes.count && count % 2 == 0 { text += count % 16 == 0 ? "\n" : " " }
        }
        return text + "\n"
    }

    func run() async throws {
        guard let destination, let attribute else {
            StandardError.emit(Self.helpMessage() + "\n")
            throw ExitCode(2)  // ibdiag_show_usage
        }
        let attributeID = AttributeID(rawValue: UInt16(truncatingIfNeeded: LIDArgument.number(attribute) ?? 0))
        let mod = modifier.map { UInt32(truncatingIfNeeded: LIDArgument.number($0) ?? 0) } ?? 0
        let session: DiagsSession
        do { session = try DiagsSession(diags) } catch { throw error.report(tool: "smpdump") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let target = try await session.target(destination, diags)
            let mad: MAD
            do {
                switch target {
                case .lid(let lid):
                    var request = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: attributeID, modifier: mod)
                    request.mKey = session.mKey
                    mad = try await session.agent.request(request, to: .subnetManagement(lid: lid), options: session.options)
                case .directed(let path):
                    mad = try await session.agent.directedRoute(.get, attribute: attributeID, modifier: mod, path: path,
                                                                mKey: session.mKey, options: session.options).mad
                }
            } catch {
                throw DiagsFailure(stdout: "send failed", detail: "\(error)")
            }
            let data = mad.withUnsafeBytes { Array($0[64..<128]) }
            // The raw status word, D bit included for directed routes, as smpdump prints it.
            let status = mad.status
            var text = string ? String(decoding: data.prefix { $0 != 0 }, as: UTF8.self) + "\n" : Self.xdump(data)
            if status.rawValue != 0 { text += "SMP status: 0x\(String(status.rawValue, radix: 16))\n" }
            if diags.json {
                var writer = JSONWriter()
                writer.beginObject()
                writer.member("tool", "smpdump")
                writer.member("attribute", Int(attributeID.rawValue))
                writer.member("modifier", Int(mod))
                writer.member("destination", target.destination.description)
                writer.member("status", Int(status.rawValue))
                writer.member("data", data.map { String($0 >> 4, radix: 16) + String($0 & 0xF, radix: 16) }.joined())
                writer.endObject()
                print(writer.output)
            } else {
                print(text, terminator: "")
            }
        } catch { throw error.report(tool: "smpdump") }
    }
}
