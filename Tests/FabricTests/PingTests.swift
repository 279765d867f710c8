import Fabric
import MADAgents
import MADTransport
import MADWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ibping's protocol between our client and server on the in-process fabric (in both
/// response-matching modes: ib_umad style and verbs style). Interoperation with the C
/// ibping runs on the soft-RoCE rig, where a real kernel carries vendor MADs (ibsim hands
/// requests only to its SM client).
@Suite struct PingTests {
    private func fabric(matching: Bool) throws -> (MemoryFabric, client: MADAgent, server: MADAgent) {
        let fabric = MemoryFabric(.init(matchesResponsesInTransport: matching))
        let options = RequestOptions(timeoutMilliseconds: 100, retries: 1)
        let client = try MADAgent(port: fabric.addPort(lid: 1), configuration: .init(window: 16, defaultOptions: options))
        let server = try MADAgent(port: fabric.addPort(lid: 2), configuration: .init(window: 16, defaultOptions: options))
        return (fabric, client, server)
    }

    @Test("The request is ibping's: class 0x32 version 1, Get, attribute 0, OUI 0x001405 at bytes 37-39")
    func requestLayout() {
        let mad = Ping.request()
        mad.withUnsafeBytes { bytes in
            #expect(bytes[0] == 1 && bytes[1] == 0x32 && bytes[2] == 1 && bytes[3] == 0x01)
            #expect(bytes[16] == 0 && bytes[17] == 0)  // attribute 0
            #expect(Array(bytes[37...39]) == [0x00, 0x14, 0x05])
            #expect(bytes[40...].allSatisfy { $0 == 0 })
        }
        #expect(Ping.request(oui: 0xABCDEF).vendorOUI == 0xABCDEF)
    }

    @Test("A server answers with its name; the client reads it and times the round trip", arguments: [false, true])
    func roundTrip(matching: Bool) async throws {
        let (fabric, client, server) = try fabric(matching: matching)
        defer { client.close(); server.close(); fabric.close() }
        try Ping.serve(on: server, reply: "node7.cluster")
        var statistics = PingStatistics()
        for _ in 0..<5 {
            let outcome = try await Ping.once(on: client, to: .generalServices(lid: 2))
            #expect(outcome?.reply == "node7.cluster")
            statistics.record(outcome)
        }
        #expect(statistics.transmitted == 5 && statistics.received == 5)
        #expect(statistics.minimum <= statistics.maximum && statistics.total >= statistics.maximum)
        #expect(server.responderStatistics.sent == 5)
    }

    @Test("A ping with another OUI, or to a port nobody serves, is lost, not answered", arguments: [false, true])
    func otherOUIIsLost(matching: Bool) async throws {
        let (fabric, client, server) = try fabric(matching: matching)
        defer { client.close(); server.close(); fabric.close() }
        try Ping.serve(on: server, oui: 0x00_1405, reply: "served")
        #expect(try await Ping.once(on: client, to: .generalServices(lid: 2), oui: 0x00_2C9) == nil)
        _ = try fabric.addPort(lid: 3)
        #expect(try await Ping.once(on: client, to: .generalServices(lid: 3)) == nil)
        #expect(try await Ping.once(on: client, to: .generalServices(lid: 2))?.reply == "served")
    }

    @Test("A reply fills at most 215 bytes and the text stops at the first NUL")
    func replyBounds() async throws {
        let (fabric, client, server) = try fabric(matching: true)
        defer { client.close(); server.close(); fabric.close() }
        let long = String(repeating: "x", count: 400)
        try Ping.serve(on: server, reply: long)
        let reply = try #require(try await Ping.once(on: client, to: .generalServices(lid: 2))?.reply)
        #expect(reply == String(repeating: "x", count: Ping.dataSize - 1))
    }

    @Test("hostAndDomain is gethostname, a dot and the kernel's domain name, as the C server sends")
    func hostAndDomain() throws {
        func read(_ path: String) -> String {
            guard let file = fopen(path, "r") else { return "" }
            defer { fclose(file) }
            var buffer = [CChar](repeating: 0, count: 256)
            guard fgets(&buffer, 256, file) != nil else { return "" }
            return String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        let host = read("/proc/sys/kernel/hostname"), domain = read("/proc/sys/kernel/domainname")
        #expect(Ping.hostAndDomain() == (domain.isEmpty ? host : host + "." + domain))
    }

    @Test("The report and pong lines use ibping's format strings")
    func reportText() {
        var statistics = PingStatistics()
        statistics.record(("h.d", 1_234))
        statistics.record(nil)
        statistics.record(("h.d", 56))
        #expect(PingStatistics.pongLine("h.d", from: "Lid 2", microseconds: 1_234) == "Pong from h.d (Lid 2): time 1.234 ms\n")
        #expect(statistics.report(destination: "Lid 2", elapsedMicroseconds: 2_003_999) == """

            --- h.d (Lid 2) ibping statistics ---
            3 packets transmitted, 2 received, 33% packet loss, time 2003 ms
            rtt min/avg/max = 0.056/0.645/1.234 ms

            """)
        #expect(PingStatistics().report(destination: "Lid 9", elapsedMicroseconds: 5) == """

            ---  (Lid 9) ibping statistics ---
            0 packets transmitted, 0 received, 0% packet loss, time 0 ms
            rtt min/avg/max = 0.000/0.000/0.000 ms

            """)
    }
}
