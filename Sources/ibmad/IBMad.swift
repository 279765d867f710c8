import ArgumentParser

/// `ibmad`: InfiniBand management datagram tools. Each subcommand lives in its own file and
/// is listed here; shared options (-C -P -t ...) go in an `@OptionGroup` when the first
/// fabric-facing subcommand arrives.
@main
struct IBMad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibmad",
        abstract: "InfiniBand management datagram (MAD) tools.",
        subcommands: [Decode.self]
    )
}
