import CIBMadOracle
import MADWire
import Testing

@Suite struct LinearForwardingTableTests {
    /// libibmad defines only the whole 64-byte block (IB_LINEAR_FORW_TBL_F); it is paired
    /// with `Fields.table`, which spans the same bits and is not in `layout`.
    static let pairs: [OraclePair] = [
        OraclePair(IB_LINEAR_FORW_TBL_F, LinearForwardingTable.Fields.table),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(LinearForwardingTable.self, pair)
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(LinearForwardingTable.layout)
        #expect(LinearForwardingTable.layout.fields.map(\.name) == (0..<64).map { "Port[\($0)]" })
    }

    /// Entry i is byte i of the block libibmad hands ibroute (mad_decode_field into an array).
    @Test func entriesMatchLibibmadsArray() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<300 {
            var bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var theirs = [UInt8](repeating: 0, count: 64)
            theirs.withUnsafeMutableBytes { CIBMadOracle_decode(Int32(IB_LINEAR_FORW_TBL_F.rawValue), &bytes, $0.baseAddress!) }
            let table = try LinearForwardingTable(decoding: bytes)
            #expect(table.ports == theirs, "seed \(differentialSeed)")
            #expect((0..<64).map { table[$0] } == theirs)
            var rebuilt = LinearForwardingTable()
            for index in 0..<64 { rebuilt[index] = theirs[index] }
            #expect(rebuilt.encoded == bytes)
        }
    }

    @Test func lidPosition() {
        #expect(LinearForwardingTable.position(of: 0) == (0, 0))
        #expect(LinearForwardingTable.position(of: 0x41) == (1, 1))
        #expect(LinearForwardingTable.position(of: 0xBFFF) == (767, 63))
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("LinearForwardingTable", field: "Port[63]", needed: 64, available: 63)) {
            try LinearForwardingTable(decoding: [UInt8](repeating: 0, count: 63))
        }
    }

    @Test func misuseIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = LinearForwardingTable()[64] }
        await #expect(processExitsWith: .failure) { var table = LinearForwardingTable(); table.ports = [1] }
    }
}
