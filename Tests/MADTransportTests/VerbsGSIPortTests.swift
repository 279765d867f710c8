@testable import MADTransport
import MADWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// VerbsGSIPort's parts that need no device: GID text, the GRH / RoCE v2 IPv4 header of a
/// receive, address-handle keys, agent dispatch (SMP refusal), the receive ring ledger,
/// and the text of each error. The port against a real kernel: VerbsGSIPortRigTests.
@Suite("VerbsGSIPort without a device")
struct VerbsGSIPortTests {
    // MARK: GID text (--dgid)

    @Test("IPv6 link-local and IPv4-mapped GIDs parse to network-order bytes and format back")
    func gidText() throws {
        let linkLocal = try #require(GIDText.parse("fe80::ff:fe00:1"))
        #expect(linkLocal == [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFE, 0, 0, 1])
        #expect(GIDText.format(linkLocal) == "fe80::ff:fe00:1")
        let mapped = try #require(GIDText.parse("::ffff:10.0.0.1"))
        #expect(mapped == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 1])
        #expect(GIDText.format(mapped) == "::ffff:10.0.0.1")
        #expect(GIDText.mappedIPv4(mapped) == [10, 0, 0, 1])
        #expect(GIDText.mappedIPv4(linkLocal) == nil)
        // A bare IPv4 address is its IPv4-mapped GID (RoCE v2 over IPv4).
        #expect(GIDText.parse("10.0.0.2") == GIDText.ipv4Mapped([10, 0, 0, 2]))
        // An IB GID: subnet prefix + port GUID.
        #expect(GIDText.parse("fe80:0000:0000:0000:0002:c903:0000:1234")
                == [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x02, 0xC9, 0x03, 0, 0, 0x12, 0x34])
    }

    @Test("Malformed GIDs are rejected, not guessed", arguments: [
        "", "fe80::1::2", "10.0.0", "10.0.0.256", "::ffff:10.0.0.1.5", "gid", "fe80:0:0:0:0:0:0:0:1", "0x1234",
    ])
    func badGIDText(_ text: String) {
        #expect(GIDText.parse(text) == nil)
    }

    // MARK: The 40 bytes before a received MAD

    static func grh(source: [UInt8], trafficClass: UInt8 = 0, flowLabel: UInt32 = 0, hopLimit: UInt8 = 64) -> [UInt8] {
        let word = UInt32(6) << 28 | UInt32(trafficClass) << 20 | flowLabel
        var bytes = [UInt8((word >> 24) & 0xFF), UInt8((word >> 16) & 0xFF), UInt8((word >> 8) & 0xFF), UInt8(word & 0xFF)]
        bytes += [0x01, 0x18, 0x1B, hopLimit]  // payload length 280, next header 0x1B (IBA 8.3.1)
        bytes += source
        bytes += GIDText.parse("fe80::ff:fe00:2")!
        return bytes
    }

    /// What rdma_rxe writes for RoCE v2 over IPv4: 20 zero bytes, then the IPv4 header.
    static func ipv4Area(source: [UInt8], destination: [UInt8], tos: UInt8 = 0, ttl: UInt8 = 64) -> [UInt8] {
        var header: [UInt8] = [0x45, tos, 0x01, 0x30, 0x12, 0x34, 0x40, 0x00, ttl, 17, 0, 0] + source + destination
        let checksum = header.withUnsafeBytes { VerbsReceivedHeader.ipv4Checksum($0) }
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        return [UInt8](repeating: 0, count: 20) + header
    }

    @Test("A GRH gives the sender's GID, traffic class and flow label")
    func parsesGRH() throws {
        let source = GIDText.parse("fe80::ff:fe00:1")!
        let area = Self.grh(source: source, trafficClass: 0x28, flowLabel: 0x12345)
        let route = try #require(area.withUnsafeBytes { VerbsReceivedHeader.parse($0) })
        #expect(route.sourceGID == source)
        #expect(route.trafficClass == 0x28)
        #expect(route.flowLabel == 0x12345)
        #expect(route.hopLimit == 64)
    }

    @Test("RoCE v2 over IPv4: the source address becomes an IPv4-mapped GID")
    func parsesIPv4Header() throws {
        let area = Self.ipv4Area(source: [10, 0, 0, 1], destination: [10, 0, 0, 2], tos: 0x10, ttl: 63)
        #expect(area.count == 40)
        let route = try #require(area.withUnsafeBytes { VerbsReceivedHeader.parse($0) })
        #expect(route.sourceGID == GIDText.parse("::ffff:10.0.0.1"))
        #expect(route.trafficClass == 0x10)
        #expect(route.hopLimit == 63)
    }

    @Test("An IPv4 header with a bad checksum after a GRH-looking word is read as the GRH")
    func ambiguousArea() throws {
        let source = GIDText.parse("fe80::ff:fe00:1")!
        var area = Self.grh(source: source)
        // Byte 20 is in the SGID; make it look like an IPv4 version/IHL byte without a valid header.
        area[20] = 0x45
        let route = try #require(area.withUnsafeBytes { VerbsReceivedHeader.parse($0) })
        #expect(route.sourceGID[0..<12] == source[0..<12])
        #expect(route.sourceGID[12] == 0x45)
        // Neither a GRH nor IPv4: nil.
        let zero = [UInt8](repeating: 0, count: 40)
        #expect(zero.withUnsafeBytes { VerbsReceivedHeader.parse($0) } == nil)
        #expect([UInt8](repeating: 0x60, count: 39).withUnsafeBytes { VerbsReceivedHeader.parse($0) } == nil)
    }

    // MARK: Address handles

    @Test("RoCE: AHs are keyed by GID (LID ignored); a destination without a GID is refused")
    func roceKeys() throws {
        let mapped = GlobalRoute(destinationGID: GIDText.parse("::ffff:10.0.0.1")!)
        let linkLocal = GlobalRoute(destinationGID: GIDText.parse("fe80::ff:fe00:1")!)
        var a = MADAddress.generalServices(lid: 0)
        a.globalRoute = mapped
        var b = MADAddress.generalServices(lid: 7)
        b.globalRoute = mapped
        var c = a
        c.globalRoute = linkLocal
        var d = a
        d.queuePair = 0x1234  // remote QP and Q_Key travel in the work request, not the AH
        d.queueKey = 0x11
        let keyA = try AddressHandleKey.make(for: a, roce: true)
        #expect(keyA == (try AddressHandleKey.make(for: b, roce: true)))
        #expect(keyA == (try AddressHandleKey.make(for: d, roce: true)))
        #expect(keyA != (try AddressHandleKey.make(for: c, roce: true)))
        #expect(keyA.lid == 0)
        #expect(keyA.description == "GID ::ffff:10.0.0.1")
        #expect(throws: VerbsPortError.self) { try AddressHandleKey.make(for: .generalServices(lid: 1), roce: true) }
        do {
            _ = try AddressHandleKey.make(for: .generalServices(lid: 1), roce: true)
        } catch {
            #expect(error.description.contains("RoCE has no LIDs"))
            #expect(error.description.contains("--dgid"))
        }
    }

    @Test("RoCE: a destination GID of the other family than the port's is refused, naming both")
    func roceFamilies() throws {
        let v4Source = GIDText.parse("::ffff:10.0.0.2")!
        let v6Source = GIDText.parse("fe80::ff:fe00:2")!
        var toV4 = MADAddress.generalServices(lid: 0)
        toV4.globalRoute = GlobalRoute(destinationGID: GIDText.parse("::ffff:10.0.0.1")!)
        var toV6 = MADAddress.generalServices(lid: 0)
        toV6.globalRoute = GlobalRoute(destinationGID: GIDText.parse("fe80::ff:fe00:1")!)
        _ = try AddressHandleKey.make(for: toV4, roce: true, sourceGID: v4Source)
        _ = try AddressHandleKey.make(for: toV6, roce: true, sourceGID: v6Source)
        do {
            _ = try AddressHandleKey.make(for: toV4, roce: true, sourceGID: v6Source)
            Issue.record("an IPv4-mapped destination from an IPv6 source was accepted")
        } catch {
            #expect(error.description.contains("::ffff:10.0.0.1 is IPv4-mapped"))
            #expect(error.description.contains("fe80::ff:fe00:2 (IPv6)"))
        }
        #expect(throws: VerbsPortError.self) { try AddressHandleKey.make(for: toV6, roce: true, sourceGID: v4Source) }
        // InfiniBand GIDs are not families: no check there.
        _ = try AddressHandleKey.make(for: MADAddress(lid: 3, queuePair: 1, globalRoute: toV4.globalRoute), roce: false,
                                      sourceGID: v6Source)
    }

    @Test("InfiniBand: AHs are keyed by LID and SL; a GRH adds its fields; multicast/0 LIDs refused")
    func infiniBandKeys() throws {
        let one = try AddressHandleKey.make(for: .generalServices(lid: 5), roce: false)
        #expect(one == (try AddressHandleKey.make(for: .generalServices(lid: 5), roce: false)))
        #expect(one != (try AddressHandleKey.make(for: .generalServices(lid: 6), roce: false)))
        var withSL = MADAddress.generalServices(lid: 5)
        withSL.serviceLevel = 3
        #expect(one != (try AddressHandleKey.make(for: withSL, roce: false)))
        var global = MADAddress.generalServices(lid: 5)
        global.globalRoute = GlobalRoute(destinationGID: GIDText.parse("fe80::2:c903:0:1234")!)
        let globalKey = try AddressHandleKey.make(for: global, roce: false)
        #expect(globalKey != one)
        #expect(globalKey.lid == 5)
        #expect(one.description == "LID 5")
        for lid: UInt16 in [0, 0xC000, 0xFFFF] {
            #expect(throws: VerbsPortError.self) { try AddressHandleKey.make(for: .generalServices(lid: lid), roce: false) }
        }
    }

    // MARK: Agents

    @Test("SMP classes are refused at registration, naming QP0 and UmadPort")
    func smpRefused() {
        var table = VerbsAgentTable()
        for managementClass in [ManagementClass.subnetLIDRouted, .subnetDirectedRoute] {
            #expect(Self.refusal(&table, AgentRegistration(class: managementClass, version: 1))
                    == .subnetManagementNotReachable(class: managementClass.rawValue))
        }
        #expect(table.agents.isEmpty)
        let text = VerbsPortError.subnetManagementNotReachable(class: 0x81).description
        #expect(text.contains("class 0x81"))
        #expect(text.contains("QP0"))
        #expect(text.contains("UmadPort"))
    }

    /// Why `table` refused `registration`, or nil when it took it.
    static func refusal(_ table: inout VerbsAgentTable, _ registration: AgentRegistration) -> VerbsPortError? {
        do {
            _ = try table.register(registration)
            return nil
        } catch {
            return error
        }
    }

    @Test("Registration rules: OUI for vendor range 2 only, no response methods, no overlap")
    func registrationRules() throws {
        var table = VerbsAgentTable()
        let vendor = ManagementClass(rawValue: 0x32)
        #expect(Self.refusal(&table, AgentRegistration(class: vendor, version: 1, methods: [.get]))?
                    .description.contains("needs a non-zero 24-bit OUI") == true)
        // A range-2 requester (no methods) needs no OUI: its responses come by TID.
        #expect(Self.refusal(&table, AgentRegistration(class: vendor, version: 1)) == nil)
        #expect(Self.refusal(&table, AgentRegistration(class: .performance, version: 1, oui: 0x1405))?
                    .description.contains("vendor classes 0x30-0x4F only") == true)
        #expect(Self.refusal(&table, AgentRegistration(class: .performance, version: 1, methods: [.getResponse]))?
                    .description.contains("response method") == true)
        #expect(Self.refusal(&table, AgentRegistration(class: .performance, version: 1, methods: [.get])) == nil)
        #expect(Self.refusal(&table, AgentRegistration(class: .performance, version: 1, methods: [.get, .set]))?
                    .description.contains("already takes") == true)
        #expect(Self.refusal(&table, AgentRegistration(class: .performance, version: 1, methods: [.set])) == nil)
        #expect(table.agents.count == 3)
    }

    static func header(_ managementClass: ManagementClass, _ method: Method, tid: UInt64) -> MADSummary {
        let mad = MAD(class: managementClass, classVersion: 1, method: method, attribute: .classPortInfo, transactionID: tid)
        return mad.withUnsafeBytes { MADSummary($0)! }
    }

    @Test("Dispatch: responses by the TID's high half, else the class's first agent; requests by method")
    func dispatch() throws {
        var table = VerbsAgentTable()
        let requesterA = try table.register(AgentRegistration(class: .performance, version: 1))
        let requesterB = try table.register(AgentRegistration(class: .performance, version: 1))
        let responder = try table.register(AgentRegistration(class: .performance, version: 1, methods: [.get]))
        let vendor = try table.register(AgentRegistration(class: ManagementClass(rawValue: 0x32), version: 1,
                                                          methods: [.get], oui: 0x1405))

        let toB = Self.header(.performance, .getResponse, tid: UInt64(requesterB.rawValue) << 32 | 9)
        #expect(table.owner(of: toB, version: 1, oui: nil) == requesterB)
        let unknownHigh = Self.header(.performance, .getResponse, tid: 0xDEAD_0000_0009)
        #expect(table.owner(of: unknownHigh, version: 1, oui: nil) == requesterA)
        #expect(table.owner(of: toB, version: 2, oui: nil) == nil)  // no agent of that version
        #expect(table.owner(of: Self.header(.performance, .get, tid: 1), version: 1, oui: nil) == responder)
        #expect(table.owner(of: Self.header(.performance, .set, tid: 1), version: 1, oui: nil) == nil)
        let vendorGet = Self.header(ManagementClass(rawValue: 0x32), .get, tid: 1)
        #expect(table.owner(of: vendorGet, version: 1, oui: 0x1405) == vendor)
        #expect(table.owner(of: vendorGet, version: 1, oui: 0x1406) == nil)

        let first = table.unregister(requesterB)
        let second = table.unregister(requesterB)
        #expect(first && !second)
        #expect(table.owner(of: toB, version: 1, oui: nil) == requesterA)
    }

    // MARK: Receive ring

    @Test("The ledger keeps the ring's deficit, refuses double posts, and hands back every posted slot")
    func ledger() {
        var ledger = VerbsSlotLedger(receiveTarget: 4)
        #expect(ledger.receiveDeficit == 4)
        for index in 10..<14 { ledger.receivePosted(index) }
        #expect(ledger.receiveDeficit == 0)
        let completed = ledger.receiveCompleted(11)
        let again = ledger.receiveCompleted(11)  // a second completion of the same slot
        let stranger = ledger.receiveCompleted(99)  // never posted
        #expect(completed && !again && !stranger)
        #expect(ledger.receiveDeficit == 1)
        #expect(ledger.receivesCompleted == 1)
        ledger.sendPosted(2, agent: AgentID(rawValue: 7))
        ledger.sendPosted(0, agent: AgentID(rawValue: 8))
        let sendAgent = ledger.sendCompleted(2)
        let sendAgain = ledger.sendCompleted(2)
        #expect(sendAgent == AgentID(rawValue: 7) && sendAgain == nil)
        ledger.sendPosted(1, agent: AgentID(rawValue: 7))
        let posted = ledger.takeAllPosted()
        #expect(posted == [10, 12, 13, 0, 1])
        #expect(ledger.receiveDeficit == 4)
        #expect(ledger.sends.isEmpty)
    }

    // MARK: Errors

    @Test("EPERM from modify_qp for the privileged Q_Key names all three fixes")
    func privilegedQueueKeyError() {
        let error = VerbsPortError.modifyQueuePair(errno: EPERM, toState: "INIT", device: "rxe1", queueKey: 0x8001_0000)
        #expect(error == .privilegedQueueKey(device: "rxe1", queueKey: 0x8001_0000, errno: EPERM))
        let text = error.description
        #expect(text.contains("0x80010000"))
        #expect(text.contains("EPERM"))
        #expect(text.contains("run as root"))
        #expect(text.contains("CAP_NET_RAW"))
        #expect(text.contains("rdma system set privileged-qkey on"))
        // Other failures are not blamed on the Q_Key.
        #expect(VerbsPortError.modifyQueuePair(errno: EINVAL, toState: "INIT", device: "rxe1", queueKey: 0x8001_0000)
                == .system(call: "ibv_modify_qp (UD QP to INIT)", errno: EINVAL))
        #expect(VerbsPortError.modifyQueuePair(errno: EPERM, toState: "INIT", device: "rxe1", queueKey: 0x1234)
                == .system(call: "ibv_modify_qp (UD QP to INIT)", errno: EPERM))
        #expect(VerbsPortError.modifyQueuePair(errno: EPERM, toState: "RTS", device: "rxe1", queueKey: 0x8001_0000)
                == .system(call: "ibv_modify_qp (UD QP to RTS)", errno: EPERM))
    }

    @Test("Device, port and GID index errors name what exists")
    func lookupErrors() {
        #expect(VerbsPortError.deviceNotFound("mlx5_9", available: ["rxe0", "rxe1"]).description
                == "RDMA device \"mlx5_9\" not found; available: rxe0, rxe1")
        #expect(VerbsPortError.portNotFound(device: "rxe0", port: 2, portCount: 1).description
                == "device rxe0 has no port 2; its ports are 1")
        #expect(VerbsPortError.portNotFound(device: "mlx5_0", port: 3, portCount: 2).description
                == "device mlx5_0 has no port 3; its ports are 1-2")
        #expect(VerbsPortError.gidIndexNotFound(device: "rxe0", port: 1, index: 9, populated: [0, 1]).description
                .hasPrefix("device rxe0 port 1 has no GID index 9; populated indices: 0, 1"))
    }

    /// No uverbs on this machine (no /sys/class/infiniband_verbs).
    static let noUverbs = access("/sys/class/infiniband_verbs", F_OK) != 0

    @Test("Without uverbs, opening any device says so and how to load it",
          .enabled(if: VerbsGSIPortTests.noUverbs, "this machine has uverbs devices"))
    func noDevices() {
        do {
            _ = try VerbsGSIPort(deviceName: "rxe0")
            Issue.record("opened a verbs port without uverbs")
        } catch {
            #expect(error == .noDevices(errno: ENOSYS))
            #expect(error.description.contains("ib_uverbs"))
            #expect(error.description.contains("rdma_rxe"))
        }
    }

    @Test("A pool without the 40-byte GRH area is refused before any device is touched")
    func poolLayout() throws {
        let umadLayout = try UmadPort.makePool(sendSlots: 1, receiveSlots: 1, verify: false)
        #expect(throws: VerbsPortError.poolLayout("receive headroom is 64 bytes")) {
            try VerbsGSIPort(pool: umadLayout)
        }
        let pool = try VerbsGSIPort.makePool(sendSlots: 2, receiveSlots: 3, verify: false)
        #expect(pool.configuration.sendHeadroom == 0)
        #expect(pool.configuration.receiveHeadroom == 40)
    }
}
