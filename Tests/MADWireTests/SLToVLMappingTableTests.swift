import CIBMadOracle
import MADWire
import Testing

@Suite struct SLToVLMappingTableTests {
    /// libibmad defines the table only as one 64-bit number (IB_SLTOVL_MAPPING_TABLE_F);
    /// it is paired with `Fields.table`, which spans the same bits and is not in `layout`.
    static let pairs: [OraclePair] = [
        OraclePair(IB_SLTOVL_MAPPING_TABLE_F, SLToVLMappingTable.Fields.table),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(SLToVLMappingTable.self, pair)
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(SLToVLMappingTable.layout)
        #expect(SLToVLMappingTable.layout.fields.map(\.name) == (0..<16).map { "SL\($0)toVL" })
    }

    /// Each entry against libibmad's own printer (mad_dump_sltovl, as smpquery sl2vl uses).
    @Test func entriesMatchLibibmadsPrinter() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<500 {
            var bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let table = try SLToVLMappingTable(decoding: bytes)
            var text = [CChar](repeating: 0, count: 512)
            mad_dump_sltovl(&text, Int32(text.count), &bytes, 8)
            let printed = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let theirs = printed.split(separator: "|").compactMap { UInt8($0.filter { $0 != " " && $0 != "\n" }) }
            #expect(table.vls == theirs, "seed \(differentialSeed): libibmad printed \(printed)")
            #expect((0..<16).map { table[$0] } == theirs)
            #expect(table.packed == bytes.reduce(0) { $0 << 8 | UInt64($1) })

            var rebuilt = SLToVLMappingTable()
            rebuilt.vls = theirs
            #expect(rebuilt.encoded == bytes)
        }
    }

    @Test func sl0IsTheHighNibble() {
        var table = SLToVLMappingTable()
        table[0] = 0xA
        table[15] = 0x3
        #expect(table.encoded == [0xA0, 0, 0, 0, 0, 0, 0, 0x03])
        table.packed = 0x0123_4567_89AB_CDEF
        #expect(table.vls == (0..<16).map { UInt8($0) })
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("SLtoVLMappingTable", field: "SL6toVL", needed: 4, available: 3)) {
            try SLToVLMappingTable(decoding: [UInt8](repeating: 0, count: 3))
        }
    }

    @Test func misuseIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = SLToVLMappingTable()[16] }
        await #expect(processExitsWith: .failure) { var table = SLToVLMappingTable(); table[0] = 16 }
    }
}
