import Fabric
import MADWire

/// perfquery -r / -R: a PerfMgt Set of PortCounters or PortCountersExtended whose
/// CounterSelect bits name the counters to clear (IBA 16.1.3.5, 16.1.4.11), with every
/// counter field 0, as libibmad's performance_reset_via sends it.
enum PerfQueryReset {
    /// Sends the Set to the PMA of `lid` for `port`. A missing or non-success response
    /// fails as perfquery does: "perf reset" / "perf ext reset" (libibmad's mad_rpc
    /// treats an error status as no answer).
    static func reset(session: DiagsSession, lid: UInt16, port: Int, extended: Bool, select: PerfQueryText.ResetSelect) async throws(DiagsFailure) {
        let failure = extended ? "perf ext reset" : "perf reset"
        var mad = MAD(class: .performance, classVersion: 1, method: .set,
                      attribute: extended ? .portCountersExtended : .portCounters)
        let data = 64  // PerfMgt data starts after the 40 reserved bytes of the GMP header (IBA 16.1.1)
        mad[Field("PortSelect", byte: data + 1, width: 8)] = UInt64(UInt8(truncatingIfNeeded: port))
        mad[Field("CounterSelect", byte: data + 2, width: 16)] = UInt64(select.counterSelect)
        if extended {
            mad[Field("CounterSelect2", byte: data + 4, width: 32)] = UInt64(select.counterSelect2)
        } else {
            mad[Field("CounterSelect2", byte: data + 18, width: 8)] = UInt64(select.counterSelect2)
        }
        let response: MAD
        do {
            response = try await session.agent.request(mad, to: session.gsiAddress(lid: lid), options: session.options)
        } catch {
            throw DiagsFailure(stdout: failure, detail: "\(error)")
        }
        guard response.status.isSuccess else {
            throw DiagsFailure(stdout: failure, detail: "the PMA at LID \(lid) answered the reset of port \(port) "
                               + "with status \(response.status)")
        }
    }
}
