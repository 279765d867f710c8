import CInfiniBand

#if canImport(Glibc)
import Glibc
#endif

/// One CA port as libibumad reads it from sysfs (/sys/class/infiniband/CA/ports/N).
public struct UmadPortInfo: Sendable, Hashable {
    public var caName: String
    public var portNumber: Int
    /// 1 CA, 2 switch (its management port is port 0), 3 router (sysfs node_type).
    public var nodeType: UInt32
    public var baseLID: UInt16
    public var smLID: UInt16
    /// PortState (IBA 14.2.5.6): 1 Down, 2 Init, 3 Armed, 4 Active.
    public var state: UInt32
    /// PortPhysicalState: 5 LinkUp, 3 Disabled, ...
    public var physicalState: UInt32
    public var portGUID: UInt64
    /// "IB" or "InfiniBand" for InfiniBand, "Ethernet" for RoCE.
    public var linkLayer: String

    public init(caName: String, portNumber: Int, nodeType: UInt32 = 1, baseLID: UInt16 = 0, smLID: UInt16 = 0,
                state: UInt32, physicalState: UInt32 = 5, portGUID: UInt64 = 0, linkLayer: String = "IB") {
        self.caName = caName
        self.portNumber = portNumber
        self.nodeType = nodeType
        self.baseLID = baseLID
        self.smLID = smLID
        self.state = state
        self.physicalState = physicalState
        self.portGUID = portGUID
        self.linkLayer = linkLayer
    }

    public var isActive: Bool { state == 4 }
    public var isInfiniBand: Bool { linkLayer == "IB" || linkLayer == "InfiniBand" }

    /// As sysfs writes it ("4: ACTIVE").
    public var stateName: String {
        let names = [0: "NOP", 1: "DOWN", 2: "INIT", 3: "ARMED", 4: "ACTIVE", 5: "ACTIVE_DEFER"]
        return "\(state): \(names[Int(state)] ?? "unknown")"
    }
}

/// A CA and its ports, in libibumad's order.
public struct UmadCA: Sendable, Hashable {
    public var name: String
    public var ports: [UmadPortInfo]

    public init(name: String, ports: [UmadPortInfo]) {
        self.name = name
        self.ports = ports
    }
}

public enum UmadDevices {
    /// Every InfiniBand CA and its ports. Enumerates with umad_get_ca_device_list(): unlike
    /// umad_get_cas_names(), it does not invent the legacy "mthca0" when there is none.
    public static func list() throws(PortError) -> [UmadCA] {
        errno = 0
        let head = umad_get_ca_device_list()
        let listError = errno
        defer { umad_free_ca_device_list(head) }
        if head == nil && listError != 0 {
            throw .system(call: "umad_get_ca_device_list (/sys/class/infiniband)", errno: listError)
        }
        var names: [String] = []
        var node = head
        while let current = node {
            names.append(String(cString: current.pointee.ca_name))
            node = current.pointee.next
        }
        return names.map { UmadCA(name: $0, ports: ports(of: $0)) }
    }

    private static func ports(of caName: String) -> [UmadPortInfo] {
        var ca = umad_ca_t()
        guard umad_get_ca(caName, &ca) == 0 else { return [] }
        defer { umad_release_ca(&ca) }
        let nodeType = ca.node_type
        return withUnsafeBytes(of: ca.ports) { raw in
            raw.bindMemory(to: UnsafeMutablePointer<umad_port_t>?.self).compactMap { pointer in
                guard let port = pointer?.pointee else { return nil }
                return UmadPortInfo(
                    caName: caName, portNumber: Int(port.portnum), nodeType: nodeType,
                    baseLID: UInt16(truncatingIfNeeded: port.base_lid), smLID: UInt16(truncatingIfNeeded: port.sm_lid),
                    state: port.state, physicalState: port.phys_state, portGUID: UInt64(bigEndian: port.port_guid),
                    linkLayer: cString(port.link_layer))
            }
        }
    }

    /// The port to open, as infiniband-diags (libibumad's resolve_ca_name) chooses it: the
    /// named CA and port; without a port, the CA's first Active InfiniBand port (port 0 of a
    /// switch); without a CA, the first CA in the list that has one. A RoCE (Ethernet) port
    /// is chosen only when CA and port are both named. Unlike libibumad, a port that is not
    /// Active is an error here, not a fallback.
    public static func choose(from cas: [UmadCA], ca caName: String?, port portNumber: Int?) throws(PortError)
        -> UmadPortInfo
    {
        guard !cas.isEmpty else { throw .noDevice(requestedCA: caName) }
        var candidates = cas
        if let caName {
            guard let ca = cas.first(where: { $0.name == caName }) else {
                throw .caNotFound(caName, available: cas.map(\.name))
            }
            candidates = [ca]
        }
        var firstInactive: UmadPortInfo?
        for ca in candidates {
            // RoCE ports have a GSI (QP1) but no SMI: never a default, but open when the
            // CA and port are both named (a GSI agent on soft-RoCE, as ibping -S -C rxe0 -P 1).
            let ports = caName != nil && portNumber != nil ? ca.ports : ca.ports.filter(\.isInfiniBand)
            let considered: [UmadPortInfo]
            if let portNumber {
                considered = ports.filter { $0.portNumber == portNumber }
            } else if let switchPort = ports.first(where: { $0.nodeType == 2 && $0.portNumber == 0 }) {
                considered = [switchPort]
            } else {
                considered = ports
            }
            if let active = considered.first(where: \.isActive) { return active }
            firstInactive = firstInactive ?? considered.first
        }
        if let firstInactive {
            throw .portNotActive(ca: firstInactive.caName, port: firstInactive.portNumber, state: firstInactive.stateName)
        }
        let ca = candidates[0]
        throw .portNotFound(ca: ca.name, port: portNumber ?? 1, available: ca.ports.map(\.portNumber))
    }

    /// "/dev/infiniband/umadN" for the CA port, from /sys/class/infiniband_mad/umadN/{ibdev,port}
    /// (as libibumad's dev_to_umad_id finds it), or a pattern when none matches.
    static func umadDevicePath(ca: String, port: Int) -> String {
        for id in 0..<Int(UMAD_MAX_PORTS) {
            let directory = "/sys/class/infiniband_mad/umad\(id)"
            guard let device = readSysfs("\(directory)/ibdev"), device == ca,
                  let number = readSysfs("\(directory)/port"), Int(number) == port else { continue }
            return "/dev/infiniband/umad\(id)"
        }
        return "/dev/infiniband/umad* (\(ca) port \(port))"
    }

    /// The first line of a small sysfs file, trimmed.
    static func readSysfs(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let line = buffer[..<count].prefix { $0 != 0x0A && $0 != 0 }
        return String(decoding: line, as: UTF8.self)
    }
}

/// A NUL-terminated C char array (imported as a tuple) as a String.
func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}
