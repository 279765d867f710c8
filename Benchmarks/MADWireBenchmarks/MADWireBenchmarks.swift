// Decode/encode cost of the MADWire codecs on the paths a fabric sweep takes per MAD:
// PortInfo (SMP), PortCounters (PMA) and the directed-route SMP header and paths.
// Each sample handles 1,000 MADs (scalingFactor .kilo) in a raw 256-byte slot, as the
// buffer pool hands them out; the goal is 0 allocations per MAD.
import Benchmark
import MADWire

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    // MARK: PortInfo (IBA 14.2.5.6), in a LID-routed SMP GetResp

    Benchmark("PortInfo decode") { benchmark in
        let slot = WireSamples.slot(holding: WireSamples.portInfoResponse)
        defer { slot.deallocate() }
        let bytes = UnsafeRawBufferPointer(slot)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            do {
                let mad = try MAD(decoding: bytes)
                let portInfo = try mad.attribute(PortInfo.self)
                blackHole(portInfo.lid)
                blackHole(portInfo.linkWidthActive)
                blackHole(portInfo.linkSpeedActive)
                blackHole(portInfo.portState)
                blackHole(portInfo.capabilityMask)
            } catch {
                fatalError("\(error)")
            }
        }
    }

    Benchmark("PortInfo encode") { benchmark in
        let slot = WireSamples.slot()
        defer { slot.deallocate() }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            var portInfo = PortInfo()
            portInfo.lid = UInt16(truncatingIfNeeded: index)
            portInfo.localPortNumber = 1
            portInfo.linkWidthActive = .x4
            portInfo.linkSpeedActive = .qdr
            portInfo.portState = .active
            portInfo.neighborMTU = .mtu4096
            var mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: .getResponse,
                          attribute: .portInfo, modifier: 1, transactionID: UInt64(index))
            do {
                try mad.setAttribute(portInfo)
                try mad.encode(into: slot)
            } catch {
                fatalError("\(error)")
            }
            blackHole(slot[0])
        }
    }

    // MARK: PortCounters (IBA 16.1.3.5), in a PMA GetResp

    Benchmark("PortCounters decode") { benchmark in
        let slot = WireSamples.slot(holding: WireSamples.portCountersResponse)
        defer { slot.deallocate() }
        let bytes = UnsafeRawBufferPointer(slot)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            do {
                let mad = try MAD(decoding: bytes)
                let counters = try mad.attribute(PortCounters.self)
                blackHole(counters.portXmitData)
                blackHole(counters.portRcvData)
                blackHole(counters.portXmitPkts)
                blackHole(counters.portRcvPkts)
                blackHole(counters.symbolErrorCounter)
            } catch {
                fatalError("\(error)")
            }
        }
    }

    Benchmark("PortCounters encode") { benchmark in
        let slot = WireSamples.slot()
        defer { slot.deallocate() }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            var counters = PortCounters()
            counters.portSelect = 1
            counters.portXmitData = UInt32(truncatingIfNeeded: index &* 4096)
            counters.portRcvData = UInt32(truncatingIfNeeded: index &* 4000)
            counters.portXmitPkts = UInt32(truncatingIfNeeded: index)
            counters.portRcvPkts = UInt32(truncatingIfNeeded: index)
            var mad = MAD(class: .performance, classVersion: 1, method: .getResponse,
                          attribute: .portCounters, transactionID: UInt64(index))
            do {
                try mad.setAttribute(counters)
                try mad.encode(into: slot)
            } catch {
                fatalError("\(error)")
            }
            blackHole(slot[0])
        }
    }

    // MARK: Directed-route SMP header and paths (IBA 14.2.1.2, 14.2.2)

    Benchmark("DR SMP build along a path") { benchmark in
        let path = WireSamples.path  // built once: DirectedRoutePath holds an Array
        let slot = WireSamples.slot()
        defer { slot.deallocate() }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            let smp = DirectedRouteSMP(method: .get, attribute: .nodeInfo, path: path,
                                       transactionID: UInt64(index))
            do {
                try smp.mad.encode(into: slot)
            } catch {
                fatalError("\(error)")
            }
            blackHole(slot[0])
        }
    }

    Benchmark("DR SMP read header and paths") { benchmark in
        let slot = WireSamples.slot(holding: WireSamples.directedRouteResponse)
        defer { slot.deallocate() }
        let bytes = UnsafeRawBufferPointer(slot)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            do {
                let smp = try DirectedRouteSMP(MAD(decoding: bytes))
                blackHole(smp.hopPointer)
                blackHole(smp.isReturning)
                blackHole(smp.status)
                for hop in 1...max(Int(smp.hopCount), 1) {
                    blackHole(smp.initialPathEntry(hop))
                    blackHole(smp.returnPathEntry(hop))
                }
            } catch {
                fatalError("\(error)")
            }
        }
    }

    // initialPath() returns a DirectedRoutePath, whose ports are an Array: measured
    // apart so that its allocation is visible and not mistaken for the header's.
    Benchmark("DR SMP initialPath()") { benchmark in
        let slot = WireSamples.slot(holding: WireSamples.directedRouteResponse)
        defer { slot.deallocate() }
        let smp: DirectedRouteSMP
        do {
            smp = try DirectedRouteSMP(MAD(decoding: UnsafeRawBufferPointer(slot)))
        } catch {
            fatalError("\(error)")
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try smp.initialPath())
            } catch {
                fatalError("\(error)")
            }
        }
    }

    // What discovery does per new node: extend the parent's path by one port. Measured
    // apart for the same reason as initialPath().
    Benchmark("DR path appending a hop") { benchmark in
        let path = WireSamples.path
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            do {
                blackHole(try path.appending(UInt8(truncatingIfNeeded: index % 36 + 1)))
            } catch {
                fatalError("\(error)")
            }
        }
    }
}

/// Sample MADs and pool-like slots, built outside the measured loops.
enum WireSamples {
    /// A zeroed 256-byte slot; the caller deallocates it.
    static func slot(holding bytes: [UInt8] = []) -> UnsafeMutableRawBufferPointer {
        let slot = UnsafeMutableRawBufferPointer.allocate(byteCount: MAD.size, alignment: 64)
        slot.initializeMemory(as: UInt8.self, repeating: 0)
        slot.copyBytes(from: bytes.prefix(MAD.size))
        return slot
    }

    /// 0,1,3,5,7,2,4,6,8: eight hops, a typical depth in a fat-tree sweep.
    static let path = try! DirectedRoutePath(ports: [1, 3, 5, 7, 2, 4, 6, 8])

    static let portInfoResponse: [UInt8] = {
        var portInfo = PortInfo()
        portInfo.lid = 0x0042
        portInfo.masterSMLID = 1
        portInfo.localPortNumber = 1
        portInfo.linkWidthActive = .x4
        portInfo.linkSpeedActive = .qdr
        portInfo.portState = .active
        var mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: .getResponse,
                      attribute: .portInfo, modifier: 1, transactionID: 0x1234)
        try! mad.setAttribute(portInfo)
        return mad.encoded
    }()

    static let portCountersResponse: [UInt8] = {
        var counters = PortCounters()
        counters.portSelect = 1
        counters.portXmitData = 0x1234_5678
        counters.portRcvData = 0x0765_4321
        counters.portXmitPkts = 1_000_000
        counters.portRcvPkts = 999_999
        counters.symbolErrorCounter = 3
        var mad = MAD(class: .performance, classVersion: 1, method: .getResponse,
                      attribute: .portCounters, transactionID: 0x5678)
        try! mad.setAttribute(counters)
        return mad.encoded
    }()

    /// A response on its way back: D bit set, hop pointer past the end, return path filled.
    static let directedRouteResponse: [UInt8] = {
        var smp = DirectedRouteSMP(method: .getResponse, attribute: .nodeInfo, path: path,
                                   transactionID: 0x9ABC)
        smp.isReturning = true
        smp.hopPointer = UInt8(path.hopCount + 1)
        for hop in 1...path.hopCount { smp.setReturnPathEntry(hop, UInt8(hop)) }
        return smp.mad.encoded
    }()
}
