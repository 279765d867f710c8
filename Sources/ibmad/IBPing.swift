import ArgumentParser
import Fabric
import MADAgents
import MADTransport
import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `ibmad ibping [options] <dest lid|guid>` and `ibmad ibping -S`: infiniband-diags'
/// ibping (ibping.c). The client sends one vendor-class Get a second (-f: back to back)
/// and prints each "Pong from ..." and, at the end or on SIGINT/SIGTERM, ping-style
/// statistics; the server answers with "host.domain" until it is killed.
///
/// Deliberate difference: round-trip times are true milliseconds. The C tool's
/// time_stamp() adds tv_nsec / 10,000 to microseconds, so it prints sub-second times ten
/// times too small.
struct IBPing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ibping",
        abstract: "Ping an InfiniBand port with vendor MADs, or answer pings (like infiniband-diags ibping).")

    @OptionGroup var diags: DiagsOptions

    @Option(name: [.customShort("c"), .customLong("count")], help: "Stop after this many pings.")
    var count: UInt64?

    @Flag(name: [.customShort("f"), .customLong("flood")], help: "Send the next ping as soon as the last is answered; print only the statistics.")
    var flood = false

    @Option(name: [.customShort("o"), .customLong("oui")], help: "OUI to multiplex the vendor class with (default 0x001405).")
    var oui: String?

    @Flag(name: [.customShort("S"), .customLong("Server")], help: "Answer pings until killed.")
    var server = false

    @Argument(help: "The port to ping: a LID, or a port GUID with -G.")
    var destination: String?

    func validate() throws {
        // ibdiag_process_opts(..., "DKy", ...): ibping takes neither -D nor -y.
        if diags.direct { throw ValidationError("ibping takes no -D: vendor MADs are LID-routed (give a LID or -G GUID)") }
        if diags.mKey != nil { throw ValidationError("ibping takes no -y: M_Key applies to SMPs only") }
        if !server && destination == nil && diags.dgid == nil {
            throw ValidationError("give the destination LID (or port GUID with -G, or --dgid GID on RoCE), or -S to serve")
        }
        if let oui, parsedOUI(oui) == nil { throw ValidationError("-o/--oui \"\(oui)\" is not a 24-bit non-zero OUI (e.g. 0x001405)") }
    }

    private func parsedOUI(_ text: String) -> UInt32? {
        guard let value = LIDArgument.number(text), value != 0, value <= 0xFF_FFFF else { return nil }
        return UInt32(value)
    }

    func run() async throws {
        let oui = self.oui.flatMap(parsedOUI) ?? Ping.openIBOUI
        let session: DiagsSession
        do { session = try DiagsSession(diags, classes: .gsi) } catch { throw error.report(tool: "ibping") }
        defer { session.close() }
        if server { try await serve(session, oui: oui) } else { try await ping(session, oui: oui) }
    }

    private func serve(_ session: DiagsSession, oui: UInt32) async throws {
        do {
            try Ping.serve(on: session.agent, oui: oui)
        } catch {
            throw DiagsFailure(stdout: "can't serve class \(Ping.managementClass.rawValue) on this port",
                               detail: "\(error)").report(tool: "ibping")
        }
        if let verbs = session.port as? VerbsGSIPort {
            // Not the C server's: a verbs server listens on a QP of its own, not QP1, and a
            // client must aim at it (--dqpn). Said on stderr; stdout stays the C tool's.
            StandardError.emit("ibmad ibping: serving on \(verbs.deviceName) port \(verbs.portNumber) QP \(verbs.queuePairNumber) "
                               + "(GID \(GIDText.format(verbs.info.gid))): ping it with --dqpn \(verbs.queuePairNumber)\n")
        }
        // Like the C server: answer until a signal ends the process.
        InterruptFlag.install()
        while !InterruptFlag.raised { try? await Task.sleep(for: .milliseconds(50)) }
    }

    private func ping(_ session: DiagsSession, oui: UInt32) async throws {
        // RoCE: --dgid alone names the port (the LID, if given too, is ignored there).
        var lid: UInt16 = 0
        if let destination {
            let target: DiagsTarget
            do { target = try await session.target(destination, diags) } catch { throw error.report(tool: "ibping") }
            guard case .lid(let resolved) = target else { return }
            lid = resolved
        }
        let address = session.gsiAddress(lid: lid)
        let destinationName = DiagsDestination(lid: lid, gid: address.globalRoute?.destinationGID)
        let destinationText = destinationName.description
        InterruptFlag.install()
        let start = monotonicNanoseconds()
        let results = PingLog()
        let wantsJSON = diags.json, flood = self.flood, count = self.count, options = session.options
        let agent = session.agent
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var sent: UInt64 = 0
                while count.map({ sent < $0 }) ?? true {
                    sent += 1
                    let outcome: (reply: String, microseconds: UInt64)?
                    do {
                        outcome = try await Ping.once(on: agent, to: address, oui: oui, options: options)
                    } catch { return }  // interrupted
                    results.state.withLock { $0.record(outcome, sequence: sent) }
                    if let outcome, !flood, !wantsJSON {
                        print(PingStatistics.pongLine(outcome.reply, from: destinationText, microseconds: outcome.microseconds),
                              terminator: "")
                        fflush(nil)  // every stream: `stdout` is a C global Swift 6 will not touch
                    }
                    if !flood, count.map({ sent < $0 }) ?? true {
                        do { try await Task.sleep(for: .seconds(1)) } catch { return }
                    }
                }
            }
            group.addTask {
                while !InterruptFlag.raised, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            }
            await group.next()
            group.cancelAll()
        }
        let elapsed = (monotonicNanoseconds() - start) / 1_000
        let final = results.state.withLock { $0 }
        if final.statistics.transmitted > 0 && final.statistics.received == 0 {
            // The C client says nothing more; one line on stderr says what 100% loss means.
            StandardError.emit("ibmad ibping: no reply from \(destinationText) to \(final.statistics.transmitted) "
                               + "ping(s): nothing answered vendor class 0x32 OUI 0x\(String(oui, radix: 16)) there "
                               + "within \(options.timeoutMilliseconds) ms and \(options.retries) retries each "
                               + "(is an ibping -S server running on that port?)\n")
        }
        if wantsJSON {
            print(final.json(destination: destinationName, elapsedMicroseconds: elapsed), terminator: "")
        } else {
            print(final.statistics.report(destination: destinationText, elapsedMicroseconds: elapsed), terminator: "")
        }
    }
}

private final class PingLog: Sendable {
    let state = Mutex(PingResults())
}

/// What the client saw: the totals and, for --json, every answer.
private struct PingResults: Sendable {
    var statistics = PingStatistics()
    var pongs: [(sequence: UInt64, reply: String, microseconds: UInt64)] = []

    mutating func record(_ outcome: (reply: String, microseconds: UInt64)?, sequence: UInt64) {
        statistics.record(outcome)
        if let outcome { pongs.append((sequence, outcome.reply, outcome.microseconds)) }
    }

    func json(destination: DiagsDestination, elapsedMicroseconds: UInt64) -> String {
        let s = statistics
        let records = pongs.map { pong in
            DiagsJSON.Record(attribute: "Pong", fields: [
                ("Sequence", .number(pong.sequence), String(pong.sequence), nil),
                ("Reply", .string(pong.reply), pong.reply, nil),
                ("RoundTripMicroseconds", .number(pong.microseconds), String(pong.microseconds), nil),
            ])
        }
        return DiagsJSON.document(tool: "ibping", query: "ping", destination: destination, extra: [
            ("transmitted", s.transmitted), ("received", s.received),
            ("elapsedMicroseconds", elapsedMicroseconds),
            ("minimumMicroseconds", s.minimum == .max ? 0 : s.minimum), ("maximumMicroseconds", s.maximum),
            ("averageMicroseconds", s.received > 0 ? s.total / s.received : 0),
        ], records: records)
    }
}

/// SIGINT/SIGTERM set a flag that the ping loop watches (the C tool prints its report
/// from the signal handler; here the report is printed by the main task).
enum InterruptFlag {
    private static let flag = Atomic<Bool>(false)

    static var raised: Bool { flag.load(ordering: .acquiring) }

    static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in InterruptFlag.flag.store(true, ordering: .releasing) }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}
