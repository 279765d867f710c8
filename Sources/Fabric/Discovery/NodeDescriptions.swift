public import MADAgents
import MADTransport
import MADWire

extension MADAgent {
    /// Asks the NodeDescription of each node in `guids` that discovery left undescribed
    /// (`Discovery.Options.nodeDescriptions` off, `Topology.Node.descriptionKnown`), along
    /// the directed route discovery found it by, all in one window. Sweeps that name only
    /// a few nodes (those with errors, a PMA that did not answer) ask just those. What gets
    /// no answer is returned; its description stays empty.
    public func describe(_ guids: Set<UInt64>, in topology: inout Topology, options: RequestOptions,
                         progress: SweepProgress? = nil) async -> [Topology.Unreachable] {
        let missing = guids.filter { topology.nodes[$0]?.descriptionKnown == false }.sorted()
        guard !missing.isEmpty else { return [] }
        let paths = missing.map { topology.nodes[$0]!.path }
        let answers = await windowed(paths.map { path in
            (DirectedRouteSMP(method: .get, attribute: .nodeDescription, modifier: 0, path: path).mad, MADAddress.subnetManagement())
        }, options: options, progress: progress)
        var unanswered: [Topology.Unreachable] = []
        for (item, guid) in missing.enumerated() {
            if let answer = answers[item], let description = try? answer.attribute(NodeDescription.self) {
                topology.nodes[guid]?.description = description.text
                topology.nodes[guid]?.descriptionKnown = true
            } else {
                unanswered.append(.init(path: paths[item], node: guid, attribute: .nodeDescription, reason: "no answer"))
            }
        }
        return unanswered
    }
}
