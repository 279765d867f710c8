import CInfiniBand

#if canImport(Glibc)
import Glibc
#endif

/// The verbs objects behind one ``VerbsGSIPort``, freed in reverse order of creation by
/// `destroy()` (also from deinit, so a port whose init throws halfway leaks nothing).
/// Raw pointers into libibverbs: used only under the port's lock or on its I/O thread.
final class VerbsResources: @unchecked Sendable {
    var context: UnsafeMutablePointer<ibv_context>?
    var protectionDomain: UnsafeMutablePointer<ibv_pd>?
    var memoryRegion: UnsafeMutablePointer<ibv_mr>?
    var channel: UnsafeMutablePointer<ibv_comp_channel>?
    var completionQueue: UnsafeMutablePointer<ibv_cq>?
    var queuePair: UnsafeMutablePointer<ibv_qp>?
    var addressHandles: [AddressHandleKey: UnsafeMutablePointer<ibv_ah>] = [:]

    /// Destroys the QP only: posted buffers are no longer the device's afterwards.
    func destroyQueuePair() {
        if let queuePair { _ = ibv_destroy_qp(queuePair) }
        queuePair = nil
    }

    func destroy() {
        destroyQueuePair()
        for handle in addressHandles.values { _ = ibv_destroy_ah(handle) }
        addressHandles.removeAll()
        // Every CQ event was acknowledged as it was read, so destroy_cq cannot block.
        if let completionQueue { _ = ibv_destroy_cq(completionQueue) }
        completionQueue = nil
        if let channel { _ = ibv_destroy_comp_channel(channel) }
        channel = nil
        if let memoryRegion { _ = ibv_dereg_mr(memoryRegion) }
        memoryRegion = nil
        if let protectionDomain { _ = ibv_dealloc_pd(protectionDomain) }
        protectionDomain = nil
        if let context { _ = ibv_close_device(context) }
        context = nil
    }

    deinit { destroy() }
}

/// One port of a verbs device as opened: what ``VerbsGSIPort`` reports about itself.
public struct VerbsPortInfo: Sendable, Hashable {
    public enum LinkLayer: Sendable, Hashable { case infiniBand, ethernet }
    public enum GIDType: Sendable, Hashable { case infiniBand, roceV1, roceV2 }

    public var deviceName: String
    public var portNumber: Int
    public var gidIndex: Int
    /// The port's GID at `gidIndex`, network order.
    public var gid: [UInt8]
    public var gidType: GIDType
    public var linkLayer: LinkLayer
    public var lid: UInt16
    public var smLID: UInt16
    public var isRoCE: Bool { linkLayer == .ethernet }
}

enum VerbsDevice {
    /// Opens `name` (nil: the first device libibverbs lists). Errors name what exists.
    static func open(_ name: String?) throws(VerbsPortError) -> (UnsafeMutablePointer<ibv_context>, String) {
        var count: Int32 = 0
        errno = 0
        guard let list = ibv_get_device_list(&count) else { throw .noDevices(errno: errno != 0 ? errno : ENODEV) }
        defer { ibv_free_device_list(list) }
        var names: [String] = []
        var chosen: UnsafeMutablePointer<ibv_device>?
        for position in 0..<Int(count) {
            guard let device = list[position], let cName = ibv_get_device_name(device) else { continue }
            let deviceName = String(cString: cName)
            names.append(deviceName)
            if chosen == nil && (name == nil || name == deviceName) { chosen = device }
        }
        guard let chosen else {
            if names.isEmpty { throw .noDevices(errno: ENODEV) }
            throw .deviceNotFound(name ?? "", available: names)
        }
        let deviceName = String(cString: ibv_get_device_name(chosen))
        errno = 0
        guard let context = ibv_open_device(chosen) else {
            throw .system(call: "ibv_open_device(\(deviceName)) (/dev/infiniband/uverbs*)", errno: errno != 0 ? errno : EIO)
        }
        return (context, deviceName)
    }

    /// Checks port `port` and GID index `gidIndex` on the open device and describes them.
    static func describe(_ context: UnsafeMutablePointer<ibv_context>, name: String, port: Int,
                         gidIndex: Int) throws(VerbsPortError) -> VerbsPortInfo {
        var deviceAttributes = ibv_device_attr()
        let queried = ibv_query_device(context, &deviceAttributes)
        guard queried == 0 else { throw .system(call: "ibv_query_device(\(name))", errno: queried) }
        let portCount = Int(deviceAttributes.phys_port_cnt)
        guard port >= 1, port <= portCount else {
            throw .portNotFound(device: name, port: port, portCount: portCount)
        }
        var attributes = ibv_port_attr()
        let portQueried = CInfiniBand_ibv_query_port(context, UInt8(port), &attributes)
        guard portQueried == 0 else { throw .system(call: "ibv_query_port(\(name), \(port))", errno: portQueried) }
        guard attributes.state == IBV_PORT_ACTIVE else {
            throw .portNotActive(device: name, port: port, state: attributes.state.rawValue)
        }
        let tableLength = Int(attributes.gid_tbl_len)
        guard let entry = gidEntry(context, port: port, index: gidIndex, tableLength: tableLength) else {
            let populated = (0..<min(tableLength, 256)).filter {
                gidEntry(context, port: port, index: $0, tableLength: tableLength) != nil
            }
            throw .gidIndexNotFound(device: name, port: port, index: gidIndex, populated: populated)
        }
        let gid = withUnsafeBytes(of: entry.gid) { Array($0) }
        let gidType: VerbsPortInfo.GIDType = switch entry.gid_type {
        case UInt32(IBV_GID_TYPE_ROCE_V2.rawValue): .roceV2
        case UInt32(IBV_GID_TYPE_ROCE_V1.rawValue): .roceV1
        default: .infiniBand
        }
        let ethernet = attributes.link_layer == UInt8(IBV_LINK_LAYER_ETHERNET)
        return VerbsPortInfo(deviceName: name, portNumber: port, gidIndex: gidIndex, gid: gid, gidType: gidType,
                             linkLayer: ethernet ? .ethernet : .infiniBand, lid: attributes.lid, smLID: attributes.sm_lid)
    }

    /// The GID table entry, or nil when the index is out of range or not populated
    /// (ibv_query_gid_ex answers ENODATA; an all-zero GID is unused too).
    private static func gidEntry(_ context: UnsafeMutablePointer<ibv_context>, port: Int, index: Int,
                                 tableLength: Int) -> ibv_gid_entry? {
        guard index >= 0, index < tableLength else { return nil }
        var entry = ibv_gid_entry()
        guard CInfiniBand_ibv_query_gid_ex(context, UInt32(port), UInt32(index), &entry, 0) == 0 else { return nil }
        let used = withUnsafeBytes(of: entry.gid) { $0.contains { $0 != 0 } }
        return used ? entry : nil
    }
}
