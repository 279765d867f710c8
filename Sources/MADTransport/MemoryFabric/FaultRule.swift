public import MADWire

/// One direction of traffic between two LIDs of a ``MemoryFabric``: the node a MAD left
/// and the node it is going to (for a directed-route SMP, the node at the end of the
/// path, or back). Faults name links; `nil` in a rule means fabric-wide.
public struct FabricLink: Sendable, Hashable, CustomStringConvertible {
    public var from: UInt16
    public var to: UInt16
    public init(from: UInt16, to: UInt16) {
        self.from = from
        self.to = to
    }
    public var description: String { "\(from)->\(to)" }
}

/// A deterministic fault: which MADs it applies to (``Match``), which of those it picks
/// (``Selector``, drawing from a generator seeded by the fabric's seed and the rule's
/// order), and what it does (``Action``). Rules are checked in the order they were added;
/// the first rule that picks a MAD acts on it, and only that one.
public struct FaultRule: Sendable {
    public enum Action: Sendable, Hashable {
        /// The MAD is lost. A request with a timeout then ends as the transport reports a
        /// lost send (see ``MemoryFabric/Options/failLostSendsImmediately``).
        case drop
        /// The MAD arrives `copies + 1` times, back to back.
        case duplicate(copies: Int)
        /// The MAD arrives late: after a fixed delay (min == max) or one drawn uniformly
        /// from `min...max`, on the fabric's clock (real monotonic or virtual).
        case delay(min: Duration, max: Duration)
        /// The MAD is held back and released after `after` later MADs on the same link
        /// have been sent (or by ``MemoryFabric/releaseHeld()``).
        case reorder(after: Int)
        /// One byte at an offset drawn from `bytes` (offsets into the 256-byte MAD) is
        /// flipped (XOR 0xFF) in flight.
        case corrupt(bytes: Range<Int>)
        /// A request is not delivered; the fabric answers it itself with its response
        /// method and status busy (0x0001, IBA 13.4.7), as a busy responder does. Use
        /// `limit: N` to answer busy N times before letting requests through.
        case busy

        /// A fixed delay.
        public static func delay(_ fixed: Duration) -> Action { .delay(min: fixed, max: fixed) }
    }

    /// Which of the matching MADs the rule picks.
    public enum Selector: Sendable, Hashable {
        /// Every matching MAD.
        case always
        /// Each matching MAD with this probability in percent (0...100), drawn from the
        /// rule's seeded generator: the same seed and traffic give the same picks.
        case percent(Double)
        /// The matching MADs with these ordinals (1 = the first MAD this rule matched).
        case nth(Set<Int>)
        /// Every n-th matching MAD (n, 2n, 3n, ...).
        case every(Int)

        public static func nth(_ ordinal: Int) -> Selector { .nth([ordinal]) }
    }

    /// Which MADs the rule looks at.
    public struct Match: Sendable, Hashable {
        public enum Direction: Sendable, Hashable { case requests, responses, any }
        /// nil: every link.
        public var link: FabricLink?
        public var direction: Direction
        public var managementClass: ManagementClass?
        public var attributeID: AttributeID?

        public init(link: FabricLink? = nil, direction: Direction = .any,
                    managementClass: ManagementClass? = nil, attributeID: AttributeID? = nil) {
            self.link = link
            self.direction = direction
            self.managementClass = managementClass
            self.attributeID = attributeID
        }

        public static let all = Match()
    }

    public var action: Action
    public var match: Match
    public var selector: Selector
    /// At most this many injections; nil for no limit.
    public var limit: Int?

    public init(_ action: Action, match: Match = .all, selector: Selector = .always, limit: Int? = nil) {
        self.action = action
        self.match = match
        self.selector = selector
        self.limit = limit
    }
}

/// Names a rule added with ``MemoryFabric/addFault(_:)``.
public struct FaultRuleID: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
}

/// What the fabric did, counted exactly. Every MAD handed to a port's `send` counts once
/// in `sent`; each arrival at an agent counts in `delivered`.
public struct FabricCounters: Sendable, Hashable {
    public var sent = 0
    /// MADs handed to an agent's delegate (duplicates count once per copy).
    public var delivered = 0
    /// Requests answered by a built-in SMA or PMA.
    public var answeredBySimulation = 0
    public var dropped = 0
    /// Extra copies sent by `duplicate`.
    public var duplicated = 0
    public var delayed = 0
    public var reordered = 0
    public var corrupted = 0
    /// Busy answers sent by the `busy` fault.
    public var busy = 0
    /// Sends handed back with status 110 (ETIMEDOUT) when matching in the transport.
    public var timedOut = 0
    /// Responses with no outstanding send (matching in the transport) or no agent of
    /// their class: dropped, as ib_umad drops them.
    public var unmatchedResponses = 0
    /// Requests that reached a port with no agent for their class, version and method,
    /// or a LID with nothing attached, or a receiver whose pool had no free receive slot.
    public var undeliverable = 0
    /// Directed-route SMPs whose path leaves by a port with no link, or that use
    /// LID-routed parts (DrSLID/DrDLID), which this fabric does not simulate.
    public var unroutable = 0

    public init() {}
}
