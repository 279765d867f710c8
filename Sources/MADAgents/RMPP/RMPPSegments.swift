public import MADWire

extension RMPPLayout {
    /// Segment `number` (1-based) of `data` under `header`: the header's first `dataOffset`
    /// bytes, the RMPP header of a DATA segment (First on 1, Last on the last, PayloadLength
    /// on both; mad_rmpp.c `send_next_seg`), then this segment's data, zero-padded.
    /// Builds the 256 bytes inline: no heap allocation.
    public func segment(_ number: Int, of data: [UInt8], header: MAD) -> MAD {
        let count = segmentCount(dataCount: data.count)
        precondition((1...count).contains(number), "segment \(number) of \(count)")
        var mad = MAD()
        let offset = dataOffset
        let start = (number - 1) * segmentDataSize
        let end = min(data.count, start + segmentDataSize)
        mad.withUnsafeMutableBytes { out in
            header.withUnsafeBytes { source in
                out.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: offset)
            }
            if start < end {
                data.withUnsafeBytes { bytes in
                    (out.baseAddress! + offset).copyMemory(from: bytes.baseAddress! + start, byteCount: end - start)
                }
            }
        }
        mad.rmppVersion = RMPPLayout.version
        mad.rmppType = .data
        mad.rmppResponseTime = RMPPLayout.noResponseTime
        mad.rmppStatus = 0
        var flags: RMPPHeader.Flags = .active
        var payloadLength: UInt32 = 0
        if number == 1 {
            flags.insert(.first)
            payloadLength = firstPayloadLength(dataCount: data.count)
        }
        if number == count {
            flags.insert(.last)
            payloadLength = lastPayloadLength(dataCount: data.count)
        }
        mad.rmppFlags = flags
        mad.rmppData1 = UInt32(number)
        mad.rmppData2 = payloadLength
        return mad
    }

    /// An ACK, STOP or ABORT about the transfer `about` belongs to (a segment or control
    /// packet of it), with `method`: the header's first `dataOffset` bytes as in the
    /// kernel's `format_ack`/`nack_recv`, Active set, the rest zero.
    public func control(_ type: RMPPHeader.PacketType, status: RMPPStatus = .normal, segment: UInt32 = 0,
                        newWindowLast: UInt32 = 0, about: MAD, method: Method) -> MAD {
        var mad = MAD()
        let offset = dataOffset
        mad.withUnsafeMutableBytes { out in
            about.withUnsafeBytes { source in
                out.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: offset)
            }
        }
        mad.method = method
        mad.status = .success
        mad.rmppVersion = RMPPLayout.version
        mad.rmppType = type
        mad.rmppResponseTime = RMPPLayout.noResponseTime
        mad.rmppFlags = .active
        mad.rmppStatus = status.rawValue
        mad.rmppData1 = segment
        mad.rmppData2 = newWindowLast
        return mad
    }
}

extension Method {
    /// The method with its R bit flipped: an ACK (or STOP/ABORT) travels against the data
    /// it answers (mad_rmpp.c `format_ack`: `method ^= IB_MGMT_METHOD_RESP`).
    var flippingResponseBit: Method { Method(rawValue: rawValue ^ 0x80) }
}
