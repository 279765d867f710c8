public import MADWire

/// One verifier report: which rule was broken, on which slot, for which MAD.
public struct PoolViolation: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The owner wrote its slot while the device owned it.
        case writeWhilePosted = "write while posted"
        /// Bytes around the device's buffer changed: a DMA past the buffer's bounds.
        case guardZoneOverwritten = "guard zone overwritten"
        /// A freed slot changed before it was handed out again (use after return).
        case writeAfterReturn = "write after return"
        /// A buffer outside the registered region was about to be given to the device.
        case outsideRegion = "buffer outside the registered region"
        /// A slot came back from the device that was not posted (returned twice).
        case doubleReturn = "double return"
    }

    public let kind: Kind
    public let slot: Int?
    public let slotKind: MADBufferPool.Kind?
    public let mad: MADSummary?
    public let detail: String

    public var description: String {
        var text = kind.rawValue
        if let slot { text += ": slot \(slot)" + (slotKind.map { " (\($0 == .send ? "send" : "receive"))" } ?? "") }
        if let mad { text += ", MAD \(mad)" }
        return text + ": " + detail
    }
}

/// The identifying header fields of a MAD, for reports.
public struct MADSummary: Sendable, Hashable, CustomStringConvertible {
    public let managementClass: ManagementClass
    public let method: Method
    public let attributeID: AttributeID
    public let transactionID: UInt64

    /// Reads the header from `bytes` if it holds one (24 bytes); nil otherwise.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= MADHeader.byteCount else { return nil }
        managementClass = ManagementClass(rawValue: UInt8(MADHeader.managementClass.bits.read(bytes)))
        method = Method(rawValue: UInt8(MADHeader.methodByte.bits.read(bytes)))
        attributeID = AttributeID(rawValue: UInt16(MADHeader.attributeID.bits.read(bytes)))
        transactionID = MADHeader.transactionID.bits.read(bytes)
    }

    public var description: String {
        "class \(managementClass) method \(method) attribute 0x\(hexDigits(UInt64(attributeID.rawValue), width: 4))"
            + " TID 0x\(hexDigits(transactionID, width: 16))"
    }
}
