import MADWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A request a built-in responder (or the `busy` fault) answers on the requester's thread.
struct SimulatedRequest: Sendable {
    var request: MAD
    var responderLID: UInt16
    /// The port of the responder the request came in on (the last hop of a directed route).
    var arrivalPort: UInt8
    var requesterLID: UInt16
    /// Answer with status busy instead of asking the responder.
    var busy: Bool
}

/// Node, topology, fault and counter state of a `MemoryFabric`, under one mutex. Ports
/// hold it strongly; the public `MemoryFabric` closes it on deinit, which breaks the cycle.
final class FabricCore: Sendable {
    struct NodeState {
        var identity: SimulatedNode
        var agents: SimulatedAgents
        var port: MemoryFabricPort?
        var links: [UInt8: (lid: UInt16, port: UInt8)] = [:]
        var portCounters: [UInt8: PortCounters] = [:]
        var portCountersExtended: [UInt8: PortCountersExtended] = [:]
        /// What the PMA's ClassPortInfo says it supports (CapabilityMask, CapabilityMask2).
        var performanceCapabilities = MemoryFabric.PerformanceCapabilities()

        var isSwitch: Bool { identity.nodeType == .switch }
        /// Where a LID-routed MAD comes in: port 1 of a channel adapter, port 0 of a switch.
        var defaultPort: UInt8 { isSwitch ? 0 : 1 }
    }

    struct RuleState {
        let id: FaultRuleID
        let rule: FaultRule
        var generator: SplitMix64
        var matched = 0
        var injected = 0
    }

    struct HeldMAD {
        let link: FabricLink
        var remaining: Int
        let loop: IOLoop
        let work: PortWork
    }

    struct State: ~Copyable {
        var nodes: [UInt16: NodeState] = [:]
        var rules: [RuleState] = []
        var nextRule = 0
        var held: [HeldMAD] = []
        var counters = FabricCounters()
        var closed = false
    }

    let options: MemoryFabric.Options
    let clock: FabricClock
    let state = Mutex(State())
    private let sequence = Atomic<UInt64>(0)

    init(_ options: MemoryFabric.Options) {
        self.options = options
        clock = FabricClock(virtual: options.virtualClock)
    }

    func event(after delay: Duration, _ work: PortWork) -> ScheduledWork {
        ScheduledWork(due: clock.now + delay.nanoseconds, sequence: sequence.add(1, ordering: .relaxed).newValue, work: work)
    }

    func count(_ body: (inout FabricCounters) -> Void) {
        state.withLock { body(&$0.counters) }
    }

    // MARK: Nodes and links

    func addNode(lid: UInt16, identity: SimulatedNode, agents: SimulatedAgents, port: MemoryFabricPort?) throws(MemoryFabricError) {
        try state.withLock { state throws(MemoryFabricError) in
            guard !state.closed else { throw .closed }
            guard (1...0xBFFF).contains(lid) else { throw .invalidLID(lid) }
            guard state.nodes[lid] == nil else { throw .lidInUse(lid) }
            state.nodes[lid] = NodeState(identity: identity, agents: agents, port: port)
        }
    }

    func withNode(_ lid: UInt16, _ body: (inout NodeState) -> Void) throws(MemoryFabricError) {
        try state.withLock { state throws(MemoryFabricError) in
            guard state.nodes[lid] != nil else { throw .noSuchNode(lid) }
            body(&state.nodes[lid]!)
        }
    }

    func connect(_ lidA: UInt16, _ portA: UInt8, _ lidB: UInt16, _ portB: UInt8) throws(MemoryFabricError) {
        try state.withLock { state throws(MemoryFabricError) in
            for (lid, port) in [(lidA, portA), (lidB, portB)] {
                guard let node = state.nodes[lid] else { throw .noSuchNode(lid) }
                guard (1...node.identity.numberOfPorts).contains(port) else { throw .noSuchPort(lid: lid, port: port) }
                guard node.links[port] == nil else { throw .portInUse(lid: lid, port: port) }
            }
            state.nodes[lidA]!.links[portA] = (lidB, portB)
            state.nodes[lidB]!.links[portB] = (lidA, portA)
        }
    }

    func detach(_ port: MemoryFabricPort) {
        state.withLock { state in
            if state.nodes[port.localLID]?.port === port { state.nodes[port.localLID]!.port = nil }
        }
    }

    func close() {
        let ports = state.withLock { state -> [MemoryFabricPort] in
            state.closed = true
            state.held.removeAll()
            return state.nodes.values.compactMap(\.port)
        }
        for port in ports { port.close() }
    }

    var loops: [IOLoop] { state.withLock { $0.nodes.values.compactMap { $0.port?.loop } } }

    func advanceClock(by duration: Duration) {
        clock.advance(by: duration.nanoseconds)
        for loop in loops { loop.wake() }
    }

    func waitUntilIdle(timeout: Duration) -> Bool {
        let deadline = FabricClock(virtual: false).now + timeout.nanoseconds
        var quietPasses = 0
        while FabricClock(virtual: false).now < deadline {
            // Two quiet passes in a row: a handler may enqueue on a loop already checked.
            quietPasses = loops.allSatisfy(\.isIdle) ? quietPasses + 1 : 0
            if quietPasses >= 2 { return true }
            usleep(500)
        }
        return false
    }

    // MARK: Faults

    func addFault(_ rule: FaultRule) -> FaultRuleID {
        state.withLock { state in
            let id = FaultRuleID(rawValue: state.nextRule)
            state.nextRule += 1
            let seed = options.seed ^ (UInt64(id.rawValue) &+ 1) &* 0x9E37_79B9_7F4A_7C15
            state.rules.append(RuleState(id: id, rule: rule, generator: SplitMix64(seed: seed)))
            return id
        }
    }

    func releaseHeld() {
        let released = state.withLock { state -> [HeldMAD] in
            defer { state.held.removeAll() }
            return state.held
        }
        for held in released { held.loop.enqueue(event(after: .zero, held.work)) }
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same on every platform.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Uniform in `range` (non-empty).
    mutating func next(in range: ClosedRange<UInt64>) -> UInt64 {
        let span = range.upperBound &- range.lowerBound
        return span == .max ? next() : range.lowerBound + next() % (span + 1)
    }
}
