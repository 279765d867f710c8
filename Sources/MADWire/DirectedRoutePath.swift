/// A directed route (IBA 14.2.2): the output port at each hop from the local node, written
/// and read as infiniband-diags does: "0" is the local node, "0,1,3" leaves by port 1 and
/// then port 3. The leading 0 stands for path entry 0, which IBA reserves.
public struct DirectedRoutePath: Sendable, Hashable, CustomStringConvertible {
    /// Output port per hop, hop 1 first.
    public private(set) var ports: [UInt8]
    /// LID-routed parts (IBA 14.2.2.2); 0xFFFF, the permissive LID, when purely directed.
    public var drSLID: UInt16
    public var drDLID: UInt16

    public static let permissiveLID: UInt16 = 0xFFFF

    public var hopCount: Int { ports.count }

    /// A path of port numbers, hop 1 first. Throws for more than 63 hops or a port of 0
    /// or 255 (neither can be an output port).
    public init(ports: [UInt8], drSLID: UInt16 = permissiveLID, drDLID: UInt16 = permissiveLID) throws(MADWireError) {
        guard ports.count <= SMPLayout.maxHops else {
            throw MADWireError(.invalidValue, structure: "DirectedRoutePath", field: "HopCount",
                               detail: "\(ports.count) hops; a directed route holds at most 63 (IBA 14.2.2)")
        }
        if let bad = ports.firstIndex(where: { $0 == 0 || $0 == 255 }) {
            throw MADWireError(.invalidValue, structure: "DirectedRoutePath", field: "hop \(bad + 1)",
                               detail: "port \(ports[bad]) cannot be an output port; expected 1-254")
        }
        self.ports = ports
        self.drSLID = drSLID
        self.drDLID = drDLID
    }

    init(uncheckedPorts: [UInt8], drSLID: UInt16, drDLID: UInt16) {
        self.ports = uncheckedPorts
        self.drSLID = drSLID
        self.drDLID = drDLID
    }

    /// The local node: no hops.
    public static let local = DirectedRoutePath(uncheckedPorts: [], drSLID: permissiveLID, drDLID: permissiveLID)

    /// Parses "0,1,3" as infiniband-diags' -D accepts it. Unlike libibmad's str2drpath,
    /// which silently takes any first number as entry 0 and wraps ports over 255, this
    /// rejects what it cannot mean: empty text, non-numbers, a first entry other than 0,
    /// ports outside 1–254, and more than 63 hops.
    public init(parsing text: some StringProtocol) throws(MADWireError) {
        func fail(_ detail: String, _ field: String? = nil) -> MADWireError {
            MADWireError(.malformedText, structure: "DirectedRoutePath", field: field,
                         detail: "\"\(text)\": \(detail); expected comma-separated ports starting at 0, e.g. 0,1,3")
        }
        let trimmed = text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        guard !trimmed.isEmpty else { throw fail("empty path") }
        let elements = String(trimmed).split(separator: ",", omittingEmptySubsequences: false)
        var ports: [UInt8] = []
        for (index, element) in elements.enumerated() {
            let digits = element.drop { $0 == " " }.reversed().drop { $0 == " " }
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(String(digits.reversed())) else {
                throw fail("entry \(index) \"\(element)\" is not a port number", "entry \(index)")
            }
            if index == 0 {
                guard value == 0 else { throw fail("the path must start with 0 (the local node)", "entry 0") }
                continue
            }
            guard (1...254).contains(value) else {
                throw fail("port \(value) at hop \(index) is outside 1-254", "hop \(index)")
            }
            ports.append(UInt8(value))
        }
        guard ports.count <= SMPLayout.maxHops else {
            throw fail("\(ports.count) hops; a directed route holds at most 63 (IBA 14.2.2)", "HopCount")
        }
        self.init(uncheckedPorts: ports, drSLID: Self.permissiveLID, drDLID: Self.permissiveLID)
    }

    /// "0,1,3", as infiniband-diags prints a DR path.
    public var description: String {
        (["0"] + ports.map { String($0) }).joined(separator: ",")
    }

    /// The path one hop further out through `port`.
    public func appending(_ port: UInt8) throws(MADWireError) -> DirectedRoutePath {
        try DirectedRoutePath(ports: ports + [port], drSLID: drSLID, drDLID: drDLID)
    }
}
