public import MADTransport
public import MADWire

extension MADAgent {
    /// Sends a directed-route SMP (built with `DirectedRouteSMP`, IBA 14.2.2.1) and returns
    /// its response only after `DirectedRouteSMP.validateResponse` accepted it: same TID,
    /// method, attribute and modifier, D bit set, hop pointer back at 0, same hop count,
    /// DrSLID/DrDLID and initial path. A response that fails is
    /// `MADAgentError.invalidDirectedRouteResponse`, never returned as an answer.
    ///
    /// `destination` is QP0 at the permissive LID unless the path starts with a LID-routed
    /// part, whose first switch the caller then names (IBA 14.2.2.2).
    public func request(_ smp: DirectedRouteSMP, to destination: MADAddress = .subnetManagement(),
                        options: RequestOptions? = nil) async throws -> DirectedRouteSMP {
        // Validation happens as the response is matched (see handleResponse); this wraps it.
        let response = try await request(smp.mad, to: destination, options: options)
        return try DirectedRouteSMP(response)
    }

    /// Get (or another method) of `attribute` at the end of `path`.
    public func directedRoute(_ method: Method = .get, attribute: AttributeID, modifier: UInt32 = 0,
                              path: DirectedRoutePath, mKey: UInt64 = 0,
                              options: RequestOptions? = nil) async throws -> DirectedRouteSMP {
        let smp = DirectedRouteSMP(method: method, attribute: attribute, modifier: modifier, path: path, mKey: mKey)
        return try await request(smp, options: options)
    }
}
