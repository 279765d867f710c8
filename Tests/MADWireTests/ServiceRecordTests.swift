import CIBMadOracle
import MADWire
import Testing

@Suite struct ServiceRecordTests {
    typealias F = ServiceRecord.Fields

    // SA record fields: libibmad's offsets are relative to the record (base 0). libibmad
    // sees ServiceData8/16/32/64 as one 64-byte array, paired with the aggregate view.
    static let pairs: [OraclePair] = [
        OraclePair(IB_SA_SR_ID_F, F.serviceID),
        OraclePair(IB_SA_SR_GID_F, F.serviceGID),
        OraclePair(IB_SA_SR_PKEY_F, F.servicePKey),
        OraclePair(IB_SA_SR_LEASE_F, F.serviceLease),
        OraclePair(IB_SA_SR_KEY_F, F.serviceKey),
        OraclePair(IB_SA_SR_NAME_F, F.serviceName),
        OraclePair(IB_SA_SR_DATA_F, F.serviceData),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(ServiceRecord.self, pair)
    }

    @Test func everyLibibmadFieldIsPaired() {
        SARecordChecks.expectAllPaired(Self.pairs, [(IB_SA_SR_ID_F, IB_SA_SR_DATA_F)])
    }

    @Test func layoutTilesTheRecord() {
        LayoutCheck.expectTiles(ServiceRecord.layout)
        // The aggregate view covers exactly the 30 ServiceData components.
        let data = ServiceRecord.layout.fields.filter { $0.name.hasPrefix("ServiceData") }
        #expect(data.count == 30)
        #expect(data.first?.bits.byteOffset == F.serviceData.bits.byteOffset)
        #expect(data.last.map { $0.bits.endByte } == F.serviceData.bits.endByte)
    }

    @Test func serviceDataElementsAreBigEndianInPlace() {
        var record = ServiceRecord()
        record.setServiceData8(15, 0xAB)
        record.setServiceData16(0, 0x0102)
        record.setServiceData32(3, 0x0A0B_0C0D)
        record.setServiceData64(1, 0x1112_1314_1516_1718)
        let bytes = record.encoded
        #expect(bytes[127] == 0xAB && bytes[128] == 0x01 && bytes[129] == 0x02)
        #expect(Array(bytes[156..<160]) == [0x0A, 0x0B, 0x0C, 0x0D])
        #expect(Array(bytes[168..<176]) == [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
        #expect(record.serviceData16(0) == 0x0102 && record.serviceData64(1) == 0x1112_1314_1516_1718)
    }

    @Test func serviceNameIsNulTerminatedText() {
        var record = ServiceRecord()
        record.serviceName = "DAPL"
        #expect(Array(record.encoded[48..<53]) == Array("DAPL".utf8) + [0])
        #expect(record.serviceName == "DAPL")
        // 64 bytes exactly: no NUL; a longer name is cut at a scalar boundary.
        record.serviceName = String(repeating: "x", count: 63) + "é"
        #expect(record.serviceName == String(repeating: "x", count: 63))
        record.serviceName = String(repeating: "y", count: 64)
        #expect(record.serviceName.utf8.count == 64)
    }

    /// opensm IB_SR_COMPMASK_SID 1<<0 ... SDATA8_0 1<<7, SDATA16_0 1<<23, SDATA32_0 1<<31,
    /// SDATA64_1 1<<36.
    @Test func componentMaskFollowsTheTable() {
        typealias M = ServiceRecord.ComponentMask
        var pairs: [(UInt64, Field)] = [
            (M.serviceID.rawValue, F.serviceID), (M.serviceGID.rawValue, F.serviceGID),
            (M.servicePKey.rawValue, F.servicePKey), (M.reserved.rawValue, F.reserved),
            (M.serviceLease.rawValue, F.serviceLease), (M.serviceKey.rawValue, F.serviceKey),
            (M.serviceName.rawValue, F.serviceName),
        ]
        pairs += (0..<16).map { (M.serviceData8($0).rawValue, F.serviceData8[$0]) }
        pairs += (0..<8).map { (M.serviceData16($0).rawValue, F.serviceData16[$0]) }
        pairs += (0..<4).map { (M.serviceData32($0).rawValue, F.serviceData32[$0]) }
        pairs += (0..<2).map { (M.serviceData64($0).rawValue, F.serviceData64[$0]) }
        SARecordChecks.expectMaskMatchesLayout(ServiceRecord.layout, pairs)
        #expect(M.serviceData8(0).rawValue == 1 << 7 && M.serviceData16(0).rawValue == 1 << 23)
        #expect(M.serviceData32(0).rawValue == 1 << 31 && M.serviceData64(1).rawValue == 1 << 36)
    }
}
