import ArgumentParser
import Fabric
import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// `ibmad perfquery [-x] [-a] [-r|-R] [lid|guid [port(s) [reset_mask]]]`: infiniband-diags'
/// perfquery (perfquery.c), reading PortCounters or PortCountersExtended. Ports: one
/// number, a list "1,4,8" or a range "1-10" (each printed, or summed with -a). -r resets
/// after reading, -R only resets (printing nothing), by a PerfMgt Set with CounterSelect
/// (PerfQueryReset.swift). None of the other counter groups yet. perfquery has no -D (its
/// -D is --xmtdisc).
struct PerfQuery: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perfquery",
        abstract: "Read port counters from a PMA (like infiniband-diags perfquery).")

    @OptionGroup var diags: DiagsOptions

    @Flag(name: [.customShort("x"), .customLong("extended")], help: "Show extended port counters.")
    var extended = false

    @Flag(name: [.customShort("a"), .customLong("all_ports")], help: "Show aggregated counters of all ports.")
    var allPorts = false

    @Flag(name: [.customShort("l"), .customLong("loop_ports")], help: "Iterate through each port.")
    var loopPorts = false

    @Flag(name: [.customShort("r"), .customLong("reset_after_read")], help: "Reset counters after read.")
    var resetAfterRead = false

    @Flag(name: [.customShort("R"), .customLong("Reset_only")], help: "Only reset counters.")
    var resetOnly = false

    @Flag(name: .customLong("all-nodes"),
          help: "Every port of every node, discovered first, in one window (what a loop of perfquery LID PORT prints).")
    var allNodes = false

    @Option(name: [.customShort("o"), .customLong("outstanding")], help: "MADs outstanding at once with --all-nodes (default 64).")
    var outstanding = 64

    @Argument(help: "The node: a LID, or a GUID with -G (default: this port).")
    var destination: String?

    @Argument(help: "Port, list (1,4,8) or range (1-10).")
    var ports: String?

    @Argument(help: ArgumentHelp("CounterSelect mask for -r/-R (CounterSelect2 above bit 15; default all).",
                                 valueName: "reset_mask"))
    var resetMask: String?

    func validate() throws {
        if diags.direct { throw ValidationError("perfquery takes a LID or a GUID (-G), not a directed route") }
        if allNodes && (destination != nil || allPorts || loopPorts || resetAfterRead || resetOnly) {
            throw ValidationError("--all-nodes reads every port of the fabric: give no destination, -a, -l, -r or -R")
        }
        guard (1...4096).contains(outstanding) else { throw ValidationError("-o/--outstanding must be 1-4096") }
    }

    /// strtoul(..., 0): junk reads as 0.
    static func number(_ text: Substring) -> Int { Int(truncatingIfNeeded: LIDArgument.number(String(text)) ?? 0) }

    func run() async throws {
        if allNodes { return try await PerfQueryAllNodes.run(diags: diags, extended: extended, window: outstanding) }
        var port = allPorts ? PerfQueryText.allPorts : 0
        var list: [Int] = []
        if let ports {
            if ports.contains(",") {
                list = ports.split(separator: ",").map(Self.number)
            } else if let dash = ports.firstIndex(of: "-") {
                let low = Self.number(ports[..<dash]), high = Self.number(ports[ports.index(after: dash)...])
                guard low < high else {
                    throw DiagsFailure(stdout: "max port must be greater than min port in range").report(tool: "perfquery")
                }
                list = Array(low...high)
            } else {
                port = Self.number(Substring(ports))
            }
            if let first = list.first { port = first }
        }
        let session: DiagsSession
        do { session = try DiagsSession(diags, classes: .gsi) } catch { throw error.report(tool: "perfquery") }
        defer { session.close() }
        do throws(DiagsFailure) {
            let lid: UInt16
            if let destination {
                guard case .lid(let resolved) = try await session.target(destination, diags) else { return }
                lid = resolved
            } else {
                // resolve_self: this port's LID and number.
                lid = session.localLID
                port = session.portNumber
            }
            let output = try await query(session: session, lid: lid, port: port, list: list)
            print(output, terminator: "")
        } catch { throw error.report(tool: "perfquery") }
    }

    func query(session: DiagsSession, lid: UInt16, port: Int, list: [Int]) async throws(DiagsFailure) -> String {
        let destination = DiagsDestination.lid(lid)
        // PerfMgt ClassPortInfo is required (IBA 16.1.3.1): its masks decide what is shown.
        let classInfo = try session.decode(ClassPortInfo.self,
                                           try await session.pma(.classPortInfo, port: port, lid: lid, orFail: "classportinfo query"),
                                           orFail: "classportinfo query")
        let (mask, mask2) = PerfQueryText.capabilities(classInfo)
        var loopAll = false
        if mask & PerfQueryText.allPortSelect == 0 {
            if !allPorts && port == PerfQueryText.allPorts { throw DiagsFailure(stdout: "AllPortSelect not supported") }
            loopAll = allPorts && port == PerfQueryText.allPorts
        }
        var ports = list.count > 1 ? list : [port]
        let aggregate = (loopAll && !loopPorts) || (list.count > 1 && allPorts && !loopPorts)
        if loopAll || (loopPorts && (allPorts || port == PerfQueryText.allPorts)) {
            let node = try session.decode(NodeInfo.self, try await session.get(.nodeInfo, at: .lid(lid), orFail: "smp query nodeinfo failed"),
                                          orFail: "smp query nodeinfo failed")
            guard node.numberOfPorts > 0 else { throw DiagsFailure(stdout: "smp query nodeinfo: num ports invalid") }
            var start = 1
            if node.nodeType == .switch {
                let info = try session.decode(SwitchInfo.self, try await session.get(.switchInfo, at: .lid(lid), orFail: "smp query nodeinfo failed"),
                                              orFail: "smp query nodeinfo failed")
                if info.enhancedPort0 { start = 0 }
            }
            if loopAll && !loopPorts { StandardError.emit(PerfQueryText.emulatingAllPortSelectWarning(pid: getpid())) }
            ports = Array(start...Int(node.numberOfPorts))
        }
        var text = "", records: [DiagsJSON.Record] = []
        var counters: [PortCounters] = [], extendedCounters: [PortCountersExtended] = []
        for each in ports where !resetOnly {
            if extended {
                let value = try session.decode(PortCountersExtended.self,
                                               try await session.pma(.portCountersExtended, port: each, lid: lid, orFail: "perfextquery"),
                                               orFail: "perfextquery")
                extendedCounters.append(value)
                if !aggregate {
                    text += PerfQueryText.portCountersExtended(value, destination: destination, port: each,
                                                               capabilityMask: mask, capabilityMask2: mask2)
                    records.append(DiagsJSON.portCountersExtended(value, capabilityMask: mask, capabilityMask2: mask2))
                }
            } else {
                let value = try session.decode(PortCounters.self,
                                               try await session.pma(.portCounters, port: each, lid: lid, orFail: "perfquery"),
                                               orFail: "perfquery")
                counters.append(value)
                if !aggregate {
                    text += PerfQueryText.portCounters(value, destination: destination, port: each, capabilityMask: mask)
                    var shown = value
                    // perfquery zeroes PortXmitWait when the PMA does not claim it (CapabilityMask bit 12).
                    if mask & PerfQueryText.portXmitWaitSupported == 0 { shown[PortCounters.Fields.portXmitWait] = 0 }
                    records.append(DiagsJSON.portCounters(shown))
                }
            }
        }
        if aggregate {
            if extended, let total = PerfQueryText.aggregate(extendedCounters, capabilityMask: mask, capabilityMask2: mask2) {
                text = PerfQueryText.aggregatedPortCountersExtended(extendedCounters, destination: destination,
                                                                    capabilityMask: mask, capabilityMask2: mask2)
                records = [DiagsJSON.portCountersExtended(total, capabilityMask: mask, capabilityMask2: mask2)]
            } else if let total = PerfQueryText.aggregate(counters, capabilityMask: mask) {
                text = PerfQueryText.aggregatedPortCounters(counters, destination: destination, capabilityMask: mask)
                records = [DiagsJSON.portCounters(total)]
            }
        }
        var extra = [("capabilityMask", UInt64(mask)), ("capabilityMask2", UInt64(mask2))]
        if resetOnly || resetAfterRead {
            // perfquery prints what it read before it resets (stdout is flushed at exit, but
            // a failed reset exits after the counters are printed).
            if !diags.json { print(text, terminator: ""); text = "" }
            let select = PerfQueryText.resetSelect(extended: extended, maskArgument: resetMask.map { LIDArgument.number($0) ?? 0 },
                                               capabilityMask: mask)
            for each in ports {
                try await PerfQueryReset.reset(session: session, lid: lid, port: each, extended: extended, select: select)
            }
            extra += [("counterSelect", UInt64(select.counterSelect)), ("counterSelect2", UInt64(select.counterSelect2))]
        }
        guard diags.json else { return text }
        return DiagsJSON.document(tool: "perfquery", query: (extended ? "extended" : "counters") + (resetOnly ? "-reset" : ""),
                                  destination: destination,
                                  port: aggregate ? PerfQueryText.allPorts : (ports.count == 1 ? ports[0] : nil),
                                  extra: extra, records: records)
    }
}
