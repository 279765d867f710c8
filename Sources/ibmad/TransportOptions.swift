import ArgumentParser
import MADTransport

/// Which port a GSI subcommand opens: `umad` (UmadPort: libibumad, QP0 and QP1 through
/// the kernel's ib_umad; the default, as infiniband-diags) or `verbs` (VerbsGSIPort: our
/// own UD QP on the registered pool, GSI only).
enum TransportKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    case umad, verbs
}

/// --transport and --gid-index, shared by DiagsOptions and saquery's own option set.
struct TransportOptions: ParsableArguments {
    @Option(name: .customLong("transport"),
            help: ArgumentHelp("umad (ib_umad, the default) or verbs (own UD QP; GSI subcommands only: perfquery, saquery, ibping).",
                               valueName: "umad|verbs"))
    var transport: TransportKind = .umad

    @Option(name: .customLong("gid-index"),
            help: ArgumentHelp("Local GID index to send from with a destination GID (RoCE: 0 IPv6 link-local, 1 IPv4-mapped on the rig).",
                               valueName: "n"))
    var gidIndex: Int = 0

    func validate() throws {
        guard (0...255).contains(gidIndex) else { throw ValidationError("--gid-index \(gidIndex) is outside 0-255") }
    }
}

/// A destination GID as --dgid takes it: IPv6 text (fe80::..., ::ffff:10.0.0.1) or a
/// bare IPv4 address, which means its IPv4-mapped GID (GIDText.parse, RoCE v2). nil
/// text is nil; bad text is a message naming the option and the forms expected.
func parseDestinationGID(_ text: String?, option: String) throws -> [UInt8]? {
    guard let text else { return nil }
    guard let gid = GIDText.parse(text) else {
        throw ValidationError("\(option) \"\(text)\" is not a GID: give IPv6 text (fe80::ff:fe00:1), "
                              + "an IPv4-mapped GID (::ffff:10.0.0.1) or an IPv4 address (10.0.0.1, taken as IPv4-mapped)")
    }
    return gid
}

/// What DiagsSession opens: the transport, the GID index, and the RoCE destination GID
/// (nil: address by LID).
struct TransportChoice: Sendable {
    var kind: TransportKind = .umad
    var gidIndex: Int = 0
    var destinationGID: [UInt8]?
    /// The destination's QP: 1 (the GSI) unless the responder sits on a QP of its own, as a
    /// VerbsGSIPort server does (`ibmad ibping -S --transport verbs` prints its QP).
    var destinationQP: UInt32 = 1

    /// The GRH of every GSI destination when a destination GID is given.
    var globalRoute: GlobalRoute? {
        destinationGID.map { GlobalRoute(destinationGID: $0, sourceGIDIndex: UInt8(truncatingIfNeeded: gidIndex)) }
    }
}

/// Whether a subcommand sends SMPs (QP0: UmadPort only) or only GMPs (QP1: either port).
enum SessionClasses {
    case smp, gsi
}
