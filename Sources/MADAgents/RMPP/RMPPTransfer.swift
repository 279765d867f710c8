import MADTransport
import MADWire

/// Names one transfer. A requester's transfers are keyed by class and the TID's low 32
/// bits (ib_umad rewrites the high half of request TIDs on the way out); a responder's by
/// class, the whole TID and the peer, as mad_rmpp.c `find_rmpp_recv` does.
struct RMPPKey: Hashable {
    var requester: Bool
    var managementClass: UInt8
    var transactionID: UInt64
    var lid: UInt16 = 0
    var queuePair: UInt32 = 0
    var gid: [UInt8]? = nil

    static func requester(_ managementClass: ManagementClass, _ transactionID: UInt64) -> RMPPKey {
        RMPPKey(requester: true, managementClass: managementClass.rawValue,
                transactionID: UInt64(TransactionID(rawValue: transactionID).sequence))
    }

    static func responder(_ managementClass: ManagementClass, _ transactionID: UInt64, _ peer: MADAddress) -> RMPPKey {
        RMPPKey(requester: false, managementClass: managementClass.rawValue, transactionID: transactionID,
                lid: peer.lid, queuePair: peer.queuePair, gid: peer.globalRoute?.destinationGID)
    }
}

/// One request (requester side) or one served request (responder side), through all its
/// phases: the request goes out (sending), the response comes back (receiving); or the
/// request comes in (receiving), the handler answers (answering), the response goes out.
final class RMPPTransfer {
    enum Phase {
        /// Our DATA goes out; ACKs slide the window.
        case sending
        /// Requester: every request segment ACKed; waiting for the response's first segment.
        case awaitingResponse
        /// The peer's DATA comes in.
        case receiving
        /// Responder: the handler has the request.
        case answering
        /// Done: kept a while to re-ACK duplicates of the last window (the kernel keeps a
        /// completed receive 10 s, `complete_rmpp`), then dropped.
        case finished
    }

    let key: RMPPKey
    let layout: RMPPLayout
    let options: RMPPOptions
    var phase: Phase
    var peer: MADAddress
    var agent: AgentID
    /// The request's header (first segment): the method of the request direction.
    var request: MAD
    var sender: RMPPSender?
    var receiver: RMPPReceiver?
    /// Response/ACK timer and total-transaction timer (monotonic ns; .max when off).
    var deadline: UInt64 = .max
    var totalDeadline: UInt64 = .max
    var attempts = 0
    /// The last pump ran out of send slots: the timer pumps again without a retry.
    var stalled = false
    /// Responder: NewWindowLast of the requester's switch-direction ACK (IBA 13.6.2.2;
    /// mad_rmpp.c `process_ds_ack`/`init_newwin`), the response's first window.
    var responseWindow = 1
    var continuation: CheckedContinuation<RMPPMessage, any Error>?
    var handler: RMPPHandler?

    init(key: RMPPKey, layout: RMPPLayout, options: RMPPOptions, phase: Phase, peer: MADAddress, agent: AgentID, request: MAD) {
        self.key = key
        self.layout = layout
        self.options = options
        self.phase = phase
        self.peer = peer
        self.agent = agent
        self.request = request
        responseMethod = request.method.response
    }

    /// The response's method: what the handler set, or what the response's DATA carries.
    var responseMethod: Method
    /// The method DATA of this side carries, and of the peer's DATA.
    var ourDataMethod: Method { key.requester ? request.method : responseMethod }
    var peerDataMethod: Method { key.requester ? responseMethod : request.method }

    var nextDeadline: UInt64 { min(deadline, totalDeadline) }
}

/// Work decided under the engine's lock and done outside it.
enum RMPPEffect {
    /// `segment`: the DATA segment number (nil for ACK/STOP/ABORT), so a send that finds no
    /// free slot can be retried without spending a retry.
    case send(MAD, to: MADAddress, agent: AgentID, key: RMPPKey, segment: Int?)
    case resume(CheckedContinuation<RMPPMessage, any Error>, Result<RMPPMessage, RMPPError>)
    case answer(RMPPKey, RMPPMessage, MADAddress, RMPPHandler)
}
