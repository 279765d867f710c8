import Testing

@testable import Fabric

@Suite struct NodeNameMapTests {
    @Test func parsesTheFormatTheCToolsAccept() throws {
        let map = try NodeNameMap(parsing: """
            # switches
            0x0008f10400411a08 "SW-core-1"   # comment
              0X20000000000010 "leaf 1"
            0x3000000000000100 unquoted name # trailing comment
            010 "octal"
            42 "decimal"

            0x1234   # a comment, not a name (rdma-core would name the node " a comment...")
            """)
        #expect(map.names[0x0008_f104_0041_1a08] == "SW-core-1")
        #expect(map.names[0x20_0000_0000_0010] == "leaf 1")
        #expect(map.names[0x3000_0000_0000_0100] == "unquoted name ")
        #expect(map.names[8] == "octal")
        #expect(map.names[42] == "decimal")
        #expect(map.names[0x1234] == nil)
        #expect(map.names.count == 5)
    }

    @Test func malformedLinesNameTheLine() {
        #expect(throws: NodeNameMapError.malformedLine(source: "map", line: 2, text: "0xZZ \"bad\"",
                                                       reason: "\"0xZZ\" is not a GUID (expected e.g. 0x0002c90300001234)")) {
            try NodeNameMap(parsing: "0x1 \"ok\"\n0xZZ \"bad\"", source: "map")
        }
        #expect(throws: NodeNameMapError.self) { try NodeNameMap(parsing: "0x1\"glued\"") }
        #expect(throws: NodeNameMapError.self) { try NodeNameMap(parsing: "0x1ffffffffffffffff \"too big\"") }
    }

    @Test func fallsBackToTheCleanedNodeDescription() throws {
        let map = try NodeNameMap(parsing: "0x10 \"mapped\"")
        #expect(map.name(for: 0x10, nodeDescription: "ignored") == "mapped")
        #expect(map.name(for: 0x11, nodeDescription: "H1 HCA-1\u{1}x") == "H1 HCA-1 x")
        let long = String(repeating: "a", count: 80)
        // clean_nodedesc ends the string at IB_SMP_DATA_SIZE: all 64 bytes of a description.
        #expect(map.name(for: 0x11, nodeDescription: long).count == 64)
        #expect(map.name(for: 0x11, nodeDescription: String(repeating: "b", count: 64)) == String(repeating: "b", count: 64))
        // The clean fast path and the scalar-by-scalar one agree at their edges: DEL and a
        // non-ASCII scalar become one space each, a 65th printable byte is cut.
        #expect(NodeNameMap.cleanNodeDescription(" ~") == " ~")
        #expect(NodeNameMap.cleanNodeDescription("a\u{7F}b") == "a b")
        #expect(NodeNameMap.cleanNodeDescription("sw\u{E9}1") == "sw 1")
        #expect(NodeNameMap.cleanNodeDescription(String(repeating: "c", count: 65)) == String(repeating: "c", count: 64))
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: NodeNameMapError.cannotOpen(path: "/nonexistent/map", reason: "No such file or directory")) {
            try NodeNameMap(contentsOf: "/nonexistent/map")
        }
    }
}
