import ArgumentParser
import Fabric
import MADWire

/// `ibmad sminfo [sm_lid|sm_dr_path] [modifier]`: infiniband-diags' sminfo (sminfo.c),
/// query only: SubnGet(SMInfo) to the port's SM LID, or to the destination given.
struct SMInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sminfo",
        abstract: "Query the SMInfo of the subnet manager (like infiniband-diags sminfo).")

    @OptionGroup var diags: DiagsOptions

    @Argument(help: "The SM: a LID, or a DR path with -D (default: the port's SM LID).")
    var destination: String?

    @Argument(help: "Attribute modifier.")
    var modifier: String?

    func run() async throws {
        let session: DiagsSession
        do { session = try DiagsSession(diags) } catch { throw error.report(tool: "sminfo") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let target: DiagsTarget
            if let destination {
                target = try await session.target(destination, diags)
            } else {
                // resolve_sm_portid: the SM LID sysfs reports for the port.
                guard session.smLID != 0 else {
                    throw DiagsFailure(stdout: "can't resolve sm port (null)",
                                       detail: "port \(session.caName)/\(session.portNumber) knows no SM LID")
                }
                target = .lid(session.smLID)
            }
            let mod = modifier.map { UInt32(truncatingIfNeeded: LIDArgument.number($0) ?? 0) } ?? 0
            let mad = try await session.get(.smInfo, modifier: mod, at: target, orFail: "query")
            let info = try session.decode(SMInfo.self, mad, orFail: "query")
            let lid: UInt16 = if case .lid(let lid) = target { lid } else { 0 }
            if diags.json {
                print(DiagsJSON.document(tool: "sminfo", query: "sminfo", destination: target.destination,
                                         records: [DiagsJSON.smInfo(info)]), terminator: "")
            } else {
                print(SMInfoText.line(info, lid: lid), terminator: "")
            }
        } catch { throw error.report(tool: "sminfo") }
    }
}
