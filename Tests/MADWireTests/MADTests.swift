import CIBMadOracle
import MADWire
import Testing

/// Checks that a layout lists every component in wire order with no gap and no overlap.
enum LayoutCheck {
    static func expectTiles(_ layout: WireLayout, sourceLocation: SourceLocation = #_sourceLocation) {
        var position = 0
        for field in layout.fields {
            #expect(field.bits.absoluteBitOffset == position,
                    "\(layout.name).\(field.name) starts at bit \(field.bits.absoluteBitOffset), expected \(position)",
                    sourceLocation: sourceLocation)
            position = field.bits.absoluteBitOffset + field.bits.width
        }
        #expect(position == layout.byteCount * 8, "\(layout.name) fields end at bit \(position)",
                sourceLocation: sourceLocation)
    }
}

@Suite struct MADTests {
    // MARK: Header fields against libibmad (offsets from the MAD's start, base 0)

    static let pairs: [OraclePair] = [
        OraclePair(IB_MAD_METHOD_F, MADHeader.methodBits),
        OraclePair(IB_MAD_RESPONSE_F, MADHeader.responseBit),
        OraclePair(IB_MAD_CLASSVER_F, MADHeader.classVersion),
        OraclePair(IB_MAD_MGMTCLASS_F, MADHeader.managementClass),
        OraclePair(IB_MAD_BASEVER_F, MADHeader.baseVersion),
        // On a DR SMP the top bit of this word is the D bit (IBA 14.2.1.2); libibmad's
        // MadStatus, like MADHeader.status, is the whole word.
        OraclePair(IB_MAD_STATUS_F, MADHeader.status),
        // 15 bits after the D bit (IBA 14.2.1.2); libibmad agrees (see the quirk below).
        OraclePair(IB_DRSMP_STATUS_F, SMPLayout.drStatus),
        OraclePair(IB_DRSMP_HOPCNT_F, SMPLayout.hopCount),
        OraclePair(IB_DRSMP_HOPPTR_F, SMPLayout.hopPointer),
        OraclePair(IB_DRSMP_DIRECTION_F, SMPLayout.direction),
        OraclePair(IB_MAD_TRID_F, MADHeader.transactionID),
        OraclePair(IB_MAD_ATTRID_F, MADHeader.attributeID),
        OraclePair(IB_MAD_ATTRMOD_F, MADHeader.attributeModifier),
        OraclePair(IB_MAD_MKEY_F, SMPLayout.mKey),
        OraclePair(IB_DRSMP_DRDLID_F, SMPLayout.drDLID),
        OraclePair(IB_DRSMP_DRSLID_F, SMPLayout.drSLID),
        // libibmad calls it "SaSMkey" / IB_SA_MKEY_F; IBA 15.2.1.1 calls it SM_Key.
        OraclePair(IB_SA_MKEY_F, SAHeader.smKey),
        OraclePair(IB_SA_ATTROFFS_F, SAHeader.attributeOffset),
        OraclePair(IB_SA_COMPMASK_F, SAHeader.componentMask),
        OraclePair(IB_SA_DATA_F, SAHeader.data),
        OraclePair(IB_GS_DATA_F, GMPLayout.data),
        // libibmad's path fields are the whole 64 bytes, entry 0 (reserved, IBA 14.2.1.2)
        // included: so are ours; DirectedRouteSMP never reads or writes entry 0.
        OraclePair(IB_DRSMP_PATH_F, SMPLayout.initialPath),
        OraclePair(IB_DRSMP_RPATH_F, SMPLayout.returnPath),
        OraclePair(IB_SA_RMPP_VERS_F, RMPPHeader.version),
        OraclePair(IB_SA_RMPP_TYPE_F, RMPPHeader.type),
        OraclePair(IB_SA_RMPP_RESP_F, RMPPHeader.responseTime),
        OraclePair(IB_SA_RMPP_FLAGS_F, RMPPHeader.flags),
        OraclePair(IB_SA_RMPP_STATUS_F, RMPPHeader.status),
        OraclePair(IB_SA_RMPP_D1_F, RMPPHeader.data1),
        OraclePair(IB_SA_RMPP_SEGNUM_F, RMPPHeader.segmentNumber),
        OraclePair(IB_SA_RMPP_D2_F, RMPPHeader.data2),
        OraclePair(IB_SA_RMPP_LEN_F, RMPPHeader.payloadLength),
        OraclePair(IB_SA_RMPP_NEWWIN_F, RMPPHeader.newWindowLast),
        OraclePair(IB_VEND2_OUI_F, VendorRange2Header.oui),
        OraclePair(IB_VEND2_DATA_F, VendorRange2Header.data),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(MAD.self, pair)
    }

    /// Quirk: libibmad's _set_field does not mask a value wider than the field, so
    /// encoding a 16th bit into IB_DRSMP_STATUS_F sets the D bit; MADWire masks it.
    @Test func libibmadLetsAWideDRStatusSpillIntoTheDBit() throws {
        let field = Int32(IB_DRSMP_STATUS_F.rawValue)
        var theirs = [UInt8](repeating: 0, count: 256)
        var tooWide: UInt32 = 0x8001
        CIBMadOracle_encode(field, &theirs, &tooWide)
        #expect(Array(theirs[4...5]) == [0x80, 0x01], "libibmad writes the 16th bit into D")
        var mad = MAD()
        mad[SMPLayout.drStatus] = 0x8001
        #expect(Array(mad.encoded[4...5]) == [0x00, 0x01], "MADWire keeps D untouched")
    }

    /// Exception: libibmad's IB_SM_DATA_F is an empty entry ("reserved as invalid" in
    /// fields.c), so SMPLayout.data (bytes 64–127, IBA 14.2.1.1) has no libibmad twin.
    @Test func libibmadHasNoSMPDataField() {
        var first: Int32 = 0, width: Int32 = 0
        _ = CIBMadOracle_field_extent(Int32(IB_SM_DATA_F.rawValue), &first, &width)
        #expect(width == 0, "libibmad now defines IB_SM_DATA_F (bit \(first), width \(width)): pair it")
        #expect(SMPLayout.data.bits.byteOffset == 64 && SMPLayout.data.bits.width == 64 * 8)
    }

    @Test func headerLayoutsTileTheMAD() {
        LayoutCheck.expectTiles(MAD.layout)
        LayoutCheck.expectTiles(WireLayout(name: "LID-routed SMP", byteCount: 256, specReference: "IBA 14.2.1.1",
                                           fields: SMPLayout.lidRoutedFields))
        LayoutCheck.expectTiles(WireLayout(name: "DR SMP", byteCount: 256, specReference: "IBA 14.2.1.2",
                                           fields: SMPLayout.directedRouteFields))
    }

    /// The typed header properties read and write fixed offsets (the agent's hot path);
    /// they must agree with the `MADHeader` table, which is checked against libibmad above.
    @Test func typedHeaderPropertiesAgreeWithTheFieldTable() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for sample in 0..<64 {
            let bytes = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let mad = try MAD(decoding: bytes)
            let reads: [(String, UInt64, Field)] = [
                ("baseVersion", UInt64(mad.baseVersion), MADHeader.baseVersion),
                ("managementClass", UInt64(mad.managementClass.rawValue), MADHeader.managementClass),
                ("classVersion", UInt64(mad.classVersion), MADHeader.classVersion),
                ("method", UInt64(mad.method.rawValue), MADHeader.methodByte),
                ("status", UInt64(mad.status.rawValue), MADHeader.status),
                ("classSpecific", UInt64(mad.classSpecific), MADHeader.classSpecific),
                ("transactionID", mad.transactionID, MADHeader.transactionID),
                ("attributeID", UInt64(mad.attributeID.rawValue), MADHeader.attributeID),
                ("attributeModifier", UInt64(mad.attributeModifier), MADHeader.attributeModifier),
            ]
            for (name, value, field) in reads {
                #expect(value == mad[field], "sample \(sample): \(name) reads 0x\(hexDigits(value, width: 16))")
            }
            var written = mad
            var expected = mad
            let value = UInt64.random(in: 0...UInt64.max, using: &rng)
            written.baseVersion = UInt8(truncatingIfNeeded: value)
            written.managementClass = ManagementClass(rawValue: UInt8(truncatingIfNeeded: value >> 8))
            written.classVersion = UInt8(truncatingIfNeeded: value >> 16)
            written.method = Method(rawValue: UInt8(truncatingIfNeeded: value >> 24))
            written.status = MADStatus(rawValue: UInt16(truncatingIfNeeded: value >> 32))
            written.classSpecific = UInt16(truncatingIfNeeded: value >> 48)
            written.transactionID = value &* 0x9E37_79B9_7F4A_7C15
            written.attributeID = AttributeID(rawValue: UInt16(truncatingIfNeeded: value >> 16))
            written.attributeModifier = UInt32(truncatingIfNeeded: value >> 8)
            expected[MADHeader.baseVersion] = value & 0xFF
            expected[MADHeader.managementClass] = value >> 8 & 0xFF
            expected[MADHeader.classVersion] = value >> 16 & 0xFF
            expected[MADHeader.methodByte] = value >> 24 & 0xFF
            expected[MADHeader.status] = value >> 32 & 0xFFFF
            expected[MADHeader.classSpecific] = value >> 48 & 0xFFFF
            expected[MADHeader.transactionID] = value &* 0x9E37_79B9_7F4A_7C15
            expected[MADHeader.attributeID] = value >> 16 & 0xFFFF
            expected[MADHeader.attributeModifier] = value >> 8 & 0xFFFF_FFFF
            #expect(written.encoded == expected.encoded, "sample \(sample): typed writes differ from the table's")
        }
    }

    // MARK: Round trips

    /// Every class value, 16 random MADs each: decoding keeps all 256 bytes, and reading
    /// then writing back every typed property changes nothing.
    @Test func randomMADsOfEveryClassRoundTrip() throws {
        let seed = differentialSeed
        var rng = SeededGenerator(seed: seed)
        for managementClass in 0...255 {
            for sample in 0..<16 {
                var bytes = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
                bytes[1] = UInt8(managementClass)
                let context = "seed \(seed) class 0x\(hexDigits(UInt64(managementClass), width: 2)) sample \(sample)"

                var mad = try MAD(decoding: bytes)
                #expect(mad.encoded == bytes, "\(context): decode/encode")
                let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
                defer { scratch.deallocate() }
                scratch.copyBytes(from: bytes)
                let fromPointer = try MAD(decoding: UnsafeRawBufferPointer(scratch))
                #expect(fromPointer.encoded == bytes, "\(context): decode from a buffer pointer")
                scratch.initializeMemory(as: UInt8.self, repeating: 0)
                try mad.encode(into: scratch)
                #expect(Array(scratch) == bytes, "\(context): encode(into:)")

                mad.baseVersion = mad.baseVersion
                mad.managementClass = mad.managementClass
                mad.classVersion = mad.classVersion
                mad.method = mad.method
                mad.status = mad.status
                mad.classSpecific = mad.classSpecific
                mad.transactionID = mad.transactionID
                mad.attributeID = mad.attributeID
                mad.attributeModifier = mad.attributeModifier
                mad.mKey = mad.mKey
                mad.rmppVersion = mad.rmppVersion
                mad.rmppType = mad.rmppType
                mad.rmppResponseTime = mad.rmppResponseTime
                mad.rmppFlags = mad.rmppFlags
                mad.rmppStatus = mad.rmppStatus
                mad.rmppData1 = mad.rmppData1
                mad.rmppData2 = mad.rmppData2
                mad.smKey = mad.smKey
                mad.saAttributeOffset = mad.saAttributeOffset
                mad.componentMask = mad.componentMask
                mad.vendorOUI = mad.vendorOUI
                let table = try mad.attribute(LinearForwardingTable.self)
                try mad.setAttribute(table)
                #expect(mad.encoded == bytes, "\(context): header properties written back")

                if mad.managementClass == .subnetDirectedRoute {
                    var smp = try DirectedRouteSMP(mad)
                    smp.isReturning = smp.isReturning
                    smp.status = smp.status
                    smp.hopPointer = smp.hopPointer
                    smp.hopCount = smp.hopCount
                    smp.drSLID = smp.drSLID
                    smp.drDLID = smp.drDLID
                    for index in 0...SMPLayout.maxHops { smp.setReturnPathEntry(index, smp.returnPathEntry(index)) }
                    #expect(smp.mad.encoded == bytes, "\(context): DR properties written back")
                }
            }
        }
    }

    @Test func unknownCodePointsRoundTrip() throws {
        var mad = MAD(class: ManagementClass(rawValue: 0x7E), classVersion: 0xEE, method: Method(rawValue: 0x7F),
                      attribute: AttributeID(rawValue: 0xFF00), modifier: 0xDEAD_BEEF, transactionID: 0x0123_4567_89AB_CDEF)
        mad.status = MADStatus(rawValue: 0xFFFF)
        let bytes = mad.encoded
        #expect(Array(bytes[0...7]) == [1, 0x7E, 0xEE, 0x7F, 0xFF, 0xFF, 0, 0])
        #expect(Array(bytes[16...23]) == [0xFF, 0x00, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF])
        let back = try MAD(decoding: bytes)
        #expect(back.managementClass.rawValue == 0x7E && back.managementClass.name == nil)
        #expect(back.managementClass.description == "0x7e")
        #expect(back.method.rawValue == 0x7F && back.method.name == nil && !back.method.isResponse)
        #expect(back.attributeID.rawValue == 0xFF00)
        #expect(back.status.rawValue == 0xFFFF && back.status.reservedBits == 7 && back.status.code.rawValue == 7)

        for raw in [0x00, 0x80, 0xFF, 0x7F, 0x93] as [UInt8] {
            var unknown = MAD()
            unknown.method = Method(rawValue: raw)
            #expect(unknown.encoded[3] == raw && unknown.method.rawValue == raw)
            #expect(unknown.method.isResponse == (raw & 0x80 != 0) && unknown.method.request.rawValue == raw & 0x7F)
        }
        for raw in [UInt16(0), 0x0100, 0xFF1F, 0x00E0, 0x8000] {
            var withStatus = MAD()
            withStatus.status = MADStatus(rawValue: raw)
            #expect(try MAD(decoding: withStatus.encoded).status.rawValue == raw)
        }
    }

    // MARK: Status (IBA 13.4.7)

    @Test func statusDecodesEveryCommonCondition() {
        #expect(MADStatus(rawValue: 0).isSuccess && MADStatus.success.description == "success (0x0000)")
        let busy = MADStatus(rawValue: 0x0001)
        #expect(busy.isBusy && !busy.isRedirect && busy.code == .noInvalidFields && !busy.isSuccess)
        let redirect = MADStatus(rawValue: 0x0002)
        #expect(redirect.isRedirect && !redirect.isBusy)
        #expect(MADStatus(rawValue: 0x0004).code == .badVersion)
        #expect(MADStatus(rawValue: 0x0008).code == .unsupportedMethod)
        #expect(MADStatus(rawValue: 0x000C).code == .unsupportedMethodAttribute)
        #expect(MADStatus(rawValue: 0x001C).code == .invalidField)
        #expect(MADStatus(rawValue: 0x0010).code.name == "reserved code 4")
        let sa = MADStatus(rawValue: 0x0300)  // SA ERR_REQ_INVALID in the class-specific byte
        #expect(sa.classSpecific == 3 && sa.code == .noInvalidFields && !sa.isBusy)
        let all = MADStatus(rawValue: 0xAB1F)
        #expect(all.isBusy && all.isRedirect && all.code == .invalidField && all.classSpecific == 0xAB)
        #expect(all.description == "busy, redirect, invalid attribute or attribute modifier, class-specific 0xab (0xab1f)")
        #expect(MADStatus(rawValue: 0x00E0).reservedBits == 7)
    }

    // MARK: Truncation never traps

    @Test func everyTruncatedLengthThrowsNamingAField() {
        let bytes = [UInt8](repeating: 0xA5, count: 256)
        for length in 0..<256 {
            let expected = MAD.layout.firstField(endingAfter: length)
            #expect(expected != nil)
            let fromCollection = Result { () throws(MADWireError) in try MAD(decoding: bytes.prefix(length)) }
            let fromPointer = bytes.withUnsafeBytes { raw in
                Result { () throws(MADWireError) in try MAD(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<length])) }
            }
            for result in [fromCollection, fromPointer] {
                guard case .failure(let error) = result else {
                    Issue.record("\(length) bytes decoded as a MAD")
                    continue
                }
                #expect(error == MADWireError.truncated("MAD", field: expected?.name ?? "?",
                                                        needed: expected?.bits.endByte ?? 0, available: length))
                #expect(error.field != nil && (expected?.bits.endByte ?? 0) > length)
            }
        }
    }

    @Test func attributesPastTheEndOfTheMADThrowNamingAField() {
        let mad = MAD()
        func check<A: WireStructure>(_ type: A.Type) {
            for offset in 0...MAD.size {
                let result = Result { () throws(MADWireError) in try mad.attribute(type, at: offset) }
                let fits = offset + A.layout.byteCount <= MAD.size
                switch result {
                case .success: #expect(fits, "\(A.layout.name) at \(offset) decoded past byte 256")
                case .failure(let error):
                    #expect(!fits && error.code == .truncated && error.structure == A.layout.name && error.field != nil,
                            "\(A.layout.name) at \(offset): \(error)")
                }
            }
            for offset in [-1, 257] {
                #expect(throws: MADWireError.self) { try mad.attribute(type, at: offset) }
            }
        }
        check(GUIDInfo.self)
        check(PKeyTable.self)
        check(SLToVLMappingTable.self)
        check(VLArbitrationTable.self)
        check(LinearForwardingTable.self)
        check(MulticastForwardingTable.self)
        check(NodeInfo.self)
    }
}
