import MADWire
import Testing

/// libibmad has no P_KeyTable field (smpquery reads the block as big-endian 16-bit words
/// itself), so there is nothing to pair: these check the IBA 14.2.5.7 layout directly.
@Suite struct PKeyTableTests {
    typealias PartitionKey = PKeyTable.PartitionKey

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(PKeyTable.layout)
        #expect(PKeyTable.layout.fields.first?.name == "P_Key[0]")
        #expect(PKeyTable.layout.fields.last?.name == "P_Key[31]")
    }

    @Test func entriesAreBigEndianWithTheMembershipBitOnTop() throws {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0...1] = [0xFF, 0xFF]  // default partition, full member
        bytes[2...3] = [0x7F, 0xFF]  // default partition, limited member
        bytes[4...5] = [0x80, 0x01]  // partition 1, full
        bytes[62...63] = [0x12, 0x34]
        let table = try PKeyTable(decoding: bytes)
        #expect(table[0] == .defaultFull && table[0].isFullMember && table[0].base == 0x7FFF)
        #expect(table[1] == .defaultLimited && !table[1].isFullMember && table[1].base == 0x7FFF)
        #expect(table[2].isFullMember && table[2].base == 1)
        #expect(table[3].rawValue == 0 && !table[3].isValid)
        #expect(table[31].rawValue == 0x1234 && !table[31].isFullMember)
        #expect(table.pKeys.count == 32)
        #expect(PartitionKey(rawValue: 0x8000).isValid == false)
    }

    @Test func randomTablesRoundTripThroughEveryAccessor() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<500 {
            let bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let table = try PKeyTable(decoding: bytes)
            for index in 0..<32 {
                let word = UInt16(bytes[2 * index]) << 8 | UInt16(bytes[2 * index + 1])
                let key = table[index]
                #expect(key.rawValue == word, "seed \(differentialSeed)")
                #expect(key.isFullMember == (word & 0x8000 != 0) && key.base == word & 0x7FFF)
                #expect(PartitionKey(base: key.base, fullMember: key.isFullMember) == key)
            }
            var rebuilt = PKeyTable()
            rebuilt.pKeys = table.pKeys
            #expect(rebuilt.encoded == bytes)
        }
    }

    @Test func membershipCanBeChangedWithoutTouchingTheBase() {
        var key = PartitionKey(base: 0x1234, fullMember: false)
        key.isFullMember = true
        #expect(key.rawValue == 0x9234)
        key.isFullMember = false
        #expect(key.rawValue == 0x1234 && key.description == "0x1234")
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("P_KeyTable", field: "P_Key[10]", needed: 22, available: 21)) {
            try PKeyTable(decoding: [UInt8](repeating: 0, count: 21))
        }
    }

    @Test func misuseIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) { _ = PKeyTable()[32] }
        await #expect(processExitsWith: .failure) { _ = PKeyTable.PartitionKey(base: 0x8000, fullMember: true) }
    }
}
