public import MADAgents
import MADTransport
import Synchronization
public import MADWire

/// Directed-route discovery of a subnet from the local port (IBA 14.2.2, as libibnetdisc
/// walks it) with up to `window` SMPs outstanding across the whole breadth-first frontier,
/// where libibnetdisc keeps two.
///
/// For every node: NodeInfo (reached through the path), NodeDescription, and PortInfo of
/// the port discovery came in by (a channel adapter) or of every port 0…N (a switch), plus
/// SwitchInfo. A switch port whose PortInfo says the link is up (PortState above Down) is
/// followed with NodeInfo one hop further; a node met again (its NodeGUID known) closes a
/// link instead of being walked twice, so loops and parallel paths end. Only switches are
/// walked through: a channel adapter does not forward directed-route SMPs (IBA 14.2.2.2),
/// except the local one, which is the path's start.
///
/// Failures do not stop discovery: what gets no answer after the request's retries is
/// recorded in `Topology.unreachable` and the rest of the subnet is still walked.
public struct Discovery: Sendable {
    public struct Options: Sendable {
        /// SMPs outstanding at once (ibnetdiscover's -o/--outstanding_smps; default 64).
        public var window: Int
        /// Per-SMP timeout and retries.
        public var request: RequestOptions
        /// Hops from the local node to walk (nil: all; IBA allows 63).
        public var maxHops: Int?
        /// Where the walk starts (default: the local node).
        public var start: DirectedRoutePath = .local
        /// Walk as libibnetdisc's partial scan does instead (see `PartialScan`).
        public var partial: PartialScan?
        /// Ask every node's NodeDescription (false: a caller that names only some nodes,
        /// such as the error sweep, asks for those itself; one SMP per node less).
        public var nodeDescriptions = true
        /// Keep every NodeInfo answer in `Topology.sightings` (ibnetdiscover -s).
        public var recordsSightings = false

        /// Resends of SMPs (and, in the sweeps, PMA MADs) reported lost at once.
        public static let defaultQuickRetries = 100

        /// A non-zero status counts as no answer (`throwsOnErrorStatus` is forced on).
        /// `quickRetries` replaces the request's: resends of SMPs the transport reports lost
        /// at once (`RequestOptions.quickRetries`); 100 finds every node of a 2,048-host
        /// tree with 20 % of MADs dropped at every ibsim port.
        public init(window: Int = 64, request: RequestOptions = RequestOptions(timeoutMilliseconds: 1000, retries: 3),
                    maxHops: Int? = nil, quickRetries: Int = defaultQuickRetries) {
            self.window = window
            var request = request
            request.throwsOnErrorStatus = true
            request.quickRetries = quickRetries
            self.request = request
            self.maxHops = maxHops
        }
    }

    /// libibnetdisc's rules for a scan with `ibnd_config.max_hops` (ibnetdisc.c
    /// extend_dpath/retract_dpath/recv_port_info), kept so that iblinkinfo -D/-G/-n finds
    /// the same nodes and links: one fabric-wide count of the deepest hop reached (beyond
    /// the start) gates every step, so the first node found `hops + 1` away stops the walk
    /// in whatever order the SMPs are answered. A switch's ports are asked for after its
    /// port 0 answers; a port is followed when its PhysState is LinkUp and it is not the
    /// port the SMPs come in by (LocalPortNumber), or it is the start node's entry
    /// port; a channel adapter as start more than one hop away is left by shortening the
    /// path (retract_dpath), which libibnetdisc counts as a hop.
    public struct PartialScan: Sendable {
        /// 0: no limit.
        public var hops: Int
        /// The start was reached by LID (iblinkinfo -G): libibnetdisc does not leave a
        /// channel adapter reached that way.
        public var startIsLIDRouted: Bool
        public init(hops: Int, startIsLIDRouted: Bool = false) {
            self.hops = hops
            self.startIsLIDRouted = startIsLIDRouted
        }
    }

    public let agent: MADAgent
    public let options: Options
    /// Updated as the walk goes (nodes found, SMPs answered of those asked).
    public let progress: SweepProgress?

    public init(agent: MADAgent, options: Options = Options(), progress: SweepProgress? = nil) {
        self.agent = agent
        self.options = options
        self.progress = progress
    }

    /// What one SMP asks, and why.
    enum Job: Sendable {
        /// NodeInfo at `path`; `from` is the switch port the path leaves by (nil: local node).
        case nodeInfo(path: DirectedRoutePath, from: Topology.PortReference?)
        case nodeDescription(node: UInt64, path: DirectedRoutePath)
        case switchInfo(node: UInt64, path: DirectedRoutePath)
        case portInfo(node: UInt64, path: DirectedRoutePath, port: UInt8)

        var attribute: AttributeID {
            switch self {
            case .nodeInfo: .nodeInfo
            case .nodeDescription: .nodeDescription
            case .switchInfo: .switchInfo
            case .portInfo: .portInfo
            }
        }
        var path: DirectedRoutePath {
            switch self {
            case .nodeInfo(let path, _), .nodeDescription(_, let path), .switchInfo(_, let path), .portInfo(_, let path, _): path
            }
        }
        var modifier: UInt32 {
            if case .portInfo(_, _, let port) = self { return UInt32(port) }
            return 0
        }
    }

    /// Walks the subnet. Cancellation stops it between SMPs (what is known so far is
    /// returned, with what was still to ask marked unreachable as "cancelled").
    public func run() async -> Topology {
        let feed = DiscoveryFeed(maxHops: options.maxHops ?? 63, start: options.start, partial: options.partial,
                                 describes: options.nodeDescriptions, recordsSightings: options.recordsSightings,
                                 progress: progress)
        await withTaskCancellationHandler {
            await agent.sweep(feed: feed, options: options.request, limit: max(1, options.window))
        } onCancel: {
            feed.cancel()
        }
        return feed.topology
    }
}

/// Discovery as a ``RequestFeed``: the agent asks it for the next SMP as window entries
/// free up and hands it each outcome on the port's I/O thread, so the walk runs where the
/// responses arrive, with no task or thread hop per SMP.
final class DiscoveryFeed: RequestFeed, Sendable {
    private struct State {
        var walk: Walk
        /// Every SMP the walk asked for, in order; a request's tag is its index here.
        var jobs: [Discovery.Job]
        var next = 0
        var cancelled = false
    }
    private let state: Mutex<State>
    private let progress: SweepProgress?

    init(maxHops: Int, start: DirectedRoutePath = .local, partial: Discovery.PartialScan? = nil, describes: Bool = true,
         recordsSightings: Bool = false, progress: SweepProgress?) {
        let walk = Walk(maxHops: maxHops, start: start, partial: partial, describes: describes, recordsSightings: recordsSightings)
        state = Mutex(State(walk: walk,
                            jobs: [.nodeInfo(path: start, from: nil)]))
        self.progress = progress
        progress?.queue(1)
    }

    var topology: Topology { state.withLock { $0.walk.topology } }

    func cancel() { state.withLock { $0.cancelled = true } }

    func nextRequest() -> FeedRequest? {
        var mad = MAD()
        guard let (tag, destination) = nextRequest(into: &mad) else { return nil }
        return FeedRequest(tag: tag, mad: mad, destination: destination)
    }

    func nextRequest(into mad: inout MAD) -> (tag: Int, destination: MADAddress)? {
        let taken: (Int, Discovery.Job)? = state.withLock { state in
            if state.cancelled {
                while state.next < state.jobs.count {
                    state.walk.absorb(state.jobs[state.next], .failure(MADAgentError.cancelled), into: &state.jobs)
                    state.next += 1
                }
                return nil
            }
            guard state.next < state.jobs.count else { return nil }
            defer { state.next += 1 }
            return (state.next, state.jobs[state.next])
        }
        guard let (tag, job) = taken else { return nil }
        mad = DirectedRouteSMP(method: .get, attribute: job.attribute, modifier: job.modifier, path: job.path).mad
        return (tag, .subnetManagement())
    }

    func complete(_ tag: Int, _ outcome: RequestOutcome) {
        let result: Result<MAD, any Error>
        switch outcome {
        case .response(let mad): result = .success(mad)
        case .failure(let error): result = .failure(error)
        }
        let (added, nodes) = state.withLock { state in
            let before = state.jobs.count
            state.walk.absorb(state.jobs[tag], result, into: &state.jobs)
            return (state.jobs.count - before, state.walk.topology.nodes.count)
        }
        guard let progress else { return }
        progress.queue(added)
        progress.finish(1)
        progress.found(nodes: nodes)
    }
}

/// The walk's state (guarded by its feed's mutex).
struct Walk {
    var topology = Topology()
    let maxHops: Int
    let start: DirectedRoutePath
    let partial: Discovery.PartialScan?
    /// NodeDescription is asked of every node (`Discovery.Options.nodeDescriptions`).
    let describes: Bool
    /// `Discovery.Options.recordsSightings`.
    let recordsSightings: Bool
    /// Nodes whose NodeInfo arrived, so a node met twice is walked once.
    private var claimed: Set<UInt64> = []
    /// Partial scans: the start node and the port it was entered by; the deepest hop
    /// beyond the start reached so far (libibnetdisc's maxhops_discovered).
    private var startPort: Topology.PortReference?
    private var hopsReached = 0

    init(maxHops: Int, start: DirectedRoutePath = .local, partial: Discovery.PartialScan? = nil, describes: Bool = true,
         recordsSightings: Bool = false) {
        self.maxHops = maxHops
        self.start = start
        self.partial = partial
        self.describes = describes
        self.recordsSightings = recordsSightings
    }

    /// Records one answer (or failure) and appends the SMPs it calls for to `jobs`.
    mutating func absorb(_ job: Discovery.Job, _ result: Result<MAD, any Error>, into jobs: inout [Discovery.Job]) {
        let mad: MAD
        switch result {
        case .success(let response): mad = response
        case .failure(let error):
            var node: UInt64? = nil
            switch job {
            case .nodeInfo: break
            case .nodeDescription(let guid, _), .switchInfo(let guid, _), .portInfo(let guid, _, _): node = guid
            }
            topology.unreachable.append(.init(path: job.path, node: node, attribute: job.attribute, reason: "\(error)"))
            return
        }
        switch job {
        case .nodeInfo(let path, let from):
            guard let info = try? mad.attribute(NodeInfo.self) else { return malformed(job) }
            reached(info, at: path, from: from, into: &jobs)
        case .nodeDescription(let guid, _):
            guard let description = try? mad.attribute(NodeDescription.self) else { return malformed(job) }
            topology.nodes[guid]?.description = description.text
        case .switchInfo(let guid, _):
            guard let info = try? mad.attribute(SwitchInfo.self) else { return malformed(job) }
            topology.nodes[guid]?.switchInfo = info
        case .portInfo(let guid, let path, let number):
            // The node is found once and read and changed in place through its index: a
            // copy of it (or `nodes[guid]?.…`, which moves it out and back) per PortInfo
            // was most of the walk's work.
            guard let info = try? mad.attribute(PortInfo.self), let at = topology.nodes.index(forKey: guid) else {
                return malformed(job)
            }
            let (isSwitch, nodeInfo, linked) = topology.nodes.inPlace(at: at) { ($0.isSwitch, $0.info, $0.ports[number]?.remote) }
            let guidOfPort = isSwitch || number == nodeInfo.localPortNumber ? nodeInfo.portGUID : 0
            let existingRemote = linked ?? pendingRemotes.removeValue(forKey: Topology.PortReference(node: guid, port: number))
            topology.nodes.values[at].ports[number] = Topology.Port(number: number, info: info, guid: guidOfPort, remote: existingRemote)
            if let partial {
                return follow(partial, node: guid, isSwitch: isSwitch, path: path, port: number, info: info, into: &jobs)
            }
            // Follow a switch's up links (port 0 is the switch's own management port).
            guard isSwitch, number != 0, info.portState.rawValue > PortState.down.rawValue,
                  path.hopCount < maxHops, existingRemote == nil,
                  let onward = try? path.appending(number) else { return }
            jobs.append(.nodeInfo(path: onward, from: Topology.PortReference(node: guid, port: number)))
        }
    }

    /// A partial scan's PortInfo answer (`Discovery.PartialScan`).
    private mutating func follow(_ partial: Discovery.PartialScan, node guid: UInt64, isSwitch: Bool, path: DirectedRoutePath,
                                 port number: UInt8, info: PortInfo, into jobs: inout [Discovery.Job]) {
        if isSwitch && number == 0 {
            let count = topology.nodes[guid]?.info.numberOfPorts ?? 0
            if count > 0 { for port in 1...count { jobs.append(.portInfo(node: guid, path: path, port: port)) } }
            return
        }
        let here = Topology.PortReference(node: guid, port: number)
        // The port the SMPs come in by: libibnetdisc reads PortInfo:LocalPortNumber, the
        // same port as NodeInfo's for SMPs along the same route (IBA 14.2.5.3, 14.2.5.6).
        let entry = topology.nodes[guid]?.info.localPortNumber
        guard number != 0, info.portPhysicalState == .linkUp,
              (isSwitch && number != entry) || here == startPort else { return }
        // Reached by LID, libibnetdisc can neither extend nor retract from an adapter.
        if !isSwitch && partial.startIsLIDRouted { return }
        let limited = partial.hops != 0 && hopsReached > partial.hops
        let onward: DirectedRoutePath
        if !isSwitch && here.node == startPort?.node && path.hopCount > 1 {
            // retract_dpath: the adapter's neighbour is one hop back along the path.
            guard !limited, let back = try? DirectedRoutePath(ports: path.ports.dropLast()) else { return }
            hopsReached += 1
            onward = back
        } else {
            guard isSwitch || !partial.startIsLIDRouted, !limited, let next = try? path.appending(number) else { return }
            if next.hopCount - start.hopCount > hopsReached { hopsReached += 1 }
            onward = next
        }
        jobs.append(.nodeInfo(path: onward, from: here))
    }

    private mutating func malformed(_ job: Discovery.Job) {
        topology.unreachable.append(.init(path: job.path, node: nil, attribute: job.attribute,
                                          reason: "the response did not hold the attribute"))
    }

    /// A NodeInfo arrived from the node at `path`, entered by its port `info.localPortNumber`.
    private mutating func reached(_ info: NodeInfo, at path: DirectedRoutePath, from: Topology.PortReference?,
                                  into jobs: inout [Discovery.Job]) {
        let guid = info.nodeGUID
        let entry = info.localPortNumber
        let firstMeeting = claimed.insert(guid).inserted
        if firstMeeting {
            topology.order.append(guid)
            var node = Topology.Node(info: info, description: "", descriptionKnown: describes, switchInfo: nil, path: path)
            // Every port's PortInfo is on its way: grown one by one, a switch's dictionary
            // was rehashed (its ports copied) six times.
            node.ports.reserveCapacity(Int(info.numberOfPorts) + 1)
            topology.nodes[guid] = node
        }
        if recordsSightings { sighted(info, at: path, isNew: firstMeeting) }
        if let from { connect(from, Topology.PortReference(node: guid, port: entry)) }
        if partial != nil {
            if from == nil { startPort = Topology.PortReference(node: guid, port: entry) }
            // recv_node_info: a switch's other ports are asked once port 0 answers; a
            // channel adapter's entry port is asked each time it is met.
            if firstMeeting {
                if describes { jobs.append(.nodeDescription(node: guid, path: path)) }
                if info.nodeType == .switch {
                    jobs.append(.switchInfo(node: guid, path: path))
                    jobs.append(.portInfo(node: guid, path: path, port: 0))
                }
            }
            if info.nodeType != .switch { jobs.append(.portInfo(node: guid, path: path, port: entry)) }
            return
        }
        guard firstMeeting else { return }  // met again: a loop or a parallel link
        if describes { jobs.append(.nodeDescription(node: guid, path: path)) }
        if info.nodeType == .switch {
            jobs.append(.switchInfo(node: guid, path: path))
            for port in 0...info.numberOfPorts { jobs.append(.portInfo(node: guid, path: path, port: port)) }
        } else {
            jobs.append(.portInfo(node: guid, path: path, port: entry))
            // The local channel adapter is where the walk starts: leave through its port.
            if from == nil, path.hopCount == 0, let onward = try? path.appending(entry) {
                jobs.append(.nodeInfo(path: onward, from: Topology.PortReference(node: guid, port: entry)))
            }
        }
    }

    /// libibnetdisc's dump_endnode: a switch is shown as port 0 with port 0's LID once the
    /// port entered by has answered (recv_port_info gives a switch's ports port 0's LID).
    private mutating func sighted(_ info: NodeInfo, at path: DirectedRoutePath, isNew: Bool) {
        let node = topology.nodes[info.nodeGUID]
        let entered = node?.ports[info.localPortNumber]
        let addressed = info.nodeType == .switch ? entered.flatMap { _ in node?.ports[0] } : entered
        topology.sightings.append(.init(path: path, isNew: isNew, nodeType: info.nodeType, guid: info.nodeGUID,
                                        port: info.nodeType == .switch ? 0 : info.localPortNumber,
                                        lid: addressed?.info.lid ?? 0, lmc: addressed?.info.lmc ?? 0,
                                        description: node?.description ?? ""))
    }

    /// Records both ends of a link (kept aside for a port whose PortInfo has not answered).
    /// A port linked before loses its old partner, whose end is cleared (libibnetdisc's
    /// link_ports): a port has one link.
    private mutating func connect(_ a: Topology.PortReference, _ b: Topology.PortReference) {
        unlinkOldPartner(of: a, unless: b)
        unlinkOldPartner(of: b, unless: a)
        setRemote(of: a, to: b)
        setRemote(of: b, to: a)
    }

    private mutating func unlinkOldPartner(of end: Topology.PortReference, unless other: Topology.PortReference) {
        guard let old = remote(of: end) ?? pendingRemotes[end], old != other else { return }
        if let at = topology.nodes.index(forKey: old.node) {
            topology.nodes.inPlace(at: at) { node in
                if node.ports[old.port] != nil { node.ports[old.port]!.remote = nil }
            }
        }
        pendingRemotes[old] = nil
    }

    private mutating func remote(of end: Topology.PortReference) -> Topology.PortReference? {
        guard let at = topology.nodes.index(forKey: end.node) else { return nil }
        return topology.nodes.inPlace(at: at) { $0.ports[end.port]?.remote }
    }

    /// In place through the node's index (see the PortInfo case of `absorb`).
    private mutating func setRemote(of end: Topology.PortReference, to remote: Topology.PortReference) {
        guard let at = topology.nodes.index(forKey: end.node) else { return }
        let linked = topology.nodes.inPlace(at: at) { node in
            guard node.ports[end.port] != nil else { return false }
            node.ports[end.port]!.remote = remote
            return true
        }
        if !linked { pendingRemotes[end] = remote }
    }

    /// Remotes learned before the port's own PortInfo answered.
    private var pendingRemotes: [Topology.PortReference: Topology.PortReference] = [:]
}

extension Dictionary {
    /// `body` on the value at `index`, in place. Reading through `values[index]` copies the
    /// value out: for a topology node, its info, path and retains, on every SMP answered.
    mutating func inPlace<R>(at index: Index, _ body: (inout Value) -> R) -> R { body(&values[index]) }
}
