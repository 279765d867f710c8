import Fabric
import MADWire

/// perfquery -r / -R: a PerfMgt Set of PortCounters or PortCountersExtended whose
/// CounterSelect bits name the counters to clear (IBA 16.1.3.5, 16.1.4.11), with every
/// counter field 0, as libibmad's performance_reset_via sends it.
enum PerfQueryReset {
    struct Select: Equatable {
        /// PortCounters/PortCountersExtended bytes 2-3.
        var counterSelect: UInt16
        /// PortCounters byte 18 (8 bits); PortCountersExtended bytes 4-7 (32 bits).
        var counterSelect2: UInt32
    }

    /// The mask perfquery.c builds: 0xFFFF, or the reset_mask argument cut to a C int;
    /// without that argument and without -x, bit 16 (PortXmitWait) and bit 17 (QP1Dropped)
    /// when ClassPortInfo claims them (CapabilityMask bits 12 and 15); with -x, bits 16-27
    /// always and 28/29 by the same bits. performance_reset_via turns a mask of 0 into all
    /// ones, puts its low 16 bits in CounterSelect and the rest in CounterSelect2 (which
    /// holds 8 bits in PortCounters).
    static func select(extended: Bool, maskArgument: UInt64?, capabilityMask: UInt16) -> Select {
        var mask = maskArgument.map { UInt32(truncatingIfNeeded: $0) } ?? 0xFFFF
        let xmitWait = capabilityMask & PerfQueryText.portXmitWaitSupported != 0
        let qp1Dropped = capabilityMask & (1 << 15) != 0
        if maskArgument == nil && !extended {
            if xmitWait { mask |= 1 << 16 }
            if qp1Dropped { mask |= 1 << 17 }
        }
        if extended {
            mask |= 0xFFF_0000
            if xmitWait { mask |= 1 << 28 }
            if qp1Dropped { mask |= 1 << 29 }
        }
        if mask == 0 { mask = ~0 }
        let high = mask >> 16
        return Select(counterSelect: UInt16(truncatingIfNeeded: mask), counterSelect2: extended ? high : high & 0xFF)
    }

    /// Sends the Set to the PMA of `lid` for `port`. A missing or non-success response
    /// fails as perfquery does: "perf reset" / "perf ext reset" (libibmad's mad_rpc
    /// treats an error status as no answer).
    static func reset(session: DiagsSession, lid: UInt16, port: Int, extended: Bool, select: Select) async throws(DiagsFailure) {
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
            response = try await session.agent.request(mad, to: .generalServices(lid: lid), options: session.options)
        } catch {
            throw DiagsFailure(stdout: failure, detail: "\(error)")
        }
        guard response.status.isSuccess else {
            throw DiagsFailure(stdout: failure, detail: "the PMA at LID \(lid) answered the reset of port \(port) "
                               + "with status \(response.status)")
        }
    }
}
