import CInfiniBand
public import MADWire

#if canImport(Glibc)
import Glibc
#endif

/// A whole message that the kernel's RMPP (drivers/infiniband/core/mad_rmpp.c) reassembled
/// for a UmadPort agent registered with `rmppVersion` 1, too large for one MAD.
///
/// ib_umad hands it over as one read (user_mad.c `copy_recv_mad`): the first segment's 256
/// bytes, then the data share of every later segment, `length` = data offset + data bytes
/// (mad_rmpp.c `get_mad_len`). Messages of one segment arrive as ordinary ``ReceivedMAD``s
/// whose `length` is that same data offset + data bytes.
public struct UmadRMPPMessage: Sendable {
    public let agent: AgentID
    public let source: MADAddress
    /// The first segment: common, RMPP and class headers (e.g. the vendor OUI).
    public let header: MAD
    /// The message's data from the class's data offset on (MAD.dataOffset), all segments.
    public let data: [UInt8]
}

/// A ``MADPortDelegate`` that takes kernel-reassembled RMPP messages larger than a MAD. A
/// UmadPort whose delegate is not one drops such a message (it cannot fit a pool slot) and
/// reports its TID as a failed send with ENOSPC.
public protocol UmadRMPPDelegate: MADPortDelegate {
    func port(receivedRMPP message: UmadRMPPMessage)
}

extension UmadPort {
    /// Sends `header` + `data` as ONE message through ib_umad for an agent registered with
    /// `rmppVersion` 1: the kernel segments it, runs the window and ACK timers and resends
    /// (mad_rmpp.c `ib_send_rmpp_mad`). ib_umad does this only when the agent is a kernel
    /// RMPP agent and the written MAD has RMPP Active set (user_mad.c `ib_umad_write`:
    /// `rmpp_active`, then `copy_rmpp_mad` copies the class header and the data after
    /// `ib_get_mad_data_offset` bytes); this sets Active, version 1 and type DATA, and the
    /// kernel sets First/Last, SegmentNumber and PayloadLength per segment.
    ///
    /// The message is written from a temporary buffer, not a pool slot: a pool slot holds
    /// one MAD, and write() copies the message into the kernel anyway (ib_umad DMA-maps its
    /// own copy of each segment). `timeoutMilliseconds` is the kernel's ACK/response timer
    /// (0: it waits for the final ACK, up to 2 s per window, mad_rmpp.c `send_next_seg`);
    /// `retries` are the kernel's resends of an unACKed window. A failure comes back
    /// through the delegate as a `SendFailure`.
    public func sendRMPP(header: MAD, data: [UInt8], to address: MADAddress, agent: AgentID,
                         timeoutMilliseconds: Int = 0, retries: Int = 0) throws(PortError) {
        try withOpenPort()
        guard let registration = registration(of: agent) else { throw .unknownAgent(agent.rawValue) }
        guard registration.rmppVersion != 0 else {
            throw .invalidRegistration("agent \(agent.rawValue) did not register for kernel RMPP (rmppVersion 0); "
                                       + "ib_umad sends only one MAD for it")
        }
        let offset = header.dataOffset
        let length = offset + data.count
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.headroom + max(length, MAD.size), alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        var first = header
        first.rmppVersion = 1
        first.rmppType = .data
        first.rmppFlags = .active
        first.rmppStatus = 0
        let timeout = UInt32(clamping: max(0, timeoutMilliseconds))
        UmadHeader.fill(buffer.baseAddress!, agent: agent.rawValue, timeoutMilliseconds: timeout, address: address)
        first.withUnsafeBytes { bytes in
            (buffer.baseAddress! + Self.headroom).copyMemory(from: bytes.baseAddress!, byteCount: offset)
        }
        data.withUnsafeBytes { bytes in
            if bytes.count > 0 { (buffer.baseAddress! + Self.headroom + offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        }
        let (status, sendErrno) = sendGate.pass { () -> (Int32, Int32) in
            let status = umad_send(portID, Int32(agent.rawValue), buffer.baseAddress!, Int32(length),
                                   Int32(bitPattern: timeout), Int32(clamping: max(0, retries)))
            return (status, errno)
        } ?? (-1, EBADF)
        guard status == 0 else { throw sendErrno == EBADF ? .closed : .sendFailed(errno: sendErrno != 0 ? sendErrno : EIO) }
    }

    private func withOpenPort() throws(PortError) {
        if state.withLock({ $0.closed }) { throw .closed }
    }
}
