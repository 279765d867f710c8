// What a requester checks before it believes a directed-route SMP answers its request
// (IBA 14.2.2). Matching by TID alone is not enough on QP0: a stale or forged response
// with the right TID but another route, attribute or direction must not be taken.

extension DirectedRouteSMP {
    /// Checks that `response` is the answer to this request and has completed its return
    /// trip, and returns it as a `DirectedRouteSMP`. Throws a `MADWireError` whose `field`
    /// names the first component that fails:
    ///
    /// - `MgmtClass`: not a directed-route SMP; `R`: the method's response bit is clear;
    ///   `D`: the direction bit is clear (it is still outbound, IBA 14.2.2);
    /// - `TransactionID`, `Method` (Get and Set are answered by GetResp, IBA 13.4.5),
    ///   `AttributeID`, `AttributeModifier`: it answers another request;
    /// - `HopCount`, `DrSLID`, `DrDLID`, `InitialPath`: it took another route (responders
    ///   copy these and fill only the return path);
    /// - `HopPointer`: the return trip did not end at the requester. The responder starts
    ///   it at hop count + 1 and every hop decrements it; the last directed hop (or the
    ///   switch that LID-routes the rest to DrSLID) leaves it at 0, and only a returning
    ///   SMP with hop pointer 0 is given to the SM (IBA 14.2.2, C14-13:1–4; Linux
    ///   smi_handle_dr_smp_recv and smi_check_local_returning_smp).
    ///
    /// The status is not checked: an error status is still a valid answer.
    public func validateResponse(_ response: MAD) throws(MADWireError) -> DirectedRouteSMP {
        try Self.validate(response, answering: mad)
        return DirectedRouteSMP(validated: response)
    }

    /// The checks of `validateResponse` on the two MADs where they are, without wrapping
    /// either (the agent runs them on every directed-route response, and each wrapped
    /// copy of a 256-byte MAD showed). `checksTransactionID: false` leaves the TID to a
    /// caller that matched it already (ib_umad rewrites its high half on the way out).
    /// Returns the response's status without the D bit, as `status` reads it.
    @discardableResult
    public static func validate(_ response: MAD, answering request: MAD,
                                checksTransactionID: Bool = true) throws(MADWireError) -> MADStatus {
        func failure(_ code: MADWireError.Code, _ field: Field, _ detail: String) -> MADWireError {
            MADWireError(code, structure: "DirectedRouteSMP response", field: field.name, detail: detail)
        }
        func mismatch(_ field: Field, expected: String, got: String) -> MADWireError {
            failure(.invalidValue, field, "expected \(expected) as in the request, got \(got)")
        }
        func hex(_ value: some BinaryInteger, _ digits: Int) -> String {
            "0x" + hexDigits(UInt64(value), width: digits)
        }

        // The checks in order on the raw bytes of both (IBA 13.4.3 header; 14.2.1.2: byte 4
        // bit 7 D, 6 hop pointer, 7 hop count, 32-33 DrSLID, 34-35 DrDLID, 128... initial
        // path); the error is built from the typed accessors only when one fails.
        let failed = response.withUnsafeBytes { r in
            request.withUnsafeBytes { q in Failure.first(response: r, request: q, checksTransactionID: checksTransactionID) }
        }
        guard let failed else { return DirectedRouteSMP(validated: response).status }
        let answer = DirectedRouteSMP(validated: response)
        let sent = DirectedRouteSMP(validated: request)
        switch failed {
        case .managementClass:
            throw failure(.wrongKind, MADHeader.managementClass,
                          "expected 0x81 (SubnDirectedRoute), got \(answer.mad.managementClass)")
        case .responseBit:
            throw failure(.wrongKind, MADHeader.responseBit, "method \(answer.mad.method) is not a response (R bit clear)")
        case .direction:
            throw failure(.wrongKind, SMPLayout.direction,
                          "D bit is 0: the SMP is still outbound, a response returns with D = 1 (IBA 14.2.2)")
        case .transactionID:
            throw mismatch(MADHeader.transactionID, expected: hex(sent.mad.transactionID, 16),
                           got: hex(answer.mad.transactionID, 16))
        case .method:
            throw mismatch(MADHeader.methodBits, expected: "\(sent.mad.method.response)", got: "\(answer.mad.method)")
        case .attributeID:
            throw mismatch(MADHeader.attributeID, expected: hex(sent.mad.attributeID.rawValue, 4),
                           got: hex(answer.mad.attributeID.rawValue, 4))
        case .attributeModifier:
            throw mismatch(MADHeader.attributeModifier, expected: hex(sent.mad.attributeModifier, 8),
                           got: hex(answer.mad.attributeModifier, 8))
        case .hopCount:
            throw mismatch(SMPLayout.hopCount, expected: "\(sent.hopCount)", got: "\(answer.hopCount)")
        case .hopPointer:
            throw failure(.invalidValue, SMPLayout.hopPointer,
                          "\(answer.hopPointer) with hop count \(sent.hopCount): the return trip did not end at the requester, "
                          + "where the hop pointer is 0 (IBA 14.2.2, C14-13)")
        case .drSLID:
            throw mismatch(SMPLayout.drSLID, expected: hex(sent.drSLID, 4), got: hex(answer.drSLID, 4))
        case .drDLID:
            throw mismatch(SMPLayout.drDLID, expected: hex(sent.drDLID, 4), got: hex(answer.drDLID, 4))
        case .initialPath(let hop):
            throw failure(.invalidValue, SMPLayout.initialPath,
                          "hop \(hop) is port \(answer.initialPathEntry(hop)), the request sent port \(sent.initialPathEntry(hop))")
        }
    }

    /// The first check of `validate` a response fails.
    private enum Failure {
        case managementClass, responseBit, direction, transactionID, method, attributeID, attributeModifier
        case hopCount, hopPointer, drSLID, drDLID, initialPath(hop: Int)

        static func first(response r: UnsafeRawBufferPointer, request q: UnsafeRawBufferPointer,
                          checksTransactionID: Bool) -> Failure? {
            func word<T: FixedWidthInteger>(_ buffer: UnsafeRawBufferPointer, _ offset: Int, _: T.Type) -> T {
                T(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            if r[1] != ManagementClass.subnetDirectedRoute.rawValue { return .managementClass }
            if r[3] & 0x80 == 0 { return .responseBit }
            if r[4] & 0x80 == 0 { return .direction }
            if checksTransactionID && word(r, 8, UInt64.self) != word(q, 8, UInt64.self) { return .transactionID }
            if r[3] != Method(rawValue: q[3]).response.rawValue { return .method }
            if word(r, 16, UInt16.self) != word(q, 16, UInt16.self) { return .attributeID }
            if word(r, 20, UInt32.self) != word(q, 20, UInt32.self) { return .attributeModifier }
            if r[7] != q[7] { return .hopCount }
            if r[6] != 0 { return .hopPointer }
            if word(r, 32, UInt16.self) != word(q, 32, UInt16.self) { return .drSLID }
            if word(r, 34, UInt16.self) != word(q, 34, UInt16.self) { return .drDLID }
            for hop in stride(from: 1, through: min(Int(q[7]), SMPLayout.maxHops), by: 1) where r[128 + hop] != q[128 + hop] {
                return .initialPath(hop: hop)
            }
            return nil
        }
    }
}
