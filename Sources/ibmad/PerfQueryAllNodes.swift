import ArgumentParser
import Fabric
import MADWire

/// `ibmad perfquery --all-nodes [-x]`: discovery, then every port's counters in one window
/// (Fabric.CounterSweep). The text is what `perfquery LID PORT` prints for each port in
/// turn (nodes in discovery order, ports ascending); a port whose PMA did not answer is
/// named on stderr and makes the exit status 1. Discovery leaves NodeDescription out (the
/// text has no names): only the nodes of ports that failed are asked for theirs.
enum PerfQueryAllNodes {
    static func run(diags: DiagsOptions, extended: Bool, window: Int) async throws {
        let names = diags.loadNodeNameMap() ?? NodeNameMap()
        let session: DiagsSession
        do { session = try DiagsSession(diags, window: window) } catch { throw error.report(tool: "perfquery") }
        defer { session.close() }
        let progress = SweepProgress()
        var discovery = Discovery.Options(window: window, request: session.options)
        discovery.nodeDescriptions = false
        let start = session.agent.statistics.sent
        let (topology, report) = await ProgressLine.around("reading counters", progress) {
            let topology = await Discovery(agent: session.agent, options: discovery, progress: progress).run()
            let report = await CounterSweep(agent: session.agent, request: session.options, progress: progress)
                .run(topology, extended: extended, nodeNames: names)
            return (topology, report)
        }
        // Only the form asked for, and the text printed port by port: with 10,432 nodes
        // building both held ~26 MB of records beside ~25 MB of text.
        if diags.json {
            print(DiagsJSON.document(tool: "perfquery", query: extended ? "extended-all-nodes" : "counters-all-nodes",
                                     destination: nil, records: report.ports.compactMap(record)), terminator: "")
        } else {
            for result in report.ports { print(text(result), terminator: "") }
        }
        if diags.verbose > 0 {
            let named = report.madsSent - report.pmaMADsSent
            let discoverySMPs = session.agent.statistics.sent - start - report.madsSent
            StandardError.emit("ibmad perfquery: \(topology.nodes.count) nodes, \(discoverySMPs) SMPs in discovery, "
                               + "\(report.pmaMADsSent) PMA MADs for \(report.ports.count) ports"
                               + (named > 0 ? ", \(named) NodeDescription SMPs for names\n" : "\n"))
        }
        let failed = report.failed
        if !failed.isEmpty || !topology.isComplete {
            for port in failed {
                StandardError.emit("ibmad perfquery: no answer from the PMA of \"\(port.nodeName)\" Lid \(port.lid) port \(port.port)\n")
            }
            for item in topology.unreachable + report.undescribed { StandardError.emit("ibmad perfquery: discovery: \(item)\n") }
            throw ExitCode(1)
        }
    }

    /// What `perfquery LID PORT` prints for the port; nothing for a port that did not answer.
    private static func text(_ result: CounterSweep.PortResult) -> String {
        let destination = DiagsDestination.lid(result.lid)
        if let value = result.counters {
            return PerfQueryText.portCounters(value, destination: destination, port: result.port,
                                              capabilityMask: result.capabilityMask)
        }
        if let value = result.extended {
            return PerfQueryText.portCountersExtended(value, destination: destination, port: result.port,
                                                      capabilityMask: result.capabilityMask,
                                                      capabilityMask2: result.capabilityMask2)
        }
        return ""
    }

    /// The port's JSON record; nil for a port that did not answer.
    private static func record(_ result: CounterSweep.PortResult) -> DiagsJSON.Record? {
        if var shown = result.counters {
            if result.capabilityMask & PerfQueryText.portXmitWaitSupported == 0 { shown[PortCounters.Fields.portXmitWait] = 0 }
            return located(DiagsJSON.portCounters(shown), result)
        }
        if let value = result.extended {
            return located(DiagsJSON.portCountersExtended(value, capabilityMask: result.capabilityMask,
                                                          capabilityMask2: result.capabilityMask2), result)
        }
        return nil
    }

    /// The record with the port's LID and number in front (a document holds every port).
    private static func located(_ record: DiagsJSON.Record, _ result: CounterSweep.PortResult) -> DiagsJSON.Record {
        DiagsJSON.Record(attribute: record.attribute, fields: [
            ("LID", .number(UInt64(result.lid)), String(result.lid), nil),
            ("Port", .number(UInt64(result.port)), String(result.port), nil),
        ] + record.fields)
    }
}
