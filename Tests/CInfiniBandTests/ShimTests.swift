#if os(Linux)
import CInfiniBand
import Glibc
import Testing

/// What the shim can show without an HCA: layouts agree between C and the Swift
/// importer, umad accessors round-trip through libibumad's own setters, and device
/// enumeration behaves as documented below when the kernel has no RDMA devices.
@Suite("CInfiniBand shim")
struct ShimTests {
    // MARK: layouts

    @Test("Size constants match the C structs the importer sees")
    func sizes() {
        #expect(Int(CInfiniBand_MAD_SIZE) == 256)
        #expect(Int(CInfiniBand_GRH_SIZE) == 40)
        #expect(Int(CInfiniBand_IB_USER_MAD_SIZE) == MemoryLayout<ib_user_mad>.size)
        #expect(MemoryLayout<ib_user_mad>.size == 64)
        #expect(MemoryLayout<ib_mad_addr>.size == 44)
        #expect(Int(CInfiniBand_IB_MAD_ADDR_SIZE) == 44)
        #expect(MemoryLayout<ibv_grh>.size == 40)
        #expect(Int(CInfiniBand_UMAD_BUFFER_SIZE) == 64 + 256)
        #expect(CInfiniBand_umad_buffer_size() == 64 + 256)
    }

    @Test("Field offsets seen from Swift agree with shim.c's _Static_asserts")
    func offsets() {
        #expect(MemoryLayout<ib_user_mad>.offset(of: \.agent_id) == 0)
        #expect(MemoryLayout<ib_user_mad>.offset(of: \.status) == 4)
        #expect(MemoryLayout<ib_user_mad>.offset(of: \.timeout_ms) == 8)
        #expect(MemoryLayout<ib_user_mad>.offset(of: \.retries) == 12)
        #expect(MemoryLayout<ib_user_mad>.offset(of: \.length) == 16)
        #expect(MemoryLayout<ib_user_mad>.offset(of: \.addr) == 20)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.qpn) == 0)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.qkey) == 4)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.lid) == 8)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.sl) == 10)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.path_bits) == 11)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.grh_present) == 12)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.gid_index) == 13)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.hop_limit) == 14)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.traffic_class) == 15)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.flow_label) == 32)
        #expect(MemoryLayout<ib_mad_addr>.offset(of: \.pkey_index) == 36)
        #expect(MemoryLayout<ibv_grh>.offset(of: \.sgid) == 8)
        #expect(MemoryLayout<ibv_grh>.offset(of: \.dgid) == 24)
    }

    // MARK: umad buffers

    @Test("umad_set_addr writes network order; the accessors read host order back")
    func addrRoundTripThroughLibibumad() throws {
        let umad = try #require(CInfiniBand_umad_alloc(1, CInfiniBand_umad_buffer_size()))
        defer { CInfiniBand_umad_free(umad) }

        #expect(umad_set_addr(umad, 0x1234, 1, 7, Int32(bitPattern: 0x8001_0000)) == 0)
        #expect(CInfiniBand_umad_addr_lid(umad) == 0x1234)
        #expect(CInfiniBand_umad_addr_qpn(umad) == 1)
        #expect(CInfiniBand_umad_addr_sl(umad) == 7)
        #expect(CInfiniBand_umad_addr_qkey(umad) == 0x8001_0000)

        // The bytes in the struct are big-endian (ib_umad ABI), at the asserted offsets.
        let raw = UnsafeRawPointer(umad)
        #expect(raw.load(fromByteOffset: 20 + 8, as: UInt8.self) == 0x12)
        #expect(raw.load(fromByteOffset: 20 + 9, as: UInt8.self) == 0x34)
        #expect(raw.load(fromByteOffset: 20 + 4, as: UInt8.self) == 0x80)
        #expect(raw.load(fromByteOffset: 20 + 3, as: UInt8.self) == 0x01)
        #expect(umad_get_mad_addr(umad) == UnsafeMutableRawPointer(umad).advanced(by: 20)
            .assumingMemoryBound(to: ib_mad_addr.self))
    }

    @Test("umad_set_grh (host-order flow label) reads back through the accessors")
    func grhRoundTripThroughLibibumad() throws {
        let umad = try #require(CInfiniBand_umad_alloc(1, CInfiniBand_umad_buffer_size()))
        defer { CInfiniBand_umad_free(umad) }

        var source = ib_mad_addr()
        source.hop_limit = 63
        source.traffic_class = 0xA5
        source.flow_label = 0xF_ABCD  // umad_set_grh wants host order (and ignores gid_index)
        source.gid_index = 9
        withUnsafeMutableBytes(of: &source) { bytes in
            for i in 0..<16 { bytes[16 + i] = UInt8(0xF0 + i) }
        }
        #expect(umad_set_grh(umad, &source) == 0)

        #expect(CInfiniBand_umad_addr_grh_present(umad) == 1)
        #expect(CInfiniBand_umad_addr_hop_limit(umad) == 63)
        #expect(CInfiniBand_umad_addr_traffic_class(umad) == 0xA5)
        #expect(CInfiniBand_umad_addr_flow_label(umad) == 0xF_ABCD)
        #expect(CInfiniBand_umad_addr_gid_index(umad) == 0, "umad_set_grh does not copy gid_index")
        var gid = [UInt8](repeating: 0, count: 16)
        CInfiniBand_umad_addr_gid(umad, &gid)
        #expect(gid == (0..<16).map { UInt8(0xF0 + $0) })
    }

    @Test("Every setter writes its own field and only that field")
    func settersRoundTrip() throws {
        let umad = try #require(CInfiniBand_umad_alloc(1, CInfiniBand_umad_buffer_size()))
        defer { CInfiniBand_umad_free(umad) }

        CInfiniBand_umad_set_agent_id(umad, 0x0102_0304)
        CInfiniBand_umad_set_status(umad, UInt32(ETIMEDOUT))
        CInfiniBand_umad_set_timeout_ms(umad, 1000)
        CInfiniBand_umad_set_retries(umad, 3)
        CInfiniBand_umad_set_length(umad, 256)
        CInfiniBand_umad_set_addr_qpn(umad, 0x00AB_CDEF)
        CInfiniBand_umad_set_addr_qkey(umad, 0x8001_0000)
        CInfiniBand_umad_set_addr_lid(umad, 0xFFFF)
        CInfiniBand_umad_set_addr_sl(umad, 15)
        CInfiniBand_umad_set_addr_path_bits(umad, 0x7F)
        CInfiniBand_umad_set_addr_grh_present(umad, 1)
        CInfiniBand_umad_set_addr_gid_index(umad, 3)
        CInfiniBand_umad_set_addr_hop_limit(umad, 255)
        CInfiniBand_umad_set_addr_traffic_class(umad, 0x12)
        let gid: [UInt8] = [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0xC9, 0x03, 0x00, 0x01, 0x02, 0x03]
        CInfiniBand_umad_set_addr_gid(umad, gid)
        CInfiniBand_umad_set_addr_flow_label(umad, 0xF_FFFF)
        CInfiniBand_umad_set_addr_pkey_index(umad, 5)

        #expect(CInfiniBand_umad_agent_id(umad) == 0x0102_0304)
        #expect(CInfiniBand_umad_status(umad) == UInt32(ETIMEDOUT))
        #expect(umad_status(umad) == ETIMEDOUT)
        #expect(CInfiniBand_umad_timeout_ms(umad) == 1000)
        #expect(CInfiniBand_umad_retries(umad) == 3)
        #expect(CInfiniBand_umad_length(umad) == 256)
        #expect(CInfiniBand_umad_addr_qpn(umad) == 0x00AB_CDEF)
        #expect(CInfiniBand_umad_addr_qkey(umad) == 0x8001_0000)
        #expect(CInfiniBand_umad_addr_lid(umad) == 0xFFFF)
        #expect(CInfiniBand_umad_addr_sl(umad) == 15)
        #expect(CInfiniBand_umad_addr_path_bits(umad) == 0x7F)
        #expect(CInfiniBand_umad_addr_grh_present(umad) == 1)
        #expect(CInfiniBand_umad_addr_gid_index(umad) == 3)
        #expect(CInfiniBand_umad_addr_hop_limit(umad) == 255)
        #expect(CInfiniBand_umad_addr_traffic_class(umad) == 0x12)
        var back = [UInt8](repeating: 0, count: 16)
        CInfiniBand_umad_addr_gid(umad, &back)
        #expect(back == gid)
        #expect(CInfiniBand_umad_addr_flow_label(umad) == 0xF_FFFF)
        #expect(CInfiniBand_umad_addr_pkey_index(umad) == 5)

        // Cross-check with the C struct as the importer sees it (big-endian fields).
        let addr = umad_get_mad_addr(umad).pointee
        #expect(UInt32(bigEndian: addr.qpn) == 0x00AB_CDEF)
        #expect(UInt16(bigEndian: addr.lid) == 0xFFFF)
        #expect(UInt32(bigEndian: addr.flow_label) == 0xF_FFFF)
        #expect(addr.pkey_index == 5)
        // Nothing spilled into the MAD.
        let mad = UnsafeRawPointer(umad).advanced(by: Int(CInfiniBand_IB_USER_MAD_SIZE))
        #expect(UnsafeRawBufferPointer(start: mad, count: 256).allSatisfy { $0 == 0 })
    }

    /// libibumad's umad_size()/umad_get_mad() answer 56 (the ABI without P_Key index)
    /// until umad_open_port() has issued IB_USER_MAD_ENABLE_PKEY, then 64. They always
    /// agree with each other; our layout uses the fixed 64 (CInfiniBand_IB_USER_MAD_SIZE).
    @Test("umad_size() and umad_get_mad() agree with each other")
    func umadSizeAndMADOffsetAgree() throws {
        let umad = try #require(CInfiniBand_umad_alloc(1, CInfiniBand_umad_buffer_size()))
        defer { CInfiniBand_umad_free(umad) }
        let size = umad_size()
        #expect(size == 56 || size == 64)
        let mad = try #require(umad_get_mad(umad))
        #expect(UnsafeRawPointer(mad) - UnsafeRawPointer(umad) == size)
    }

    // MARK: enumeration with no devices

    /// /sys/class/infiniband lists IB devices; /sys/class/infiniband_verbs exists only
    /// with ib_uverbs loaded. Neither exists on a machine with no RDMA stack.
    static let noInfiniBandInSysfs = access("/sys/class/infiniband", F_OK) != 0
    static let noUverbsInKernel = access("/sys/class/infiniband_verbs", F_OK) != 0

    @Test("umad_init() succeeds without ib_umad")
    func umadInit() {
        #expect(umad_init() == 0)
        #expect(umad_done() == 0)
    }

    @Test("umad_get_ca_device_list() is empty, not an error, with no devices",
          .enabled(if: ShimTests.noInfiniBandInSysfs))
    func caDeviceListEmpty() {
        errno = 0
        let list = umad_get_ca_device_list()
        #expect(list == nil)
        #expect(errno == 0)
        umad_free_ca_device_list(list)
    }

    /// libibumad quirk (umad.c, "Is this still needed ?"): when /sys/class/infiniband
    /// cannot be scanned, umad_get_cas_names() returns 1 and the legacy default name
    /// "mthca0", a CA that does not exist. Enumerate with umad_get_ca_device_list().
    @Test("umad_get_cas_names() reports the phantom default CA with no devices",
          .enabled(if: ShimTests.noInfiniBandInSysfs))
    func casNamesWithNoDevices() {
        #expect(umad_init() == 0)
        let maxCAs = 32
        let nameLength = Int(UMAD_CA_NAME_LEN)
        var names = [CChar](repeating: 0, count: maxCAs * nameLength)
        let count = names.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: (CChar, CChar, CChar, CChar, CChar,
                                                       CChar, CChar, CChar, CChar, CChar,
                                                       CChar, CChar, CChar, CChar, CChar,
                                                       CChar, CChar, CChar, CChar, CChar).self,
                                                  capacity: maxCAs) {
                umad_get_cas_names($0, Int32(maxCAs))
            }
        }
        #expect(count == 1)
        let first = names.prefix(nameLength).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        #expect(String(decoding: first, as: UTF8.self) == "mthca0")
        // And the phantom cannot be opened.
        #expect(umad_open_port(nil, 0) < 0)
    }

    @Test("ibv_get_device_list() returns no devices when the kernel has no uverbs",
          .enabled(if: ShimTests.noUverbsInKernel))
    func verbsDeviceListEmpty() {
        var count: Int32 = -1
        errno = 0
        let list = ibv_get_device_list(&count)
        defer { if let list { ibv_free_device_list(list) } }
        #expect(count == 0)
        // rdma-core answers NULL + ENOSYS ("no kernel support"), not an empty array.
        #expect(list == nil)
        #expect(errno == ENOSYS)
    }

    @Test("ibv_get_device_list() is NULL-terminated and matches its count")
    func verbsDeviceListConsistent() {
        var count: Int32 = -1
        guard let list = ibv_get_device_list(&count) else {
            #expect(count == 0)
            return
        }
        defer { ibv_free_device_list(list) }
        var n: Int32 = 0
        while list[Int(n)] != nil { n += 1 }
        #expect(n == count)
    }

    @Test("ibv_is_fork_initialized() is callable directly and returns a known state")
    func forkStatus() {
        let status = ibv_is_fork_initialized()
        #expect([IBV_FORK_DISABLED, IBV_FORK_ENABLED, IBV_FORK_UNNEEDED].contains(status))
    }

    // MARK: wrappers

    @Test("The UD send work request helper fills exactly what a GSI send needs")
    func udSendWorkRequest() {
        var sge = ibv_sge(addr: 0x1000, length: 256, lkey: 0x42)
        var wr = ibv_send_wr()
        let ah = UnsafeMutablePointer<ibv_ah>(bitPattern: 0xDEAD_BEEF)!
        withUnsafeMutablePointer(to: &sge) { sgePointer in
            CInfiniBand_ibv_send_wr_ud(&wr, 77, sgePointer, ah, 1, 0x8001_0000)
            #expect(wr.sg_list == sgePointer)
        }
        #expect(wr.wr_id == 77)
        #expect(wr.num_sge == 1)
        #expect(wr.opcode == IBV_WR_SEND)
        #expect(wr.send_flags == IBV_SEND_SIGNALED.rawValue)
        #expect(wr.next == nil)
        #expect(wr.wr.ud.ah == ah)
        #expect(wr.wr.ud.remote_qpn == 1)
        #expect(wr.wr.ud.remote_qkey == 0x8001_0000)
    }

    @Test("Every verbs wrapper links (they need a device to run)")
    func wrappersLink() {
        // Referencing each function as a value makes the linker resolve it.
        _ = CInfiniBand_ibv_reg_mr
        _ = CInfiniBand_ibv_query_port
        _ = CInfiniBand_ibv_query_gid_ex
        _ = CInfiniBand_ibv_post_send
        _ = CInfiniBand_ibv_post_recv
        _ = CInfiniBand_ibv_poll_cq
        _ = CInfiniBand_ibv_req_notify_cq
    }
}
#endif
