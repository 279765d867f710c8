/// One 256-byte MAD (IBA 13.4.2): the common header and the class-specific rest, kept as
/// exact wire bytes so that `encode(decode(x))` reproduces all 256 bytes.
public struct MAD: WireStructure, RawWireStructure {
    public static let size = 256
    public var raw: FixedBytes<256>

    public init() { raw = FixedBytes() }

    /// Reads go straight to the stored bytes. (RawWireStructure's default reaches them
    /// through the protocol's `raw` getter, which copied all 256 bytes for every header
    /// field read on the agent's hot path.)
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try raw.withUnsafeBytes(body)
    }

    public static let layout = WireLayout(
        name: "MAD", byteCount: size, specReference: "IBA 13.4.3",
        fields: MADHeader.fields + [Field("Data", byte: 24, width: (size - 24) * 8, .bytes)])

    /// A request with the common header filled in; everything else zero.
    public init(
        class managementClass: ManagementClass, classVersion: UInt8, method: Method,
        attribute: AttributeID, modifier: UInt32 = 0, transactionID: UInt64 = 0
    ) {
        self.init()
        baseVersion = 1
        self.managementClass = managementClass
        self.classVersion = classVersion
        self.method = method
        attributeID = attribute
        attributeModifier = modifier
        self.transactionID = transactionID
    }

    // MARK: Common header (IBA 13.4.3)

    // Fixed offsets read and written in place, inlinable: the agent reads several header
    // fields of every MAD it sends and receives, and going through the `MADHeader` field
    // table (a lazily initialised static, a Field with its name) cost a call, a once-check
    // and a retain per read. `MADHeaderTests` checks both against each other and libibmad.

    public var baseVersion: UInt8 {
        @inlinable get { byte(0) }
        @inlinable set { setByte(0, newValue) }
    }
    public var managementClass: ManagementClass {
        @inlinable get { ManagementClass(rawValue: byte(1)) }
        @inlinable set { setByte(1, newValue.rawValue) }
    }
    public var classVersion: UInt8 {
        @inlinable get { byte(2) }
        @inlinable set { setByte(2, newValue) }
    }
    /// The whole method byte, R bit included.
    public var method: Method {
        @inlinable get { Method(rawValue: byte(3)) }
        @inlinable set { setByte(3, newValue.rawValue) }
    }
    /// The 16-bit status as on the wire. For a directed-route SMP the top bit is the D
    /// bit; `DirectedRouteSMP` separates the two.
    public var status: MADStatus {
        @inlinable get { MADStatus(rawValue: bigEndian(4, as: UInt16.self)) }
        @inlinable set { setBigEndian(4, newValue.rawValue) }
    }
    /// Class-specific header word (hop pointer and hop count for DR SMPs).
    public var classSpecific: UInt16 {
        @inlinable get { bigEndian(6, as: UInt16.self) }
        @inlinable set { setBigEndian(6, newValue) }
    }
    public var transactionID: UInt64 {
        @inlinable get { bigEndian(8, as: UInt64.self) }
        @inlinable set { setBigEndian(8, newValue) }
    }
    public var attributeID: AttributeID {
        @inlinable get { AttributeID(rawValue: bigEndian(16, as: UInt16.self)) }
        @inlinable set { setBigEndian(16, newValue.rawValue) }
    }
    public var attributeModifier: UInt32 {
        @inlinable get { bigEndian(20, as: UInt32.self) }
        @inlinable set { setBigEndian(20, newValue) }
    }

    @inlinable func byte(_ offset: Int) -> UInt8 { raw[offset] }
    @inlinable mutating func setByte(_ offset: Int, _ value: UInt8) { raw[offset] = value }
    @inlinable func bigEndian<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        raw.withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }
    @inlinable mutating func setBigEndian<T: FixedWidthInteger>(_ offset: Int, _ value: T) {
        raw.withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self) }
    }

    /// Where the attribute data starts for this MAD's class (IBA 13.4.2, 14.2.1, 15.2.1,
    /// 16.1.1, 16.2.1.1): SMPs and most GMP classes at 64, SA at 56, vendor range 2 at 40,
    /// vendor range 1 and CM at 24.
    @inlinable public var dataOffset: Int { MAD.dataOffset(for: managementClass) }

    @inlinable
    public static func dataOffset(for managementClass: ManagementClass) -> Int {
        switch managementClass {
        case .subnetLIDRouted, .subnetDirectedRoute: 64
        case .subnetAdministration: 56
        case .communicationManagement: 24
        case _ where managementClass.isVendorRange1: 24
        case _ where managementClass.isVendorRange2: 40
        default: 64
        }
    }

    /// Decodes an attribute that sits `offset` bytes into the MAD (default: this class's
    /// data offset). Throws, naming the field, when the attribute runs past byte 256.
    @inlinable
    public func attribute<A: WireStructure>(_ type: A.Type, at offset: Int? = nil) throws(MADWireError) -> A {
        let start = offset ?? dataOffset
        guard (0...MAD.size).contains(start) else {
            throw MADWireError(.invalidValue, structure: A.layout.name, detail: "offset \(start) is outside the MAD")
        }
        return try withUnsafeBytes { (raw) throws(MADWireError) -> A in
            try A(decoding: UnsafeRawBufferPointer(rebasing: raw[start...]))
        }
    }

    /// Writes an attribute `offset` bytes into the MAD (default: this class's data offset).
    @inlinable
    public mutating func setAttribute(_ attribute: some WireStructure, at offset: Int? = nil) throws(MADWireError) {
        let start = offset ?? dataOffset
        guard (0...MAD.size).contains(start) else {
            throw MADWireError(.invalidValue, structure: "MAD", detail: "offset \(start) is outside the MAD")
        }
        try withUnsafeMutableBytes { (raw) throws(MADWireError) in
            try attribute.encode(into: UnsafeMutableRawBufferPointer(rebasing: raw[start...]))
        }
    }
}

/// The common MAD header fields (IBA 13.4.3, Figure 145), offsets from the MAD's start.
public enum MADHeader {
    public static let baseVersion = Field("BaseVersion", byte: 0, width: 8)
    public static let managementClass = Field("MgmtClass", byte: 1, width: 8, .hex)
    public static let classVersion = Field("ClassVersion", byte: 2, width: 8)
    public static let responseBit = Field("R", byte: 3, bit: 0, width: 1, .flag)
    public static let methodBits = Field("Method", byte: 3, bit: 1, width: 7, .hex)
    /// R bit and method together, as `Method` carries them.
    public static let methodByte = Field("MethodByte", byte: 3, width: 8, .hex)
    public static let status = Field("Status", byte: 4, width: 16, .hex)
    public static let classSpecific = Field("ClassSpecific", byte: 6, width: 16, .hex)
    public static let transactionID = Field("TransactionID", byte: 8, width: 64, .hex)
    public static let attributeID = Field("AttributeID", byte: 16, width: 16, .hex)
    public static let reserved = Field("Reserved", byte: 18, width: 16, .reserved)
    public static let attributeModifier = Field("AttributeModifier", byte: 20, width: 32, .hex)

    /// The header in wire order (without the derived `methodByte`).
    public static let fields: [Field] = [
        baseVersion, managementClass, classVersion, responseBit, methodBits, status,
        classSpecific, transactionID, attributeID, reserved, attributeModifier,
    ]
    public static let byteCount = 24
}
