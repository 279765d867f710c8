import MADTransport
import MADWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// UmadPort's error paths that need no device: what a machine without InfiniBand gets,
/// the port choice infiniband-diags makes (over described CAs), pool validation, and the
/// text of each error (it names the file or device and the fix).
@Suite("UmadPort errors")
struct UmadPortErrorTests {
    /// No RDMA device in sysfs, and not running under libumad2sim (whose fake sysfs has one).
    static let noInfiniBand = access("/sys/class/infiniband", F_OK) != 0
        && !(readFile("/proc/self/maps") ?? "").contains("libumad2sim")

    @Test("No InfiniBand device: a clear error naming /sys/class/infiniband",
          .enabled(if: UmadPortErrorTests.noInfiniBand, "an InfiniBand device is present (a real one, or libumad2sim's)"))
    func noDevice() {
        #expect(throws: PortError.noDevice(requestedCA: nil)) { try UmadPort() }
        let text = PortError.noDevice(requestedCA: nil).description
        #expect(text.contains("/sys/class/infiniband"))
        #expect(text.contains("modprobe ib_umad"))
    }

    @Test("A CA name with no device at all says so, naming the CA",
          .enabled(if: UmadPortErrorTests.noInfiniBand, "an InfiniBand device is present (a real one, or libumad2sim's)"))
    func badCANameWithoutDevice() {
        #expect(throws: PortError.noDevice(requestedCA: "mlx5_0")) { try UmadPort(caName: "mlx5_0", portNumber: 1) }
        #expect(PortError.noDevice(requestedCA: "mlx5_0").description.hasPrefix("CA \"mlx5_0\" not found: "))
    }

    @Test("A pool without 64 bytes of headroom is refused before any device is touched")
    func poolWithoutHeadroom() throws {
        let verbsLayout = try MADBufferPool(.init(sendSlots: 2, receiveSlots: 2, sendHeadroom: 0, receiveHeadroom: 40))
        #expect(throws: PortError.poolLayout("headroom is 0 (send) and 40 (receive) bytes")) {
            try UmadPort(pool: verbsLayout)
        }
        let pool = try UmadPort.makePool(sendSlots: 1, receiveSlots: 1, verify: false)
        #expect(pool.configuration.sendHeadroom == 64)
        #expect(pool.configuration.receiveHeadroom == 64)
    }

    // MARK: Choosing the port (libibumad's resolve_ca_name, over described CAs)

    static let twoCAs = [
        UmadCA(name: "mlx5_0", ports: [
            UmadPortInfo(caName: "mlx5_0", portNumber: 1, state: 1, physicalState: 2),
            UmadPortInfo(caName: "mlx5_0", portNumber: 2, state: 2),
        ]),
        UmadCA(name: "mlx5_1", ports: [
            UmadPortInfo(caName: "mlx5_1", portNumber: 1, state: 4, linkLayer: "Ethernet"),
            UmadPortInfo(caName: "mlx5_1", portNumber: 2, baseLID: 7, state: 4),
        ]),
    ]

    @Test("Default: the first Active InfiniBand port of the first CA that has one")
    func defaultIsFirstActive() throws {
        let chosen = try UmadDevices.choose(from: Self.twoCAs, ca: nil, port: nil)
        #expect(chosen.caName == "mlx5_1")
        #expect(chosen.portNumber == 2)  // port 1 is RoCE: no SMPs, not for umad's default
        #expect(chosen.baseLID == 7)
    }

    @Test("A switch is managed through port 0")
    func switchPortZero() throws {
        let switchCA = UmadCA(name: "sw0", ports: [UmadPortInfo(caName: "sw0", portNumber: 0, nodeType: 2, state: 4)])
        #expect(try UmadDevices.choose(from: [switchCA], ca: nil, port: nil).portNumber == 0)
    }

    @Test("A named CA that does not exist lists those that do")
    func caNotFound() {
        #expect(throws: PortError.caNotFound("mlx4_0", available: ["mlx5_0", "mlx5_1"])) {
            try UmadDevices.choose(from: Self.twoCAs, ca: "mlx4_0", port: nil)
        }
        #expect(PortError.caNotFound("mlx4_0", available: ["mlx5_0", "mlx5_1"]).description
            == "CA \"mlx4_0\" not found in /sys/class/infiniband; available: mlx5_0, mlx5_1")
    }

    @Test("A port the CA does not have lists its ports")
    func portNotFound() {
        #expect(throws: PortError.portNotFound(ca: "mlx5_0", port: 3, available: [1, 2])) {
            try UmadDevices.choose(from: Self.twoCAs, ca: "mlx5_0", port: 3)
        }
        #expect(PortError.portNotFound(ca: "mlx5_0", port: 3, available: [1, 2]).description
            .contains("/sys/class/infiniband/mlx5_0/ports/3"))
    }

    @Test("A port that is not Active names its state and the sysfs file")
    func portNotActive() {
        #expect(throws: PortError.portNotActive(ca: "mlx5_0", port: 2, state: "2: INIT")) {
            try UmadDevices.choose(from: Self.twoCAs, ca: "mlx5_0", port: 2)
        }
        #expect(throws: PortError.portNotActive(ca: "mlx5_0", port: 1, state: "1: DOWN")) {
            try UmadDevices.choose(from: Self.twoCAs, ca: "mlx5_0", port: nil)
        }
        let text = PortError.portNotActive(ca: "mlx5_0", port: 1, state: "1: DOWN").description
        #expect(text.contains("/sys/class/infiniband/mlx5_0/ports/1/state"))
        #expect(text.contains("opensm"))
    }

    @Test("Without a CA, a port number picks the first CA where that port is Active")
    func portNumberAcrossCAs() throws {
        let chosen = try UmadDevices.choose(from: Self.twoCAs, ca: nil, port: 2)
        #expect(chosen.caName == "mlx5_1")
        // A RoCE port named with its CA opens (its GSI); it is never the default.
        let roce = try UmadDevices.choose(from: Self.twoCAs, ca: "mlx5_1", port: 1)
        #expect(roce.caName == "mlx5_1" && roce.portNumber == 1 && !roce.isInfiniBand)
    }

    // MARK: Messages

    @Test("Permission errors on /dev/infiniband/umadN name the device and three fixes")
    func permissionMessage() {
        let text = PortError.permissionDenied(device: "/dev/infiniband/umad0", errno: EACCES).description
        #expect(text.contains("/dev/infiniband/umad0"))
        #expect(text.contains("EACCES"))
        #expect(text.contains("root"))
        #expect(text.contains("udev"))
        #expect(text.contains("rdma group"))
    }

    @Test("A refused registration names the class, version and errno")
    func registrationMessage() {
        let text = PortError.registrationRefused(class: 0x81, version: 1, errno: EINVAL).description
        #expect(text.contains("class 0x81 version 1"))
        #expect(text.contains("EINVAL"))
    }
}
