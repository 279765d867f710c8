import Testing
@testable import MADWire

@Suite struct BitFieldTests {
    @Test func readsAndWritesUnalignedFieldsBigEndian() {
        var bytes = [UInt8](repeating: 0, count: 8)
        let field = BitField(byte: 1, bit: 4, width: 12)  // low nibble of byte 1, all of byte 2
        bytes.withUnsafeMutableBytes { field.write(0xABC, to: $0) }
        #expect(bytes == [0, 0x0A, 0xBC, 0, 0, 0, 0, 0])
        #expect(bytes.withUnsafeBytes { field.read($0) } == 0xABC)
    }

    /// Bit `index` of `bytes`, counted from the most significant bit of byte 0 (IBA order).
    private func bit(_ bytes: [UInt8], _ index: Int) -> UInt64 { UInt64(bytes[index / 8] >> (7 - index % 8) & 1) }

    /// Every position and width a field can take in 10 bytes (whole bytes, words, bits
    /// inside one byte, fields spanning bytes): both ways of reading and writing (through
    /// a buffer, and a byte at a time as the typed accessors do) against a bit-by-bit
    /// reference on random bytes; a write leaves every other bit as it was.
    @Test func everyPlaceAndWidthAgainstBitByBit() {
        var generator = SystemRandomNumberGenerator()
        for byte in 0..<2 {
            for bitOffset in 0..<8 {
                for width in 1...64 where byte * 8 + bitOffset + width <= 80 {
                    let field = BitField(byte: byte, bit: bitOffset, width: width)
                    let start = byte * 8 + bitOffset
                    for _ in 0..<4 {
                        var bytes = (0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) }
                        let expected = (start..<start + width).reduce(UInt64(0)) { $0 << 1 | bit(bytes, $1) }
                        #expect(bytes.withUnsafeBytes { field.read($0) } == expected, "read \(byte).\(bitOffset) width \(width)")
                        #expect(field.read { bytes[$0] } == expected, "read(byteAt:) \(byte).\(bitOffset) width \(width)")
                        let before = bytes
                        let value = generator.next() as UInt64
                        var merged = bytes
                        bytes.withUnsafeMutableBytes { field.write(value, to: $0) }
                        field.write(value) { index, mask, bits in merged[index] = merged[index] & ~mask | bits }
                        #expect(merged == bytes, "write(merge:) \(byte).\(bitOffset) width \(width)")
                        for index in 0..<80 {
                            let inside = (start..<start + width).contains(index)
                            let wanted = inside ? value >> UInt64(start + width - 1 - index) & 1 : bit(before, index)
                            #expect(bit(bytes, index) == wanted, "write \(byte).\(bitOffset) width \(width): bit \(index)")
                        }
                    }
                }
            }
        }
    }
}
