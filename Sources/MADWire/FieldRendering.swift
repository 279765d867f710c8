// Turning one field's bits into what a person reads: `ibmad decode` text and JSON.
// Everything here is total: any bytes, any field, never a trap (fields that do not fit the
// buffer are reported as missing, not read).

/// A field's value as read from the wire.
public enum FieldValue: Sendable, Hashable {
    /// Fields of at most 64 bits.
    case unsigned(UInt64)
    /// Wider fields (GIDs, text, opaque data), exact wire bytes. For a field that does not
    /// start or end on a byte boundary the bits are right-aligned in the bytes.
    case bytes([UInt8])
    /// The field runs past the end of the available bytes.
    case missing
}

/// One field rendered for display.
public struct RenderedField: Sendable {
    public let field: Field
    /// Offset of the enclosing structure in the bytes that were decoded (a MAD, or 0).
    public let structureOffset: Int
    public let value: FieldValue
    /// The readable text: enumerated and bit names, IPv6 GIDs, LIDs, text up to NUL.
    public let text: String

    public var name: String { field.name }
}

extension RenderedField {
    /// Reads and renders `field` of the structure that starts `base` bytes into `buffer`.
    public init(_ field: Field, in buffer: UnsafeRawBufferPointer, base: Int = 0) {
        self.field = field
        self.structureOffset = base
        let bits = field.bits.shifted(by: base)
        guard bits.endByte <= buffer.count else {
            value = .missing
            text = "(beyond the end of the data)"
            return
        }
        if bits.width <= 64 {
            let number = bits.read(buffer)
            value = .unsigned(number)
            text = FieldText.number(number, of: field)
        } else {
            let bytes = FieldText.wideBytes(bits, buffer)
            value = .bytes(bytes)
            text = FieldText.bytes(bytes, of: field)
        }
    }

    /// Whether a listing shows this field: reserved ones only when they are not zero.
    public var isShown: Bool {
        guard case .reserved = field.format else { return true }
        switch value {
        case .unsigned(let number): return number != 0
        case .bytes(let bytes): return bytes.contains { $0 != 0 }
        case .missing: return false
        }
    }
}

/// Text for field values (no Foundation).
public enum FieldText {
    /// `0x` and lower-case hex digits padded to the width of a `bits`-wide field.
    public static func hex(_ value: UInt64, bits: Int) -> String {
        "0x" + hexDigits(value, width: (bits + 3) / 4)
    }

    /// Bytes as contiguous lower-case hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var text = ""
        for byte in bytes { text += hexDigits(UInt64(byte), width: 2) }
        return text
    }

    static func number(_ value: UInt64, of field: Field) -> String {
        let width = field.bits.width
        switch field.format {
        case .decimal:
            return isLID(field) ? lid(value) : String(value)
        case .hex, .reserved:
            return isLID(field) ? lid(value) : hex(value, bits: width)
        case .flag:
            return String(value)
        case .enumerated(let names):
            return names.name(of: value).map { "\($0) (\(value))" } ?? String(value)
        case .bitmask(let names):
            return bitmask(value, bits: width, names: names)
        case .gid, .text, .bytes:
            // Narrow fields with a wide format (a short byte string): show the bits in hex.
            return hex(value, bits: width)
        }
    }

    static func bytes(_ bytes: [UInt8], of field: Field) -> String {
        switch field.format {
        case .gid where bytes.count == 16: return gid(bytes)
        case .text: return text(bytes)
        default: return hex(bytes)
        }
    }

    /// LIDs in decimal, as infiniband-diags prints them, with the hex and the LID's kind
    /// (IBA 4.1.3: 0 reserved, 0xC000–0xFFFE multicast, 0xFFFF permissive).
    public static func lid(_ value: UInt64) -> String {
        var text = "\(value) (\(hex(value, bits: 16)))"
        if value == 0xFFFF { text += " permissive" } else if (0xC000...0xFFFE).contains(value) { text += " multicast" }
        return text
    }

    /// Whether the field holds a LID: its IBA name ends in "LID" (LID, DLID, MasterSMLID,
    /// RedirectLID, ...) and it is 16 bits (32-bit fields named ...LID are counters or
    /// extended LIDs, shown as plain numbers).
    static func isLID(_ field: Field) -> Bool {
        guard field.bits.width == 16 else { return false }
        let name = field.name.split(separator: ".").last.map(String.init) ?? field.name
        return name.hasSuffix("LID") || name.hasSuffix("Lid")
    }

    /// The value in hex, then the names of its set bits; unnamed set bits in hex.
    static func bitmask(_ value: UInt64, bits: Int, names: ValueNames) -> String {
        var parts: [String] = []
        var rest = value
        for entry in names.entries where entry.value != 0 && value & entry.value == entry.value {
            parts.append(entry.name)
            rest &= ~entry.value
        }
        if rest != 0 && !parts.isEmpty { parts.append("other bits " + hex(rest, bits: bits)) }
        let number = hex(value, bits: bits)
        return parts.isEmpty ? number : "\(number) (\(parts.joined(separator: ", ")))"
    }

    /// A GID as IPv6 text (RFC 5952: lower case, longest run of two or more zero groups
    /// as "::", first such run on ties), e.g. fe80::2:c903:0:1.
    public static func gid(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return hex(bytes) }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1, bestLength = 1, start = 0
        while start < 8 {
            var end = start
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - start > bestLength { bestStart = start; bestLength = end - start }
            start = end == start ? start + 1 : end
        }
        func join(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return join(0..<8) }
        return join(0..<bestStart) + "::" + join((bestStart + bestLength)..<8)
    }

    /// ASCII text up to the first NUL; other bytes outside printable ASCII as \xNN.
    public static func text(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            if byte == 0 { break }
            if (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: "\\") {
                text += "\\\\"
            } else {
                text += "\\x" + hexDigits(UInt64(byte), width: 2)
            }
        }
        return text
    }

    /// Copies any field wider than 64 bits: exact bytes when byte-aligned, otherwise the
    /// bits right-aligned in ceil(width / 8) bytes. The caller checked the bounds.
    static func wideBytes(_ bits: BitField, _ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        if bits.isByteAligned { return Array(bits.readBytes(buffer)) }
        var bytes: [UInt8] = []
        let leading = bits.width % 8
        var position = bits.absoluteBitOffset
        if leading != 0 {
            bytes.append(UInt8(BitField(byte: position / 8, bit: position % 8, width: leading).read(buffer)))
            position += leading
        }
        while position < bits.absoluteBitOffset + bits.width {
            bytes.append(UInt8(BitField(byte: position / 8, bit: position % 8, width: 8).read(buffer)))
            position += 8
        }
        return bytes
    }

    /// A hex dump: lines of 16 bytes with the offset (from `base`) and an ASCII column.
    public static func hexDump(_ bytes: ArraySlice<UInt8>, base: Int, indent: String = "") -> [String] {
        var lines: [String] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let line = bytes[start..<min(start + 16, bytes.endIndex)]
            var text = indent + hexDigits(UInt64(base + start - bytes.startIndex), width: 4) + ": "
            for (index, byte) in line.enumerated() {
                text += hexDigits(UInt64(byte), width: 2) + (index == 7 ? "  " : " ")
            }
            text += String(repeating: "   ", count: 16 - line.count) + (line.count <= 8 ? " " : "")
            text += " |"
            for byte in line {
                text.unicodeScalars.append((0x20...0x7E).contains(byte) ? Unicode.Scalar(byte) : ".")
            }
            lines.append(text + "|")
            start += 16
        }
        return lines
    }
}

/// A minimal JSON writer (RFC 8259), no Foundation: strings are escaped, integers above
/// 2^53 (which JavaScript and many parsers cannot hold exactly) are written as hex strings.
public struct JSONWriter: Sendable {
    public private(set) var output = ""
    /// Per open container: whether the next value needs a comma before it.
    private var needsComma: [Bool] = []
    /// A key was just written: the next value is its value and takes no comma.
    private var afterKey = false

    public init() {}

    public static let largestExactInteger: UInt64 = 1 << 53

    private mutating func separate() {
        if afterKey { afterKey = false; return }
        guard let last = needsComma.last else { return }
        if last { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    public mutating func beginObject() { separate(); output += "{"; needsComma.append(false) }
    public mutating func endObject() { needsComma.removeLast(); output += "}" }
    public mutating func beginArray() { separate(); output += "["; needsComma.append(false) }
    public mutating func endArray() { needsComma.removeLast(); output += "]" }

    /// An object member's key; the value written next belongs to it.
    public mutating func key(_ name: String) {
        separate()
        output += Self.quoted(name) + ":"
        afterKey = true
    }

    public mutating func string(_ value: String) { separate(); output += Self.quoted(value) }
    public mutating func bool(_ value: Bool) { separate(); output += value ? "true" : "false" }
    public mutating func null() { separate(); output += "null" }
    /// An unsigned integer; values above 2^53 become "0x…" strings `hexBits` wide.
    public mutating func number(_ value: UInt64, hexBits: Int = 64) {
        separate()
        output += value <= Self.largestExactInteger ? String(value) : Self.quoted(FieldText.hex(value, bits: hexBits))
    }
    public mutating func number(_ value: Int) { separate(); output += String(value) }

    public mutating func member(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func member(_ name: String, _ value: Int) { key(name); number(value) }
    public mutating func member(_ name: String, _ value: UInt64, hexBits: Int = 64) { key(name); number(value, hexBits: hexBits) }
    public mutating func member(_ name: String, _ value: Bool) { key(name); bool(value) }

    /// `value` as a JSON string literal: quote, backslash and control characters escaped.
    public static func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                text += "\\u" + hexDigits(UInt64(scalar.value), width: 4)
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
}
