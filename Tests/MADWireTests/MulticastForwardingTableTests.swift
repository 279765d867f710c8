import CIBMadOracle
import MADWire
import Testing

@Suite struct MulticastForwardingTableTests {
    /// libibmad defines only the whole 64-byte block (IB_MULTICAST_FORW_TBL_F); it is
    /// paired with `Fields.table`, which spans the same bits and is not in `layout`.
    static let pairs: [OraclePair] = [
        OraclePair(IB_MULTICAST_FORW_TBL_F, MulticastForwardingTable.Fields.table),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(MulticastForwardingTable.self, pair)
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(MulticastForwardingTable.layout)
        #expect(MulticastForwardingTable.layout.fields.map(\.name) == (0..<32).map { "PortMask[\($0)]" })
    }

    /// Entry i is the big-endian word at 2i of libibmad's array (ibroute applies ntohs).
    @Test func entriesMatchLibibmadsArray() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<300 {
            var bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var array = [UInt8](repeating: 0, count: 64)
            array.withUnsafeMutableBytes { CIBMadOracle_decode(Int32(IB_MULTICAST_FORW_TBL_F.rawValue), &bytes, $0.baseAddress!) }
            let theirs = (0..<32).map { UInt16(array[2 * $0]) << 8 | UInt16(array[2 * $0 + 1]) }
            let table = try MulticastForwardingTable(decoding: bytes)
            #expect(table.portMasks == theirs, "seed \(differentialSeed)")
            #expect((0..<32).map { table[$0] } == theirs)
            var rebuilt = MulticastForwardingTable()
            rebuilt.portMasks = theirs
            #expect(rebuilt.encoded == bytes)
        }
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("MulticastForwardingTable", field: "PortMask[0]", needed: 2, available: 1)) {
            try MulticastForwardingTable(decoding: [UInt8](repeating: 0, count: 1))
        }
    }

    @Test func misuseIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = MulticastForwardingTable()[32] }
        await #expect(processExitsWith: .failure) { var table = MulticastForwardingTable(); table[-1] = 0 }
    }
}
