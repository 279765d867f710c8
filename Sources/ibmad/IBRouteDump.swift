#if canImport(Glibc)
import Glibc
#endif
import Fabric
import MADWire

/// ibroute's dump_unicast_tables / dump_multicast_tables: the queries, in ibroute's order,
/// and the text (IBRouteText) or, with --json, one document at the end.
struct RouteDump {
    let session: DiagsSession
    let target: DiagsDestination
    let map: NodeNameMap?
    let all: Bool, brief: Bool, verbose: Bool, json: Bool

    /// What check_switch learns about the target.
    struct Switch {
        var node: NodeInfo
        var info: SwitchInfo
        var name: String
    }

    /// check_switch: NodeInfo, NodeDescription, then (for a switch) SwitchInfo.
    func checkSwitch() async throws(DiagsFailure) -> Switch {
        let node = try session.decode(NodeInfo.self, await session.smp(.get, .nodeInfo, at: target, orFail: "node info failed: valid addr?"), orFail: "node info failed: valid addr?")
        let description = try session.decode(NodeDescription.self, await session.smp(.get, .nodeDescription, at: target, orFail: "node desc failed"), orFail: "node desc failed")
        guard node.nodeType == .switch else {
            throw DiagsFailure(stdout: "not a switch", detail: "\(target) is a \(DumpStyle.nodeType.text(UInt64(node.nodeType.rawValue), bits: 8)); "
                               + "forwarding tables belong to switches (NodeType 2)")
        }
        let info = try session.decode(SwitchInfo.self, await session.smp(.get, .switchInfo, at: target, orFail: "switch info failed: is a switch node?"), orFail: "switch info failed: is a switch node?")
        return Switch(node: node, info: info, name: Diags.nodeName(description.encoded, guid: node.nodeGUID, map: map))
    }

    private func warn(_ function: String, _ message: String) {
        StandardError.emit(Diags.warning(pid: getpid(), function: function, message))
    }

    private func switchRecord(_ sw: Switch, _ extra: [(String, UInt64, String)]) -> DiagsJSON.Record {
        var fields: [(name: String, value: DiagsJSON.FieldJSONValue, text: String, flags: [String]?)] = [
            ("NodeGUID", .number(sw.node.nodeGUID), "0x" + DumpValue.hex(sw.node.nodeGUID, digits: 16), nil),
            ("NodeDescription", .string(sw.name), sw.name, nil),
            ("NumPorts", .number(UInt64(sw.node.numberOfPorts)), "\(sw.node.numberOfPorts)", nil),
        ]
        for (name, value, text) in extra { fields.append((name, .number(value), text, nil)) }
        return DiagsJSON.Record(attribute: "Switch", fields: fields)
    }

    private func emit(_ query: String, _ records: [DiagsJSON.Record], range: (Int, Int), count: Int, complete: Bool) {
        print(DiagsJSON.document(tool: "ibroute", query: query, destination: target,
                                 extra: [("startLID", UInt64(max(range.0, 0))), ("endLID", UInt64(max(range.1, 0))),
                                         ("dumped", UInt64(count)), ("complete", complete ? 1 : 0)],
                                 records: records), terminator: "")
    }

    /// dump_unicast_tables. `start`/`end` are ibroute's int arguments (0: from 0 / to the top).
    func unicast(_ sw: Switch, start: Int32, end requested: Int32) async {
        let top = Int32(sw.info.linearFDBTop)
        var end = requested == 0 || requested > top ? top : requested
        if end > Int32(IBRouteText.maxUnicastLID) {
            warn("dump_unicast_tables", "illegal lft top \(end), truncate to \(IBRouteText.maxUnicastLID)")
            end = Int32(IBRouteText.maxUnicastLID)
        }
        let ports = Int(sw.node.numberOfPorts)
        var records = [switchRecord(sw, [("LinearFDBTop", UInt64(top), "\(top)")])]
        if !json {
            print(IBRouteText.unicastHeader(start: start, end: end, destination: target, guid: sw.node.nodeGUID, name: sw.name),
                  terminator: "")
        }
        var state = IBRouteText.DestinationState()
        var count = 0
        let perBlock = Int32(IBRouteText.lidsPerBlock)
        // ALIGN(endlid, 64) / 64 blocks: an end LID that is a multiple of 64 ends the loop
        // one block early (ibroute quirk, kept).
        let endBlock = ((end + perBlock - 1) & ~(perBlock - 1)) / perBlock
        var block = start / perBlock
        while block < endBlock {
            let table: LinearForwardingTable
            do {
                table = try session.decode(LinearForwardingTable.self, await session.smp(.get, .linearForwardingTable, modifier: UInt32(bitPattern: block),
                                                at: target, orFail: ""), orFail: "")
            } catch {
                // ibroute reports and stops, exit status 0, without the "lids dumped" line.
                StandardError.emit("SubnGet() failed; MAD status 0x0 AM 0x\(String(block, radix: 16))\n")
                if let detail = error.detail { StandardError.emit("ibmad ibroute: \(detail)\n") }
                if json { emit("unicast", records, range: (Int(start), Int(end)), count: count, complete: false) }
                return
            }
            let first = max(block * perBlock, start), last = min(block * perBlock + perBlock, end + 1)
            var lid = first
            while lid < last {
                defer { lid += 1 }
                let port = table[Int(lid % perBlock)]
                let valid = Int(port) <= ports
                guard valid || all else { continue }
                let info = brief ? "" : await destinationInfo(Int(lid), valid: valid, state: &state)
                count += 1
                if json {
                    var fields: [(name: String, value: DiagsJSON.FieldJSONValue, text: String, flags: [String]?)] = [
                        ("LID", .number(UInt64(lid)), "0x" + DumpValue.hex(UInt64(lid), digits: 4), nil),
                        ("Port", .number(UInt64(port)), IBRouteText.pad(Int(port), 3), nil),
                    ]
                    if !info.isEmpty { fields.append(("Info", .string(String(info.dropFirst(2))), String(info.dropFirst(2)), nil)) }
                    records.append(DiagsJSON.Record(attribute: "LinearForwardingTableEntry", fields: fields))
                } else {
                    print(IBRouteText.unicastRow(lid: Int(lid), port: port, info: info), terminator: "")
                }
            }
            block += 1
        }
        if json {
            emit("unicast", records, range: (Int(start), Int(end)), count: count, complete: true)
        } else {
            print(IBRouteText.footer(count: count, all: all, multicast: false), terminator: "")
        }
    }

    /// dump_lid: NodeDescription, PortInfo (port 0) and NodeInfo of the LID, 100 ms each.
    private func destinationInfo(_ lid: Int, valid: Bool, state: inout IBRouteText.DestinationState) async -> String {
        if let known = state.known(lid: lid, valid: valid) { return known }
        let address = DiagsDestination.lid(UInt16(truncatingIfNeeded: lid))
        do throws(DiagsFailure) {
            let description = try session.decode(NodeDescription.self, await session.smp(.get, .nodeDescription, at: address, timeoutMilliseconds: 100, orFail: ""), orFail: "")
            let port = try session.decode(PortInfo.self, await session.smp(.get, .portInfo, at: address, timeoutMilliseconds: 100, orFail: ""), orFail: "")
            let node = try session.decode(NodeInfo.self, await session.smp(.get, .nodeInfo, at: address, timeoutMilliseconds: 100, orFail: ""), orFail: "")
            return state.resolved(IBRouteText.Destination(
                nodeType: node.nodeType, portGUID: node.portGUID, baseLID: Int(port.lid), lmc: Int(port[PortInfo.Fields.lmc]),
                name: Diags.nodeName(description.encoded, guid: node.nodeGUID, map: map)))
        } catch {
            return state.resolved(nil)
        }
    }

    /// dump_multicast_tables.
    func multicast(_ sw: Switch, start requestedStart: UInt32, end requestedEnd: UInt32) async {
        let cap = Int(sw.info.multicastFDBCap), top = Int(sw.info[SwitchInfo.Fields.multicastFDBTop])
        let minimum = IBRouteText.minMulticastLID
        var end = Int(requestedEnd), start = Int(requestedStart)
        if end == 0 || end > minimum + cap - 1 { end = minimum + cap - 1 }
        if !all && top != 0 && top < end {
            if top < minimum - 1 { warn("dump_multicast_tables", "illegal top mlid \(String(top, radix: 16))") } else { end = top }
        }
        if start == 0 {
            start = minimum
        } else if start < minimum {
            warn("dump_multicast_tables", "illegal start mlid \(String(start, radix: 16)), set to \(String(minimum, radix: 16))")
            start = minimum
        }
        if end > IBRouteText.maxMulticastLID {
            warn("dump_multicast_tables", "illegal end mlid \(String(end, radix: 16)), truncate to \(String(IBRouteText.maxMulticastLID, radix: 16))")
            end = IBRouteText.maxMulticastLID
        }
        let ports = Int(sw.node.numberOfPorts)
        var records = [switchRecord(sw, [("MulticastFDBCap", UInt64(cap), "\(cap)"),
                                         ("MulticastFDBTop", UInt64(top), "0x" + String(top, radix: 16))])]
        if !json {
            print(IBRouteText.multicastHeader(start: start, end: end, destination: target, guid: sw.node.nodeGUID, name: sw.name,
                                              ports: ports, brief: brief), terminator: "")
            if verbose { print(IBRouteText.multicastCapability(cap: cap, top: top), terminator: "") }
        }
        let chunks = (ports + 1 + 15) / 16
        let perBlock = IBRouteText.mlidsPerBlock
        var count = 0
        var block = start / perBlock
        while block <= end / perBlock {
            defer { block += 1 }
            var tables: [MulticastForwardingTable] = []
            for chunk in 0..<chunks {
                // Block number relative to 0xC000 in bits 0-8, port chunk in bits 28-31 (IBA 14.2.5.12).
                let modifier = UInt32(truncatingIfNeeded: block - minimum / perBlock) | UInt32(chunk) << 28
                do {
                    tables.append(try session.decode(MulticastForwardingTable.self, await session.smp(.get, .multicastForwardingTable,
                                                          modifier: modifier, at: target, orFail: ""), orFail: ""))
                } catch {
                    StandardError.emit("SubnGet() failed; MAD status 0x0 AM 0x\(String(modifier, radix: 16))\n")
                    if let detail = error.detail { StandardError.emit("ibmad ibroute: \(detail)\n") }
                    if json { emit("multicast", records, range: (start, end), count: count, complete: false) }
                    return
                }
            }
            for mlid in max(block * perBlock, start)..<min(block * perBlock + perBlock, end + 1) {
                let masks = tables.map { $0[mlid % perBlock] }
                guard let row = IBRouteText.multicastRow(mlid: mlid, masks: masks, ports: ports, brief: brief, all: all) else { continue }
                count += 1
                if json {
                    var fields: [(name: String, value: DiagsJSON.FieldJSONValue, text: String, flags: [String]?)] = [
                        ("MLID", .number(UInt64(mlid)), "0x" + DumpValue.hex(UInt64(mlid), digits: 4), nil)]
                    for (chunk, mask) in masks.enumerated() {
                        fields.append(("PortMask[\(chunk)]", .number(UInt64(mask)), DumpValue.hex(UInt64(mask), digits: 4), nil))
                    }
                    let members = (0...ports).filter { masks[$0 / 16] & (1 << ($0 % 16)) != 0 }
                    fields.append(("Ports", .string(members.map(String.init).joined(separator: ",")),
                                   members.map(String.init).joined(separator: ","), nil))
                    records.append(DiagsJSON.Record(attribute: "MulticastForwardingTableEntry", fields: fields))
                } else {
                    print(row, terminator: "")
                }
            }
        }
        if json {
            emit("multicast", records, range: (start, end), count: count, complete: true)
        } else {
            print(IBRouteText.footer(count: count, all: all, multicast: true), terminator: "")
        }
    }
}
