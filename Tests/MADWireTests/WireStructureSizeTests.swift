import MADWire
import Testing

/// Decoding takes a structure's size from its storage, printing and errors from its
/// layout: the two must agree for every catalogued type, and every field must fit.
@Suite struct WireStructureSizeTests {
    @Test func storageSizeEqualsLayoutSizeForEveryCataloguedType() {
        for entry in AttributeCatalog.entries {
            let storageSize = entry.type.init().withUnsafeBytes { $0.count }
            #expect(storageSize == entry.layout.byteCount, "\(entry.typeName): storage \(storageSize) bytes, layout \(entry.layout.byteCount)")
            for field in entry.layout.fields {
                #expect(field.bits.endByte <= storageSize, "\(entry.typeName).\(field.name) ends at byte \(field.bits.endByte)")
            }
        }
        #expect(MAD().withUnsafeBytes { $0.count } == MAD.layout.byteCount)
    }

    @Test func shortInputIsRejectedBeforeAnyCopy() {
        for entry in AttributeCatalog.entries {
            let size = entry.layout.byteCount
            let short = [UInt8](repeating: 0xFF, count: size - 1)
            #expect(throws: MADWireError.self, "\(entry.typeName)") {
                try short.withUnsafeBytes { raw in _ = try entry.type.init(decoding: raw) }
            }
            #expect(throws: MADWireError.self, "\(entry.typeName)") { _ = try entry.type.init(decoding: short) }
        }
    }
}
