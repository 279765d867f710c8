@testable import Fabric
import Testing

/// TextOutput writes printf's %x, %0*x and %*d itself: checked against the standard
/// library's formatting of the same numbers, at the edges and at random.
@Suite struct TextOutputTests {
    private func padded(_ text: String, to width: Int, with pad: Character) -> String {
        String(repeating: pad, count: max(0, width - text.count)) + text
    }

    @Test func hexAndDecimalAsPrintfWritesThem() {
        var generator = SystemRandomNumberGenerator()
        var values: [UInt64] = [0, 1, 9, 10, 15, 16, 99, 100, 255, 0xFFFF, 9_999_999_999_999_999_999,
                                10_000_000_000_000_000_000, UInt64.max]
        for bits in 1...64 { values.append(generator.next() >> UInt64(64 - bits)) }
        for value in values {
            for width in [0, 1, 5, 16, 24] {
                var out = TextOutput(capacity: 1)  // every write grows the buffer
                out.hex(value, digits: max(1, width))
                out.append("|")
                out.decimal(value, width: width)
                #expect(out.text == padded(String(value, radix: 16), to: width, with: "0") + "|"
                        + padded(String(value), to: width, with: " "), "value \(value) width \(width)")
            }
        }
        for value in [Int.min, -1_000_000, -10, -9, -1, 0, Int.max] {
            var out = TextOutput()
            out.decimal(value, width: 8)
            #expect(out.text == padded(String(value), to: 8, with: " "), "value \(value)")
        }
    }

    @Test func textAndLiteralsAppendWhole() {
        var out = TextOutput(capacity: 1)
        out.append("Switch\t")
        out.append(text: "grüße")
        out.append(text: "x", width: 3)
        out.spaces(2)
        out.spaces(-1)
        out.nodeDescription(String(repeating: "d", count: 70))
        #expect(out.text == "Switch\tgrüße  x  " + String(repeating: "d", count: 64))
        #expect(out.count == out.text.utf8.count)
    }
}
