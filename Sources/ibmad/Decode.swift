import ArgumentParser
import MADWire

/// `ibmad decode [FILE...]`: prints MADs (or a bare attribute) from binary or hex dumps.
///
/// Exit status: 0 when everything decoded, 1 when an input could not be read or is not a
/// MAD (message on stderr), 64 for bad option values (ArgumentParser's usage error).
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here, as every command is: without it swift-argument-parser derives the
        // name from String(describing: Decode.self) on every run (type-name demangling).
        commandName: "decode",
        abstract: "Decode MADs from binary files or hex dumps.",
        discussion: """
            Reads raw binary (one or more 256-byte MADs) or hex text as printed by xxd, \
            xxd -p, hexdump -C, tshark -x, and smpdump/libibmad xdump. Offsets and ASCII \
            columns are ignored; in dumps with offsets, an offset that restarts at 0 starts \
            a new packet. With --attribute, the input is an attribute payload, e.g. the \
            64 bytes of SMP data smpdump prints.
            """)

    @Argument(help: "Files to read; standard input when none is given or for \"-\".")
    var files: [String] = []

    @Option(help: ArgumentHelp("Bytes to skip at the start of each packet (e.g. 28 for LRH+BTH+DETH).",
                               valueName: "bytes"))
    var skip: Int = 0

    @Option(help: ArgumentHelp("Decode a bare attribute payload: a name (NodeInfo, PathRecord) or an ID (0x11).",
                               valueName: "name"))
    var attribute: String?

    @Option(name: .customLong("class"),
            help: ArgumentHelp("Management class for --attribute: SMP, SA, PerfMgt, or a number (0x81).",
                               valueName: "class"))
    var managementClass: String?

    @Option(help: ArgumentHelp("How to read the input: auto, binary or hex.", valueName: "format"))
    var input: DumpInput.Format = .auto

    @Flag(help: "Print JSON (an array with one object per MAD) instead of text.")
    var json = false

    func validate() throws {
        if skip < 0 { throw ValidationError("--skip must not be negative") }
        if managementClass != nil && attribute == nil { throw ValidationError("--class is used with --attribute") }
        if let managementClass, Self.parseClass(managementClass) == nil {
            throw ValidationError("unknown class '\(managementClass)'; use SMP, SA, PerfMgt, BM, DevMgt, CM, CC or a number")
        }
        if let attribute { _ = try Self.resolveAttribute(attribute, managementClass.flatMap(Self.parseClass)) }
    }

    func run() throws {
        let entry = try attribute.map { try Self.resolveAttribute($0, managementClass.flatMap(Self.parseClass)) }
        var items: [(source: String, offset: Int, description: MADDescription)] = []
        var failed = false
        for path in files.isEmpty ? ["-"] : files {
            let name = path == "-" ? "<stdin>" : path
            do {
                items += try decode(path, name: name, entry: entry)
            } catch let failure as DumpInput.Failure {
                StandardError.emit("ibmad decode: \(name): \(failure.message)\n")
                failed = true
            }
        }
        if json {
            var writer = JSONWriter()
            writer.beginArray()
            for item in items {
                item.description.writeJSON(to: &writer) { writer in
                    writer.member("source", item.source)
                    writer.member("offset", item.offset)
                }
            }
            writer.endArray()
            print(writer.output)
        } else {
            for (index, item) in items.enumerated() {
                if items.count > 1 {
                    print("\(index > 0 ? "\n" : "")# \(item.source), byte \(item.offset)")
                }
                print(item.description.text, terminator: "")
            }
        }
        if failed { throw ExitCode.failure }
    }

    /// Decodes one input; errors are `DumpInput.Failure` with a message for stderr.
    private func decode(_ path: String, name: String, entry: AttributeCatalog.Entry?)
        throws -> [(source: String, offset: Int, description: MADDescription)] {
        let bytes: [UInt8]
        do { bytes = try FileReader.contents(of: path) } catch { throw DumpInput.Failure(message: error.message) }
        var results: [(source: String, offset: Int, description: MADDescription)] = []
        let packets = try DumpInput.packets(from: bytes, format: input)
        for packet in packets {
            let place = packets.count > 1 ? packet.line.map { " (packet at line \($0))" } ?? "" : ""
            guard packet.bytes.count > skip || (skip == 0 && !packet.bytes.isEmpty) else {
                throw DumpInput.Failure(message: "--skip \(skip) leaves nothing of the \(packet.bytes.count) input bytes\(place)")
            }
            let data = Array(packet.bytes[skip...])
            let after = skip > 0 ? " after --skip \(skip)" : ""
            if let entry {
                do {
                    results.append((name, skip, try MADDescription(attribute: entry, bytes: data)))
                } catch {
                    throw DumpInput.Failure(message:
                        "input has \(data.count) bytes\(after)\(place); \(entry.name) is \(entry.layout.byteCount)")
                }
                continue
            }
            guard data.count >= MAD.size else {
                throw DumpInput.Failure(message: "input has \(data.count) bytes\(after)\(place); a MAD is 256")
            }
            let whole = data.count / MAD.size * MAD.size
            if whole < data.count {
                StandardError.emit("ibmad decode: \(name)\(place): ignoring \(data.count - whole) bytes after the last whole MAD\n")
            }
            var offset = 0
            while offset < whole {
                if let mad = try? MAD(decoding: data[offset..<(offset + MAD.size)]) {
                    results.append((name, skip + offset, MADDescription(mad)))
                }
                offset += MAD.size
            }
        }
        return results
    }

    // MARK: Option values

    /// Class names (infiniband-diags and IBA spellings) or a number.
    static func parseClass(_ text: String) -> ManagementClass? {
        switch text.lowercased() {
        case "smp", "subn", "subnlid", "lid", "smi": return .subnetLIDRouted
        case "dr", "subndirectedroute", "directed": return .subnetDirectedRoute
        case "sa", "subnadm": return .subnetAdministration
        case "perf", "perfmgt", "pma", "pm": return .performance
        case "bm": return .baseboard
        case "devmgt", "dm": return .deviceManagement
        case "cm", "commgt": return .communicationManagement
        case "cc", "congestioncontrol": return .congestionControl
        default: return parseNumber(text).flatMap { $0 <= 0xFF ? ManagementClass(rawValue: UInt8($0)) : nil }
        }
    }

    static func parseNumber(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        return lower.hasPrefix("0x") ? UInt64(lower.dropFirst(2), radix: 16) : UInt64(lower)
    }

    /// The catalog entry for `--attribute` (and `--class`), or a usage error naming the
    /// known attributes.
    static func resolveAttribute(_ text: String, _ managementClass: ManagementClass?) throws -> AttributeCatalog.Entry {
        var matches: [AttributeCatalog.Entry]
        if let id = parseNumber(text) {
            guard id <= 0xFFFF else { throw ValidationError("attribute ID \(text) does not fit 16 bits") }
            let attribute = AttributeID(rawValue: UInt16(id))
            if let managementClass {
                matches = AttributeCatalog.entry(for: managementClass, attribute: attribute).map { [$0] } ?? []
            } else {
                matches = AttributeCatalog.entries.filter { $0.attributeID == attribute }
            }
        } else {
            matches = AttributeCatalog.entries(named: text, in: managementClass)
        }
        guard !matches.isEmpty else {
            let known = AttributeCatalog.entries.map { "\($0.name) (\($0.scope.name))" }.sorted()
            let scope = managementClass.map { " in class \($0)" } ?? ""
            throw ValidationError("unknown attribute '\(text)'\(scope). Known attributes: \(known.joined(separator: ", "))")
        }
        guard matches.count == 1 else {
            let names = matches.map { "\($0.name) (\($0.scope.name))" }.joined(separator: ", ")
            throw ValidationError("attribute '\(text)' is ambiguous: \(names); give --class")
        }
        return matches[0]
    }
}

extension DumpInput.Format: ExpressibleByArgument {}
