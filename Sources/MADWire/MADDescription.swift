/// A MAD (or a bare attribute) taken apart into sections of rendered fields, for
/// `ibmad decode`: readable text and JSON. Building one never fails and never traps, for
/// any 256 bytes: unknown classes and attributes become a header plus a hex dump.
///
/// JSON schema (one object per MAD; `ibmad decode --json` prints an array of them):
///
///     {
///       "summary": "SubnDirectedRoute GetResp NodeInfo ...",      // one line
///       "class": 129, "className": "SubnDirectedRoute" | null,      // MADs only
///       "method": 129, "methodName": "GetResp" | null,
///       "attributeID": 17, "attributeName": "NodeInfo" | null,
///       "attributeModifier": 0, "transactionID": <uint>, "status": 0,
///       "statusText": "success (0x0000)",
///       "sections": [{
///         "kind": "header" | "attribute" | "record" | "data",
///         "title": "NodeInfo", "spec": "IBA 14.2.5.3" | null,
///         "offset": 64, "length": 40,                // bytes, from the start of the input
///         "fields": [{                               // absent in "data" sections
///           "name": "NodeType", "bitOffset": 528, "width": 8,   // bitOffset from input start
///           "value": 2,
///           "text": "Switch (2)"
///         }],
///         "data": "0x0011…",                         // "data" sections only
///         "notes": ["…"]
///       }],
///       "notes": ["…"]
///     }
///
/// `value` is a JSON number when the field has at most 64 bits and the value is at most
/// 2^53; otherwise a string "0x" + hex digits (the field's full width; wide fields as
/// their wire bytes); null when the field lies beyond the available bytes. Reserved fields
/// appear only when non-zero. Integers in the top-level members follow the same rule.
public struct MADDescription: Sendable {
    public struct Section: Sendable {
        public enum Kind: String, Sendable { case header, attribute, record, data }
        public let kind: Kind
        public let title: String
        public let specReference: String?
        /// Byte offset and length in the decoded input.
        public let offset: Int
        public let length: Int
        /// Fields shown (reserved fields that are zero are left out).
        public let fields: [RenderedField]
        /// Raw bytes of a "data" section.
        public let data: [UInt8]
        public var notes: [String]
    }

    /// The MAD's common header, when a MAD was decoded (nil for a bare attribute).
    public struct Header: Sendable {
        public let managementClass: ManagementClass
        public let method: Method
        public let attributeID: AttributeID
        public let attributeName: String?
        public let attributeModifier: UInt32
        public let transactionID: UInt64
        /// Status as shown: for DR SMPs without the D bit.
        public let status: MADStatus
    }

    public let header: Header?
    public private(set) var sections: [Section] = []
    public private(set) var notes: [String] = []

    /// One line: class, method, attribute, modifier, TID and status.
    public var summary: String {
        guard let header else { return sections.first?.title ?? "" }
        let attribute = (header.attributeName.map { "\($0) " } ?? "attribute ")
            + "(" + FieldText.hex(UInt64(header.attributeID.rawValue), bits: 16) + ")"
        return "\(header.managementClass) \(header.method) \(attribute)"
            + " modifier \(FieldText.hex(UInt64(header.attributeModifier), bits: 32))"
            + " TID \(FieldText.hex(header.transactionID, bits: 64)) status \(MADDescription.statusText(header))"
    }

    // MARK: Building

    /// Describes a whole MAD.
    public init(_ mad: MAD) {
        let managementClass = mad.managementClass
        let isDR = managementClass == .subnetDirectedRoute
        let status = isDR ? MADStatus(rawValue: mad.status.rawValue & 0x7FFF) : mad.status
        let attributeName = AttributeCatalog.name(of: mad.attributeID, in: managementClass)
        let header = Header(
            managementClass: managementClass, method: mad.method, attributeID: mad.attributeID,
            attributeName: attributeName, attributeModifier: mad.attributeModifier,
            transactionID: mad.transactionID, status: status)
        self.header = header
        mad.withUnsafeBytes { raw in
            addHeader(raw, mad: mad, header: header)
            if mad.baseVersion != 1 {
                notes.append("BaseVersion \(mad.baseVersion) is not the IBA MAD base version 1 (IBA 13.4.3)")
            }
            let range = AttributeCatalog.dataRange(for: managementClass)
            let data = UnsafeRawBufferPointer(rebasing: raw[0..<range.upperBound])
            let entry = AttributeCatalog.entry(for: managementClass, attribute: mad.attributeID)
            if managementClass == .subnetAdministration {
                addSARecords(data, mad: mad, entry: entry, range: range)
            } else if let entry {
                // A Notice in an SMP is the 64-byte form without IssuerGID (IBA 14.2.5.1).
                let layout = managementClass.isSubnetManagement && entry.type == Notice.self ? Notice.smpLayout : entry.layout
                let end = addStructure(layout, kind: .attribute, title: entry.name, in: data, at: range.lowerBound)
                addRemainder(data, from: end, to: range.upperBound, title: "Data after \(entry.name)")
            } else {
                addRaw(data, range, title: "Data", note: unknownNote(header))
            }
        }
    }

    /// Describes a bare attribute payload (what smpdump prints: the SMP data). `bytes` must
    /// hold the whole structure; bytes after it are shown when not zero.
    public init(attribute entry: AttributeCatalog.Entry, bytes: [UInt8]) throws(MADWireError) {
        header = nil
        let layout = entry.layout
        guard bytes.count >= layout.byteCount else {
            let field = layout.firstField(endingAfter: bytes.count)
            throw MADWireError.truncated(layout.name, field: field?.name ?? "end",
                                         needed: field?.bits.endByte ?? layout.byteCount, available: bytes.count)
        }
        bytes.withUnsafeBytes { raw in
            let end = addStructure(layout, kind: .attribute, title: layout.name, in: raw, at: 0)
            addRemainder(raw, from: end, to: raw.count, title: "Data after \(layout.name)")
        }
    }

    private func unknownNote(_ header: Header) -> String {
        let id = FieldText.hex(UInt64(header.attributeID.rawValue), bits: 16)
        if let name = header.attributeName { return "no layout for \(name) (\(id)) in \(header.managementClass) yet" }
        return "unknown attribute \(id) for \(header.managementClass)"
    }

    private mutating func addHeader(_ raw: UnsafeRawBufferPointer, mad: MAD, header: Header) {
        let managementClass = header.managementClass
        var fields: [RenderedField] = []
        for field in AttributeCatalog.headerFields(for: managementClass) {
            var rendered = RenderedField(field, in: raw)
            guard case .unsigned(let value) = rendered.value else {
                if field.bits == SMPLayout.initialPath.bits || field.bits == SMPLayout.returnPath.bits {
                    rendered = rendered.replacingText(Self.pathText(raw, field: field, hopCount: Int(raw[7])))
                }
                fields.append(rendered)
                continue
            }
            if field.bits == MADHeader.managementClass.bits {
                rendered = rendered.replacingText(managementClass.description)
            } else if field.bits == MADHeader.methodBits.bits {
                rendered = rendered.replacingText(mad.method.description)
            } else if field.bits == MADHeader.status.bits || field.bits == SMPLayout.drStatus.bits {
                rendered = rendered.replacingText(Self.statusText(header))
            } else if field.bits == MADHeader.attributeID.bits {
                let id = FieldText.hex(value, bits: 16)
                rendered = rendered.replacingText(header.attributeName.map { "\($0) (\(id))" } ?? id)
            }
            fields.append(rendered)
        }
        sections.append(Section(kind: .header, title: "MAD header",
                                specReference: AttributeCatalog.headerReference(for: managementClass),
                                offset: 0, length: AttributeCatalog.dataRange(for: managementClass).lowerBound,
                                fields: fields.filter(\.isShown), data: [], notes: []))
    }

    /// Status text; SA adds its class-specific codes (IBA 15.2.1.1, Table 193).
    static func statusText(_ header: Header) -> String {
        var text = header.status.description
        if header.managementClass == .subnetAdministration, header.status.classSpecific != 0 {
            let names = [1: "ERR_NO_RESOURCES", 2: "ERR_REQ_INVALID", 3: "ERR_NO_RECORDS",
                         4: "ERR_TOO_MANY_RECORDS", 5: "ERR_REQ_INVALID_GID",
                         6: "ERR_REQ_INSUFFICIENT_COMPONENTS", 7: "ERR_REQ_DENIED"]
            if let name = names[Int(header.status.classSpecific & 0x7F)] { text += " \(name)" }
        }
        return text
    }

    /// A DR path as the port numbers of entries 1...HopCount (IBA 14.2.2; entry 0 unused).
    static func pathText(_ raw: UnsafeRawBufferPointer, field: Field, hopCount: Int) -> String {
        let start = field.bits.byteOffset
        let hops = min(hopCount, SMPLayout.maxHops)
        var text = hops == 0 ? "(no hops)" : (1...hops).map { String(raw[start + $0]) }.joined(separator: ",")
        if hopCount > SMPLayout.maxHops { text += " (HopCount \(hopCount) exceeds 63)" }
        let unused = (start + hops + 1)..<(start + 64)
        if raw[start] != 0 || unused.contains(where: { raw[$0] != 0 }) { text += " (bytes outside the path are not zero)" }
        return text
    }

    /// Renders `layout` at `offset` of `buffer` (fields past its end show as missing) and
    /// returns where the structure ends.
    @discardableResult
    private mutating func addStructure(_ layout: WireLayout, kind: Section.Kind, title: String,
                                       in buffer: UnsafeRawBufferPointer, at offset: Int) -> Int {
        let fields = layout.fields.map { RenderedField($0, in: buffer, base: offset) }
        var notes: [String] = []
        if offset + layout.byteCount > buffer.count {
            notes.append("\(layout.name) needs \(layout.byteCount) bytes; only \(max(0, buffer.count - offset)) are available")
        }
        sections.append(Section(kind: kind, title: title, specReference: layout.specReference, offset: offset,
                                length: min(layout.byteCount, max(0, buffer.count - offset)),
                                fields: fields.filter(\.isShown), data: [], notes: notes))
        return min(offset + layout.byteCount, buffer.count)
    }

    private mutating func addRaw(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, title: String, note: String?) {
        let clamped = max(0, min(range.lowerBound, buffer.count))..<max(0, min(range.upperBound, buffer.count))
        guard !clamped.isEmpty else { return }
        sections.append(Section(kind: .data, title: title, specReference: nil, offset: clamped.lowerBound,
                                length: clamped.count, fields: [], data: Array(buffer[clamped]),
                                notes: note.map { [$0] } ?? []))
    }

    /// Bytes after the decoded structures, shown only when some are not zero.
    private mutating func addRemainder(_ buffer: UnsafeRawBufferPointer, from start: Int, to end: Int, title: String) {
        guard start < end, end <= buffer.count, (start..<end).contains(where: { buffer[$0] != 0 }) else { return }
        addRaw(buffer, start..<end, title: title, note: nil)
    }

    // MARK: SA

    /// SA data (IBA 15.2.1.1): one record at 56, or for GetTable responses consecutive
    /// records AttributeOffset × 8 bytes apart. RMPP segments after the first continue the
    /// stream without record alignment, so they are shown raw.
    private mutating func addSARecords(_ data: UnsafeRawBufferPointer, mad: MAD, entry: AttributeCatalog.Entry?,
                                       range: Range<Int>) {
        var flags = mad.rmppFlags
        if flags.contains(.active) && mad.rmppType == .none {
            // opensm sets Active and leaves the rest to the kernel's RMPP layer; captured
            // before that layer (ibsim), the MAD is a single segment.
            notes.append("RMPPFlags.Active is set but RMPPType is 0: read as a single MAD")
            flags.remove(.active)
        }
        if flags.contains(.active) && mad.rmppType != .data {
            addRaw(data, range, title: "Data", note: "RMPP \(mad.rmppType == .ack ? "ACK" : mad.rmppType == .stop ? "STOP" : mad.rmppType == .abort ? "ABORT" : "type \(mad.rmppType.rawValue)") carries no records")
            return
        }
        if flags.contains(.active) && mad.rmppData1 > 1 {
            addRaw(data, range, title: "Data",
                   note: "RMPP segment \(mad.rmppData1) continues the records of earlier segments; reassemble to decode")
            return
        }
        guard let entry else {
            addRaw(data, range, title: "Data", note: header.map(unknownNote))
            return
        }
        let size = entry.layout.byteCount
        let method = mad.method
        guard method == .getTableResponse || method == Method(rawValue: 0x93) else {
            let end = addStructure(entry.layout, kind: .record, title: entry.name, in: data, at: range.lowerBound)
            addRemainder(data, from: end, to: range.upperBound, title: "Data after \(entry.name)")
            return
        }
        var stride = Int(mad.saAttributeOffset) * 8
        var tableNotes: [String] = []
        if stride == 0 {
            tableNotes.append("AttributeOffset is 0; showing one record")
            stride = max(size, 1)
        } else if stride < size {
            tableNotes.append("AttributeOffset \(stride / 8) (\(stride) bytes) is shorter than \(entry.name) (\(size) bytes)")
        }
        let available = range.count
        var count = size <= available ? (available - size) / stride + 1 : 0
        var stopAtZero = true
        if flags.contains(.active) && flags.contains(.first) {
            let payload = Int(mad.rmppData2)
            if payload >= 20 {
                let total = (payload - 20) / stride
                if total > count { tableNotes.append("\(total) records in all; the rest follow in later RMPP segments") }
                count = min(count, total)
                stopAtZero = false
            } else if payload != 0 {
                tableNotes.append("RMPP PayloadLength \(payload) is shorter than the 20-byte SA header")
            }
        }
        var end = range.lowerBound
        var decoded = 0
        for index in 0..<count {
            let start = range.lowerBound + index * stride
            let slot = start..<min(start + size, range.upperBound)
            if stopAtZero && !slot.contains(where: { data[$0] != 0 }) { break }
            end = addStructure(entry.layout, kind: .record, title: "\(entry.name) [\(index)]", in: data, at: start)
            decoded += 1
        }
        tableNotes.insert("\(decoded) \(entry.name)\(decoded == 1 ? "" : "s") in this MAD, \(stride) bytes apart", at: 0)
        notes += tableNotes
        addRemainder(data, from: end, to: range.upperBound, title: "Data after the records")
    }
}

extension RenderedField {
    func replacingText(_ text: String) -> RenderedField {
        RenderedField(field: field, structureOffset: structureOffset, value: value, text: text)
    }
}

// MARK: Output

extension MADDescription {
    /// Readable text: the summary, then each section with one field per line.
    public var text: String {
        var lines: [String] = []
        if header != nil { lines.append(summary) }
        for note in notes { lines.append("  note: \(note)") }
        for section in sections {
            var title = "  \(section.title)"
            if let spec = section.specReference { title += " (\(spec))" }
            title += section.length > 0 ? ", bytes \(section.offset)-\(section.offset + section.length - 1)" : ""
            lines.append(title)
            for note in section.notes { lines.append("    note: \(note)") }
            let width = min(32, section.fields.map(\.name.count).max() ?? 0)
            for field in section.fields {
                let name = field.name + String(repeating: " ", count: max(0, width - field.name.count))
                // Long opaque bytes (text not replaced by something readable) as a dump.
                if case .bytes(let bytes) = field.value, bytes.count > 16, field.text == FieldText.hex(bytes) {
                    lines.append("    \(field.name)")
                    lines += FieldText.hexDump(bytes[...], base: field.structureOffset + field.field.bits.byteOffset,
                                               indent: "      ")
                } else {
                    lines.append("    \(name)  \(field.text)")
                }
            }
            if section.kind == .data {
                // Trailing zero lines add nothing: show up to the last non-zero byte.
                let used = (section.data.lastIndex { $0 != 0 }.map { $0 + 1 } ?? 0)
                let shown = min(section.data.count, (used + 15) / 16 * 16)
                lines += FieldText.hexDump(section.data[0..<shown], base: section.offset, indent: "    ")
                if shown < section.data.count {
                    lines.append("    (\(section.data.count - shown) more bytes, all zero)")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The description as one JSON object (schema in the type's documentation).
    public var json: String {
        var writer = JSONWriter()
        writeJSON(to: &writer)
        return writer.output
    }

    /// Writes the JSON object; `extra` members (source file, input offset) come first.
    public func writeJSON(to writer: inout JSONWriter, extra: (inout JSONWriter) -> Void = { _ in }) {
        writer.beginObject()
        extra(&writer)
        writer.member("summary", summary)
        if let header {
            writer.member("class", UInt64(header.managementClass.rawValue))
            writer.key("className")
            if let name = header.managementClass.name { writer.string(name) } else { writer.null() }
            writer.member("method", UInt64(header.method.rawValue))
            writer.key("methodName")
            if let name = header.method.name { writer.string(name) } else { writer.null() }
            writer.member("attributeID", UInt64(header.attributeID.rawValue))
            writer.key("attributeName")
            if let name = header.attributeName { writer.string(name) } else { writer.null() }
            writer.member("attributeModifier", UInt64(header.attributeModifier), hexBits: 32)
            writer.member("transactionID", header.transactionID)
            writer.member("status", UInt64(header.status.rawValue), hexBits: 16)
            writer.member("statusText", Self.statusText(header))
        }
        writer.key("sections")
        writer.beginArray()
        for section in sections { Self.write(section, to: &writer) }
        writer.endArray()
        writer.key("notes")
        writer.beginArray()
        for note in notes { writer.string(note) }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ section: Section, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("kind", section.kind.rawValue)
        writer.member("title", section.title)
        writer.key("spec")
        if let spec = section.specReference { writer.string(spec) } else { writer.null() }
        writer.member("offset", section.offset)
        writer.member("length", section.length)
        if section.kind == .data {
            writer.member("data", "0x" + FieldText.hex(section.data))
        } else {
            writer.key("fields")
            writer.beginArray()
            for field in section.fields { write(field, to: &writer) }
            writer.endArray()
        }
        writer.key("notes")
        writer.beginArray()
        for note in section.notes { writer.string(note) }
        writer.endArray()
        writer.endObject()
    }

    private static func write(_ field: RenderedField, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("name", field.name)
        writer.member("bitOffset", field.structureOffset * 8 + field.field.bits.absoluteBitOffset)
        writer.member("width", field.field.bits.width)
        writer.key("value")
        switch field.value {
        case .unsigned(let value): writer.number(value, hexBits: field.field.bits.width)
        case .bytes(let bytes): writer.string("0x" + FieldText.hex(bytes))
        case .missing: writer.null()
        }
        writer.member("text", field.text)
        writer.endObject()
    }
}
