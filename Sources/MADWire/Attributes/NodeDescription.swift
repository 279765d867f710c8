/// NodeDescription (IBA 14.2.5.2): 64 bytes of UTF-8 text naming the node. The spec does
/// not require a NUL: a 64-byte description fills the attribute with none.
public struct NodeDescription: MADAttribute, RawWireStructure {
    public static let attributeID = AttributeID.nodeDescription
    public static let byteCount = 64
    public var raw: FixedBytes<64>
    public init() { raw = FixedBytes() }

    public enum Fields {
        public static let nodeString = Field("NodeString", byte: 0, width: 512, .text)
    }

    public static let layout = WireLayout(
        name: "NodeDescription", byteCount: 64, specReference: "IBA 14.2.5.2",
        fields: [Fields.nodeString])

    /// A description holding `text`, cut as `text`'s setter cuts it.
    public init(text: String) {
        self.init()
        self.text = text
    }

    /// The text up to the first NUL (or all 64 bytes). Invalid UTF-8 from the wire is
    /// repaired with U+FFFD, never trapping. Setting stores at most 64 bytes, cut at a
    /// Unicode scalar boundary so the stored bytes stay valid UTF-8, and zero-fills the rest.
    public var text: String {
        get {
            withUnsafeBytes { raw in
                let end = raw.firstIndex(of: 0) ?? raw.count
                return String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<end]), as: UTF8.self)
            }
        }
        set {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Self.byteCount)
            for scalar in newValue.unicodeScalars {
                let encoded = scalar.utf8
                if bytes.count + encoded.count > Self.byteCount { break }
                bytes.append(contentsOf: encoded)
            }
            setBytes(bytes, of: Fields.nodeString)
        }
    }
}
