import Fabric
import MADAgents
import MADTransport
import MADWire

extension DiagsSession {
    /// The SMP for `smp(...)` and where it goes.
    private func smpRequest(_ method: Method, _ attribute: AttributeID, modifier: UInt32, data: [UInt8]?,
                            at address: DiagsDestination) -> (MAD, MADAddress) {
        if let path = address.path ?? (address.lid == 0 ? DirectedRoutePath.local : nil) {
            var smp = DirectedRouteSMP(method: method, attribute: attribute, modifier: modifier, path: path, mKey: mKey)
            if let data { smp.mad.setBytes(data, of: SMPLayout.data) }
            let lid = path.drSLID != DirectedRoutePath.permissiveLID && address.lid > 0
                ? address.lid : DirectedRoutePath.permissiveLID
            return (smp.mad, .subnetManagement(lid: lid))
        }
        var mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: method, attribute: attribute, modifier: modifier)
        mad.mKey = mKey
        if let data { mad.setBytes(data, of: SMPLayout.data) }
        return (mad, .subnetManagement(lid: address.lid))
    }

    /// An SMP Get or Set of `attribute` at `address`, routed as libibmad's smp_query_via /
    /// smp_set_via route it: LID-routed (class 0x01) to a LID without a path; directed
    /// route (class 0x81) otherwise, sent to the LID when the path starts with a LID-routed
    /// part (DrSLID set, IBA 14.2.2.2) and to the permissive LID when it does not
    /// (libibmad mad_build_pkt). `data` is the SMP data (64 bytes) for a Set.
    /// `timeoutMilliseconds` overrides -t for this request (ibroute asks each destination
    /// with 100 ms). The response, or a failure whose stdout text is `failure`; a non-zero
    /// status is a failure too (mad_rpc), and `status` receives it (smp_query_status_via).
    ///
    /// Never inlined: Swift 6.3.1's optimizer crashes (signal 11 in LLVM's CoroSplit,
    /// emitSetAndGetSwiftErrorValueAround) splitting a caller coroutine this async function
    /// with a typed error was inlined into, which broke the release build.
    @inline(never)
    func smp(_ method: Method, _ attribute: AttributeID, modifier: UInt32 = 0, data: [UInt8]? = nil,
             at address: DiagsDestination, timeoutMilliseconds: Int? = nil,
             orFail failure: String) async throws(DiagsFailure) -> MAD {
        var options = self.options
        if let timeoutMilliseconds { options.timeoutMilliseconds = timeoutMilliseconds }
        let (request, destination) = smpRequest(method, attribute, modifier: modifier, data: data, at: address)
        let response: MAD
        do {
            // A directed-route response is validated as it is matched (IBA 14.2.2).
            response = try await agent.request(request, to: destination, options: options)
        } catch {
            throw DiagsFailure(stdout: failure, detail: "\(address): \(error)")
        }
        let status = response.managementClass == .subnetDirectedRoute
            ? (try? DirectedRouteSMP(response))?.status ?? response.status : response.status
        guard status.isSuccess else {
            throw DiagsFailure(stdout: failure, detail: "\(address) answered attribute "
                               + "0x\(String(attribute.rawValue, radix: 16)) modifier 0x\(String(modifier, radix: 16)) with status \(status)")
        }
        return response
    }
}
