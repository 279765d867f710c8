#if canImport(Glibc)
import Glibc
#endif
import CIBMadOracle
import Fabric
import MADWire
import Testing

/// SplitMix64, so every failure replays from its printed seed (DIAGS_SEED=<n>).
struct DiagsRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static let seed: UInt64 = {
        if let text = getenv("DIAGS_SEED"), let seed = UInt64(String(cString: text)) { return seed }
        return UInt64.random(in: 0...UInt64.max)
    }()

    /// Random bytes; every other case draws each byte from 0, 0xFF, a small value or any
    /// value, so zeros, all-ones and low code points (where the named values are) show up.
    mutating func bytes(_ count: Int, case index: Int) -> [UInt8] {
        (0..<count).map { _ in
            if index % 2 == 0 { return UInt8.random(in: 0...255, using: &self) }
            switch UInt8.random(in: 0...3, using: &self) {
            case 0: return 0
            case 1: return 0xFF
            case 2: return UInt8.random(in: 0...0x1F, using: &self)
            default: return UInt8.random(in: 0...255, using: &self)
            }
        }
    }
}

/// A NUL-terminated C buffer as text.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// libibmad's dump into a C buffer, as a String.
typealias CDump = (UnsafeMutablePointer<CChar>?, Int32, UnsafeMutableRawPointer?, Int32) -> Void

func libibmadDump(_ dump: CDump, _ data: [UInt8], valsz: Int? = nil) -> String {
    var buffer = [CChar](repeating: 0, count: 8192)
    var copy = data + [UInt8](repeating: 0, count: 256)  // libibmad may read past an attribute
    copy.withUnsafeMutableBytes { raw in
        buffer.withUnsafeMutableBufferPointer { out in
            dump(out.baseAddress, Int32(out.count), raw.baseAddress, Int32(valsz ?? data.count))
        }
    }
    return cText(buffer)
}

@Suite struct DiagsOracleTests {
    static let cases = 4000

    /// Formats `cases` random attributes both ways and compares the text byte for byte.
    func compare(_ name: String, size: Int, cases: Int = cases, seed: UInt64 = DiagsRandom.seed,
                 ours: ([UInt8]) -> String, theirs: ([UInt8]) -> String) {
        var rng = DiagsRandom(seed: seed ^ name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
        for index in 0..<cases {
            let data = rng.bytes(size, case: index)
            let a = ours(data), b = theirs(data)
            if a != b {
                Issue.record("seed \(seed) case \(index): \(name) differs from libibmad\nours:\n\(a)\nlibibmad:\n\(b)")
                return
            }
        }
    }

    @Test func nodeInfoMatchesMadDumpNodeinfo() {
        compare("NodeInfo", size: 64, ours: { AttributeDump.nodeInfo(try! NodeInfo(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_nodeinfo, $0) })
    }

    @Test func portInfoMatchesMadDumpPortinfo() {
        compare("PortInfo", size: 64, ours: { AttributeDump.portInfo(try! PortInfo(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_portinfo, $0) })
    }

    @Test func switchInfoMatchesMadDumpSwitchinfo() {
        compare("SwitchInfo", size: 64, ours: { AttributeDump.switchInfo(try! SwitchInfo(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_switchinfo, $0) })
    }

    @Test func nodeDescriptionMatchesMadDumpNodedesc() {
        compare("NodeDescription", size: 64,
                ours: { AttributeDump.nodeDescription(try! NodeDescription(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_nodedesc, $0) })
    }

    @Test func portCountersMatchMadDumpPerfcounters() {
        compare("PortCounters", size: 192, ours: { AttributeDump.portCounters(try! PortCounters(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_perfcounters, $0) })
    }

    @Test func portCountersExtendedMatchMadDumpPerfcountersExt() {
        compare("PortCountersExtended", size: 192,
                ours: { AttributeDump.portCountersExtended(try! PortCountersExtended(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_perfcounters_ext, $0) })
    }

    @Test func slToVLMatchesMadDumpSltovl() {
        compare("SLtoVL", size: 64, ours: { AttributeDump.slToVL(try! SLToVLMappingTable(decoding: $0)) },
                theirs: { libibmadDump(mad_dump_sltovl, $0) })
    }

    @Test func vlArbitrationMatchesMadDumpVlarbitration() {
        var rng = DiagsRandom(seed: DiagsRandom.seed)
        for index in 0..<Self.cases {
            let data = rng.bytes(64, case: index)
            let entries = Int.random(in: 0...32, using: &rng)
            let ours = AttributeDump.vlArbitration(try! VLArbitrationTable(decoding: data), entries: entries)
            let theirs = libibmadDump(mad_dump_vlarbitration, data, valsz: entries * 2)
            #expect(ours == theirs, "seed \(DiagsRandom.seed) case \(index) (\(entries) entries)")
            if ours != theirs { return }
        }
    }

    /// Our field tables walk libibmad's in the same order under the same names, and every
    /// value of every field up to 8 bits (all 2^n) prints as mad_dump_val prints it.
    @Test(arguments: [
        ("PortInfo", IB_PORT_FIRST_F.rawValue, DumpTables.portInfo),
        ("PortInfo ext speeds", IB_PORT_CAPMASK2_F.rawValue, DumpTables.portInfoExtendedSpeeds),
        ("NodeInfo", IB_NODE_FIRST_F.rawValue, DumpTables.nodeInfo),
        ("SwitchInfo", IB_SW_FIRST_F.rawValue, DumpTables.switchInfo),
        ("PortCountersExtended", IB_PC_EXT_FIRST_F.rawValue,
         DumpTables.portCountersExtendedBase + DumpTables.portCountersExtendedWidth),
        ("PortCountersExtended errors", IB_PC_EXT_COUNTER_SELECT2_F.rawValue, DumpTables.portCountersExtendedErrors),
    ])
    func everySmallFieldValueMatchesMadDumpVal(_ name: String, _ first: UInt32, _ table: [DumpField]) {
        for (i, field) in table.enumerated() {
            let id = MAD_FIELDS(rawValue: first + UInt32(i))
            let theirName = String(cString: mad_field_name(id))
            #expect(theirName == field.name, "\(name) field \(i): libibmad \(theirName), ours \(field.name)")
            let width = field.field.bits.width
            guard width <= 8 else { continue }
            for value in 0..<(UInt32(1) << UInt32(width)) {
                var v = value
                var buffer = [CChar](repeating: 0, count: 1024)
                _ = buffer.withUnsafeMutableBufferPointer { mad_dump_val(id, $0.baseAddress, 1024, &v) }
                let theirs = cText(buffer)
                let ours = field.style.text(UInt64(value), bits: width)
                #expect(ours == theirs, "\(field.name) = \(value)")
            }
        }
    }

    /// The wide mask dumpers over all 2^16 CapabilityMask2 values and random 32-bit
    /// CapabilityMask values.
    @Test func capabilityMasksMatchLibibmad() {
        for value in 0..<UInt32(1 << 16) {
            var v = value
            var buffer = [CChar](repeating: 0, count: 2048)
            _ = buffer.withUnsafeMutableBufferPointer { mad_dump_val(IB_PORT_CAPMASK2_F, $0.baseAddress, 2048, &v) }
            #expect(DumpStyle.portCapMask2.text(UInt64(value), bits: 16) == cText(buffer), "CapabilityMask2 \(value)")
        }
        var rng = DiagsRandom(seed: DiagsRandom.seed)
        for index in 0..<20_000 {
            var v = index < 32 ? UInt32(1) << UInt32(index) : UInt32.random(in: 0...UInt32.max, using: &rng)
            let value = v
            var buffer = [CChar](repeating: 0, count: 4096)
            _ = buffer.withUnsafeMutableBufferPointer { mad_dump_val(IB_PORT_CAPMASK_F, $0.baseAddress, 4096, &v) }
            let ours = DumpStyle.portCapMask.text(UInt64(value), bits: 32)
            #expect(ours == cText(buffer), "seed \(DiagsRandom.seed) CapMask \(value)")
            if ours != cText(buffer) { return }
        }
    }
}
