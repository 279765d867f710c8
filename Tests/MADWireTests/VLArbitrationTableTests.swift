import CIBMadOracle
import MADWire
import Testing

@Suite struct VLArbitrationTableTests {
    /// libibmad defines only the whole 64-byte block (IB_VL_ARBITRATION_TABLE_F); it is
    /// paired with `Fields.table`, which spans the same bits and is not in `layout`.
    static let pairs: [OraclePair] = [
        OraclePair(IB_VL_ARBITRATION_TABLE_F, VLArbitrationTable.Fields.table),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(VLArbitrationTable.self, pair)
    }

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(VLArbitrationTable.layout)
        #expect(VLArbitrationTable.layout.fields.prefix(3).map(\.name) == ["Reserved[0]", "VL[0]", "Weight[0]"])
        #expect(VLArbitrationTable.layout.fields.count == 96)
    }

    /// Each entry against libibmad's own printer (mad_dump_vlarbitration, as smpquery
    /// vlarb uses), which prints a VL row and a WEIGHT row.
    @Test func entriesMatchLibibmadsPrinter() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<300 {
            var bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let table = try VLArbitrationTable(decoding: bytes)
            var text = [CChar](repeating: 0, count: 2048)
            mad_dump_vlarbitration(&text, Int32(text.count), &bytes, 64)
            let printed = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            func row(_ label: String) -> [UInt8] {
                guard let line = printed.split(separator: "\n").first(where: { $0.hasPrefix(label) }),
                      let colon = line.firstIndex(of: ":") else { return [] }
                return line[line.index(after: colon)...].split(separator: "|").compactMap {
                    let digits = $0.filter { $0 != " " }
                    return digits.hasPrefix("0x") ? UInt8(digits.dropFirst(2), radix: 16) : nil
                }
            }
            let theirs = zip(row("VL"), row("WEIGHT")).map { VLArbitrationTable.Entry(vl: $0, weight: $1) }
            #expect(theirs.count == 32, "libibmad printed \(printed)")
            #expect(table.entries == theirs, "seed \(differentialSeed)")
            #expect((0..<32).map { table[$0] } == theirs)
        }
    }

    @Test func settingAnEntryKeepsItsReservedBits() throws {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[6] = 0xF0  // entry 3: reserved bits set, VL 0
        var table = try VLArbitrationTable(decoding: bytes)
        table[3] = VLArbitrationTable.Entry(vl: 0x7, weight: 0x40)
        #expect(Array(table.encoded[6...7]) == [0xF7, 0x40])
        #expect(table[VLArbitrationTable.Fields.reserved[3]] == 0xF)
        var whole = VLArbitrationTable()
        whole.entries = table.entries
        #expect(Array(whole.encoded[6...7]) == [0x07, 0x40])
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("VLArbitrationTable", field: "Weight[4]", needed: 10, available: 9)) {
            try VLArbitrationTable(decoding: [UInt8](repeating: 0, count: 9))
        }
    }

    @Test func misuseIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = VLArbitrationTable()[32] }
        await #expect(processExitsWith: .failure) {
            var table = VLArbitrationTable()
            table[0] = VLArbitrationTable.Entry(vl: 16, weight: 1)
        }
    }
}
