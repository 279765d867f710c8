import MADWire
import Testing

/// libibmad has no P_KeyTableRecord fields; P_KeyTable's own fields are paired in
/// PKeyTableTests. Layout per the IBA table and opensm's ib_pkey_table_record_t (lid,
/// block_num, port_num, reserved1, reserved2, pkey_tbl).
@Suite struct PKeyTableRecordTests {
    typealias F = PKeyTableRecord.Fields
    typealias M = PKeyTableRecord.ComponentMask

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(PKeyTableRecord.layout)
    }

    @Test func embedsPKeyTable() {
        SARecordChecks.expectEmbeds(PKeyTableRecord.self, PKeyTable.self, at: 8, prefix: "P_KeyTable",
                                    get: { $0.pKeyTable }, set: { $0.pKeyTable = $1 })
        var record = PKeyTableRecord()
        record.blockNum = 0x0102
        record.portNum = 7
        var table = PKeyTable()
        table[0] = .defaultFull
        record.pKeyTable = table
        #expect(Array(record.encoded[2..<10]) == [0x01, 0x02, 7, 0, 0, 0, 0xFF, 0xFF])
    }

    /// opensm IB_PKEY_COMPMASK_LID 1<<0, BLOCK 1<<1, PORT 1<<2; the whole table is one
    /// component, so its mask bit (4) is not a layout index.
    @Test func componentMaskFollowsTheTable() {
        SARecordChecks.expectMaskMatchesLayout(PKeyTableRecord.layout, [
            (M.lid.rawValue, F.lid), (M.blockNum.rawValue, F.blockNum), (M.portNum.rawValue, F.portNum),
            (M.reserved.rawValue, F.reserved),
        ])
        #expect(M.pKeyTable.rawValue == 1 << 4)
    }
}
