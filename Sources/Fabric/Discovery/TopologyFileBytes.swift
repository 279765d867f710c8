#if canImport(Glibc)
import Glibc
#endif

/// A range of a topology file's UTF-8 bytes: what `TopologyFile` scans instead of
/// Characters. The grammar is ASCII, so byte positions of `"`, `[`, `#`, tabs and digits
/// are Character positions for every line the C tool writes; only the node descriptions
/// kept become Strings. Every access stays inside `start..<end`, which stays inside the
/// buffer, so nothing past the input is read.
struct TopologyBytes {
    let buffer: UnsafeBufferPointer<UInt8>
    var start: Int
    var end: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        self.buffer = buffer
        self.start = start
        self.end = end
    }

    var isEmpty: Bool { start >= end }
    var count: Int { end - start }
    var first: UInt8? { start < end ? buffer[start] : nil }
    var string: String { String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self) }

    func from(_ index: Int) -> TopologyBytes { TopologyBytes(buffer, min(max(index, start), end), end) }
    func upTo(_ index: Int) -> TopologyBytes { TopologyBytes(buffer, start, max(min(index, end), start)) }
    func dropFirst(_ count: Int = 1) -> TopologyBytes { from(start + count) }

    func prefix(while predicate: (UInt8) -> Bool) -> TopologyBytes {
        var index = start
        while index < end && predicate(buffer[index]) { index += 1 }
        return upTo(index)
    }

    func prefix(upTo byte: UInt8) -> TopologyBytes { upTo(firstIndex(of: byte) ?? end) }

    /// memchr: a file is scanned for its line ends a word at a time, not a byte.
    func firstIndex(of byte: UInt8) -> Int? {
        guard start < end, let base = buffer.baseAddress,
              let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    func lastIndex(of byte: UInt8) -> Int? {
        var index = end
        while index > start {
            index -= 1
            if buffer[index] == byte { return index }
        }
        return nil
    }

    func hasPrefix(_ text: StaticString) -> Bool {
        text.withUTF8Buffer { key in
            key.count <= count && key.indices.allSatisfy { buffer[start + $0] == key[$0] }
        }
    }

    /// The bytes after `text`, if they start with it.
    func removingPrefix(_ text: StaticString) -> TopologyBytes? { hasPrefix(text) ? dropFirst(text.length) : nil }

    func equals(_ text: StaticString) -> Bool { count == text.length && hasPrefix(text) }

    /// Where `text` first occurs, as the range of its bytes.
    func firstRange(of text: StaticString) -> Range<Int>? {
        let (head, length) = text.withUTF8Buffer { ($0[0], $0.count) }
        var from = self
        while let index = from.firstIndex(of: head) {
            from.start = index
            if from.hasPrefix(text) { return index..<index + length }
            from.start += 1
        }
        return nil
    }

    /// The bytes after the first `text`, if it occurs.
    func after(_ text: StaticString) -> TopologyBytes? { firstRange(of: text).map { from($0.upperBound) } }

    /// What Swift's `UInt64(_:radix:)` accepts: an optional sign, then one or more digits
    /// (either case), nothing else, at most `limit` ("-" only for zero).
    func number(radix: UInt64, limit: UInt64 = .max) -> UInt64? {
        var digits = self
        let negative = first == UInt8(ascii: "-")
        if negative || first == UInt8(ascii: "+") { digits.start += 1 }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for index in digits.start..<digits.end {
            let byte = buffer[index]
            let digit: UInt64 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt64(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt64(byte - UInt8(ascii: "A")) + 10
            default: radix
            }
            guard digit < radix else { return nil }
            // GUIDs are 16 hex digits: a shift where a multiply would do.
            let (shifted, overflow) = radix == 16 ? (value << 4, value >> 60 != 0) : value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            guard !overflow && !carry && sum <= limit else { return nil }
            value = sum
        }
        return negative && value != 0 ? nil : value
    }

    /// `Int(prefix { $0.isNumber })`: the decimal digits at the start (nil if none, or
    /// more than an Int holds).
    var leadingDecimal: Int? {
        prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.number(radix: 10, limit: UInt64(Int.max)).map { Int($0) }
    }

    /// Without its first Character, taken as one scalar: a lead byte and its
    /// continuation bytes (0b10xxxxxx).
    var droppingFirstCharacter: TopologyBytes { dropFirst().from(dropFirst().prefix { $0 & 0xC0 == 0x80 }.end) }

    /// The text between the first two `"`.
    var firstQuoted: TopologyBytes? {
        guard let open = firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        let rest = from(open + 1)
        return rest.firstIndex(of: UInt8(ascii: "\"")).map { rest.upTo($0) }
    }

    /// The GUID in a quoted node name, "S-<hex>", "H-<hex>" or "R-<hex>".
    var quotedGUID: UInt64? {
        guard let name = firstQuoted, !name.isEmpty else { return nil }
        let dash = name.droppingFirstCharacter
        guard dash.first == UInt8(ascii: "-"), dash.count > 1 else { return nil }
        return dash.dropFirst().number(radix: 16)
    }

    /// A hex number up to the first ASCII whitespace, with or without "0x".
    var hexNumber: UInt64? {
        let trimmed = prefix { !Self.isWhitespace($0) }
        return trimmed.hasPrefix("0x") ? trimmed.dropFirst(2).number(radix: 16) : trimmed.number(radix: 16)
    }

    /// Space, tab, LF, VT, FF, CR.
    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}

extension TopologyBytes {
    /// The first `limit` space-separated words (runs of spaces count as one).
    func words(_ limit: Int) -> [TopologyBytes] {
        var result: [TopologyBytes] = []
        var rest = self
        while result.count < limit {
            rest = rest.from(rest.prefix { $0 == UInt8(ascii: " ") }.end)
            if rest.isEmpty { break }
            let word = rest.prefix(upTo: UInt8(ascii: " "))
            result.append(word)
            rest = rest.from(word.end)
        }
        return result
    }

    /// The last space-separated word (empty if there is none).
    var lastWord: TopologyBytes {
        var end = self.end
        while end > start && buffer[end - 1] == UInt8(ascii: " ") { end -= 1 }
        let word = upTo(end)
        return word.from((word.lastIndex(of: UInt8(ascii: " ")) ?? start - 1) + 1)
    }
}

extension StaticString {
    /// Its UTF-8 byte count, whatever its representation (`utf8CodeUnitCount` traps for
    /// a single-scalar literal).
    var length: Int { withUTF8Buffer { $0.count } }
}
