import MADWire

/// Why a port could not be opened or used. Each description names the device or file
/// involved and what to do about it.
public enum PortError: Error, Sendable, Hashable, CustomStringConvertible {
    /// /sys/class/infiniband lists no device (no RDMA driver, or no HCA).
    case noDevice(requestedCA: String?)
    /// The CA named does not exist; `available` lists those that do.
    case caNotFound(String, available: [String])
    /// The CA has no port `port`; `available` lists its port numbers.
    case portNotFound(ca: String, port: Int, available: [Int])
    /// The port exists but is not Active (IBA 14.2.5.6 PortState; sysfs `state`).
    case portNotActive(ca: String, port: Int, state: String)
    /// The kernel module ib_umad is not loaded (no /sys/class/infiniband_mad/abi_version).
    case umadNotLoaded
    /// No /dev/infiniband/umadN belongs to this CA port (sysfs infiniband_mad).
    case noUmadDevice(ca: String, port: Int)
    /// Opening /dev/infiniband/umadN failed with EACCES or EPERM.
    case permissionDenied(device: String, errno: Int32)
    /// Opening the umad device failed otherwise.
    case openFailed(device: String, errno: Int32)
    /// The kernel's ib_user_mad header is not 64 bytes (no P_Key index support, ABI < 5).
    case unsupportedABI(headerSize: Int)
    /// The pool given to the port does not leave room for ib_user_mad's header.
    case poolLayout(String)
    /// umad_register refused the agent (kernel: class/version/method already taken, bad
    /// class, QP0 without permission, ...).
    case registrationRefused(class: UInt8, version: UInt8, errno: Int32)
    /// The registration itself is malformed (response method in the mask, OUI rules).
    case invalidRegistration(String)
    /// The agent id is not registered on this port.
    case unknownAgent(UInt32)
    /// The slot is not a send slot of this port's pool, or lies outside its region.
    case invalidSlot(String)
    /// umad_send (write to the umad device) failed.
    case sendFailed(errno: Int32)
    /// The port has been closed.
    case closed
    /// A libibumad or system call failed where none of the above applies.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .noDevice(let requested):
            let what = requested.map { "CA \"\($0)\" not found: " } ?? ""
            return "\(what)no InfiniBand device: /sys/class/infiniband has no entries. Load the HCA driver "
                + "and ib_umad (modprobe ib_umad), or run under a simulator (scripts/with-fabric)"
        case .caNotFound(let name, let available):
            return "CA \"\(name)\" not found in /sys/class/infiniband; available: "
                + (available.isEmpty ? "none" : available.joined(separator: ", "))
        case .portNotFound(let ca, let port, let available):
            return "port \(port) does not exist on CA \(ca) (/sys/class/infiniband/\(ca)/ports/\(port)); "
                + "its ports: \(available.map(String.init).joined(separator: ", "))"
        case .portNotActive(let ca, let port, let state):
            return "port \(port) of CA \(ca) is not active (state \(state), "
                + "/sys/class/infiniband/\(ca)/ports/\(port)/state): check the cable and that a subnet "
                + "manager is running (opensm), or choose another port"
        case .umadNotLoaded:
            return "ib_umad is not loaded (/sys/class/infiniband_mad/abi_version missing): modprobe ib_umad"
        case .noUmadDevice(let ca, let port):
            return "no /dev/infiniband/umadN for \(ca) port \(port) (/sys/class/infiniband_mad/umad*/ibdev): "
                + "is ib_umad loaded (modprobe ib_umad)?"
        case .permissionDenied(let device, let errno):
            return "cannot open \(device): \(errorName(errno)). Run as root, add a udev rule giving your "
                + "group access (KERNEL==\"umad*\", GROUP=\"rdma\", MODE=\"0660\"), or join the rdma group"
        case .openFailed(let device, let errno):
            return "cannot open \(device): \(errorName(errno))"
        case .unsupportedABI(let size):
            return "the kernel's ib_user_mad header is \(size) bytes, not 64: ib_umad ABI 5 with P_Key "
                + "indices is required (/sys/class/infiniband_mad/abi_version)"
        case .poolLayout(let why):
            return "MAD buffer pool unsuitable for umad: \(why); create it with sendHeadroom and "
                + "receiveHeadroom of 64 (sizeof(struct ib_user_mad)), or let UmadPort create it"
        case .registrationRefused(let managementClass, let version, let errno):
            return "agent registration refused for class 0x\(hexDigits(UInt64(managementClass), width: 2)) "
                + "version \(version): \(errorName(errno)) (ioctl IB_USER_MAD_REGISTER_AGENT on the umad "
                + "device); another agent may hold that class, version and method, or the class is invalid"
        case .invalidRegistration(let why):
            return "invalid agent registration: \(why)"
        case .unknownAgent(let id):
            return "agent \(id) is not registered on this port: register() first"
        case .invalidSlot(let why):
            return "cannot send this slot: \(why)"
        case .sendFailed(let errno):
            return "umad_send failed: \(errorName(errno)) (write to the umad device)"
        case .closed:
            return "the port is closed"
        case .system(let call, let errno):
            return "\(call) failed: \(errorName(errno))"
        }
    }
}

#if canImport(Glibc)
import Glibc

/// "EACCES (Permission denied)" for errno 13.
func errorName(_ code: Int32) -> String {
    let names: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EIO: "EIO", EBADF: "EBADF", ENOMEM: "ENOMEM", EACCES: "EACCES",
        EBUSY: "EBUSY", ENODEV: "ENODEV", EINVAL: "EINVAL", ENOSPC: "ENOSPC", ETIMEDOUT: "ETIMEDOUT",
        EOPNOTSUPP: "EOPNOTSUPP", EAGAIN: "EAGAIN",
    ]
    let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
    return names[code].map { "\($0) (\(text))" } ?? "errno \(code) (\(text))"
}
#endif
