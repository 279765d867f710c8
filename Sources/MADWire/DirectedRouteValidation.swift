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
        func failure(_ code: MADWireError.Code, _ field: Field, _ detail: String) -> MADWireError {
            MADWireError(code, structure: "DirectedRouteSMP response", field: field.name, detail: detail)
        }
        func mismatch(_ field: Field, expected: String, got: String) -> MADWireError {
            failure(.invalidValue, field, "expected \(expected) as in the request, got \(got)")
        }
        func hex(_ value: some BinaryInteger, _ digits: Int) -> String {
            "0x" + hexDigits(UInt64(value), width: digits)
        }

        guard response.managementClass == .subnetDirectedRoute else {
            throw failure(.wrongKind, MADHeader.managementClass,
                          "expected 0x81 (SubnDirectedRoute), got \(response.managementClass)")
        }
        let answer = try DirectedRouteSMP(response)
        guard response.method.isResponse else {
            throw failure(.wrongKind, MADHeader.responseBit, "method \(response.method) is not a response (R bit clear)")
        }
        guard answer.isReturning else {
            throw failure(.wrongKind, SMPLayout.direction,
                          "D bit is 0: the SMP is still outbound, a response returns with D = 1 (IBA 14.2.2)")
        }
        guard response.transactionID == mad.transactionID else {
            throw mismatch(MADHeader.transactionID, expected: hex(mad.transactionID, 16), got: hex(response.transactionID, 16))
        }
        guard response.method == mad.method.response else {
            throw mismatch(MADHeader.methodBits, expected: "\(mad.method.response)", got: "\(response.method)")
        }
        guard response.attributeID == mad.attributeID else {
            throw mismatch(MADHeader.attributeID, expected: hex(mad.attributeID.rawValue, 4),
                           got: hex(response.attributeID.rawValue, 4))
        }
        guard response.attributeModifier == mad.attributeModifier else {
            throw mismatch(MADHeader.attributeModifier, expected: hex(mad.attributeModifier, 8),
                           got: hex(response.attributeModifier, 8))
        }
        guard answer.hopCount == hopCount else {
            throw mismatch(SMPLayout.hopCount, expected: "\(hopCount)", got: "\(answer.hopCount)")
        }
        guard answer.hopPointer == 0 else {
            throw failure(.invalidValue, SMPLayout.hopPointer,
                          "\(answer.hopPointer) with hop count \(hopCount): the return trip did not end at the requester, "
                          + "where the hop pointer is 0 (IBA 14.2.2, C14-13)")
        }
        guard answer.drSLID == drSLID else {
            throw mismatch(SMPLayout.drSLID, expected: hex(drSLID, 4), got: hex(answer.drSLID, 4))
        }
        guard answer.drDLID == drDLID else {
            throw mismatch(SMPLayout.drDLID, expected: hex(drDLID, 4), got: hex(answer.drDLID, 4))
        }
        let hops = min(Int(hopCount), SMPLayout.maxHops)
        for hop in stride(from: 1, through: hops, by: 1) where answer.initialPathEntry(hop) != initialPathEntry(hop) {
            throw failure(.invalidValue, SMPLayout.initialPath,
                          "hop \(hop) is port \(answer.initialPathEntry(hop)), the request sent port \(initialPathEntry(hop))")
        }
        return answer
    }
}
