import CIBMadOracle
import MADWire
import Testing

@Suite struct NodeDescriptionTests {
    static let pairs: [OraclePair] = [
        OraclePair(IB_NODE_DESC_F, NodeDescription.Fields.nodeString),
    ]

    @Test(arguments: pairs) func matchesLibibmad(_ pair: OraclePair) {
        Differential.check(NodeDescription.self, pair)
    }

    @Test func layoutCoversEveryBit() {
        SMPAttributeChecks.expectCompleteLayout(NodeDescription.layout)
        #expect(NodeDescription.attributeID == AttributeID(rawValue: 0x0010))
    }

    @Test func truncatedInputNamesTheField() {
        #expect(throws: MADWireError.truncated("NodeDescription", field: "NodeString", needed: 64, available: 10)) {
            try NodeDescription(decoding: [UInt8](repeating: 0x41, count: 10))
        }
    }

    @Test func textStopsAtTheFirstNUL() throws {
        let bytes = Array("ibsim-sw1 port".utf8) + [0] + Array("garbage".utf8)
            + [UInt8](repeating: 0, count: 64 - 22)
        let description = try NodeDescription(decoding: bytes)
        #expect(description.text == "ibsim-sw1 port")
        #expect(description.encoded == bytes, "bytes after the NUL are kept")
    }

    @Test func textWithoutNULUsesAll64Bytes() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 64)
        #expect(try NodeDescription(decoding: bytes).text == String(repeating: "x", count: 64))
    }

    @Test func invalidUTF8IsRepairedNotTrapped() throws {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes[0] = UInt8(ascii: "a")
        bytes[1] = 0xFF  // never valid in UTF-8
        bytes[2] = 0xC3  // lead byte cut off by the next ASCII byte
        bytes[3] = UInt8(ascii: "b")
        bytes[63] = 0xE2  // a 3-byte sequence cut off by the end of the attribute
        bytes[62] = UInt8(ascii: "c")
        for i in 4..<62 { bytes[i] = UInt8(ascii: "-") }
        let text = try NodeDescription(decoding: bytes).text
        #expect(text.hasPrefix("a\u{FFFD}\u{FFFD}b"))
        #expect(text.hasSuffix("c\u{FFFD}"))
    }

    @Test func setterTruncatesTo64BytesAtAScalarBoundary() {
        var description = NodeDescription(text: String(repeating: "n", count: 100))
        #expect(description.text == String(repeating: "n", count: 64))
        #expect(description.raw[63] == UInt8(ascii: "n"))

        // 63 ASCII bytes and a 2-byte "é": the é does not fit whole, so it is left out.
        description.text = String(repeating: "a", count: 63) + "é"
        #expect(description.text == String(repeating: "a", count: 63))
        #expect(description.raw[63] == 0)

        // Shorter text zero-fills what an earlier value left.
        description.text = "mlx5_0 HCA-1"
        #expect(description.text == "mlx5_0 HCA-1")
        #expect(description.encoded.dropFirst(12).allSatisfy { $0 == 0 })

        description.text = "αβγ"
        #expect(description.encoded.prefix(6) == [0xCE, 0xB1, 0xCE, 0xB2, 0xCE, 0xB3])
        #expect(description.text == "αβγ")
    }

    /// libibmad reads the same text we wrote (its NodeDesc is the raw 64 bytes).
    @Test func libibmadReadsOurText() {
        var description = NodeDescription()
        description.text = "switch-7 leaf"
        var scratch = description.encoded + [UInt8](repeating: 0, count: Differential.scratchSize - 64)
        var out = [UInt8](repeating: 0xAA, count: 64)
        out.withUnsafeMutableBytes { CIBMadOracle_decode(Int32(IB_NODE_DESC_F.rawValue), &scratch, $0.baseAddress!) }
        #expect(Array(out.prefix(13)) == Array("switch-7 leaf".utf8) && out[13] == 0)
    }
}
