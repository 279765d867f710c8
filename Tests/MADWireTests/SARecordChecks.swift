import CIBMadOracle
import MADWire
import Testing

/// Checks shared by the GMP attribute and SA record suites (ClassPortInfo, PortCounters,
/// InformInfo, NodeRecord, PathRecord, ...).
enum SARecordChecks {
    /// Every libibmad field in `expected` (first and last of runs in enum MAD_FIELDS) is
    /// paired, once; `known` are left out on purpose (each with a documented reason).
    static func expectAllPaired(_ pairs: [OraclePair], _ expected: [(MAD_FIELDS, MAD_FIELDS)],
                                except known: [MAD_FIELDS] = [],
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let paired = pairs.map(\.libibmad.rawValue)
        let wanted = Set(expected.flatMap { Array($0.0.rawValue...$0.1.rawValue) })
            .subtracting(known.map(\.rawValue))
        let missing = wanted.subtracting(paired).sorted()
            .map { String(cString: CIBMadOracle_field_name(Int32($0))) }
        #expect(missing.isEmpty, "libibmad fields not paired: \(missing)", sourceLocation: sourceLocation)
        #expect(Set(paired).count == paired.count, "a libibmad field is paired twice", sourceLocation: sourceLocation)
        #expect(Set(paired).isSubset(of: wanted), "a pair names a field outside the expected set",
                sourceLocation: sourceLocation)
    }

    /// Each (mask, field) names component bit i for the i-th field of `layout` (+ `shift`):
    /// the OptionSet and the table agree.
    static func expectMaskMatchesLayout(_ layout: WireLayout, _ pairs: [(UInt64, Field)], shift: Int = 0,
                                        sourceLocation: SourceLocation = #_sourceLocation) {
        for (mask, field) in pairs {
            let index = layout.fields.firstIndex { $0.bits == field.bits && $0.name == field.name }
            #expect(index != nil, "\(field.name) is not in \(layout.name)'s layout", sourceLocation: sourceLocation)
            guard let index else { continue }
            #expect(mask == 1 << UInt64(index + shift),
                    "\(layout.name).\(field.name): mask 0x\(String(mask, radix: 16)), layout index \(index)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Random bytes, replayable from the seed.
    static func randomBytes(_ count: Int, _ rng: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    /// A record's embedded part: the named fields are the part's fields moved by `offset`,
    /// and reading/writing the part moves exactly its bytes (random records, random parts).
    static func expectEmbeds<R: WireStructure, P: WireStructure>(
        _ record: R.Type, _ part: P.Type, at offset: Int, prefix: String,
        get: (R) -> P, set: (inout R, P) -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let embedded = R.layout.fields.filter { $0.name.hasPrefix("\(prefix).") }
        #expect(embedded.count == P.layout.fields.count, "\(R.layout.name) embeds \(embedded.count) of \(prefix)'s fields",
                sourceLocation: sourceLocation)
        for (ours, field) in zip(embedded, P.layout.fields) {
            #expect(ours.name == "\(prefix).\(field.name)" && ours.bits == field.bits.shifted(by: offset),
                    "\(R.layout.name).\(ours.name) is not \(prefix).\(field.name) at +\(offset)",
                    sourceLocation: sourceLocation)
        }
        var rng = SeededGenerator(seed: differentialSeed)
        let size = P.layout.byteCount
        for _ in 0..<200 {
            let recordBytes = randomBytes(R.layout.byteCount, &rng)
            var value = try! R(decoding: recordBytes)
            #expect(get(value).encoded == Array(recordBytes[offset..<(offset + size)]),
                    "seed \(differentialSeed)", sourceLocation: sourceLocation)
            let partBytes = randomBytes(size, &rng)
            set(&value, try! P(decoding: partBytes))
            var expected = recordBytes
            expected.replaceSubrange(offset..<(offset + size), with: partBytes)
            #expect(value.encoded == expected, "seed \(differentialSeed)", sourceLocation: sourceLocation)
        }
    }
}
