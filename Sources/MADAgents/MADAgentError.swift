public import MADTransport
public import MADWire

/// Why a request did not produce the answer its caller asked for.
public enum MADAgentError: Error, Sendable, CustomStringConvertible {
    /// No response after every attempt (1 + retries).
    case timeout(destination: MADAddress, managementClass: ManagementClass, attribute: AttributeID,
                 modifier: UInt32, attempts: Int)
    /// The responder stayed busy (status bit 0, IBA 13.4.7) through every busy retry.
    case busy(destination: MADAddress, attribute: AttributeID, attempts: Int)
    /// The response carried a non-zero status and the caller asked for status errors.
    /// Indirect: the 256-byte response inline would make every error, outcome and
    /// delivery that large, and the agent moves those on every MAD's path.
    indirect case status(MADStatus, destination: MADAddress, attribute: AttributeID, response: MAD)
    /// A directed-route response with the right TID failed IBA 14.2.2 validation.
    case invalidDirectedRouteResponse(MADWireError, destination: MADAddress)
    /// The port refused the send or reported a failure other than a timeout.
    case transport(String)
    /// The agent layer was closed while the request was outstanding.
    case closed
    /// The task awaiting the request was cancelled; the request left the window.
    case cancelled

    public var description: String {
        switch self {
        case .timeout(let destination, let managementClass, let attribute, let modifier, let attempts):
            "no response from \(Self.name(destination)) to \(managementClass) attribute "
                + "0x\(hexDigits(UInt64(attribute.rawValue), width: 4)) modifier 0x\(hexDigits(UInt64(modifier), width: 8)) "
                + "after \(attempts) attempt\(attempts == 1 ? "" : "s")"
        case .busy(let destination, let attribute, let attempts):
            "\(Self.name(destination)) stayed busy answering attribute 0x\(hexDigits(UInt64(attribute.rawValue), width: 4)) "
                + "after \(attempts) busy retries"
        case .status(let status, let destination, let attribute, _):
            "\(Self.name(destination)) answered attribute 0x\(hexDigits(UInt64(attribute.rawValue), width: 4)) "
                + "with status \(status)"
        case .invalidDirectedRouteResponse(let error, let destination):
            "invalid directed-route response from \(Self.name(destination)): \(error)"
        case .transport(let detail):
            "transport error: \(detail)"
        case .closed:
            "the MAD agent was closed"
        case .cancelled:
            "the request was cancelled"
        }
    }

    static func name(_ address: MADAddress) -> String {
        let lid = address.lid == 0xFFFF ? "permissive LID" : "LID \(address.lid)"
        return "\(lid) QP\(address.queuePair)"
    }
}
