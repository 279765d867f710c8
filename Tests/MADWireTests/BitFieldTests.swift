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
}
