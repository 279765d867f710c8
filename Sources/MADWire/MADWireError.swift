/// Why bytes could not be read as a MAD, a header or an attribute, or why a value could not
/// be written. Every case names the structure and the field that was wrong.
public struct MADWireError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// The input ended inside `field`: `needed` bytes were required, `available` given.
        case truncated
        /// A field's value is not one this structure allows (a hop count over 63, ...).
        case invalidValue
        /// The MAD is of another class or kind than the structure asked for.
        case wrongKind
        /// Text (a DR path, hex dump) could not be parsed.
        case malformedText
    }

    public let code: Code
    public let structure: String
    public let field: String?
    public let detail: String

    public init(_ code: Code, structure: String, field: String? = nil, detail: String) {
        self.code = code
        self.structure = structure
        self.field = field
        self.detail = detail
    }

    public static func truncated(_ structure: String, field: String, needed: Int, available: Int) -> MADWireError {
        MADWireError(.truncated, structure: structure, field: field,
                     detail: "needs \(needed) bytes, input has \(available)")
    }

    public var description: String {
        var text = structure
        if let field { text += ".\(field)" }
        switch code {
        case .truncated: text += ": truncated: "
        case .invalidValue: text += ": invalid value: "
        case .wrongKind: text += ": wrong kind of MAD: "
        case .malformedText: text += ": malformed: "
        }
        return text + detail
    }
}
