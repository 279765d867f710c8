import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// Why a ``VerbsGSIPort`` could not be opened or used. Each description names the device,
/// port or value involved, what was expected, and what to do about it.
public enum VerbsPortError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libibverbs lists no device: no uverbs in the kernel (ENOSYS) or no RDMA device.
    case noDevices(errno: Int32)
    /// The device named does not exist; `available` lists those that do.
    case deviceNotFound(String, available: [String])
    /// The device has no port `port`; its ports are 1...`portCount` (IBA 14.2.5.1).
    case portNotFound(device: String, port: Int, portCount: Int)
    /// The port exists but is not Active (ibv_port_attr.state).
    case portNotActive(device: String, port: Int, state: UInt32)
    /// The port's GID table has no entry `index` (out of range or not populated).
    case gidIndexNotFound(device: String, port: Int, index: Int, populated: [Int])
    /// ibv_modify_qp answered EPERM (or EACCES) setting the privileged GSI Q_Key.
    case privilegedQueueKey(device: String, queueKey: UInt32, errno: Int32)
    /// SMP classes go to QP0, which a verbs consumer cannot reach.
    case subnetManagementNotReachable(class: UInt8)
    /// The registration is malformed or collides with another agent's.
    case invalidRegistration(String)
    /// The agent id is not registered on this port.
    case unknownAgent(UInt32)
    /// The pool given to the port does not fit a UD QP (receive headroom must be the GRH).
    case poolLayout(String)
    /// The slot is not a send slot of this port's pool, or lies outside its region.
    case invalidSlot(String)
    /// The destination cannot be addressed on this link layer (RoCE needs a GID).
    case unroutable(String)
    /// ibv_create_ah failed for a destination.
    case addressHandle(destination: String, errno: Int32)
    /// ibv_post_send / ibv_post_recv refused a work request.
    case postFailed(call: String, errno: Int32)
    /// The port has been closed.
    case closed
    /// A verbs or system call failed where none of the above applies.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .noDevices(let code):
            let why = code == ENOSYS ? "the kernel has no uverbs support (/sys/class/infiniband_verbs missing)" : "none found"
            return "no RDMA device for verbs: \(why). Load the device driver and ib_uverbs (modprobe ib_uverbs; "
                + "for soft-RoCE: modprobe rdma_rxe && rdma link add rxe0 type rxe netdev IFACE)"
        case .deviceNotFound(let name, let available):
            return "RDMA device \"\(name)\" not found; available: "
                + (available.isEmpty ? "none" : available.joined(separator: ", "))
        case .portNotFound(let device, let port, let count):
            return "device \(device) has no port \(port); its ports are "
                + (count == 1 ? "1" : "1-\(count)")
        case .portNotActive(let device, let port, let state):
            let names: [UInt32: String] = [0: "NOP", 1: "DOWN", 2: "INIT", 3: "ARMED", 4: "ACTIVE", 5: "ACTIVE_DEFER"]
            return "port \(port) of device \(device) is not active (state \(state): \(names[state] ?? "unknown")); "
                + "check the link (for RoCE, that the network interface is up)"
        case .gidIndexNotFound(let device, let port, let index, let populated):
            return "device \(device) port \(port) has no GID index \(index); populated indices: "
                + (populated.isEmpty ? "none" : populated.map(String.init).joined(separator: ", "))
                + " (rdma link / ibv_devinfo -v lists them)"
        case .privilegedQueueKey(let device, let key, let code):
            return "cannot give the UD QP on \(device) the GSI Q_Key 0x\(hexDigits(UInt64(key), width: 8)): "
                + "ibv_modify_qp answered \(errorName(code)). A Q_Key with the high bit set is privileged "
                + "(IBA 10.2.4); run as root, grant CAP_NET_RAW (setcap cap_net_raw+ep BINARY), or allow it "
                + "system-wide with `rdma system set privileged-qkey on`"
        case .subnetManagementNotReachable(let managementClass):
            return "class 0x\(hexDigits(UInt64(managementClass), width: 2)) is subnet management: SMPs travel on "
                + "QP0, which is not reachable through verbs (and RoCE has no QP0); use UmadPort for SMPs"
        case .invalidRegistration(let why):
            return "invalid agent registration: \(why)"
        case .unknownAgent(let id):
            return "agent \(id) is not registered on this port: register() first"
        case .poolLayout(let why):
            return "MAD buffer pool unsuitable for a verbs UD QP: \(why); create it with receiveHeadroom 40 "
                + "(the GRH) and send and receive slots, or let VerbsGSIPort create it"
        case .invalidSlot(let why):
            return "cannot send this slot: \(why)"
        case .unroutable(let why):
            return "cannot address the destination: \(why)"
        case .addressHandle(let destination, let code):
            return "ibv_create_ah for \(destination) failed: \(errorName(code))"
                + (code == ETIMEDOUT || code == ENODATA || code == EHOSTUNREACH
                   ? " (no route or neighbour for the destination GID)" : "")
        case .postFailed(let call, let code):
            return "\(call) failed: \(errorName(code))"
        case .closed:
            return "the port is closed"
        case .system(let call, let code):
            return "\(call) failed: \(errorName(code))"
        }
    }

    /// What a failed ibv_modify_qp to `state` means: EPERM/EACCES while setting a privileged
    /// Q_Key (at INIT, where the Q_Key is set) is the missing-privilege case.
    static func modifyQueuePair(errno code: Int32, toState state: String, device: String, queueKey: UInt32) -> VerbsPortError {
        if (code == EPERM || code == EACCES) && state == "INIT" && queueKey & 0x8000_0000 != 0 {
            return .privilegedQueueKey(device: device, queueKey: queueKey, errno: code)
        }
        return .system(call: "ibv_modify_qp (UD QP to \(state))", errno: code)
    }
}
