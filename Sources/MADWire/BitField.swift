/// A big-endian bit field, addressed as IBA attribute tables address components.
///
/// IBA tables (e.g. IBA 14.2.5.6, PortInfo) give each component a bit offset counted from
/// the most significant bit of the structure's first byte, and a length in bits. Here that
/// is split into `byteOffset` and `bitOffset` (0 = the most significant bit of that byte)
/// so tables read like the spec. One helper serves every attribute, header and record.
public struct BitField: Sendable, Hashable {
    public let byteOffset: Int
    public let bitOffset: Int
    public let width: Int

    @inlinable
    public init(byte: Int, bit: Int = 0, width: Int) {
        precondition(byte >= 0 && (0..<8).contains(bit) && width > 0, "invalid bit field")
        self.byteOffset = byte
        self.bitOffset = bit
        self.width = width
    }

    /// Offset of the first bit from the start of the structure (the IBA table's "offset").
    @inlinable public var absoluteBitOffset: Int { byteOffset * 8 + bitOffset }

    /// One past the last byte the field touches: a buffer must hold this many bytes.
    @inlinable public var endByte: Int { (absoluteBitOffset + width + 7) / 8 }

    /// Whether the field is whole bytes on byte boundaries (GIDs, strings, GUID arrays).
    @inlinable public var isByteAligned: Bool { bitOffset == 0 && width % 8 == 0 }

    /// This field moved `bytes` further into an enclosing structure (records embed
    /// attributes; MADs embed records at their data offset).
    @inlinable public func shifted(by bytes: Int) -> BitField {
        BitField(byte: byteOffset + bytes, bit: bitOffset, width: width)
    }

    /// Reads a field of at most 64 bits. The caller guarantees `buffer.count >= endByte`
    /// (attribute storage is fixed-size and validated against its table once, by tests).
    /// Always inlined: with a constant field (the typed accessors) whole bytes, words and
    /// bits within one byte fold to a load and a shift; a field spanning bytes off their
    /// boundaries takes the loop out of line.
    @inlinable @inline(__always)
    public func read(_ buffer: UnsafeRawBufferPointer) -> UInt64 {
        precondition(width <= 64 && buffer.count >= endByte, "bit field outside buffer")
        if bitOffset == 0 {
            switch width {
            case 8: return UInt64(buffer[byteOffset])
            case 16: return UInt64(UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self)))
            case 32: return UInt64(UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: byteOffset, as: UInt32.self)))
            case 64: return UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: byteOffset, as: UInt64.self))
            default: break
            }
        }
        if bitOffset + width <= 8 {
            return (UInt64(buffer[byteOffset]) >> UInt64(8 - bitOffset - width)) & ((1 << UInt64(width)) - 1)
        }
        return readSpanningBytes(buffer)
    }

    @usableFromInline
    func readSpanningBytes(_ buffer: UnsafeRawBufferPointer) -> UInt64 { read { buffer[$0] } }

    /// Writes the low `width` bits of `value`; bits outside the field are left unchanged.
    /// Inlined as `read` is, for the same reason.
    @inlinable @inline(__always)
    public func write(_ value: UInt64, to buffer: UnsafeMutableRawBufferPointer) {
        precondition(width <= 64 && buffer.count >= endByte, "bit field outside buffer")
        if bitOffset == 0 {
            switch width {
            case 8: buffer[byteOffset] = UInt8(truncatingIfNeeded: value); return
            case 16: buffer.storeBytes(of: UInt16(truncatingIfNeeded: value).bigEndian, toByteOffset: byteOffset, as: UInt16.self); return
            case 32: buffer.storeBytes(of: UInt32(truncatingIfNeeded: value).bigEndian, toByteOffset: byteOffset, as: UInt32.self); return
            case 64: buffer.storeBytes(of: value.bigEndian, toByteOffset: byteOffset, as: UInt64.self); return
            default: break
            }
        }
        if bitOffset + width <= 8 {
            let shift = UInt8(8 - bitOffset - width)
            let mask = UInt8(truncatingIfNeeded: (1 << width) - 1) << shift
            buffer[byteOffset] = (buffer[byteOffset] & ~mask) | (UInt8(truncatingIfNeeded: value) << shift & mask)
            return
        }
        writeSpanningBytes(value, to: buffer)
    }

    @usableFromInline
    func writeSpanningBytes(_ value: UInt64, to buffer: UnsafeMutableRawBufferPointer) {
        write(value) { index, mask, bits in buffer[index] = buffer[index] & ~mask | bits }
    }

    /// `read` from storage addressed a byte at a time (a structure's inline bytes). With a
    /// constant field the optimizer folds this to the loads and shifts of that one field,
    /// which it cannot do through a buffer pointer handed to a closure.
    @inlinable @inline(__always)
    public func read(byteAt byte: (Int) -> UInt8) -> UInt64 {
        if bitOffset + width <= 8 {
            return (UInt64(byte(byteOffset)) >> UInt64(8 - bitOffset - width)) & ((1 << UInt64(width)) - 1)
        }
        if bitOffset == 0 && width % 8 == 0 {
            var value: UInt64 = 0
            for index in byteOffset..<byteOffset + width / 8 { value = value << 8 | UInt64(byte(index)) }
            return value
        }
        var value: UInt64 = 0
        var position = absoluteBitOffset
        var remaining = width
        while remaining > 0 {
            let inByte = position & 7
            let take = min(8 - inByte, remaining)
            let chunk = (UInt64(byte(position >> 3)) >> UInt64(8 - inByte - take)) & ((1 << UInt64(take)) - 1)
            value = (value << UInt64(take)) | chunk
            remaining -= take
            position += take
        }
        return value
    }

    /// `write` to storage addressed a byte at a time: `merge(index, mask, bits)` replaces
    /// the bits of byte `index` under `mask` with `bits`.
    @inlinable @inline(__always)
    public func write(_ value: UInt64, merge: (Int, UInt8, UInt8) -> Void) {
        if bitOffset == 0 && width % 8 == 0 {
            let count = width / 8
            for index in 0..<count {
                merge(byteOffset + index, 0xFF, UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - index))))
            }
            return
        }
        var position = absoluteBitOffset + width
        var remaining = width
        var rest = value
        while remaining > 0 {
            let inByteEnd = ((position - 1) & 7) + 1  // bits of this byte up to `position`
            let take = min(inByteEnd, remaining)
            let shift = UInt8(8 - inByteEnd)
            let mask = UInt8(truncatingIfNeeded: ((1 << take) - 1) << Int(shift))
            merge((position - 1) >> 3, mask, UInt8(truncatingIfNeeded: rest & ((1 << UInt64(take)) - 1)) << shift)
            rest >>= UInt64(take)
            remaining -= take
            position -= take
        }
    }

    /// Copies a byte-aligned field of any width (GIDs, node descriptions) out as bytes.
    @inlinable
    public func readBytes(_ buffer: UnsafeRawBufferPointer) -> ArraySlice<UInt8> {
        precondition(isByteAligned && buffer.count >= endByte, "byte field outside buffer")
        return ArraySlice(buffer[byteOffset..<endByte])
    }

    /// Writes a byte-aligned field of any width; `bytes` shorter than the field are
    /// padded with zeros, longer ones are cut (NodeDescription is 64 bytes exactly).
    @inlinable
    public func writeBytes(_ bytes: some Collection<UInt8>, to buffer: UnsafeMutableRawBufferPointer) {
        precondition(isByteAligned && buffer.count >= endByte, "byte field outside buffer")
        var index = byteOffset
        for byte in bytes.prefix(width / 8) { buffer[index] = byte; index += 1 }
        while index < endByte { buffer[index] = 0; index += 1 }
    }
}
