#if canImport(Glibc)
import Glibc
#endif
import Fabric
import MADWire

/// One ibportstate run: ibportstate.c's main() after argument parsing, in its order, with
/// its output (printed as it goes, so a failure leaves the same partial text as C) or the
/// records for --json.
struct PortStateRun {
    let session: DiagsSession
    let target: DiagsDestination
    let port: Int
    let request: PortStateRequest
    let showKeys: Bool
    let json: Bool
    private var records: [DiagsJSON.Record] = []
    private var notes: [String] = []

    typealias Mellanox = IBPortStateText.MellanoxExtendedPortInfo
    typealias F = PortInfo.Fields

    init(session: DiagsSession, target: DiagsDestination, port: Int, request: PortStateRequest, showKeys: Bool, json: Bool) {
        self.session = session
        self.target = target
        self.port = port
        self.request = request
        self.showKeys = showKeys
        self.json = json
    }

    /// A heading of the text ("Initial Switch PortInfo:"); JSON has records instead.
    private func heading(_ text: String) {
        if !json { print(text, terminator: "") }
    }

    /// A message of the text ("Disable may be irreversible"); JSON keeps it as a note.
    private mutating func say(_ text: String) {
        if json { notes.append(String(text.filter { $0 != "\n" })) } else { print(text, terminator: "") }
    }

    private func warn(_ message: String) {
        StandardError.emit(Diags.warning(pid: getpid(), function: "main", message))
    }

    /// get_node_info: the NodeInfo, or IBEXIT "smp query nodeinfo failed".
    private func nodeInfo(_ address: DiagsDestination) async throws(DiagsFailure) -> NodeInfo {
        try session.decode(NodeInfo.self, await session.smp(.get, .nodeInfo, at: address, orFail: "smp query nodeinfo failed"), orFail: "smp query nodeinfo failed")
    }

    /// get_port_info: for a switch PortInfo of port 0 first (its CapabilityMask decides
    /// whether extended speeds exist), then the port's; returns it and that decision.
    private func portInfo(_ address: DiagsDestination, port: Int, isSwitch: Bool) async throws(DiagsFailure) -> (PortInfo, Bool) {
        var capabilities: PortInfo?
        if isSwitch {
            capabilities = try session.decode(PortInfo.self, await session.smp(.get, .portInfo, at: address, orFail: "smp query port 0 portinfo failed"), orFail: "smp query port 0 portinfo failed")
        }
        let info = try session.decode(PortInfo.self, await session.smp(.get, .portInfo, modifier: UInt32(truncatingIfNeeded: port), at: address,
                                           orFail: "smp query portinfo failed"), orFail: "smp query portinfo failed")
        let mask = (capabilities ?? info)[F.capabilityMask]
        return (info, mask & IBPortStateText.extendedSpeedsCapability != 0)
    }

    private func mellanox(_ address: DiagsDestination, port: Int) async throws(DiagsFailure) -> PortInfo {
        // Any 64-byte structure holds the vendor attribute's data; PortInfo's storage is that.
        try session.decode(PortInfo.self, await session.smp(.get, Mellanox.attribute, modifier: UInt32(truncatingIfNeeded: port), at: address,
                                orFail: "smp query ext portinfo failed"), orFail: "smp query ext portinfo failed")
    }

    private mutating func show(_ info: PortInfo, _ address: DiagsDestination, port: Int, extended: Bool, isSwitch: Bool,
                               record name: String) {
        if json {
            let fields = IBPortStateText.shownFields(extendedSpeeds: extended, keys: !isSwitch || port == 0)
            var record = DiagsJSON.Record(attribute: name, table: fields, of: info, hiding: showKeys ? [] : ["Mkey"])
            record = DiagsJSON.Record(attribute: name, fields: [("Destination", .string(address.description), address.description, nil),
                                                                ("Port", .number(UInt64(port)), "\(port)", nil)] + record.fields)
            records.append(record)
        } else {
            print(IBPortStateText.portInfo(info, destination: address, port: port, extendedSpeeds: extended, isSwitch: isSwitch,
                                           showKeys: showKeys), terminator: "")
        }
    }

    private mutating func showMellanox(_ data: PortInfo, _ address: DiagsDestination, port: Int, record name: String) {
        if json {
            records.append(DiagsJSON.Record(attribute: name, fields: [
                ("Destination", .string(address.description), address.description, nil),
                ("Port", .number(UInt64(port)), "\(port)", nil),
            ] + Mellanox.fields.map { ($0.name, .number(data[$0]), "0x" + DumpValue.hex(data[$0], digits: 2), nil) }))
        } else {
            print(IBPortStateText.mellanoxExtendedPortInfo(data, destination: address, port: port), terminator: "")
        }
    }

    mutating func perform() async throws(DiagsFailure) {
        let node = try await nodeInfo(target)
        let isSwitch = node.nodeType == .switch
        let values = request.values
        if (values[.mkey] != nil || values[.mkeylease] != nil || values[.mkeyprot] != nil) && isSwitch && port != 0 {
            throw DiagsFailure(stdout: "Can't set M_Key fields on switch port != 0")
        }
        let kind = isSwitch ? "Switch" : "CA/RT"
        heading(request.changes ? "Initial \(kind) PortInfo:\n" : "\(kind) PortInfo:\n")
        var (info, extended) = try await portInfo(target, port: port, isSwitch: isSwitch)
        show(info, target, port: port, extended: extended, isSwitch: isSwitch, record: request.changes ? "InitialPortInfo" : "PortInfo")
        var ext = PortInfo()
        if IBPortStateText.mellanoxExtendedPortInfoSupported(vendorID: node.vendorID, deviceID: node.deviceID) {
            ext = try await mellanox(target, port: port)
            showMellanox(ext, target, port: port, record: "MellanoxExtendedPortInfo")
        }
        if request.changes {
            try await set(&info, ext: &ext, extended: extended, isSwitch: isSwitch)
        } else if isSwitch && port != 0 && info[F.portState] == 4 {
            try await peer(info, ext: ext, extended: extended)
        }
    }

    /// The Set branch: ibportstate keeps every field of the port's PortInfo, makes LID and
    /// SMLID valid when they are 0/0xFFFF (the SMA would refuse them), sets PortState and
    /// PortPhysicalState to NoChange unless the op asks (IBA 14.2.5.6 Table 155: Polling 2,
    /// Disabled 3; Down 1, Armed 3, Active 4), and always writes the enabled speeds and
    /// width (0 = no change).
    private mutating func set(_ info: inout PortInfo, ext: inout PortInfo, extended: Bool, isSwitch: Bool) async throws(DiagsFailure) {
        let values = request.values
        let physical = info[F.portPhysicalState]
        if values[.lid] == nil && (info[F.lid] == 0 || info[F.lid] == 0xFFFF) { info[F.lid] = 0x1234 }
        if values[.smlid] == nil && (info[F.masterSMLID] == 0 || info[F.masterSMLID] == 0xFFFF) { info[F.masterSMLID] = 0x1234 }
        info[F.portState] = 0
        info[F.portPhysicalState] = 0
        switch request.operation ?? .query {
        case .on where physical != 3:
            say("Port is already in enable state\n")
            return
        case .on, .enable, .reset: info[F.portPhysicalState] = 2
        case .off, .disable:
            say("Disable may be irreversible\n")
            info[F.portPhysicalState] = 3
        case .down: info[F.portState] = 1
        case .arm: info[F.portState] = 3
        case .active: info[F.portState] = 4
        case .query: break
        }
        info[F.linkSpeedEnabled] = values[.speed] ?? 0
        info[F.linkSpeedExtEnabled] = values[.espeed] ?? 0
        info[F.linkWidthEnabled] = values[.width] ?? 0
        if let v = values[.vls] { info[F.operationalVLs] = v }
        if let v = values[.mtu] { info[F.neighborMTU] = v }
        if let v = values[.lid] { info[F.lid] = v }
        if let v = values[.smlid] { info[F.masterSMLID] = v }
        if let v = values[.lmc] { info[F.lmc] = v }
        if let v = values[.fdr10] {
            ext[Mellanox.stateChangeEnable] = Mellanox.fdr10
            ext[Mellanox.linkSpeedEnabled] = v
            let mad = try await session.smp(.set, Mellanox.attribute, modifier: UInt32(truncatingIfNeeded: port), data: ext.encoded,
                                            at: target, orFail: "smp set MLNX ext portinfo failed")
            let answer = try session.decode(PortInfo.self, mad, orFail: "smp set MLNX ext portinfo failed")
            heading("\nAfter MLNXExtendedPortInfo set:\n")
            showMellanox(answer, target, port: port, record: "MellanoxExtendedPortInfoAfterSet")
        }
        if let v = values[.mkey] { info[F.mKey] = v }
        if let v = values[.mkeylease] { info[F.mKeyLeasePeriod] = v }
        if let v = values[.mkeyprot] { info[F.mKeyProtectBits] = v }
        // Modifier bit 31: the Set carries LinkSpeedExtEnabled (IBA 14.2.5.6, when
        // IsExtendedSpeedsSupported), as ibportstate's set_port_info.
        let modifier = UInt32(truncatingIfNeeded: port) | (extended ? 1 << 31 : 0)
        let mad = try await session.smp(.set, .portInfo, modifier: modifier, data: info.encoded, at: target,
                                        orFail: "smp set portinfo failed")
        let answer = try session.decode(PortInfo.self, mad, orFail: "smp set portinfo failed")
        heading("\nAfter PortInfo set:\n")
        show(answer, target, port: port, extended: extended, isSwitch: isSwitch, record: "PortInfoAfterSet")
    }

    /// An active switch port's peer, by a directed route one hop past the switch (from the
    /// switch's LID with DrSLID = our LID, or the target's DR path plus the port), then the
    /// width and speed checks ibportstate warns about on stderr.
    private mutating func peer(_ info: PortInfo, ext: PortInfo, extended: Bool) async throws(DiagsFailure) {
        let peerAddress: DiagsDestination
        do {
            if target.lid == 0 {
                let hops = (target.path?.ports ?? []) + [UInt8(truncatingIfNeeded: port)]
                guard hops.count < 64 else { throw DiagsFailure(stdout: "Too many hops") }
                let path = try DirectedRoutePath(ports: hops, drSLID: target.path?.drSLID ?? 0xFFFF, drDLID: target.path?.drDLID ?? 0xFFFF)
                peerAddress = DiagsDestination(lid: 0, path: path)
            } else {
                // resolve_self: our port's LID as DrSLID, the rest of the way directed.
                let path = try DirectedRoutePath(ports: [UInt8(truncatingIfNeeded: port)], drSLID: session.localLID, drDLID: 0xFFFF)
                peerAddress = DiagsDestination(lid: target.lid, path: path)
            }
        } catch let failure as DiagsFailure {
            throw failure
        } catch {
            throw DiagsFailure(stdout: "Too many hops", detail: "\(error)")
        }
        let peerNode = try await nodeInfo(peerAddress)
        let peerPort = Int(peerNode.localPortNumber)
        heading("Peer PortInfo:\n")
        let (peerInfo, peerExtended) = try await portInfo(peerAddress, port: peerPort, isSwitch: peerNode.nodeType == .switch)
        var peerExt = PortInfo()
        let peerMellanox = IBPortStateText.mellanoxExtendedPortInfoSupported(vendorID: peerNode.vendorID, deviceID: peerNode.deviceID)
        if peerMellanox { peerExt = try await mellanox(peerAddress, port: peerPort) }
        show(peerInfo, peerAddress, port: peerPort, extended: peerExtended, isSwitch: peerNode.nodeType == .switch, record: "PeerPortInfo")
        if peerMellanox { showMellanox(peerExt, peerAddress, port: peerPort, record: "PeerMellanoxExtendedPortInfo") }

        func int(_ structure: PortInfo, _ field: Field) -> Int { Int(structure[field]) }
        // get_link_width / get_link_speed / get_link_speed_ext: "all enabled" means supported.
        func width(_ p: PortInfo) -> Int { int(p, F.linkWidthEnabled) == 255 ? int(p, F.linkWidthSupported) : int(p, F.linkWidthEnabled) }
        func speed(_ p: PortInfo) -> Int { int(p, F.linkSpeedEnabled) == 15 ? int(p, F.linkSpeedSupported) : int(p, F.linkSpeedEnabled) }
        func extSpeed(_ p: PortInfo) -> Int {
            int(p, F.linkSpeedExtEnabled) == 31 ? int(p, F.linkSpeedExtSupported) : int(p, F.linkSpeedExtEnabled)
        }
        if let w = IBPortStateText.widthWarning(width: width(info), peerWidth: width(peerInfo), active: int(info, F.linkWidthActive)) { warn(w) }
        if let w = IBPortStateText.speedWarning(speed: speed(info), peerSpeed: speed(peerInfo), active: int(info, F.linkSpeedActive)) { warn(w) }
        if extended && peerExtended {
            if let w = IBPortStateText.extendedSpeedWarning(speed: extSpeed(info), peerSpeed: extSpeed(peerInfo),
                                                            active: int(info, F.linkSpeedExtActive)) { warn(w) }
        } else if ext[Mellanox.linkSpeedEnabled] & Mellanox.fdr10 != 0 && peerExt[Mellanox.linkSpeedEnabled] & Mellanox.fdr10 != 0
                    && ext[Mellanox.linkSpeedActive] & Mellanox.fdr10 == 0 {
            warn("Peer ports operating at active speed \(int(info, F.linkSpeedActive)) rather than FDR10")
        }
    }

    /// With --json: one document with every PortInfo shown, and the messages the text
    /// would have printed ("Disable may be irreversible") as notes.
    func finishJSON() {
        guard json else { return }
        let query = request.operation?.rawValue ?? (request.values.isEmpty ? "query" : "set")
        var all = records
        if !notes.isEmpty {
            all.append(DiagsJSON.Record(attribute: "Messages", fields: notes.enumerated().map {
                ("Message[\($0.offset)]", .string($0.element), $0.element, nil)
            }))
        }
        print(DiagsJSON.document(tool: "ibportstate", query: query, destination: target, port: port, records: all), terminator: "")
    }
}
