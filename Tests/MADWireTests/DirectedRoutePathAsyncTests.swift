import MADWire
import Testing

/// DirectedRoutePath values made and thrown inside async closures (a shape that once
/// crashed a debug test binary).
@Suite struct DirectedRoutePathAsyncTests {
    static func parse(_ text: String) async throws -> DirectedRoutePath {
        try DirectedRoutePath(parsing: text)
    }

    @Test func parsingInsideAsyncExpectations() async throws {
        await #expect(throws: MADWireError.self) { _ = try await Self.parse("0,0") }
        await #expect(throws: MADWireError.self) { _ = try await Self.parse("") }
        let path = try await Self.parse("0,1,3")
        #expect(path.description == "0,1,3")
        await #expect(throws: Never.self) { _ = try await Self.parse("0,2,4").appending(5) }
    }
}
