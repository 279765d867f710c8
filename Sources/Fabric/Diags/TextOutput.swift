/// A diags listing built as UTF-8 bytes and made a String once. ibnetdiscover's and
/// iblinkinfo's texts are hundreds of thousands of short fields: each is written straight
/// into one growing buffer (no temporary String per field, no uniqueness or bounds check
/// per byte, as an Array's append makes). Noncopyable: the buffer has one owner.
struct TextOutput: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    var text: String { String(decoding: UnsafeBufferPointer(start: storage, count: count), as: UTF8.self) }

    /// Room for `more` bytes after `count`.
    @inline(__always)
    private mutating func reserve(_ more: Int) {
        if count + more > capacity { grow(to: count + more) }
    }

    private mutating func grow(to needed: Int) {
        let larger = max(needed, 2 * capacity)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = moved
        capacity = larger
    }

    @inline(__always)
    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ literal: StaticString) {
        // Every literal here is ASCII text, never a single Unicode scalar.
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func append(text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// printf("%*s"): `text` right-aligned in `width` Characters.
    mutating func append(text: String, width: Int) {
        let count = text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
        spaces(width - count)
        append(text: text)
    }

    mutating func spaces(_ count: Int) {
        guard count > 0 else { return }
        reserve(count)
        (storage + self.count).initialize(repeating: UInt8(ascii: " "), count: count)
        self.count += count
    }

    /// printf("%0*x"): lowercase hex, at least `digits` wide (1: "%x"). Written from the
    /// last digit back, into room reserved once.
    mutating func hex(_ value: UInt64, digits: Int = 1) {
        let significant = max(1, (64 - value.leadingZeroBitCount + 3) / 4)
        let width = max(significant, digits)
        reserve(width)
        let field = storage + count
        let hexDigits = ("0123456789abcdef" as StaticString).utf8Start
        var rest = value
        for index in stride(from: width - 1, through: 0, by: -1) {
            field[index] = hexDigits[Int(truncatingIfNeeded: rest & 0xF)]
            rest >>= 4
        }
        count += width
    }

    /// printf("%*d"): decimal, right-aligned in `width`.
    mutating func decimal(_ value: some BinaryInteger, width: Int = 0) {
        let negative = value < 0
        var rest = UInt64(value.magnitude)
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20 && rest >= scale {
            digits += 1
            scale &*= 10
        }
        let sign = negative ? 1 : 0
        spaces(width - digits - sign)
        reserve(digits + sign)
        if negative { storage[count] = UInt8(ascii: "-") }
        let field = storage + count + sign
        for index in stride(from: digits - 1, through: 0, by: -1) {
            field[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        count += digits + sign
    }

    /// `NodeNameMap.name(for:nodeDescription:)`, appended.
    mutating func name(for guid: UInt64, nodeDescription description: String, in map: NodeNameMap) {
        if !map.names.isEmpty, let name = map.names[guid] { return append(text: name) }
        nodeDescription(description)
    }

    /// `NodeNameMap.cleanNodeDescription`, appended: a description whose first 64 bytes
    /// are printable ASCII is copied, as clean_nodedesc would leave them.
    mutating func nodeDescription(_ description: String) {
        var description = description
        let copied = description.withUTF8 { utf8 in
            let kept = UnsafeBufferPointer(rebasing: utf8.prefix(64))
            guard kept.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
            append(kept)
            return true
        }
        if !copied { append(text: NodeNameMap.cleanNodeDescription(description)) }
    }
}
