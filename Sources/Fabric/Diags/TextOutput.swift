/// A diags listing built as UTF-8 bytes and made a String once. ibnetdiscover's and
/// iblinkinfo's texts are thousands of short fields; appending each to one buffer with its
/// capacity reserved spares the temporary String that interpolation makes per field.
struct TextOutput {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(text: String) { bytes.append(contentsOf: text.utf8) }

    /// printf("%*s"): `text` right-aligned in `width` Characters.
    mutating func append(text: String, width: Int) {
        let count = text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
        spaces(width - count)
        append(text: text)
    }

    mutating func spaces(_ count: Int) {
        for _ in 0..<max(0, count) { bytes.append(UInt8(ascii: " ")) }
    }

    /// printf("%0*x"): lowercase hex, at least `digits` wide (1: "%x").
    mutating func hex(_ value: UInt64, digits: Int = 1) {
        let significant = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        for _ in significant..<max(significant, digits) { bytes.append(UInt8(ascii: "0")) }
        for nibble in (0..<significant).reversed() {
            let digit = UInt8(truncatingIfNeeded: value >> UInt64(4 * nibble)) & 0xF
            bytes.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
        }
    }

    /// printf("%*d"): decimal, right-aligned in `width`.
    mutating func decimal(_ value: some BinaryInteger, width: Int = 0) {
        let negative = value < 0
        let magnitude = UInt64(value.magnitude)
        var divisor: UInt64 = 1, count = 1
        while magnitude / divisor >= 10 {
            divisor *= 10
            count += 1
        }
        spaces(width - count - (negative ? 1 : 0))
        if negative { bytes.append(UInt8(ascii: "-")) }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// `NodeNameMap.name(for:nodeDescription:)`, appended.
    mutating func name(for guid: UInt64, nodeDescription description: String, in map: NodeNameMap) {
        if !map.names.isEmpty, let name = map.names[guid] { return append(text: name) }
        nodeDescription(description)
    }

    /// `NodeNameMap.cleanNodeDescription`, appended: a description whose first 64 bytes
    /// are printable ASCII is copied, as clean_nodedesc would leave them.
    mutating func nodeDescription(_ description: String) {
        let copied: Bool? = description.utf8.withContiguousStorageIfAvailable { utf8 in
            let kept = UnsafeBufferPointer(rebasing: utf8.prefix(64))
            guard kept.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
            bytes.append(contentsOf: kept)
            return true
        }
        if copied != true { append(text: NodeNameMap.cleanNodeDescription(description)) }
    }
}
