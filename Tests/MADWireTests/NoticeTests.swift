import CIBMadOracle
import MADWire
import Testing

@Suite struct NoticeTests {
    typealias F = Notice.Fields
    static let pairs: [OraclePair] = [
        OraclePair(IB_NOTICE_IS_GENERIC_F, F.isGeneric),
        OraclePair(IB_NOTICE_TYPE_F, F.type),
        OraclePair(IB_NOTICE_PRODUCER_F, F.producerTypeOrVendorID),
        OraclePair(IB_NOTICE_TRAP_NUMBER_F, F.trapNumberOrDeviceID),
        OraclePair(IB_NOTICE_ISSUER_LID_F, F.issuerLID),
        OraclePair(IB_NOTICE_TOGGLE_F, F.noticeToggle),
        OraclePair(IB_NOTICE_COUNT_F, F.noticeCount),
        OraclePair(IB_NOTICE_DATA_DETAILS_F, F.dataDetails),
        // libibmad's trap-specific views of DataDetails.
        OraclePair(IB_NOTICE_DATA_LID_F, TrapDetails.trap128LID),
        OraclePair(IB_NOTICE_DATA_144_LID_F, TrapDetails.trap144LID),
        OraclePair(IB_NOTICE_DATA_144_CAPMASK_F, TrapDetails.trap144CapabilityMask),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(Notice.self, pair)
    }

    @Test func everyLibibmadNoticeFieldIsPaired() {
        // libibmad has no IssuerGID field (it only ever handles the SMP form).
        SMPAttributeChecks.expectPairsCover(Self.pairs, [IB_NOTICE_IS_GENERIC_F.rawValue..<(IB_NOTICE_DATA_144_CAPMASK_F.rawValue + 1)])
    }

    @Test func layoutCoversEveryBit() {
        SMPAttributeChecks.expectCompleteLayout(Notice.layout)
        #expect(Notice.layout.byteCount == 80 && Notice.smpByteCount == 64)
        #expect(F.issuerGID.bits.byteOffset == Notice.smpByteCount, "IssuerGID is exactly what an SMP leaves out")
        #expect(Notice.attributeID == AttributeID(rawValue: 0x0002))
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("Notice", field: "IssuerLID", needed: 8, available: 7)) {
            try Notice(decoding: [UInt8](repeating: 0, count: 7))
        }
        // The SMP form is 64 bytes: the full form then misses IssuerGID...
        #expect(throws: MADWireError.truncated("Notice", field: "IssuerGID", needed: 80, available: 64)) {
            try Notice(decoding: [UInt8](repeating: 0, count: 64))
        }
        // ...and the SMP reader wants all of DataDetails.
        #expect(throws: MADWireError.truncated("Notice", field: "DataDetails", needed: 64, available: 63)) {
            try Notice(decodingSMPData: [UInt8](repeating: 0, count: 63))
        }
    }

    @Test func smpFormHasNoIssuerGID() throws {
        let smpData = (0..<64).map { UInt8($0 | 0x80) } + [UInt8](repeating: 0xEE, count: 8)
        let notice = try Notice(decodingSMPData: smpData)
        #expect(notice.encoded.prefix(64).elementsEqual(smpData.prefix(64)))
        #expect(notice.issuerGID == [UInt8](repeating: 0, count: 16))

        var out = [UInt8](repeating: 0x55, count: 72)
        try out.withUnsafeMutableBytes { try notice.encodeSMPData(into: $0) }
        #expect(Array(out.prefix(64)) == Array(smpData.prefix(64)))
        #expect(out.suffix(8).allSatisfy { $0 == 0x55 }, "writes only the 64-byte SMP form")
        #expect(throws: MADWireError.self) {
            var short = [UInt8](repeating: 0, count: 63)
            try short.withUnsafeMutableBytes { try notice.encodeSMPData(into: $0) }
        }
    }

    @Test func typedAccessorsAgreeWithLibibmad() throws {
        var notice = Notice()
        notice.isGeneric = true
        notice.type = .urgent
        notice.producerType = .switch
        notice.trapNumber = 129
        notice.issuerLID = 0x0042
        notice.noticeToggle = true
        notice.noticeCount = 0x7FFE
        notice[TrapDetails.trap129to131LID] = 0x0042
        notice[TrapDetails.trap129to131PortNumber] = 17
        notice.issuerGID = Array(0xF0...0xFF)
        let bytes = notice.encoded
        let expected: [(MAD_FIELDS, UInt64)] = [
            (IB_NOTICE_IS_GENERIC_F, 1), (IB_NOTICE_TYPE_F, 1), (IB_NOTICE_PRODUCER_F, 2),
            (IB_NOTICE_TRAP_NUMBER_F, 129), (IB_NOTICE_ISSUER_LID_F, 0x42), (IB_NOTICE_TOGGLE_F, 1),
            (IB_NOTICE_COUNT_F, 0x7FFE),
        ]
        for (field, value) in expected {
            #expect(SMPAttributeChecks.libibmadValue(field, in: bytes) == value, "\(String(cString: mad_field_name(field)))")
        }
        #expect(bytes[0] == 0x81 && Array(bytes[12..<15]) == [0x00, 0x42, 17])
        #expect(Array(bytes[64..<80]) == Array(0xF0...0xFF))

        let back = try Notice(decoding: bytes)
        #expect(back.isGeneric && back.type == .urgent && back.producerType == .switch && back.trapNumber == 129)
        #expect(back.vendorID == 2 && back.deviceID == 129, "vendor views alias the generic ones")
        #expect(back.noticeToggle && back.noticeCount == 0x7FFE && back.dataDetails.count == 54)

        var vendor = Notice()
        vendor.vendorID = 0x0002C9
        vendor.deviceID = 0x1003
        #expect(SMPAttributeChecks.libibmadValue(IB_NOTICE_PRODUCER_F, in: vendor.encoded) == 0x0002C9)
        #expect(SMPAttributeChecks.libibmadValue(IB_NOTICE_TRAP_NUMBER_F, in: vendor.encoded) == 0x1003)
    }

    @Test func unknownValuesSurvive() throws {
        var bytes = [UInt8](repeating: 0, count: 80)
        bytes[0] = 0x55  // not generic, Type 0x55 (reserved)
        bytes[1] = 0x12; bytes[2] = 0x34; bytes[3] = 0x56
        let notice = try Notice(decoding: bytes)
        #expect(!notice.isGeneric && notice.type.rawValue == 0x55 && notice.type.description == "85")
        #expect(notice.producerType.rawValue == 0x123456 && notice.producerType.description == "1193046")
        #expect(notice.encoded == bytes)
    }

    @Test func trapDetailTablesFitInDataDetails() {
        for number: UInt16 in [64, 65, 66, 67, 128, 129, 130, 131, 144, 145] {
            guard let fields = TrapDetails.fields(forTrap: number) else {
                Issue.record("no table for trap \(number)")
                continue
            }
            var lastEnd = F.dataDetails.bits.absoluteBitOffset
            for field in fields {
                #expect(field.bits.absoluteBitOffset >= lastEnd, "trap \(number) \(field.name) overlaps or is out of order")
                lastEnd = field.bits.absoluteBitOffset + field.bits.width
            }
            #expect(lastEnd <= Notice.smpByteCount * 8, "trap \(number) details spill past DataDetails")
        }
        #expect(TrapDetails.fields(forTrap: 256) == nil)
    }

    @Test func trap144And145Details() throws {
        var notice = Notice()
        notice.trapNumber = 144
        notice[TrapDetails.trap144LID] = 7
        notice[TrapDetails.trap144OtherLocalChanges] = 1
        notice[TrapDetails.trap144CapabilityMask] = UInt64(PortCapabilities.isSM.rawValue)
        notice[TrapDetails.trap144ChangeFlags] = 0x01
        notice[TrapDetails.trap144CapabilityMask2] = 0x0400
        #expect(Array(notice.encoded[10..<24]) == [0, 0, 0, 7, 0, 0x01, 0, 0, 0, 0x02, 0, 0x01, 0x04, 0x00])

        var guidNotice = Notice()
        guidNotice[TrapDetails.trap145SystemImageGUID] = 0x0002_C903_00AB_CDEF
        #expect(Array(guidNotice.encoded[16..<24]) == [0x00, 0x02, 0xC9, 0x03, 0x00, 0xAB, 0xCD, 0xEF])
    }

    @Test func producerTypeNamesMatchLibibmad() {
        for entry in NoticeProducerType.names.entries where entry.value <= 3 {
            #expect(SMPAttributeChecks.libibmadText(IB_NOTICE_PRODUCER_F, UInt32(entry.value)) == entry.name)
        }
    }
}
