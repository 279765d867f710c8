public import MADWire

/// What infiniband-diags' perfquery prints (infiniband-diags/perfquery.c, rdma-core 44).
/// `capabilityMask` and `capabilityMask2` come from the PMA's ClassPortInfo, which
/// perfquery always fetches first.
public enum PerfQueryText {
    /// PerformanceManagement ClassPortInfo:CapabilityMask bits perfquery looks at (IBA 16.1.3.1).
    public static let allPortSelect: UInt16 = 1 << 8
    public static let extendedWidthSupported: UInt16 = 1 << 9
    public static let portXmitWaitSupported: UInt16 = 1 << 12
    /// IsQP1DropSupported (libibmad IB_PM_IS_QP1_DROP_SUP).
    public static let qp1DroppedSupported: UInt16 = 1 << 15
    /// CapabilityMask2 bit: the IBA 1.3 error counters in PortCountersExtended.
    public static let additionalPortCountersExtended: UInt32 = 1 << 1
    /// perfquery prints port 255 for aggregated (-a) output.
    public static let allPorts = 255

    /// The masks perfquery reads from a ClassPortInfo: CapabilityMask (16 bits) and
    /// CapabilityMask2 (the 27 bits above RespTimeValue).
    public static func capabilities(_ info: ClassPortInfo) -> (mask: UInt16, mask2: UInt32) {
        (info.capabilityMask.rawValue, info.capabilityMask2)
    }

    /// `perfquery [lid [port]]`: "# Port counters: Lid 12 port 1 (CapMask: 0x1200)" and
    /// the counters. Without PortXmitWait support in the mask perfquery zeroes that counter.
    public static func portCounters(_ value: PortCounters, destination: DiagsDestination, port: Int,
                                    capabilityMask: UInt16) -> String {
        "# Port counters: \(destination) port \(port) (CapMask: 0x\(capHex(capabilityMask)))\n"
            + AttributeDump.portCounters(masked(value, capabilityMask))
    }

    /// `perfquery -x`: the unicast/multicast counters only with extended-width support,
    /// the error counters only with CapabilityMask2 bit 1.
    public static func portCountersExtended(_ value: PortCountersExtended, destination: DiagsDestination, port: Int,
                                            capabilityMask: UInt16, capabilityMask2: UInt32) -> String {
        var fields = DumpTables.portCountersExtendedBase
        if capabilityMask & extendedWidthSupported != 0 { fields += DumpTables.portCountersExtendedWidth }
        if capabilityMask2 & additionalPortCountersExtended != 0 { fields += DumpTables.portCountersExtendedErrors }
        let mask2 = DumpValue.hex(UInt64(capabilityMask2), digits: 7, uppercase: true)
        return "# Port extended counters: \(destination) port \(port) (CapMask: 0x\(capHex(capabilityMask)) CapMask2: 0x\(mask2))\n"
            + DumpTables.lines(fields, of: value)
    }

    /// `perfquery -a` without AllPortSelect: one query per port, summed as perfquery does
    /// (each counter saturates at its width), PortSelect shown as 255 and every field
    /// perfquery does not sum (CounterSelect2) as in the last response. `responses` in the
    /// order perfquery queried the ports.
    public static func aggregatedPortCounters(_ responses: [PortCounters], destination: DiagsDestination,
                                              capabilityMask: UInt16) -> String {
        guard let total = aggregate(responses, capabilityMask: capabilityMask) else { return "" }
        return "# Port counters: \(destination) port \(allPorts) (CapMask: 0x\(capHex(capabilityMask)))\n"
            + AttributeDump.portCounters(total)
    }

    /// The PortCounters perfquery -a prints: per-port responses summed, each counter
    /// saturating at its width, PortSelect 255, other fields from the last response.
    /// libibmad's QP1Dropped bug (see DumpTables.portCounters) makes perfquery print the
    /// summed VL15Dropped on both lines; the text here does the same.
    public static func aggregate(_ responses: [PortCounters], capabilityMask: UInt16) -> PortCounters? {
        let masked = responses.map { self.masked($0, capabilityMask) }
        guard var total = masked.last else { return nil }
        typealias F = PortCounters.Fields
        let summed = [F.symbolErrorCounter, F.linkErrorRecoveryCounter, F.linkDownedCounter, F.portRcvErrors,
                      F.portRcvRemotePhysicalErrors, F.portRcvSwitchRelayErrors, F.portXmitDiscards,
                      F.portXmitConstraintErrors, F.portRcvConstraintErrors, F.localLinkIntegrityErrors,
                      F.excessiveBufferOverrunErrors, F.qp1Dropped, F.vl15Dropped, F.portXmitData,
                      F.portRcvData, F.portXmitPkts, F.portRcvPkts, F.portXmitWait]
        for field in summed { total[field] = saturatingSum(masked.map { $0[field] }, bits: field.bits.width) }
        total[F.portSelect] = UInt64(allPorts)
        return total
    }

    /// `perfquery -x -a` without AllPortSelect, summed like `aggregatedPortCounters`.
    public static func aggregatedPortCountersExtended(_ responses: [PortCountersExtended], destination: DiagsDestination,
                                                      capabilityMask: UInt16, capabilityMask2: UInt32) -> String {
        guard let total = aggregate(responses, capabilityMask: capabilityMask, capabilityMask2: capabilityMask2) else {
            return ""
        }
        return portCountersExtended(total, destination: destination, port: allPorts,
                                    capabilityMask: capabilityMask, capabilityMask2: capabilityMask2)
    }

    /// The PortCountersExtended perfquery -x -a prints: only the counters the masks say
    /// exist are summed (64-bit saturating), PortSelect 255, the rest from the last response.
    public static func aggregate(_ responses: [PortCountersExtended], capabilityMask: UInt16,
                                 capabilityMask2: UInt32) -> PortCountersExtended? {
        guard var total = responses.last else { return nil }
        typealias F = PortCountersExtended.Fields
        var summed = [F.portXmitData, F.portRcvData, F.portXmitPkts, F.portRcvPkts]
        if capabilityMask & extendedWidthSupported != 0 {
            summed += [F.portUnicastXmitPkts, F.portUnicastRcvPkts, F.portMulticastXmitPkts, F.portMulticastRcvPkts]
        }
        if capabilityMask2 & additionalPortCountersExtended != 0 {
            summed += DumpTables.portCountersExtendedErrors.dropFirst().map(\.field)
        }
        for field in summed { total[field] = saturatingSum(responses.map { $0[field] }, bits: field.bits.width) }
        total[F.portSelect] = UInt64(allPorts)
        return total
    }

    /// What perfquery -a writes to STDERR (libibmad IBWARN) before summing port by port on
    /// a PMA without AllPortSelect.
    public static func emulatingAllPortSelectWarning(pid: Int32) -> String {
        Diags.warning(pid: pid, function: "main", "Emulating AllPortSelect by iterating through all ports")
    }

    /// What perfquery -x writes to STDERR when ClassPortInfo announces neither extended
    /// width bit (9 or 10); it queries anyway. The message's own newline doubles IBWARN's.
    public static func noExtendedCounterSupportWarning(capabilityMask: UInt16, pid: Int32) -> String? {
        guard capabilityMask & (extendedWidthSupported | 1 << 10) == 0 else { return nil }
        return Diags.warning(pid: pid, function: "dump_perfcounters",
                             "PerfMgt ClassPortInfo CapMask 0x\(capHex(capabilityMask)); No extended counter support indicated\n")
    }

    /// What perfquery -r/-R puts in its PerfMgt Set (IBA 16.1.3.5, 16.1.4.11).
    public struct ResetSelect: Equatable, Sendable {
        /// PortCounters/PortCountersExtended bytes 2-3.
        public var counterSelect: UInt16
        /// PortCounters byte 18 (8 bits); PortCountersExtended bytes 4-7 (32 bits).
        public var counterSelect2: UInt32
        public init(counterSelect: UInt16, counterSelect2: UInt32) {
            self.counterSelect = counterSelect
            self.counterSelect2 = counterSelect2
        }
    }

    /// The mask perfquery.c builds: 0xFFFF, or the reset_mask argument cut to a C int;
    /// without that argument and without -x, bit 16 (PortXmitWait) and bit 17 (QP1Dropped)
    /// when ClassPortInfo claims them (CapabilityMask bits 12 and 15); with -x, bits 16-27
    /// always and 28/29 by the same bits. libibmad's performance_reset_via turns a mask of 0
    /// into all ones, puts its low 16 bits in CounterSelect and the rest in CounterSelect2
    /// (8 bits wide in PortCounters).
    public static func resetSelect(extended: Bool, maskArgument: UInt64?, capabilityMask: UInt16) -> ResetSelect {
        var mask = maskArgument.map { UInt32(truncatingIfNeeded: $0) } ?? 0xFFFF
        let xmitWait = capabilityMask & portXmitWaitSupported != 0
        let qp1Dropped = capabilityMask & qp1DroppedSupported != 0
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
        return ResetSelect(counterSelect: UInt16(truncatingIfNeeded: mask), counterSelect2: extended ? high : high & 0xFF)
    }

    /// "%02X" of the mask.
    static func capHex(_ mask: UInt16) -> String { DumpValue.hex(UInt64(mask), digits: 2, uppercase: true) }

    static func masked(_ value: PortCounters, _ capabilityMask: UInt16) -> PortCounters {
        var copy = value
        if capabilityMask & portXmitWaitSupported == 0 { copy[PortCounters.Fields.portXmitWait] = 0 }
        return copy
    }

    static func saturatingSum(_ values: [UInt64], bits: Int) -> UInt64 {
        let limit: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        var sum: UInt64 = 0
        for value in values {
            let (next, overflow) = sum.addingReportingOverflow(value)
            sum = overflow || next > limit ? limit : next
        }
        return sum
    }
}
