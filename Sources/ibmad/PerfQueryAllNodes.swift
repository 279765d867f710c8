import ArgumentParser
import Fabric
import MADWire

/// `ibmad perfquery --all-nodes [-x]`: discovery, then every port's counters in one window
/// (Fabric.CounterSweep). The text is what `perfquery LID PORT` prints for each port in
/// turn (nodes in discovery order, ports ascending); a port whose PMA did not answer is
/// named on stderr and makes the exit status 1.
enum PerfQueryAllNodes {
    static func run(diags: DiagsOptions, extended: Bool, window: Int) async throws {
        let names = diags.loadNodeNameMap() ?? NodeNameMap()
        let session: DiagsSession
        do { session = try DiagsSession(diags, window: window) } catch { throw error.report(tool: "perfquery") }
        defer { session.close() }
        let progress = SweepProgress()
        let (topology, results) = await ProgressLine.around("reading counters", progress) {
            let topology = await Discovery(agent: session.agent, options: .init(window: window, request: session.options),
                                           progress: progress).run()
            let results = await CounterSweep(agent: session.agent, request: session.options, progress: progress)
                .run(topology, extended: extended, nodeNames: names)
            return (topology, results)
        }
        var text = "", records: [DiagsJSON.Record] = [], failed: [String] = []
        for result in results {
            let destination = DiagsDestination.lid(result.lid)
            if let value = result.counters {
                text += PerfQueryText.portCounters(value, destination: destination, port: result.port, capabilityMask: result.capabilityMask)
                var shown = value
                if result.capabilityMask & PerfQueryText.portXmitWaitSupported == 0 { shown[PortCounters.Fields.portXmitWait] = 0 }
                records.append(located(DiagsJSON.portCounters(shown), result))
            } else if let value = result.extended {
                text += PerfQueryText.portCountersExtended(value, destination: destination, port: result.port,
                                                           capabilityMask: result.capabilityMask, capabilityMask2: result.capabilityMask2)
                records.append(located(DiagsJSON.portCountersExtended(value, capabilityMask: result.capabilityMask,
                                                                      capabilityMask2: result.capabilityMask2), result))
            } else {
                failed.append("\"\(result.nodeName)\" Lid \(result.lid) port \(result.port)")
            }
        }
        if diags.json {
            print(DiagsJSON.document(tool: "perfquery", query: extended ? "extended-all-nodes" : "counters-all-nodes",
                                     destination: nil, records: records), terminator: "")
        } else {
            print(text, terminator: "")
        }
        if !failed.isEmpty || !topology.isComplete {
            for port in failed { StandardError.emit("ibmad perfquery: no answer from the PMA of \(port)\n") }
            for item in topology.unreachable { StandardError.emit("ibmad perfquery: discovery: \(item)\n") }
            throw ExitCode(1)
        }
    }

    /// The record with the port's LID and number in front (a document holds every port).
    private static func located(_ record: DiagsJSON.Record, _ result: CounterSweep.PortResult) -> DiagsJSON.Record {
        DiagsJSON.Record(attribute: record.attribute, fields: [
            ("LID", .number(UInt64(result.lid)), String(result.lid), nil),
            ("Port", .number(UInt64(result.port)), String(result.port), nil),
        ] + record.fields)
    }
}
