import CIBMadOracle
import MADWire
import Testing

/// A deterministic generator (SplitMix64) so every failure can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed for this run: MADWIRE_SEED replays a failure, otherwise a fresh one.
let differentialSeed: UInt64 = {
    if let text = getenvString("MADWIRE_SEED"), let seed = UInt64(text) { return seed }
    return UInt64.random(in: 0...UInt64.max)
}()

private func getenvString(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

/// One libibmad field paired with the MADWire field that must mean the same bits.
struct OraclePair: Sendable, CustomTestStringConvertible {
    let libibmad: MAD_FIELDS
    let ours: Field
    /// Byte offset of our structure inside the buffer libibmad sees (its field offsets are
    /// relative to the MAD for headers, to the attribute for attributes).
    let base: Int

    init(_ libibmad: MAD_FIELDS, _ ours: Field, base: Int = 0) {
        self.libibmad = libibmad
        self.ours = ours
        self.base = base
    }

    var libibmadName: String { String(cString: CIBMadOracle_field_name(Int32(libibmad.rawValue))) }
    var testDescription: String { "\(libibmadName) ↔ \(ours.name)" }
}

/// How many random cases each field gets.
let casesPerField = 2000

enum Differential {
    static let scratchSize = 512

    /// Checks one field pair: the same bit extent in both; for `casesPerField` random values
    /// over random background bytes, libibmad's encoding and ours give identical buffers,
    /// and each side decodes the other's encoding to the value.
    static func check<S: WireStructure>(_ type: S.Type, _ pair: OraclePair, seed: UInt64 = differentialSeed) {
        let field = Int32(pair.libibmad.rawValue)
        var firstBit: Int32 = 0, width: Int32 = 0
        let contiguous = CIBMadOracle_field_extent(field, &firstBit, &width) == 0
        #expect(contiguous, "\(pair.libibmadName) is not one contiguous run in libibmad")
        #expect(Int(firstBit) == pair.base * 8 + pair.ours.bits.absoluteBitOffset && Int(width) == pair.ours.bits.width,
                "\(pair.testDescription): libibmad puts it at bit \(firstBit) width \(width), MADWire at bit \(pair.base * 8 + pair.ours.bits.absoluteBitOffset) width \(pair.ours.bits.width)")
        guard Int(width) == pair.ours.bits.width else { return }

        var rng = SeededGenerator(seed: seed ^ UInt64(field) &* 0x100000001B3)
        let size = S.layout.byteCount
        precondition(pair.base + size <= scratchSize)
        for iteration in 0..<casesPerField {
            var background = [UInt8](repeating: 0, count: scratchSize)
            // Every other case over zeros, to catch a codec that only works over noise.
            if iteration % 2 == 1 { for i in background.indices { background[i] = UInt8.random(in: 0...255, using: &rng) } }
            let width = pair.ours.bits.width

            var theirs = background
            var ours = background
            var structure = try! S(decoding: background[pair.base..<(pair.base + size)])

            if width <= 64 {
                let value = width == 64 ? rng.next() : rng.next() & ((1 << UInt64(width)) - 1)
                withValueBytes(value, width: width) { CIBMadOracle_encode(field, &theirs, $0) }
                structure[pair.ours] = value
                structure.withUnsafeBytes { raw in for i in 0..<size { ours[pair.base + i] = raw[i] } }
                #expect(theirs == ours, "seed \(seed) case \(iteration): \(pair.testDescription) encodes \(value) differently")
                let decodedByUs = try! S(decoding: theirs[pair.base..<(pair.base + size)])[pair.ours]
                #expect(decodedByUs == value, "seed \(seed) case \(iteration): \(pair.testDescription): MADWire read \(decodedByUs) from libibmad's encoding of \(value)")
                let decodedByThem = decodeWithLibibmad(field, &ours, width: width)
                #expect(decodedByThem == value, "seed \(seed) case \(iteration): \(pair.testDescription): libibmad read \(decodedByThem) from MADWire's encoding of \(value)")
                if theirs != ours { return }
            } else {
                let value = (0..<(width / 8)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                value.withUnsafeBytes { CIBMadOracle_encode(field, &theirs, $0.baseAddress!) }
                structure.setBytes(value, of: pair.ours)
                structure.withUnsafeBytes { raw in for i in 0..<size { ours[pair.base + i] = raw[i] } }
                #expect(theirs == ours, "seed \(seed) case \(iteration): \(pair.testDescription) encodes bytes differently")
                let decodedByUs = try! S(decoding: theirs[pair.base..<(pair.base + size)]).bytes(of: pair.ours)
                #expect(decodedByUs == value, "seed \(seed) case \(iteration): \(pair.testDescription): MADWire misread libibmad's bytes")
                var back = [UInt8](repeating: 0, count: width / 8)
                back.withUnsafeMutableBytes { CIBMadOracle_decode(field, &ours, $0.baseAddress!) }
                #expect(back == value, "seed \(seed) case \(iteration): \(pair.testDescription): libibmad misread MADWire's bytes")
                if theirs != ours { return }
            }
        }
    }

    private static func withValueBytes(_ value: UInt64, width: Int, _ body: (UnsafeRawPointer) -> Void) {
        if width <= 32 {
            var narrow = UInt32(truncatingIfNeeded: value)
            withUnsafeBytes(of: &narrow) { body($0.baseAddress!) }
        } else {
            precondition(width == 64, "libibmad takes only <=32 or 64-bit numeric fields")
            var wide = value
            withUnsafeBytes(of: &wide) { body($0.baseAddress!) }
        }
    }

    private static func decodeWithLibibmad(_ field: Int32, _ buffer: inout [UInt8], width: Int) -> UInt64 {
        if width <= 32 {
            var narrow: UInt32 = 0
            CIBMadOracle_decode(field, &buffer, &narrow)
            return UInt64(narrow)
        }
        var wide: UInt64 = 0
        CIBMadOracle_decode(field, &buffer, &wide)
        return wide
    }
}
