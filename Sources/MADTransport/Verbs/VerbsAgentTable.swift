import MADWire

/// The agents registered on a ``VerbsGSIPort`` and which one a received MAD belongs to.
/// On a UD QP every MAD arrives at the one QP, so the port does in software what the
/// kernel's ib_mad does per agent (find_mad_agent in mad.c): a request goes to the agent
/// registered for its class, version (and OUI for vendor range 2) and method; a response
/// goes to the agent whose id the requester put in the TID's high 32 bits (MADAgent does),
/// else to the first agent of its class. Nothing is matched or held: the requester owns
/// TIDs, deadlines and retries (DESIGN.md), like MemoryFabric's verbs style.
struct VerbsAgentTable: Sendable {
    private(set) var agents: [(id: AgentID, registration: AgentRegistration)] = []
    private var nextID: UInt32 = 1

    /// Validates and adds `registration`. SMP classes are refused: QP0 is not a verbs QP.
    mutating func register(_ registration: AgentRegistration) throws(VerbsPortError) -> AgentID {
        let managementClass = registration.managementClass
        if managementClass.isSubnetManagement {
            throw .subnetManagementNotReachable(class: managementClass.rawValue)
        }
        for method in registration.methods where method.rawValue & 0x80 != 0 {
            throw .invalidRegistration("\(method) is a response method; register request methods (0-127)")
        }
        if managementClass.isVendorRange2 && (!registration.methods.isEmpty || registration.oui != nil) {
            // A receiving agent of range 2 is one OUI's; a requester (no methods) may leave it
            // out: its responses find it by TID whatever their OUI.
            guard let oui = registration.oui, oui != 0, oui <= 0xFF_FFFF else {
                throw .invalidRegistration("vendor class 0x\(hexDigits(UInt64(managementClass.rawValue), width: 2)) "
                                           + "(range 2) needs a non-zero 24-bit OUI (IBA 13.4.4)")
            }
        } else if registration.oui != nil {
            throw .invalidRegistration("an OUI applies to vendor classes 0x30-0x4F only")
        }
        for (id, other) in agents where other.managementClass == managementClass
            && other.classVersion == registration.classVersion && other.oui == registration.oui {
            let shared = other.methods.intersection(registration.methods)
            if !shared.isEmpty {
                throw .invalidRegistration("agent \(id.rawValue) already takes \(shared.sorted { $0.rawValue < $1.rawValue }) "
                                           + "of class \(managementClass) version \(registration.classVersion)")
            }
        }
        let id = AgentID(rawValue: nextID)
        nextID &+= 1
        agents.append((id, registration))
        return id
    }

    @discardableResult
    mutating func unregister(_ agent: AgentID) -> Bool {
        guard let position = agents.firstIndex(where: { $0.id == agent }) else { return false }
        agents.remove(at: position)
        return true
    }

    func contains(_ agent: AgentID) -> Bool { agents.contains { $0.id == agent } }

    /// The agent a received MAD (its header bytes) is delivered to, or nil (dropped).
    func owner(of header: MADSummary, version: UInt8, oui: UInt32?) -> AgentID? {
        let candidates = agents.filter { Self.takes($0.registration, header.managementClass, version, oui) }
        if header.method.isResponse {
            let high = UInt32(truncatingIfNeeded: header.transactionID >> 32)
            return (candidates.first { $0.id.rawValue == high } ?? candidates.first)?.id
        }
        return candidates.first { $0.registration.methods.contains(header.method) }?.id
    }

    private static func takes(_ registration: AgentRegistration, _ managementClass: ManagementClass,
                              _ version: UInt8, _ oui: UInt32?) -> Bool {
        guard registration.managementClass == managementClass, registration.classVersion == version else { return false }
        if managementClass.isVendorRange2 { return registration.oui == nil || registration.oui == oui }
        return true
    }
}
