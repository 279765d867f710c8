public import MADWire

/// What infiniband-diags' smpquery prints for each attribute (infiniband-diags/smpquery.c,
/// rdma-core 44), given the responses it would have received.
public enum SMPQueryText {
    /// `smpquery nodeinfo`.
    public static func nodeInfo(_ value: NodeInfo, destination: DiagsDestination) -> String {
        "# Node info: \(destination)\n" + AttributeDump.nodeInfo(value)
    }

    /// `smpquery nodedesc`: the node-name map's name for the node (from NodeInfo's
    /// NodeGUID) or the cleaned description, after dots to column 33 (a single dot when the
    /// name is 32 characters or longer).
    public static func nodeDescription(_ value: NodeDescription, nodeGUID: UInt64, map: NodeNameMap? = nil) -> String {
        let name = Diags.nodeName(value.encoded, guid: nodeGUID, map: map)
        let length = name.utf8.count
        return "Node Description:" + String(repeating: ".", count: length < 32 ? 32 - length : 1) + name + "\n"
    }

    /// `smpquery portinfo`: `port` is the number given on the command line (0 if none).
    public static func portInfo(_ value: PortInfo, destination: DiagsDestination, port: Int,
                                showKeys: Bool = false) -> String {
        "# Port info: \(destination) port \(port)\n" + AttributeDump.portInfo(value, showKeys: showKeys)
    }

    /// `smpquery switchinfo`.
    public static func switchInfo(_ value: SwitchInfo, destination: DiagsDestination) -> String {
        "# Switch info: \(destination)\n" + AttributeDump.switchInfo(value)
    }

    /// `smpquery pkeys`: `blocks` are the P_KeyTable blocks 0, 1, ... smpquery fetched
    /// (ceil(capacity / 32) of them); `capacity` is NodeInfo:PartitionCap, or for a switch
    /// port other than 0 SwitchInfo:PartitionEnforcementCap. Rows of eight, the last row
    /// rounded up to eight entries.
    public static func pKeys(_ blocks: [PKeyTable], capacity: Int) -> String {
        var text = ""
        let blockCount = (capacity + 31) / 32
        for (i, block) in blocks.prefix(blockCount).enumerated() {
            let keys = block.pKeys.map(\.rawValue)
            let shown = i + 1 == blockCount ? ((capacity + 7 - i * 32) / 8) * 8 : 32
            for j in stride(from: 0, to: min(shown, 32), by: 8) {
                text += AttributeDump.pad(String(i * 32 + j), 4) + ":"
                for key in keys[j..<(j + 8)] { text += " 0x" + DumpValue.hex(UInt64(key), digits: 4) }
                text += "\n"
            }
        }
        return text + "\(capacity) pkeys capacity for this port\n"
    }

    /// `smpquery sl2vl`: one row per (input port, output port) table fetched; a channel
    /// adapter has the single row (0, 0), a switch one per input port 0...NumPorts.
    public static func slToVL(_ rows: [(inPort: Int, outPort: Int, table: SLToVLMappingTable)],
                              destination: DiagsDestination) -> String {
        var text = "# SL2VL table: \(destination)\n#                 SL: |"
        for sl in 0..<16 { text += AttributeDump.pad(String(sl), 2) + "|" }
        text += "\n"
        for row in rows {
            text += "ports: in " + AttributeDump.pad(String(row.inPort), 2) + ", out "
                + AttributeDump.pad(String(row.outPort), 2) + ": " + AttributeDump.slToVL(row.table)
        }
        return text
    }

    /// `smpquery vlarb`: `low` and `high` hold the blocks fetched for each table (block 1
    /// and 2 for low, 3 and 4 for high; the second only when the cap exceeds 32).
    /// Difference from C: a cap over 64 makes smpquery read past its 64-byte buffer;
    /// here the rows stop at the data there is.
    public static func vlArbitration(destination: DiagsDestination, port: Int, lowCap: Int, highCap: Int,
                                     low: [VLArbitrationTable], high: [VLArbitrationTable]) -> String {
        var text = "# VLArbitration tables: \(destination) port \(port) LowCap \(lowCap) HighCap \(highCap)\n"
        func table(_ name: String, _ cap: Int, _ blocks: [VLArbitrationTable]) {
            text += "# \(name) priority VL Arbitration Table:"
            if let first = blocks.first { text += AttributeDump.vlArbitration(first, entries: min(cap, 32)) }
            if cap > 32, blocks.count > 1 { text += AttributeDump.vlArbitration(blocks[1], entries: cap - 32) }
        }
        if lowCap > 0 { table("Low", lowCap, low) }
        if highCap > 0 { table("High", highCap, high) }
        return text
    }

    /// `smpquery vlarb` on a switch port 0 without enhanced port 0: no tables.
    public static func noVLArbitrationBaseSwitchPort0(destination: DiagsDestination) -> String {
        "# No VLArbitration tables (BSP0): \(destination) port 0\n"
    }

    /// `smpquery guids` (operation "GUIDInfo"/"GI"): `capacity` is PortInfo:GUIDCap as
    /// smpquery reads it, from PortInfo with attribute modifier 0 whatever port was given;
    /// blocks are GUIDInfo with modifier 0, 1, ...; rows of two, the last rounded up.
    public static func guids(_ blocks: [GUIDInfo], capacity: Int) -> String {
        var text = ""
        let blockCount = (capacity + 7) / 8
        for (i, block) in blocks.prefix(blockCount).enumerated() {
            let guids = block.guids
            let shown = i + 1 == blockCount ? ((capacity + 1 - i * 8) / 2) * 2 : 8
            for j in stride(from: 0, to: min(shown, 8), by: 2) {
                text += AttributeDump.pad(String(i * 8 + j), 4) + ": 0x" + DumpValue.hex(guids[j], digits: 16)
                    + " 0x" + DumpValue.hex(guids[j + 1], digits: 16) + "\n"
            }
        }
        return text + "\(capacity) guids capacity for this port\n"
    }
}

extension SMPQueryText {
    /// The reasons smpquery gives after "operation <op>: " when a query of an operation
    /// fails (then it exits 255 through IBEXIT, see `Diags.exitMessage`), by the query
    /// that failed.
    public enum Failure {
        public static let nodeInfo = "node info query failed"
        public static let nodeDescription = "node desc query failed"
        public static let portInfo = "port info query failed"
        public static let switchInfo = "switch info query failed"
        /// pkeys: SwitchInfo (for PartitionEnforcementCap) has its own wording.
        public static let pKeysSwitchInfo = "switch info failed"
        public static let pKeyTable = "pkey table query failed"
        /// pkeys, sl2vl: a port number above NodeInfo:NumPorts.
        public static let invalidPort = "invalid port number"
        public static let slToVL = "slvl query failed"
        public static let vlArbitration = "vl arb query failed"
        /// guids: its PortInfo query has its own wording.
        public static let guidsPortInfo = "port info failed"
        public static let guidInfo = "guid info query failed"
    }

    /// "operation portinfo: port info query failed": what IBEXIT gets (`operation` as typed).
    public static func failure(operation: String, _ reason: String) -> String {
        Diags.exitMessage(tool: "smpquery", "operation \(operation): \(reason)")
    }
}

/// `sminfo` (infiniband-diags/sminfo.c).
public enum SMInfoText {
    /// "sminfo: sm lid 1 sm guid 0x…, activity count 472 priority 0 state 3 SMINFO_MASTER".
    /// `lid` is the LID the query went to (0 for a directed route).
    public static func line(_ value: SMInfo, lid: UInt16) -> String {
        let state = Int(value.smState.rawValue)
        let names = ["SMINFO_NOTACT", "SMINFO_DISCOVER", "SMINFO_STANDBY", "SMINFO_MASTER"]
        return "sminfo: sm lid \(lid) sm guid 0x\(String(value.guid, radix: 16)), activity count \(value.actCount)"
            + " priority \(value.priority) state \(state) \(names.indices.contains(state) ? names[state] : "???")\n"
    }
}

/// `ibaddr` (infiniband-diags/ibaddr.c).
public enum IBAddrText {
    public enum LIDStyle: Sendable { case none, hex, decimal }

    /// "GID fe80::… LID start 0xc end 0xc": the GID is PortInfo:GidPrefix with
    /// NodeInfo:PortGUID; the LID range is LID ... LID + 2^LMC - 1. With neither -g nor -l
    /// nor -L, ibaddr shows both (gid: true, lid: .hex).
    public static func line(portInfo: PortInfo, nodeInfo: NodeInfo, gid: Bool = true, lid: LIDStyle = .hex) -> String {
        var text = ""
        if gid {
            text += "GID " + Diags.gidText(Diags.portGID(prefix: portInfo.gidPrefix, guid: nodeInfo.portGUID)) + " "
        }
        let start = Int(portInfo.lid), end = Int(portInfo.lid) + (1 << Int(portInfo.lmc)) - 1
        switch lid {
        case .hex: text += "LID start 0x\(String(start, radix: 16)) end 0x\(String(end, radix: 16))"
        case .decimal: text += "LID start \(start) end \(end)"
        case .none: break
        }
        return text + "\n"
    }
}
