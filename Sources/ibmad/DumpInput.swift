/// Turns what `ibmad decode` reads into packets of bytes: raw binary as is, or hex text in
/// the shapes tools print it:
///
/// - `xxd`:          `00000000: 0181 0101 0000 0000 ...  ................`
/// - `xxd -p`, libibmad `xdump` (smpdump): bare hex, any grouping, no offsets
/// - `hexdump -C`:   `00000000  01 81 01 01 ...  |................|`, `*` for repeated lines
/// - `tshark -x`:    `0000  01 81 01 01 ...   ................`
///
/// With offsets (xxd, hexdump -C, tshark), the offset prefix and the ASCII column are
/// ignored, and an offset that restarts at 0 starts a new packet (tshark prints one dump
/// per frame). Errors name the line and column.
enum DumpInput {
    enum Format: String, CaseIterable, Sendable {
        case auto, binary, hex
    }

    struct Packet: Sendable {
        var bytes: [UInt8]
        /// 1-based line where the packet starts in hex text (nil for binary input).
        var line: Int?
    }

    struct Failure: Error, Sendable {
        let message: String
    }

    /// Splits `input` into packets. `auto` reads input without control characters (other
    /// than tab, CR, LF) as hex text, anything else as binary: a MAD starts with
    /// BaseVersion 0x01 and is rarely free of zero bytes.
    static func packets(from input: [UInt8], format: Format) throws(Failure) -> [Packet] {
        guard !input.isEmpty else { throw Failure(message: "input is empty") }
        let isText = input.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 0x20 && $0 != 0x7F) }
        switch format {
        case .binary: return [Packet(bytes: input, line: nil)]
        case .hex:
            var parser = HexText(input)
            return try parser.parse()
        case .auto:
            guard isText else { return [Packet(bytes: input, line: nil)] }
            var parser = HexText(input)
            return try parser.parse()
        }
    }
}

/// The hex text parser (one pass, line by line).
private struct HexText {
    enum Layout { case plain, colonOffsets, columnOffsets }

    let input: [UInt8]
    var layout: Layout?
    var packets: [DumpInput.Packet] = []
    var current: [UInt8] = []
    var currentLine = 1
    /// The data of the previous line and a pending `*` (hexdump: lines repeated until the
    /// next offset).
    var previousLineData: [UInt8] = []
    var repeatPending = false

    init(_ input: [UInt8]) { self.input = input }

    mutating func parse() throws(DumpInput.Failure) -> [DumpInput.Packet] {
        var lineNumber = 0
        var start = 0
        while start < input.count {
            lineNumber += 1
            var end = start
            while end < input.count && input[end] != 10 { end += 1 }
            var lineEnd = end
            if lineEnd > start && input[lineEnd - 1] == 13 { lineEnd -= 1 }
            try parseLine(start..<lineEnd, number: lineNumber)
            start = end + 1
        }
        finishPacket()
        guard !packets.isEmpty else { throw DumpInput.Failure(message: "no hex digits in the input") }
        return packets
    }

    mutating func finishPacket() {
        if !current.isEmpty { packets.append(DumpInput.Packet(bytes: current, line: currentLine)) }
        current = []
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    mutating func parseLine(_ range: Range<Int>, number: Int) throws(DumpInput.Failure) {
        var index = range.lowerBound
        while index < range.upperBound && Self.isSpace(input[index]) { index += 1 }
        guard index < range.upperBound else { return }
        let content = input[index..<range.upperBound]
        // tshark's data source headers ("Frame (290 bytes):", "Reassembled ... (n bytes):").
        if content.count >= 7 && content.suffix(7).elementsEqual("bytes):".utf8) { return }
        if content.elementsEqual("*".utf8) { repeatPending = true; return }

        // The first token: an offset, or data.
        var tokenEnd = index
        while tokenEnd < range.upperBound && Self.hexValue(input[tokenEnd]) != nil { tokenEnd += 1 }
        let tokenIsHex = tokenEnd > index
        if layout == nil {
            if tokenIsHex && tokenEnd < range.upperBound && input[tokenEnd] == UInt8(ascii: ":") {
                layout = .colonOffsets
            } else if tokenIsHex && tokenEnd + 2 < range.upperBound
                        && Self.isSpace(input[tokenEnd]) && Self.isSpace(input[tokenEnd + 1]) {
                layout = .columnOffsets
            } else {
                layout = .plain
            }
        }
        var dataStart = index
        var dataEnd = range.upperBound
        if layout != .plain {
            guard tokenIsHex, tokenEnd - index <= 16 else {
                throw failure(number, index, range, "expected an offset at the start of the line")
            }
            var offset = 0
            for position in index..<tokenEnd { offset = offset << 4 | Int(Self.hexValue(input[position])!) }
            dataStart = tokenEnd
            if layout == .colonOffsets {
                guard tokenEnd < range.upperBound && input[tokenEnd] == UInt8(ascii: ":") else {
                    throw failure(number, tokenEnd, range, "expected ':' after the offset")
                }
                dataStart += 1
            }
            while dataStart < range.upperBound && Self.isSpace(input[dataStart]) { dataStart += 1 }
            // The ASCII column: after '|' (hexdump -C) or after the first double space.
            if let bar = input[dataStart..<range.upperBound].firstIndex(of: UInt8(ascii: "|")) {
                dataEnd = bar
            } else {
                var position = dataStart
                while position + 1 < range.upperBound {
                    if Self.isSpace(input[position]) && Self.isSpace(input[position + 1]) { dataEnd = position; break }
                    position += 1
                }
            }
            try place(offset: offset, line: number)
        }
        var lineData: [UInt8] = []
        var position = dataStart
        while position < dataEnd {
            if Self.isSpace(input[position]) { position += 1; continue }
            let tokenStart = position
            while position < dataEnd && !Self.isSpace(input[position]) {
                guard Self.hexValue(input[position]) != nil else {
                    throw failure(number, position, range, "'\(Self.character(input[position]))' is not a hex digit")
                }
                position += 1
            }
            guard (position - tokenStart) % 2 == 0 else {
                let token = String(decoding: input[tokenStart..<position], as: UTF8.self)
                throw failure(number, tokenStart, range,
                              "odd number of hex digits in '\(token)' (each byte needs two)")
            }
            var digit = tokenStart
            while digit < position {
                lineData.append(Self.hexValue(input[digit])! << 4 | Self.hexValue(input[digit + 1])!)
                digit += 2
            }
        }
        if current.isEmpty { currentLine = number }
        current += lineData
        if !lineData.isEmpty { previousLineData = lineData }
    }

    /// Checks a line's offset against the bytes so far: 0 starts a new packet, a `*` fills
    /// the gap with the repeated line, anything else must continue where the data stands.
    mutating func place(offset: Int, line: Int) throws(DumpInput.Failure) {
        if offset == 0 && !current.isEmpty && !repeatPending {
            finishPacket()
            return
        }
        if repeatPending {
            repeatPending = false
            guard !previousLineData.isEmpty, offset >= current.count, offset - current.count <= 1 << 24 else {
                throw DumpInput.Failure(message: "line \(line): offset 0x\(String(offset, radix: 16)) does not follow '*'")
            }
            while current.count < offset {
                current += previousLineData.prefix(offset - current.count)
            }
            return
        }
        guard offset == current.count else {
            throw DumpInput.Failure(message:
                "line \(line): offset 0x\(String(offset, radix: 16)) does not follow the data before it "
                + "(expected 0x\(String(current.count, radix: 16)))")
        }
    }

    func failure(_ line: Int, _ index: Int, _ range: Range<Int>, _ text: String) -> DumpInput.Failure {
        // Columns count characters: continuation bytes of UTF-8 do not start one.
        let column = input[range.lowerBound..<index].filter { $0 & 0xC0 != 0x80 }.count + 1
        return DumpInput.Failure(message: "line \(line), column \(column): \(text)")
    }

    static func character(_ byte: UInt8) -> String {
        (0x20...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}
