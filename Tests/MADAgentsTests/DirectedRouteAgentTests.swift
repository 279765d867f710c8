import MADAgents
import MADTransport
import MADWire
import Testing

@Suite struct DirectedRouteAgentTests {
    @Test(arguments: bothModes)
    func aDirectedRouteGetIsAnsweredAlongTheReversedPath(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching)
        defer { rig.close() }
        let path = try DirectedRoutePath(parsing: "0,1,2")
        let answer = try await rig.agent.directedRoute(attribute: .nodeInfo, path: path)
        #expect(answer.isReturning)
        #expect(answer.hopPointer == 0)
        #expect(answer.hopCount == 2)
        #expect(try answer.mad.attribute(NodeInfo.self).nodeGUID == switchGUID(3))
        // The return path the fabric filled: entry 2 is the port switch 3 was entered by.
        #expect(answer.returnPathEntry(2) == 1)
    }

    @Test(arguments: bothModes)
    func aResponseFailingValidationIsATypedError(matching: Bool) async throws {
        let rig = try AgentRig(matching: matching)
        defer { rig.close() }
        // Flip the response's hop pointer (byte 6): a wrong answer must not be returned.
        rig.fabric.addFault(FaultRule(.corrupt(bytes: 6..<7), match: .init(direction: .responses), limit: 1))
        let path = try DirectedRoutePath(parsing: "0,1")
        await #expect {
            try await rig.agent.directedRoute(attribute: .nodeInfo, path: path)
        } throws: { error in
            guard case MADAgentError.invalidDirectedRouteResponse(let wire, let destination) = error else { return false }
            return wire.field == "HopPointer" && destination.lid == 0xFFFF
        }
        // The next request is fine.
        let answer = try await rig.agent.directedRoute(attribute: .nodeInfo, path: path)
        #expect(try answer.mad.attribute(NodeInfo.self).nodeGUID == switchGUID(2))
    }

    @Test func aResponseFromAnotherRouteIsRejected() async throws {
        let rig = try AgentRig()
        defer { rig.close() }
        // Corrupt initial path entry 1 (byte 129) in the response.
        rig.fabric.addFault(FaultRule(.corrupt(bytes: 129..<130), match: .init(direction: .responses), limit: 1))
        let path = try DirectedRoutePath(parsing: "0,1")
        await #expect {
            try await rig.agent.directedRoute(attribute: .nodeInfo, path: path)
        } throws: { error in
            guard case MADAgentError.invalidDirectedRouteResponse(let wire, _) = error else { return false }
            return wire.field == "InitialPath"
        }
    }

    @Test func anUnroutablePathTimesOut() async throws {
        let rig = try AgentRig(options: RequestOptions(timeoutMilliseconds: 20, retries: 1))
        defer { rig.close() }
        let path = try DirectedRoutePath(parsing: "0,1,7")
        await #expect {
            try await rig.agent.directedRoute(attribute: .nodeInfo, path: path)
        } throws: { error in
            guard case MADAgentError.timeout(let destination, let managementClass, _, _, let attempts) = error else { return false }
            return destination.lid == 0xFFFF && managementClass == .subnetDirectedRoute && attempts == 2
        }
        #expect(rig.fabric.counters.unroutable == 2)
    }
}
