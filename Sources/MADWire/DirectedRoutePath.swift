/// A directed route (IBA 14.2.2): the output port at each hop from the local node, written
/// and read as infiniband-diags does: "0" is the local node, "0,1,3" leaves by port 1 and
/// then port 3. The leading 0 stands for path entry 0, which IBA reserves.
///
/// Stored inline like the SMP's own 64-byte path, so building, extending and reading paths
/// allocates nothing (discovery makes one per node).
public struct DirectedRoutePath: Sendable, Hashable, CustomStringConvertible {
    /// Entry i is the output port at hop i (1...hopCount); entry 0 is reserved and zero.
    @usableFromInline var entries: FixedBytes<64>
    public private(set) var hopCount: Int
    /// LID-routed parts (IBA 14.2.2.2); 0xFFFF, the permissive LID, when purely directed.
    public var drSLID: UInt16
    public var drDLID: UInt16

    public static let permissiveLID: UInt16 = 0xFFFF

    /// A path of port numbers, hop 1 first. Throws for more than 63 hops or a port of 0
    /// or 255 (neither can be an output port).
    public init(ports: some Collection<UInt8>, drSLID: UInt16 = permissiveLID, drDLID: UInt16 = permissiveLID) throws(MADWireError) {
        guard ports.count <= SMPLayout.maxHops else {
            throw MADWireError(.invalidValue, structure: "DirectedRoutePath", field: "HopCount",
                               detail: "\(ports.count) hops; a directed route holds at most 63 (IBA 14.2.2)")
        }
        self = .local
        self.drSLID = drSLID
        self.drDLID = drDLID
        for port in ports {
            guard port != 0 && port != 255 else {
                throw MADWireError(.invalidValue, structure: "DirectedRoutePath", field: "hop \(hopCount + 1)",
                                   detail: "port \(port) cannot be an output port; expected 1-254")
            }
            hopCount += 1
            entries[hopCount] = port
        }
    }

    private init(drSLID: UInt16, drDLID: UInt16) {
        entries = FixedBytes()
        hopCount = 0
        self.drSLID = drSLID
        self.drDLID = drDLID
    }

    /// Reads hop count entries from index 1 of a 64-byte path as it sits in an SMP; the
    /// caller has checked hopCount <= 63.
    init(path: UnsafeRawBufferPointer, hopCount: Int, drSLID: UInt16, drDLID: UInt16) {
        self.init(drSLID: drSLID, drDLID: drDLID)
        self.hopCount = hopCount
        for hop in stride(from: 1, through: hopCount, by: 1) { entries[hop] = path[hop] }
    }

    /// The local node: no hops.
    public static let local = DirectedRoutePath(drSLID: permissiveLID, drDLID: permissiveLID)

    /// The output port at `hop` (1...hopCount).
    @inlinable public subscript(hop: Int) -> UInt8 {
        precondition(hop >= 1 && hop <= hopCount, "hop out of range")
        return entries[hop]
    }

    /// The ports hop 1 first (allocates: for printing and tests).
    public var ports: [UInt8] { (0..<hopCount).map { entries[$0 + 1] } }

    /// Calls `body` with the 64-byte path (entry 0 first), as an SMP carries it.
    public func withUnsafePathBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        entries.withUnsafeBytes(body)
    }

    /// Parses "0,1,3" as infiniband-diags' -D accepts it. Unlike libibmad's str2drpath,
    /// which silently takes any first number as entry 0 and wraps ports over 255, this
    /// rejects what it cannot mean: empty text, non-numbers, a first entry other than 0,
    /// ports outside 1–254, and more than 63 hops.
    public init(parsing text: some StringProtocol) throws(MADWireError) {
        func fail(_ detail: String, _ field: String? = nil) -> MADWireError {
            MADWireError(.malformedText, structure: "DirectedRoutePath", field: field,
                         detail: "\"\(text)\": \(detail); expected comma-separated ports starting at 0, e.g. 0,1,3")
        }
        func trimmed(_ part: Substring) -> Substring {
            part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed().reduce(into: Substring()) { $0.append($1) }
        }
        let whole = trimmed(Substring(text))
        guard !whole.isEmpty else { throw fail("empty path") }
        self = .local
        for (index, element) in whole.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let digits = trimmed(element)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else {
                throw fail("entry \(index) \"\(element)\" is not a port number", "entry \(index)")
            }
            if index == 0 {
                guard value == 0 else { throw fail("the path must start with 0 (the local node)", "entry 0") }
                continue
            }
            guard (1...254).contains(value) else {
                throw fail("port \(value) at hop \(index) is outside 1-254", "hop \(index)")
            }
            guard hopCount < SMPLayout.maxHops else {
                throw fail("more than 63 hops; a directed route holds at most 63 (IBA 14.2.2)", "HopCount")
            }
            hopCount += 1
            entries[hopCount] = UInt8(value)
        }
    }

    /// "0,1,3", as infiniband-diags prints a DR path.
    public var description: String {
        var text = "0"
        for hop in stride(from: 1, through: hopCount, by: 1) { text += ",\(entries[hop])" }
        return text
    }

    /// The path one hop further out through `port` (no allocation).
    public func appending(_ port: UInt8) throws(MADWireError) -> DirectedRoutePath {
        guard hopCount < SMPLayout.maxHops else {
            throw MADWireError(.invalidValue, structure: "DirectedRoutePath", field: "HopCount",
                               detail: "\(hopCount + 1) hops; a directed route holds at most 63 (IBA 14.2.2)")
        }
        guard port != 0 && port != 255 else {
            throw MADWireError(.invalidValue, structure: "DirectedRoutePath", field: "hop \(hopCount + 1)",
                               detail: "port \(port) cannot be an output port; expected 1-254")
        }
        var longer = self
        longer.hopCount += 1
        longer.entries[longer.hopCount] = port
        return longer
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.hopCount == rhs.hopCount && lhs.drSLID == rhs.drSLID && lhs.drDLID == rhs.drDLID && lhs.entries == rhs.entries
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(hopCount)
        hasher.combine(drSLID)
        hasher.combine(drDLID)
        entries.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
