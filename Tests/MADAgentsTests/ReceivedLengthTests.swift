import MADAgents
import MADTransport
import MADWire
import Testing

/// The received length travels from the port to `MADAgent.exchange`: an SA GetTable answer
/// holds (length - 56) / (AttributeOffset × 8) records (IBA 15.2.1.1), and a short MAD
/// (libumad2sim passes on the sender's length) must not be counted as 256 bytes.
@Suite struct ReceivedLengthTests {
    @Test func exchangeReportsWhatThePortReceived() async throws {
        let port = try LoopbackPort()
        let agent = try MADAgent(port: port)
        defer { agent.close(); port.close() }
        let request = MAD(class: .subnetAdministration, classVersion: 2, method: .getTable, attribute: .nodeRecord)
        #expect(try await agent.exchange(request, to: .generalServices(lid: 1)).length == MAD.size)
        port.receivedLength = 56 + 112  // the SA header and one NodeRecord
        let short = try await agent.exchange(request, to: .generalServices(lid: 1))
        #expect(short.length == 168)
        #expect(short.mad.method == request.method.response)
        // `request` still returns the MAD alone.
        #expect(try await agent.request(request, to: .generalServices(lid: 1)).attributeID == .nodeRecord)
    }

    @Test func lengthsOutsideAMADAreClamped() throws {
        let pool = try MADBufferPool(.init(sendSlots: 1, receiveSlots: 2))
        let long = ReceivedMAD(slot: try pool.tryAcquire(.receive), source: .generalServices(lid: 1), agent: AgentID(rawValue: 1), length: 4096)
        #expect(long.length == MAD.size)
        _ = consume long
        let negative = ReceivedMAD(slot: try pool.tryAcquire(.receive), source: .generalServices(lid: 1), agent: AgentID(rawValue: 1), length: -1)
        #expect(negative.length == 0)
    }
}
