import CIBMadOracle
import MADWire
import Testing

/// libibmad's str2drpath / drpath2str / mad_encode, wrapped for the comparisons below.
enum LibibmadDR {
    /// str2drpath: hop count (-1 for no entries) and entries 0...count.
    static func parse(_ text: String) -> (count: Int, entries: [UInt8]) {
        var path = ib_dr_path_t()
        var cString = Array(text.utf8CString)
        let count = Int(str2drpath(&path, &cString, 0, 0))
        let entries = withUnsafeBytes(of: &path.p) { Array($0.prefix(max(count + 1, 0))) }
        return (count, entries)
    }

    static func path(_ ports: [UInt8], drSLID: UInt16 = 0xFFFF, drDLID: UInt16 = 0xFFFF) -> ib_dr_path_t {
        var path = ib_dr_path_t()
        path.cnt = Int32(ports.count)
        path.drslid = drSLID
        path.drdlid = drDLID
        withUnsafeMutableBytes(of: &path.p) { raw in for (hop, port) in ports.enumerated() { raw[hop + 1] = port } }
        return path
    }

    /// drpath2str without its "slid S; dlid D; " prefix.
    static func print(_ ports: [UInt8]) -> String {
        var drPath = path(ports)
        var text = [CChar](repeating: 0, count: 1024)
        _ = drpath2str(&drPath, &text, text.count)
        let full = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(full.split(separator: "; ").last ?? "")
    }

    /// mad_encode of a DR SMP: the bytes libibmad would send (or answer with, if `method`
    /// has the R bit).
    static func encode(method: UInt8, attribute: UInt16, modifier: UInt32, transactionID: UInt64, mKey: UInt64,
                       ports: [UInt8], drSLID: UInt16, drDLID: UInt16) -> [UInt8] {
        var rpc = ib_rpc_t()
        rpc.mgtclass = 0x81
        rpc.method = Int32(method)
        rpc.attr.id = UInt32(attribute)
        rpc.attr.mod = modifier
        rpc.trid = transactionID
        rpc.mkey = mKey
        var drPath = path(ports, drSLID: drSLID, drDLID: drDLID)
        var buffer = [UInt8](repeating: 0, count: 256)
        _ = mad_encode(&buffer, &rpc, &drPath, nil)
        return buffer
    }
}

@Suite struct DirectedRouteTests {
    // MARK: Header (IBA 14.2.1.2)

    @Test func directionBitAndFifteenBitStatusAreSeparate() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for _ in 0..<2000 {
            var bytes = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes[1] = 0x81
            let smp = try DirectedRouteSMP(MAD(decoding: bytes))
            let word = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
            var status: UInt32 = 0, direction: UInt32 = 0
            CIBMadOracle_decode(Int32(IB_DRSMP_STATUS_F.rawValue), &bytes, &status)
            CIBMadOracle_decode(Int32(IB_DRSMP_DIRECTION_F.rawValue), &bytes, &direction)
            #expect(smp.isReturning == (word & 0x8000 != 0) && smp.isReturning == (direction == 1), "seed \(differentialSeed)")
            #expect(smp.status.rawValue == word & 0x7FFF && UInt32(smp.status.rawValue) == status)
            #expect(smp.mad.status.rawValue == word, "MAD.status keeps the whole word")
        }
        var smp = try DirectedRouteSMP(MAD(class: .subnetDirectedRoute, classVersion: 1, method: .get, attribute: .nodeInfo))
        smp.status = MADStatus(rawValue: 0x7FFF)
        #expect(!smp.isReturning && Array(smp.mad.encoded[4...5]) == [0x7F, 0xFF])
        smp.isReturning = true
        #expect(smp.status.rawValue == 0x7FFF && Array(smp.mad.encoded[4...5]) == [0xFF, 0xFF])
        smp.status = MADStatus(rawValue: 0x001C)
        #expect(smp.isReturning && smp.status.code == .invalidField && Array(smp.mad.encoded[4...5]) == [0x80, 0x1C])
    }

    @Test func onlyClass0x81IsADirectedRouteSMP() {
        #expect(throws: MADWireError.self) {
            try DirectedRouteSMP(MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: .nodeInfo))
        }
    }

    /// A request built by DirectedRouteSMP is byte for byte what libibmad's mad_encode sends.
    @Test func requestsMatchLibibmadsEncoder() throws {
        var rng = SeededGenerator(seed: differentialSeed ^ 0xDB)
        for iteration in 0..<1000 {
            let hops = Int.random(in: 0...SMPLayout.maxHops, using: &rng)
            let ports = (0..<hops).map { _ in UInt8.random(in: 1...254, using: &rng) }
            let lidRouted = iteration % 4 == 0
            let drSLID: UInt16 = lidRouted ? UInt16.random(in: 1...0xBFFF, using: &rng) : 0xFFFF
            let drDLID: UInt16 = lidRouted ? UInt16.random(in: 1...0xBFFF, using: &rng) : 0xFFFF
            let method: Method = iteration % 2 == 0 ? .get : .set
            let attribute = UInt16.random(in: 0...0xFFFF, using: &rng)
            let modifier = UInt32.random(in: 0...UInt32.max, using: &rng)
            let tid = UInt64.random(in: 1...UInt64.max, using: &rng)
            let mKey = rng.next()
            let path = try DirectedRoutePath(ports: ports, drSLID: drSLID, drDLID: drDLID)
            let ours = DirectedRouteSMP(method: method, attribute: AttributeID(rawValue: attribute), modifier: modifier,
                                        path: path, transactionID: tid, mKey: mKey)
            let theirs = LibibmadDR.encode(method: method.rawValue, attribute: attribute, modifier: modifier,
                                           transactionID: tid, mKey: mKey, ports: ports, drSLID: drSLID, drDLID: drDLID)
            #expect(ours.mad.encoded == theirs, "seed \(differentialSeed) case \(iteration): path \(path)")
            #expect(try ours.initialPath() == path)
            #expect(ours.hopCount == UInt8(hops) && ours.hopPointer == 0 && !ours.isReturning)
            #expect(ours.drSLID == drSLID && ours.drDLID == drDLID && ours.initialPathEntry(0) == 0)
            if ours.mad.encoded != theirs { return }
        }
    }

    @Test func pathsAndLIDRoutedParts() throws {
        let path = try DirectedRoutePath(ports: [1, 3, 2], drSLID: 7, drDLID: 9)
        var smp = DirectedRouteSMP(method: .get, attribute: .nodeInfo, path: path)
        let bytes = smp.mad.encoded
        #expect(Array(bytes[32...35]) == [0, 7, 0, 9])
        #expect(Array(bytes[128...131]) == [0, 1, 3, 2] && bytes[132...].allSatisfy { $0 == 0 })
        #expect(smp.hopCount == 3 && smp.hopPointer == 0)
        smp.setReturnPathEntry(1, 5)
        smp.setReturnPathEntry(3, 17)
        #expect(smp.mad.encoded[193] == 5 && smp.mad.encoded[195] == 17 && smp.returnPathEntry(3) == 17)
        smp.hopPointer = 4
        #expect(smp.mad.encoded[6] == 4 && smp.mad.encoded[7] == 3)

        smp.hopCount = 64
        #expect(throws: MADWireError(.invalidValue, structure: "DirectedRouteSMP", field: "HopCount",
                                     detail: "64 exceeds the 63 hops a path can hold (IBA 14.2.2)")) {
            try smp.initialPath()
        }
    }

    // MARK: DirectedRoutePath text

    @Test func parsesInfinibandDiagsPaths() throws {
        #expect(try DirectedRoutePath(parsing: "0") == .local)
        #expect(try DirectedRoutePath(parsing: "0").hopCount == 0)
        #expect(try DirectedRoutePath(parsing: "0,1,3,2").ports == [1, 3, 2])
        #expect(try DirectedRoutePath(parsing: " 0, 1 ,3 ,2 ").ports == [1, 3, 2])
        #expect(try DirectedRoutePath(parsing: "0,254").ports == [254])
        let longest = "0" + String(repeating: ",1", count: 63)
        #expect(try DirectedRoutePath(parsing: longest).hopCount == 63)
        #expect(try DirectedRoutePath(parsing: "0,1,3,2").description == "0,1,3,2")
    }

    @Test(arguments: [
        ("", nil), ("   ", nil), ("0,,1", "entry 1"), ("0,a", "entry 1"), ("0,", "entry 1"), (",1", "entry 0"),
        ("0,-1", "entry 1"), ("0,1.5", "entry 1"), ("1,2", "entry 0"), ("0,0", "hop 1"), ("0,255", "hop 1"),
        ("0,256", "hop 1"), ("0,1,99999999999999999999", "entry 2"), ("0" + String(repeating: ",1", count: 64), "HopCount"),
    ] as [(String, String?)])
    func rejectsWhatItCannotMean(_ text: String, _ field: String?) {
        #expect {
            try DirectedRoutePath(parsing: text)
        } throws: { error in
            guard let error = error as? MADWireError else { return false }
            return error.code == .malformedText && error.structure == "DirectedRoutePath" && error.field == field
                && error.detail.contains("expected comma-separated ports starting at 0")
        }
    }

    @Test func portListsRejectImpossiblePorts() {
        #expect(throws: MADWireError.self) { try DirectedRoutePath(ports: [1, 0]) }
        #expect(throws: MADWireError.self) { try DirectedRoutePath(ports: [255]) }
        #expect(throws: MADWireError.self) { try DirectedRoutePath(ports: [UInt8](repeating: 1, count: 64)) }
        #expect(throws: MADWireError.self) { try DirectedRoutePath.local.appending(0) }
    }

    /// For every valid path our parse agrees with str2drpath and our text with drpath2str.
    @Test func validPathsMatchLibibmad() throws {
        var rng = SeededGenerator(seed: differentialSeed ^ 0x57)
        var cases = ["0", "0,1,3,2", "0, 1, 3", " 0 ,2"]
        for _ in 0..<1000 {
            let ports = (0..<Int.random(in: 0...SMPLayout.maxHops, using: &rng)).map { _ in UInt8.random(in: 1...254, using: &rng) }
            let spaced = Bool.random(using: &rng)
            cases.append((["0"] + ports.map { String($0) }).joined(separator: spaced ? ", " : ","))
        }
        for text in cases {
            let ours = try DirectedRoutePath(parsing: text)
            let theirs = LibibmadDR.parse(text)
            #expect(theirs.count == ours.hopCount && theirs.entries == [0] + ours.ports, "seed \(differentialSeed): \"\(text)\"")
            #expect(LibibmadDR.print(ours.ports) == ours.description, "\"\(text)\"")
        }
    }

    /// Where libibmad's str2drpath accepts what we reject (documented disagreements: we
    /// follow IBA 14.2.2 — entry 0 is the local node, output ports are 1–254).
    @Test func libibmadAcceptsPathsWeReject() {
        #expect(LibibmadDR.parse("1,2").entries == [1, 2], "takes any first number as entry 0")
        #expect(LibibmadDR.parse("0,256").entries == [0, 0], "wraps 256 to port 0")
        #expect(LibibmadDR.parse("0,a").entries == [0, 0], "atoi reads a non-number as port 0")
        #expect(LibibmadDR.parse("0,,1").entries == [0, 0, 1], "an empty entry is port 0")
        #expect(LibibmadDR.parse("").count == -1, "empty text is no path at all (count -1)")
        for text in ["1,2", "0,256", "0,a", "0,,1", ""] {
            #expect(throws: MADWireError.self) { try DirectedRoutePath(parsing: text) }
        }
    }

    // MARK: Response validation (IBA 14.2.2, C14-13)

    static func request(hops: [UInt8] = [1, 3, 2], drSLID: UInt16 = 0xFFFF) -> DirectedRouteSMP {
        DirectedRouteSMP(method: .get, attribute: .portInfo, modifier: 5,
                         path: try! DirectedRoutePath(ports: hops, drSLID: drSLID, drDLID: 0xFFFF),
                         transactionID: 0x1234_5678_9ABC_DEF0)
    }

    /// The response as it reaches the requester: D set, GetResp, return path filled in,
    /// hop pointer back to 0 after the last hop's decrement (C14-13:3/4).
    static func response(to request: DirectedRouteSMP) -> DirectedRouteSMP {
        var answer = request
        answer.mad.method = request.mad.method.response
        answer.isReturning = true
        for hop in stride(from: 1, through: Int(request.hopCount), by: 1) { answer.setReturnPathEntry(hop, UInt8(hop + 10)) }
        answer.hopPointer = 0
        return answer
    }

    static func failingField(_ request: DirectedRouteSMP, _ response: MAD) -> String? {
        do {
            _ = try request.validateResponse(response)
            return nil
        } catch {
            return error.field ?? "(no field)"
        }
    }

    @Test func acceptsACompletedReturnTrip() throws {
        for hops in [[], [1], [1, 3, 2], [UInt8](repeating: 7, count: 63)] as [[UInt8]] {
            let request = Self.request(hops: hops)
            var answer = Self.response(to: request)
            answer.status = MADStatus(rawValue: 0x001C)  // an error status is still an answer
            let validated = try request.validateResponse(answer.mad)
            #expect(validated.mad.encoded == answer.mad.encoded)
            #expect(try DirectedRouteSMP.validate(answer.mad, answering: request.mad) == MADStatus(rawValue: 0x001C),
                    "the status without the D bit")
        }
        let set = DirectedRouteSMP(method: .set, attribute: .portInfo, path: .local, transactionID: 9)
        #expect(Self.failingField(set, Self.response(to: set).mad) == nil, "Set is answered by GetResp")
        let lidRouted = Self.request(drSLID: 0x0021)
        #expect(Self.failingField(lidRouted, Self.response(to: lidRouted).mad) == nil)
    }

    /// Every component `validate` checks, in its order (the error's `field`).
    static let checkedFields = [
        "MgmtClass", "R", "D", "TransactionID", "Method", "AttributeID", "AttributeModifier",
        "HopCount", "HopPointer", "DrSLID", "DrDLID", "InitialPath",
    ]

    @Test(arguments: checkedFields)
    func rejectsResponsesThatFail(_ field: String) {
        let request = Self.request()
        let answer = Self.response(to: request, failing: field)
        #expect(Self.failingField(request, answer.mad) == field)
    }

    /// A valid response to `request` with `field` broken.
    static func response(to request: DirectedRouteSMP, failing field: String) -> DirectedRouteSMP {
        var answer = response(to: request)
        switch field {
        case "MgmtClass": answer.mad.managementClass = .subnetLIDRouted
        case "R": answer.mad.method = .get
        case "D": answer.isReturning = false
        case "TransactionID": answer.mad.transactionID ^= 1
        case "Method": answer.mad.method = Method(rawValue: 0x86)
        case "AttributeID": answer.mad.attributeID = .nodeInfo
        case "AttributeModifier": answer.mad.attributeModifier = 6
        case "HopCount": answer.hopCount = 2
        case "HopPointer": answer.hopPointer = 1
        case "DrSLID": answer.drSLID = 1
        case "DrDLID": answer.drDLID = 1
        case "InitialPath": answer.mad.raw[130] = 4
        default: Issue.record("no case for \(field)")
        }
        return answer
    }

    /// The agent checks without the TID (ib_umad rewrote its high half; the agent matched
    /// its own low half): every other check still holds.
    @Test(arguments: checkedFields)
    func validationWithoutTheTIDChecksTheRest(_ field: String) {
        let request = Self.request()
        let answer = Self.response(to: request, failing: field)
        var failed: String? = nil
        do {
            try DirectedRouteSMP.validate(answer.mad, answering: request.mad, checksTransactionID: false)
        } catch {
            failed = error.field ?? "(no field)"
        }
        #expect(failed == (field == "TransactionID" ? nil : field))
    }

    /// The DR accessors read and write fixed offsets; they must agree with `SMPLayout`,
    /// whose fields are checked against libibmad.
    @Test func accessorsAgreeWithTheFieldTable() throws {
        var rng = SeededGenerator(seed: differentialSeed)
        for sample in 0..<64 {
            var bytes = (0..<256).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes[1] = 0x81
            let smp = try DirectedRouteSMP(MAD(decoding: bytes))
            #expect(UInt64(smp.isReturning ? 1 : 0) == smp.mad[SMPLayout.direction], "sample \(sample): D")
            #expect(UInt64(smp.status.rawValue) == smp.mad[SMPLayout.drStatus], "sample \(sample): status")
            #expect(UInt64(smp.hopPointer) == smp.mad[SMPLayout.hopPointer], "sample \(sample): hop pointer")
            #expect(UInt64(smp.hopCount) == smp.mad[SMPLayout.hopCount], "sample \(sample): hop count")
            #expect(UInt64(smp.drSLID) == smp.mad[SMPLayout.drSLID], "sample \(sample): DrSLID")
            #expect(UInt64(smp.drDLID) == smp.mad[SMPLayout.drDLID], "sample \(sample): DrDLID")
            for hop in [1, 2, 63] {
                #expect(smp.initialPathEntry(hop) == bytes[SMPLayout.initialPath.bits.byteOffset + hop])
                #expect(smp.returnPathEntry(hop) == bytes[SMPLayout.returnPath.bits.byteOffset + hop])
            }
            var written = smp
            var expected = smp.mad
            let value = UInt64.random(in: 0...UInt64.max, using: &rng)
            written.isReturning = value & 1 != 0
            written.status = MADStatus(rawValue: UInt16(truncatingIfNeeded: value >> 1))
            written.hopPointer = UInt8(truncatingIfNeeded: value >> 17)
            written.hopCount = UInt8(truncatingIfNeeded: value >> 25)
            written.drSLID = UInt16(truncatingIfNeeded: value >> 33)
            written.drDLID = UInt16(truncatingIfNeeded: value >> 49)
            expected[SMPLayout.direction] = value & 1
            expected[SMPLayout.drStatus] = value >> 1 & 0x7FFF
            expected[SMPLayout.hopPointer] = value >> 17 & 0xFF
            expected[SMPLayout.hopCount] = value >> 25 & 0xFF
            expected[SMPLayout.drSLID] = value >> 33 & 0xFFFF
            expected[SMPLayout.drDLID] = value >> 49 & 0xFFFF
            #expect(written.mad.encoded == expected.encoded, "sample \(sample): writes differ from the table's")
        }
    }

    /// libibmad's mad_encode writes a response as the responder starts it, hop pointer
    /// hop count + 1 (C14-13:1): that SMP has not come back yet and must not be taken.
    @Test func aResponseStillAtTheResponderIsRejected() throws {
        let request = Self.request()
        let atResponder = LibibmadDR.encode(method: 0x81, attribute: AttributeID.portInfo.rawValue, modifier: 5,
                                            transactionID: 0x1234_5678_9ABC_DEF0, mKey: 0, ports: [1, 3, 2],
                                            drSLID: 0xFFFF, drDLID: 0xFFFF)
        var mad = try MAD(decoding: atResponder)
        #expect(mad.classSpecific == 0x0403, "hop pointer 4, hop count 3")
        // libibmad puts a response's path into the return path; the initial path the
        // request carried comes back unchanged in a real response.
        mad.withUnsafeMutableBytes { raw in for hop in 1...3 { raw[128 + hop] = [1, 3, 2][hop - 1] } }
        #expect(Self.failingField(request, mad) == "HopPointer")
        mad.classSpecific = 0x0003
        #expect(Self.failingField(request, mad) == nil)
    }

    @Test func errorsSayWhatFailed() {
        let request = Self.request()
        var answer = Self.response(to: request)
        answer.hopPointer = 2
        do {
            _ = try request.validateResponse(answer.mad)
            Issue.record("accepted hop pointer 2")
        } catch {
            #expect(error.code == .invalidValue && error.structure == "DirectedRouteSMP response")
            #expect(error.description.hasPrefix("DirectedRouteSMP response.HopPointer: invalid value: 2 with hop count 3"))
        }
    }
}
