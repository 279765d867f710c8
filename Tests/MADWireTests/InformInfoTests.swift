import MADWire
import Testing

/// libibmad has no InformInfo fields: the layout is checked against the IBA table and
/// opensm's ib_inform_info_t (gid, lid_range_begin/end, reserved1, is_generic, subscribe,
/// trap_type, trap_num/dev_id, qpn_resp_time_val, reserved2, node_type/vendor_id).
@Suite struct InformInfoTests {
    typealias F = InformInfo.Fields

    @Test func layoutTilesTheAttribute() {
        LayoutCheck.expectTiles(InformInfo.layout)
    }

    @Test func offsetsMatchOpenSMStruct() {
        #expect(F.gid.bits.byteOffset == 0 && F.gid.bits.width == 128)
        #expect(F.lidRangeBegin.bits.byteOffset == 16 && F.lidRangeEnd.bits.byteOffset == 18)
        #expect(F.isGeneric.bits.byteOffset == 22 && F.subscribe.bits.byteOffset == 23)
        #expect(F.type.bits.byteOffset == 24 && F.trapNumberOrDeviceID.bits.byteOffset == 26)
        // qpn_resp_time_val: QPN in the top 24 bits, 3 reserved, RespTimeValue in the low 5.
        #expect(F.qpn.bits.absoluteBitOffset == 28 * 8 && F.qpn.bits.width == 24)
        #expect(F.respTimeValue.bits.absoluteBitOffset == 32 * 8 - 5 && F.respTimeValue.bits.width == 5)
        // reserved2, then node_type_msb + node_type_lsb (24 bits).
        #expect(F.producerTypeOrVendorID.bits.absoluteBitOffset == 33 * 8 && F.producerTypeOrVendorID.bits.width == 24)
    }

    /// A subscription to all SM traps (trap 64, GID in service) built field by field gives
    /// the bytes opensm's struct would hold.
    @Test func encodesASubscription() {
        var info = InformInfo()
        info.lidRangeBegin = 0xFFFF
        info.isGeneric = true
        info.subscribe = true
        info.type = .all
        info.trapNumberOrDeviceID = 64
        info.qpn = 0x00_0001
        info.respTimeValue = 18
        info.producerTypeOrVendorID = 4  // class manager
        var expected = [UInt8](repeating: 0, count: 36)
        expected[16] = 0xFF; expected[17] = 0xFF
        expected[22] = 1; expected[23] = 1
        expected[24] = 0xFF; expected[25] = 0xFF
        expected[26] = 0; expected[27] = 64
        expected[28] = 0; expected[29] = 0; expected[30] = 1; expected[31] = 18
        expected[35] = 4
        #expect(info.encoded == expected)
        let decoded = try! InformInfo(decoding: expected)
        #expect(decoded.type == .all && decoded.qpn == 1 && decoded.respTimeValue == 18 && decoded.subscribe)
    }

    @Test func reservedBitsRoundTrip() {
        let bytes = [UInt8](repeating: 0xFF, count: 36)
        var info = try! InformInfo(decoding: bytes)
        info.respTimeValue = 0
        #expect(info.encoded[31] == 0xE0)  // the 3 reserved bits above RespTimeValue are kept
        #expect(info.qpn == 0xFF_FFFF)
    }

    @Test func truncatedInputNamesTheField() {
        let short = [UInt8](repeating: 0, count: 31)
        #expect(throws: MADWireError.truncated("InformInfo", field: "Reserved", needed: 32, available: 31)) {
            try InformInfo(decoding: short)
        }
    }
}
