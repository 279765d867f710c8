import ArgumentParser
import MADAgents

/// -C, -P and -t as every infiniband-diags tool takes them (ibdiag_common.c): the CA and
/// port to open and the timeout of one attempt. Shared by DiagsOptions, saquery's options
/// and FabricScanOptions through `@OptionGroup`, declared first so the help lists them first.
struct PortOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("Ca")], help: ArgumentHelp("CA name to use.", valueName: "ca"))
    var ca: String?

    @Option(name: [.customShort("P"), .customLong("Port")], help: ArgumentHelp("CA port number to use.", valueName: "port"))
    var port: Int?

    @Option(name: [.customShort("t"), .customLong("timeout")],
            help: ArgumentHelp("Timeout of one attempt in ms (default 1000; 3 retries, as libibmad).", valueName: "ms"))
    var timeout: Int?

    /// One attempt's timeout (default 1000 ms) and libibmad's 3 retries.
    var requestOptions: RequestOptions { RequestOptions(timeoutMilliseconds: timeout ?? 1000, retries: 3) }

    /// The range checks, called from the owner's validate() at the point it always made
    /// them, so that the first error reported stays the same (a group's own validate()
    /// would run before its owner's).
    func checkRanges() throws {
        if let timeout, timeout <= 0 { throw ValidationError("-t/--timeout must be a positive number of milliseconds") }
        if let port, port < 0 || port > 254 { throw ValidationError("-P/--Port \(port) is outside 0-254") }
    }
}
