import MADWire
import Testing

/// libibmad has no LinkRecord fields: checked against the IBA table and opensm's
/// ib_link_record_t (from_lid, from_port_num, to_port_num, to_lid).
@Suite struct LinkRecordTests {
    typealias F = LinkRecord.Fields

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(LinkRecord.layout)
    }

    @Test func encodesALink() {
        var link = LinkRecord()
        link.fromLID = 0x0102
        link.fromPort = 3
        link.toPort = 4
        link.toLID = 0x0506
        #expect(link.encoded == [0x01, 0x02, 3, 4, 0x05, 0x06])
        let decoded = try! LinkRecord(decoding: [0x01, 0x02, 3, 4, 0x05, 0x06, 0xEE, 0xEE])  // padded
        #expect(decoded.fromLID == 0x0102 && decoded.toLID == 0x0506 && decoded.fromPort == 3 && decoded.toPort == 4)
    }

    /// opensm IB_LR_COMPMASK_FROM_LID 1<<0, FROM_PORT 1<<1, TO_PORT 1<<2, TO_LID 1<<3.
    @Test func componentMaskFollowsTheTable() {
        typealias M = LinkRecord.ComponentMask
        SARecordChecks.expectMaskMatchesLayout(LinkRecord.layout, [
            (M.fromLID.rawValue, F.fromLID), (M.fromPort.rawValue, F.fromPort),
            (M.toPort.rawValue, F.toPort), (M.toLID.rawValue, F.toLID),
        ])
    }
}
