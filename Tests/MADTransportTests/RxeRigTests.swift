import MADTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The soft-RoCE guest of scripts/rxe-rig, as it describes itself in the environment: two
/// rxe devices on the two ends of a veth pair. Suites that need it are enabled on
/// `RxeRig.current != nil` and have "RxeRigTests" in their name, so that scripts/test runs
/// them in the guest with `--filter RxeRigTests`.
struct RxeRig: Sendable {
    struct Device: Sendable {
        var name: String
        var netdev: String
        var ipv4: String
        var ipv6: String
    }

    let devices: [Device]

    static let current: RxeRig? = load().rig
    static let unavailableReason: String = load().reason ?? ""

    private static func load() -> (rig: RxeRig?, reason: String?) {
        let how = "run the test bundle in the soft-RoCE guest: `scripts/rxe-rig --file $PWD/.build/debug/"
            + "swift-ibmadPackageTests.xctest -- $PWD/.build/debug/swift-ibmadPackageTests.xctest "
            + "--testing-library swift-testing --filter RxeRigTests`"
        guard let names = environment("IBMAD_RXE_DEVICES"), let netdevs = environment("IBMAD_RXE_NETDEVS") else {
            return (nil, "not on the soft-RoCE rig (IBMAD_RXE_DEVICES, IBMAD_RXE_NETDEVS unset): \(how)")
        }
        let nameList = names.split(separator: " ").map(String.init)
        let netdevList = netdevs.split(separator: " ").map(String.init)
        guard nameList.count == 2, netdevList.count == 2 else {
            return (nil, "IBMAD_RXE_DEVICES '\(names)' and IBMAD_RXE_NETDEVS '\(netdevs)' must name two each")
        }
        var devices: [Device] = []
        for index in 0..<2 {
            guard let ipv4 = environment("IBMAD_RXE_IPV4_\(index)"), let ipv6 = environment("IBMAD_RXE_IPV6_\(index)")
            else { return (nil, "IBMAD_RXE_IPV4_\(index) or IBMAD_RXE_IPV6_\(index) unset") }
            devices.append(Device(name: nameList[index], netdev: netdevList[index], ipv4: ipv4, ipv6: ipv6))
        }
        return (RxeRig(devices: devices), nil)
    }
}

/// scripts/test sets IBMAD_REQUIRE_RIG=1 for the run inside scripts/rxe-rig: there a rig
/// that is not usable fails, so CI cannot pass by skipping the rig suites.
@Suite struct RequiredRxeRigTests {
    @Test func rigIsPresentWhenRequired() {
        guard environment("IBMAD_REQUIRE_RIG") == "1" else { return }
        #expect(RxeRig.current != nil, Comment(rawValue: RxeRig.unavailableReason))
    }
}

/// What the rig promises the verbs suites, checked against the kernel's own view: both
/// devices listed by UmadDevices with an Active RoCE port, and the RoCE v2 GIDs the tests
/// address — index 0 the IPv6 link-local GID (EUI-64 of the netdev's MAC), index 1 the
/// IPv4-mapped one (IBA A16.4.1 / RoCE v2: ::ffff:a.b.c.d).
@Suite(.enabled(if: RxeRig.current != nil, Comment(rawValue: RxeRig.unavailableReason)))
struct RxeRigTests {
    let rig = RxeRig.current!

    @Test func bothDevicesAreListedWithAnActiveEthernetPort() throws {
        let cas = try UmadDevices.list()
        for device in rig.devices {
            let ca = try #require(cas.first { $0.name == device.name }, "\(device.name) not in \(cas.map(\.name))")
            let port = try #require(ca.ports.first { $0.portNumber == 1 }, "\(device.name) has no port 1")
            #expect(port.isActive, "\(device.name) port 1 is \(port.stateName)")
            #expect(port.linkLayer == "Ethernet")
            #expect(port.portGUID == eui64(mac: try mac(of: device.netdev)))
        }
    }

    @Test func gidZeroIsLinkLocalAndGidOneIsIPv4Mapped() throws {
        for device in rig.devices {
            let port = "/sys/class/infiniband/\(device.name)/ports/1"
            let interfaceID = eui64(mac: try mac(of: device.netdev))
            let linkLocal = [0xfe80, 0, 0, 0] + (0..<4).map { UInt16(truncatingIfNeeded: interfaceID >> (48 - 16 * $0)) }
            #expect(try gid(port, 0) == linkLocal)
            #expect(linkLocal == (try parseIPv6(device.ipv6)), "IBMAD_RXE_IPV6 disagrees with the MAC of \(device.netdev)")
            let v4 = try parseIPv4(device.ipv4)
            #expect(try gid(port, 1) == [0, 0, 0, 0, 0, 0xffff, v4[0] << 8 | v4[1], v4[2] << 8 | v4[3]])
            for index in 0...1 {
                #expect(readFile("\(port)/gid_attrs/types/\(index)")?.hasPrefix("RoCE v2") == true)
                #expect(readFile("\(port)/gid_attrs/ndevs/\(index)")?.hasPrefix(device.netdev) == true)
            }
        }
    }

    @Test func umadAndUverbsNodesExist() throws {
        for name in ["umad0", "umad1", "uverbs0", "uverbs1"] {
            var info = stat()
            #expect(stat("/dev/infiniband/\(name)", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR,
                    "/dev/infiniband/\(name) is not a character device")
        }
    }

    /// The data path the verbs suites rely on, with ibverbs-utils as both peers: rxe1 to
    /// rxe0 with either GID, and the packets really cross the veth (rxe drops what arrives
    /// on lo). The pingpongs swap QP numbers and GIDs over TCP first. Each side is killed
    /// after 60 s, so a lost packet cannot hang the run.
    @Test(.serialized, arguments: [("ibv_ud_pingpong", 0), ("ibv_ud_pingpong", 1),
                                   ("ibv_rc_pingpong", 0), ("ibv_rc_pingpong", 1)])
    func pingpongBetweenTheDevices(tool: String, gidIndex: Int) throws {
        let port = 18515 + gidIndex
        let common = ["-g", "\(gidIndex)", "-n", "20", "-p", "\(port)"]
        let serverLog = "/tmp/\(tool)-\(gidIndex)-server.log", clientLog = "/tmp/\(tool)-\(gidIndex)-client.log"
        let server = try spawn([tool, "-d", rig.devices[0].name] + common, output: serverLog)
        try waitForListener(port: port, pid: server)
        let sentBefore = try packetCount(rig.devices[1].netdev, "tx_packets")
        let receivedBefore = try packetCount(rig.devices[0].netdev, "rx_packets")
        let client = try spawn([tool, "-d", rig.devices[1].name] + common + [rig.devices[0].ipv4], output: clientLog)
        let clientStatus = finish(client, within: 60)
        let serverStatus = finish(server, within: 60)
        // 20 iterations: at least 20 RoCE packets from rxe1's netdev to rxe0's.
        #expect(try packetCount(rig.devices[1].netdev, "tx_packets") - sentBefore >= 20)
        #expect(try packetCount(rig.devices[0].netdev, "rx_packets") - receivedBefore >= 20)
        let clientOutput = readFile(clientLog) ?? "", serverOutput = readFile(serverLog) ?? ""
        #expect(clientStatus == 0, "\(tool) client on \(rig.devices[1].name), GID \(gidIndex): \(clientOutput)")
        #expect(serverStatus == 0, "\(tool) server on \(rig.devices[0].name), GID \(gidIndex): \(serverOutput)")
        #expect(clientOutput.contains("20 iters in"), "\(clientOutput)")
    }

    // MARK: Helpers

    private func packetCount(_ netdev: String, _ counter: String) throws -> Int {
        let path = "/sys/class/net/\(netdev)/statistics/\(counter)"
        let text = try #require(readFile(path), "no \(path)")
        return try #require(Int(text.split(separator: "\n").first ?? ""), "\(path): '\(text)'")
    }

    /// Starts `arguments` with stdout and stderr in the file `output`.
    private func spawn(_ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        try #require(rc == 0, "cannot run \(arguments.joined(separator: " ")): errno \(rc)")
        return pid
    }

    /// The exit status of `pid`; a process still running after `seconds` is killed (a hang
    /// guard, not a measurement) and reported as 128 + SIGKILL.
    private func finish(_ pid: pid_t, within seconds: Int) -> Int32 {
        var status: Int32 = 0
        for _ in 0..<(seconds * 50) {
            if waitpid(pid, &status, WNOHANG) == pid {
                return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return 128 + SIGKILL
    }

    /// Until /proc/net/tcp shows a listener on `port` (the server is ready for the client);
    /// fails if the server exits first or is not listening after 60 s (then it is killed).
    private func waitForListener(port: Int, pid: pid_t) throws {
        let local = ":" + String(port, radix: 16, uppercase: true).leftPadded(to: 4) + " "
        for _ in 0..<(60 * 50) {
            let table = readFile("/proc/net/tcp") ?? ""
            if table.split(separator: "\n").contains(where: { $0.contains(local) && $0.contains(" 0A ") }) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw Malformed(description: "the server exited (wait status \(status)) before listening on port \(port)")
            }
            usleep(20_000)
        }
        _ = finish(pid, within: 0)
        throw Malformed(description: "the server was not listening on port \(port) after 60 s")
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private func mac(of netdev: String) throws -> [UInt8] {
        let text = try #require(readFile("/sys/class/net/\(netdev)/address"))
        let bytes = text.split(separator: "\n")[0].split(separator: ":").compactMap { UInt8($0, radix: 16) }
        guard bytes.count == 6 else { throw Malformed(description: "MAC of \(netdev): '\(text)'") }
        return bytes
    }

    /// Modified EUI-64 from a MAC (RFC 4291 appendix A): FF:FE in the middle, U/L bit flipped.
    private func eui64(mac: [UInt8]) -> UInt64 {
        let bytes = [mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]]
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A sysfs GID ("fe80:0000:...:0001") as eight 16-bit groups.
    private func gid(_ port: String, _ index: Int) throws -> [UInt16] {
        let text = try #require(readFile("\(port)/gids/\(index)"), "no \(port)/gids/\(index)")
        let groups = text.split(separator: "\n")[0].split(separator: ":").compactMap { UInt16($0, radix: 16) }
        guard groups.count == 8 else { throw Malformed(description: "\(port)/gids/\(index): '\(text)'") }
        return groups
    }

    private func parseIPv6(_ text: String) throws -> [UInt16] {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { throw Malformed(description: "IPv6 '\(text)'") }
        let bytes = withUnsafeBytes(of: address) { Array($0) }
        return (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
    }

    private func parseIPv4(_ text: String) throws -> [UInt16] {
        let parts = text.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { throw Malformed(description: "IPv4 '\(text)'") }
        return parts.map(UInt16.init)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
