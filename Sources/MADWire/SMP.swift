/// SMP fields shared by both routings (IBA 14.2.1), offsets from the MAD's start.
public enum SMPLayout {
    public static let mKey = Field("M_Key", byte: 24, width: 64, .hex)
    /// LID-routed SMPs: bytes 32–63 reserved (IBA 14.2.1.1).
    public static let lidRoutedReserved = Field("Reserved", byte: 32, width: 256, .reserved)
    public static let data = Field("SMPData", byte: 64, width: 512, .bytes)
    public static let lidRoutedTrailer = Field("Reserved", byte: 128, width: 1024, .reserved)

    // Directed-route SMPs (IBA 14.2.1.2, Figure 162).
    public static let direction = Field("D", byte: 4, bit: 0, width: 1, .flag)
    public static let drStatus = Field("Status", byte: 4, bit: 1, width: 15, .hex)
    public static let hopPointer = Field("HopPointer", byte: 6, width: 8)
    public static let hopCount = Field("HopCount", byte: 7, width: 8)
    public static let drSLID = Field("DrSLID", byte: 32, width: 16, .hex)
    public static let drDLID = Field("DrDLID", byte: 34, width: 16, .hex)
    public static let drReserved = Field("Reserved", byte: 36, width: 224, .reserved)
    public static let initialPath = Field("InitialPath", byte: 128, width: 512, .bytes)
    public static let returnPath = Field("ReturnPath", byte: 192, width: 512, .bytes)

    public static let dataSize = 64
    /// Paths are 64 bytes; entry 0 is unused, so at most 63 hops (IBA 14.2.2).
    public static let maxHops = 63

    public static let lidRoutedFields: [Field] = [
        MADHeader.baseVersion, MADHeader.managementClass, MADHeader.classVersion, MADHeader.responseBit,
        MADHeader.methodBits, MADHeader.status, MADHeader.classSpecific, MADHeader.transactionID,
        MADHeader.attributeID, MADHeader.reserved, MADHeader.attributeModifier,
        mKey, lidRoutedReserved, data, lidRoutedTrailer,
    ]
    public static let directedRouteFields: [Field] = [
        MADHeader.baseVersion, MADHeader.managementClass, MADHeader.classVersion, MADHeader.responseBit,
        MADHeader.methodBits, direction, drStatus, hopPointer, hopCount, MADHeader.transactionID,
        MADHeader.attributeID, MADHeader.reserved, MADHeader.attributeModifier,
        mKey, drSLID, drDLID, drReserved, data, initialPath, returnPath,
    ]
}

extension MAD {
    /// M_Key of an SMP (either routing).
    public var mKey: UInt64 {
        get { read(SMPLayout.mKey) }
        set { write(SMPLayout.mKey, newValue) }
    }
}

/// A directed-route SMP (IBA 14.2.1.2): a view over a MAD of class 0x81.
public struct DirectedRouteSMP: Sendable {
    public var mad: MAD

    /// Wraps `mad`, which must be of class SubnDirectedRoute.
    public init(_ mad: MAD) throws(MADWireError) {
        guard mad.managementClass == .subnetDirectedRoute else {
            throw MADWireError(.wrongKind, structure: "DirectedRouteSMP", field: "MgmtClass",
                               detail: "expected 0x81 (SubnDirectedRoute), got \(mad.managementClass)")
        }
        self.mad = mad
    }

    /// Wraps a MAD `validate(_:answering:)` has checked (its class among the rest).
    init(validated mad: MAD) { self.mad = mad }

    /// A DR request along `path` (IBA 14.2.2.1): hop pointer 0, D bit 0, initial path from
    /// `path`, DrSLID/DrDLID the permissive LID 0xFFFF unless the path has LID-routed parts.
    public init(method: Method, attribute: AttributeID, modifier: UInt32 = 0, path: DirectedRoutePath,
                transactionID: UInt64 = 0, mKey: UInt64 = 0) {
        var mad = MAD(class: .subnetDirectedRoute, classVersion: 1, method: method,
                      attribute: attribute, modifier: modifier, transactionID: transactionID)
        mad.mKey = mKey
        self.mad = mad
        hopCount = UInt8(path.hopCount)
        hopPointer = 0
        drSLID = path.drSLID
        drDLID = path.drDLID
        self.mad.withUnsafeMutableBytes { raw in
            path.withUnsafePathBytes { entries in
                UnsafeMutableRawBufferPointer(rebasing: raw[128..<192]).copyMemory(from: entries)
            }
        }
    }

    // Fixed offsets (IBA 14.2.1.2), inlinable like the common header's: the agent checks
    // every directed-route response against its request. `DirectedRouteTests` checks
    // them against the `SMPLayout` table, itself checked against libibmad.

    /// D bit: 0 on the way out, 1 on the way back (IBA 14.2.2).
    public var isReturning: Bool {
        @inlinable get { mad.raw[4] & 0x80 != 0 }
        @inlinable set { mad.raw[4] = newValue ? mad.raw[4] | 0x80 : mad.raw[4] & 0x7F }
    }
    /// The 15-bit status without the D bit.
    public var status: MADStatus {
        @inlinable get { MADStatus(rawValue: mad.status.rawValue & 0x7FFF) }
        @inlinable set { mad.status = MADStatus(rawValue: mad.status.rawValue & 0x8000 | newValue.rawValue & 0x7FFF) }
    }
    public var hopPointer: UInt8 {
        @inlinable get { mad.raw[6] }
        @inlinable set { mad.raw[6] = newValue }
    }
    public var hopCount: UInt8 {
        @inlinable get { mad.raw[7] }
        @inlinable set { mad.raw[7] = newValue }
    }
    public var drSLID: UInt16 {
        @inlinable get { mad.bigEndian(32, as: UInt16.self) }
        @inlinable set { mad.setBigEndian(32, newValue) }
    }
    public var drDLID: UInt16 {
        @inlinable get { mad.bigEndian(34, as: UInt16.self) }
        @inlinable set { mad.setBigEndian(34, newValue) }
    }

    /// Entry `index` (1...63) of the initial path; entry 0 is reserved.
    @inlinable public func initialPathEntry(_ index: Int) -> UInt8 {
        precondition((0...SMPLayout.maxHops).contains(index), "path index out of range")
        return mad.raw[128 + index]
    }
    /// Entry `index` (1...63) of the return path.
    @inlinable public func returnPathEntry(_ index: Int) -> UInt8 {
        precondition((0...SMPLayout.maxHops).contains(index), "path index out of range")
        return mad.raw[192 + index]
    }
    public mutating func setReturnPathEntry(_ index: Int, _ port: UInt8) {
        precondition((0...SMPLayout.maxHops).contains(index), "path index out of range")
        mad.raw[192 + index] = port
    }

    /// The initial path as sent: hop count entries from index 1. Throws when the hop count
    /// is over 63 (a malformed SMP: the path cannot hold it).
    public func initialPath() throws(MADWireError) -> DirectedRoutePath {
        let hops = Int(hopCount)
        guard hops <= SMPLayout.maxHops else {
            throw MADWireError(.invalidValue, structure: "DirectedRouteSMP", field: "HopCount",
                               detail: "\(hops) exceeds the 63 hops a path can hold (IBA 14.2.2)")
        }
        return mad.withUnsafeBytes { raw in
            DirectedRoutePath(path: UnsafeRawBufferPointer(rebasing: raw[128..<192]), hopCount: hops,
                              drSLID: drSLID, drDLID: drDLID)
        }
    }
}
