import ArgumentParser

/// `ibmad`: InfiniBand management datagram tools. Each subcommand lives in its own file and
/// is listed here; the fabric-facing ones share `DiagsOptions` (-C -P -t -D -G -L ...).
@main
struct IBMad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibmad",
        abstract: "InfiniBand management datagram (MAD) tools.",
        subcommands: [Decode.self, SMPQuery.self, SMInfoCommand.self, PerfQuery.self, SMPDump.self, IBAddr.self, SAQuery.self,
                      IBPing.self, IBNetDiscover.self, IBQueryErrors.self,
                      IBLinkInfo.self, MADRate.self]
    )
}
