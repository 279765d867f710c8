import Fabric
import MADWire

/// saquery's query handlers and commands (saquery.c query_* and print_*), over SAClient.
struct SAQueryRun {
    let client: SAClient
    let select: SAQuerySelection
    let map: NodeNameMap?
    /// The arguments after the query name (saquery's argv once the name is taken).
    let arguments: [String]

    /// One query by name, as its query_* handler builds the record template.
    func query(_ kind: SAQueryKind, into output: inout SAQueryOutput) async throws(SAFailure) {
        var saCapabilityMask2: UInt32 = 0
        let (slid, dlid) = try await pathEnds()
        if kind == .switchInfo || kind == .classPortInfo {
            // sa_cpi_required: SwitchInfoRecord's last row depends on the SA's CapabilityMask2.
            let info: [UInt8]
            do { info = try await classPortInfo() } catch {
                throw SAFailure(stderr: error.stderr + "Failed to query SA:ClassPortInfo\n", status: error.status)
            }
            if kind == .classPortInfo {
                output.emit(SAQueryText.classPortInfo(info), attribute: kind.name, column: 25)
                return
            }
            saCapabilityMask2 = SAQueryText.capabilityMask2(classPortInfo: info)
        }
        var template: SATemplate
        let first = arguments.first, second = arguments.count > 1 ? arguments[1] : nil
        switch kind {
        case .classPortInfo:
            return
        case .node, .smInfo, .switchInfo:
            template = SATemplate(size: kind == .node ? 108 : 24)
            if let first { try await fill(&template, with: first, lid: (0, 0)) }
        case .portInfo:
            template = SATemplate(size: 68)
            if let first { try await fill(&template, with: first, lid: (0, 0), (2, 1, 1), (3, 1, 2)) }
        case .guidInfo:
            template = SATemplate(size: 72)
            if let first { try await fill(&template, with: first, lid: (0, 0), (2, 1, 1)) }
        case .pKeyTable:
            template = SATemplate(size: 72)
            // "LID/port/block": the port is byte 4, the block number bytes 2-3.
            if let first { try await fill(&template, with: first, lid: (0, 0), (4, 1, 2), (2, 2, 1)) }
        case .link:
            template = SATemplate(size: 8)
            if let first { try await fill(&template, with: first, lid: (0, 0), (2, 1, 1)) }
            if let second { try await fill(&template, with: second, lid: (4, 3), (3, 1, 2)) }
        case .informInfo:
            template = SATemplate(size: 60)
            if let first {
                guard let gid = SAQuerySelection.gid(first) else {
                    throw SAFailure(stderr: "Invalid SubscriberGID specified: \"\(first)\"\n", status: SAFailure.einval)
                }
                template.bytes.replaceSubrange(0..<16, with: gid)
                template.mask = 1
            }
        case .service:
            template = SATemplate(size: 0)
        case .path:
            template = pathTemplate(slid: slid, dlid: dlid)
        case .mcMember:
            template = mcMemberTemplate()
        }
        let records = try await client.query(kind.attribute, mask: template.mask, template: template.bytes)
        for record in records { try dump(kind, record, saCapabilityMask2: saCapabilityMask2, into: &output) }
    }

    /// "LID[/A[/B]]" (SAClient.lidAndPorts) into `template`: the 2-byte LID at `lid` (offset,
    /// component bit), A and B at their (offset, width, bit) when the record has them; -1 is
    /// the C tool's "not given" for A and B.
    private func fill(_ template: inout SATemplate, with text: String, lid: (at: Int, bit: Int),
                      _ a: (at: Int, width: Int, bit: Int)? = nil,
                      _ b: (at: Int, width: Int, bit: Int)? = nil) async throws(SAFailure) {
        let parts = try await client.lidAndPorts(text)
        template.set(parts.lid.map(Int64.init), at: lid.at, width: 2, bit: lid.bit)
        if let a { template.set(parts.port1, at: a.at, width: a.width, bit: a.bit, unset: -1) }
        if let b { template.set(parts.port2, at: b.at, width: b.width, bit: b.bit, unset: -1) }
    }

    /// --src-to-dst names or LIDs, resolved before anything else (get_lid in main).
    func pathEnds() async throws(SAFailure) -> (Int64?, Int64?) {
        guard let pair = select.sourceToDestination else {
            return (SAQuerySelection.number(select.slid), SAQuerySelection.number(select.dlid))
        }
        let parts = pair.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let source = parts[0].isEmpty ? SAQuerySelection.number(select.slid) : Int64(try await client.lid(parts[0]))
        let destination = parts[1].isEmpty ? SAQuerySelection.number(select.dlid) : Int64(try await client.lid(parts[1]))
        return (source, destination)
    }

    /// query_path_records' template (IBA 15.2.5.16 components).
    func pathTemplate(slid: Int64?, dlid: Int64?) -> SATemplate {
        var t = SATemplate(size: 64)
        t.set(SAQuerySelection.number(select.serviceID), at: 0, width: 8, bit: 0)
        if t.mask & 1 != 0 { t.mask |= 2 }  // ServiceID is two components (MSB, LSB)
        var sgid = select.sgid.flatMap(SAQuerySelection.gid), dgid = select.dgid.flatMap(SAQuerySelection.gid)
        if let pair = select.sgidToDgid {
            let parts = pair.split(separator: "-", maxSplits: 1).map(String.init)
            sgid = SAQuerySelection.gid(parts[0])
            dgid = SAQuerySelection.gid(parts[1])
        }
        t.set(gid: sgid, at: 24, bit: 3)
        t.set(gid: dgid, at: 8, bit: 2)
        t.set(slid, at: 42, width: 2, bit: 5)
        t.set(dlid, at: 40, width: 2, bit: 4)
        var reversible = SATemplate(size: 1)
        reversible.set(SAQuerySelection.number(select.reversible), at: 0, width: 1, bit: 11, unset: -1)
        t.mask |= reversible.mask
        let pathRequest = select.sourceToDestination != nil || select.sgidToDgid != nil
        t.set(SAQuerySelection.number(select.numbPath) ?? (pathRequest ? 0x7F : nil), at: 49, width: 1, bit: 12, unset: -1)
        t.bytes[49] |= reversible.bytes[0] << 7
        t.set(SAQuerySelection.number(select.pkey), at: 50, width: 2, bit: 13)
        t.set(SAQuerySelection.number(select.sl), at: 52, width: 2, bit: 15, unset: -1)
        // ib_path_rec_set_qos_class(0): QoSClass cleared, SL keeps its 4 bits.
        t.bytes[52] = 0
        t.bytes[53] &= 0x0F
        return t
    }

    /// query_mcmember_records' template (IBA 15.2.5.17 components).
    func mcMemberTemplate() -> SATemplate {
        var t = SATemplate(size: 52)
        t.set(gid: select.mgid.flatMap(SAQuerySelection.gid), at: 0, bit: 0)
        t.set(gid: select.gid.flatMap(SAQuerySelection.gid), at: 16, bit: 1)
        t.set(SAQuerySelection.number(select.mlid), at: 36, width: 2, bit: 3)
        t.set(SAQuerySelection.number(select.qkey), at: 32, width: 4, bit: 2)
        t.set(SAQuerySelection.number(select.pkey), at: 40, width: 2, bit: 7)
        var sl = SATemplate(size: 1)
        sl.set(SAQuerySelection.number(select.sl), at: 0, width: 1, bit: 12, unset: -1)
        t.mask |= sl.mask
        t.bytes[44] = sl.bytes[0] << 4  // SL in the top 4 bits of SL/FlowLabel/HopLimit
        var scope = SATemplate(size: 1)
        scope.set(SAQuerySelection.number(select.scope), at: 0, width: 1, bit: 15)
        t.mask |= scope.mask
        t.set(SAQuerySelection.number(select.joinState), at: 48, width: 1, bit: 16)
        t.bytes[48] |= scope.bytes[0] << 4
        return t
    }

    func classPortInfo() async throws(SAFailure) -> [UInt8] {
        try await client.query(.classPortInfo, method: .get).first ?? []
    }

    func dump(_ kind: SAQueryKind, _ record: [UInt8], saCapabilityMask2: UInt32 = 0,
              into output: inout SAQueryOutput) throws(SAFailure) {
        do {
            switch kind {
            case .node:
                output.emit(SAQueryText.nodeRecord(try NodeRecord(decoding: record.prefix(108)), map: map), attribute: kind.name)
            case .path:
                output.emit(SAQueryText.pathRecord(try PathRecord(decoding: record.prefix(64))), attribute: kind.name)
            case .smInfo:
                output.emit(SAQueryText.smInfoRecord(try SMInfoRecord(decoding: record.prefix(SMInfoRecord.layout.byteCount))),
                            attribute: kind.name, column: 22)
            case .portInfo:
                let value = try PortInfoRecord(decoding: record.prefix(PortInfoRecord.layout.byteCount))
                let text = SAQueryText.portInfoRecord(value)
                let rid = text.split(separator: "\tPortInfo dump:", maxSplits: 1).first.map(String.init) ?? ""
                output.emit(text, attribute: kind.name,
                            jsonRecords: [DiagsJSON.saRecord(attribute: kind.name, text: rid), DiagsJSON.portInfo(value.portInfo)])
            case .link:
                output.emit(SAQueryText.linkRecord(try LinkRecord(decoding: record.prefix(6))), attribute: kind.name, column: 27)
            case .service:
                output.emit(SAQueryText.serviceRecord(try ServiceRecord(decoding: record.prefix(176))), attribute: kind.name)
            case .mcMember:
                output.emit(SAQueryText.mcMemberRecord(try MCMemberRecord(decoding: record.prefix(52))), attribute: kind.name)
            case .guidInfo:
                output.emit(SAQueryText.guidInfoRecord(record), attribute: kind.name, column: 27)
            case .pKeyTable:
                output.emit(SAQueryText.pKeyTableRecord(record), attribute: kind.name, column: 27)
            case .switchInfo:
                output.emit(SAQueryText.switchInfoRecord(record, saCapabilityMask2: saCapabilityMask2), attribute: kind.name, column: 40)
            case .informInfo:
                output.emit(SAQueryText.informInfoRecord(record), attribute: kind.name)
            case .classPortInfo:
                output.emit(SAQueryText.classPortInfo(record), attribute: kind.name, column: 25)
            }
        } catch {
            throw SAFailure(stderr: "ibmad saquery: a \(kind.name) in the answer does not decode: \(error)\n", status: SAFailure.eio)
        }
    }
}

extension SAQueryKind {
    var attribute: AttributeID {
        switch self {
        case .classPortInfo: .classPortInfo
        case .node: .nodeRecord
        case .portInfo: .portInfoRecord
        case .pKeyTable: .pKeyTableRecord
        case .informInfo: .informInfoRecord
        case .link: .linkRecord
        case .service: .serviceRecord
        case .path: .pathRecord
        case .mcMember: .mcMemberRecord
        case .guidInfo: .guidInfoRecord
        case .switchInfo: .switchInfoRecord
        case .smInfo: .smInfoRecord
        }
    }
}
