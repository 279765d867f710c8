import Fabric
import MADAgents
import MADTransport
import MADWire

/// One open port and requester for a diags subcommand: opens the port -C/-P names (a
/// UmadPort, or with --transport verbs a VerbsGSIPort for GSI subcommands), runs an agent
/// over it, and sends SMPs and GMPs with libibmad's timeout and retries.
final class DiagsSession {
    let port: any MADPort
    let agent: MADAgent
    let options: RequestOptions
    let mKey: UInt64
    let transport: TransportChoice

    /// Opens the port; a failure prints what the C tools print ("Failed to open 'CA' port 'N'").
    convenience init(_ diags: DiagsOptions, window: Int = 16, classes: SessionClasses = .smp) throws(DiagsFailure) {
        try self.init(ca: diags.ca, port: diags.port, options: diags.requestOptions, mKey: diags.mKey?.value ?? 0,
                      window: window, transport: diags.transport, classes: classes)
    }

    /// For tools whose options are not DiagsOptions (saquery takes -D -G -L -s -y for itself).
    /// `classes` .smp refuses the verbs transport: SMPs go to QP0, which only ib_umad reaches.
    init(ca: String?, port portNumber: Int?, options: RequestOptions, mKey: UInt64 = 0, window: Int = 16,
         transport: TransportChoice = TransportChoice(), classes: SessionClasses = .smp) throws(DiagsFailure) {
        if classes == .smp && transport.kind == .verbs {
            throw DiagsFailure(detail: "--transport verbs cannot carry SMPs: they go to QP0, which no verbs consumer "
                               + "can reach (IBA 13.5.1; VerbsGSIPort opens a UD QP for the GSI only). This subcommand "
                               + "sends SMPs: use --transport umad (UmadPort, QP0 through the kernel's ib_umad)")
        }
        if classes == .smp && (transport.destinationGID != nil || transport.destinationQP != 1) {
            throw DiagsFailure(detail: "--dgid and --dqpn apply to GSI subcommands (perfquery, saquery, ibping): SMPs are "
                               + "LID-routed or directed, never globally routed (IBA 14.2.2), and RoCE has no SMPs")
        }
        let opened: any MADPort
        do {
            switch transport.kind {
            case .umad: opened = try UmadPort(caName: ca, portNumber: portNumber)
            case .verbs: opened = try VerbsGSIPort(deviceName: ca, portNumber: portNumber ?? 1, gidIndex: transport.gidIndex)
            }
        } catch {
            throw DiagsFailure(stdout: "Failed to open '\(ca ?? "(null)")' port '\(portNumber ?? 0)'",
                               detail: "\(error)")
        }
        port = opened
        self.options = options
        self.mKey = mKey
        self.transport = transport
        do {
            agent = try MADAgent(port: opened, configuration: .init(window: window, defaultOptions: options))
        } catch {
            opened.close()
            throw DiagsFailure(stdout: "Failed to open '\(ca ?? "(null)")' port '\(portNumber ?? 0)'",
                               detail: "\(error)")
        }
    }

    /// The opened port's LID (0 on RoCE), number, SM LID, CA name and GUID, whichever port it is.
    var localLID: UInt16 { port.localLID }
    var portNumber: Int {
        (port as? UmadPort)?.portNumber ?? (port as? VerbsGSIPort)?.portNumber ?? 0
    }
    var smLID: UInt16 {
        (port as? UmadPort)?.smLID ?? (port as? VerbsGSIPort)?.info.smLID ?? 0
    }
    var caName: String {
        (port as? UmadPort)?.caName ?? (port as? VerbsGSIPort)?.deviceName ?? ""
    }
    /// The port GUID: ib_umad's, or the interface ID (low 64 bits) of the verbs port's GID.
    var portGUID: UInt64 {
        if let umad = port as? UmadPort { return umad.portGUID }
        guard let gid = (port as? VerbsGSIPort)?.info.gid, gid.count == 16 else { return 0 }
        return gid[8...].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The GSI (QP1) of `lid`, with the GRH of --dgid when one was given (RoCE needs it;
    /// there the LID is ignored).
    func gsiAddress(lid: UInt16) -> MADAddress {
        MADAddress(lid: lid, queuePair: transport.destinationQP, globalRoute: transport.globalRoute)
    }

    func close() {
        agent.close()
        port.close()
    }

    /// SubnGet(attribute) to `target`; the response, or a failure whose stdout text is
    /// `failure` (the C operation's message) when no answer comes or its status is not 0
    /// (libibmad's mad_rpc treats both as failure).
    func get(_ attribute: AttributeID, modifier: UInt32 = 0, at target: DiagsTarget,
             orFail failure: String) async throws(DiagsFailure) -> MAD {
        let response: MAD
        do {
            switch target {
            case .lid(let lid):
                var mad = MAD(class: .subnetLIDRouted, classVersion: 1, method: .get, attribute: attribute, modifier: modifier)
                mad.mKey = mKey
                response = try await agent.request(mad, to: .subnetManagement(lid: lid), options: options)
            case .directed(let path):
                response = try await agent.directedRoute(.get, attribute: attribute, modifier: modifier, path: path,
                                                         mKey: mKey, options: options).mad
            }
        } catch {
            throw DiagsFailure(stdout: failure, detail: "\(error)")
        }
        let status = response.managementClass == .subnetDirectedRoute
            ? (try? DirectedRouteSMP(response))?.status ?? response.status : response.status
        guard status.isSuccess else {
            throw DiagsFailure(stdout: failure, detail: "\(target.destination) answered attribute "
                               + "0x\(String(attribute.rawValue, radix: 16)) modifier 0x\(String(modifier, radix: 16)) with status \(status)")
        }
        return response
    }

    /// PerfMgt Get(attribute) to the PMA (QP1) of `lid` with PortSelect (data byte 1) set
    /// to `port`, as libibmad's pma_query_via does for every attribute.
    func pma(_ attribute: AttributeID, port: Int, lid: UInt16, orFail failure: String) async throws(DiagsFailure) -> MAD {
        let mad = PMARequest.get(attribute, port: UInt8(truncatingIfNeeded: port))
        let response: MAD
        do {
            response = try await agent.request(mad, to: gsiAddress(lid: lid), options: options)
        } catch {
            throw DiagsFailure(stdout: failure, detail: "\(error)")
        }
        guard response.status.isSuccess else {
            throw DiagsFailure(stdout: failure, detail: "the PMA at LID \(lid) answered attribute "
                               + "0x\(String(attribute.rawValue, radix: 16)) with status \(response.status)")
        }
        return response
    }

    /// The attribute in an SMP response.
    func decode<A: WireStructure>(_ type: A.Type, _ mad: MAD, orFail failure: String) throws(DiagsFailure) -> A {
        do { return try mad.attribute(type) } catch { throw DiagsFailure(stdout: failure, detail: "\(error)") }
    }

    /// The LID of port GUID `guid`, as libibmad's ib_path_query_via finds it: SA Get
    /// PathRecord (IBA 15.2.5.16) from our port GID to fe80::GUID, asked of the SM at
    /// `smLID` (or the port's SM LID). nil when the SA does not answer or has no path.
    func resolve(guid: UInt64, smLID: UInt16?) async -> (lid: UInt16?, why: String) {
        let sm = smLID ?? self.smLID
        guard sm != 0 else { return (nil, "the port knows no SM LID (is a subnet manager running?); give -s") }
        var mad = MAD(class: .subnetAdministration, classVersion: 2, method: .get, attribute: .pathRecord)
        // PathRecord DGID and SGID (bytes 8 and 24 of the record, which starts at SA data 56).
        let linkLocal: UInt64 = 0xFE80_0000_0000_0000
        mad.setBytes(Diags.portGID(prefix: linkLocal, guid: guid), of: Field("DGID", byte: 56 + 8, width: 128, .bytes))
        mad.setBytes(Diags.portGID(prefix: linkLocal, guid: portGUID), of: Field("SGID", byte: 56 + 24, width: 128, .bytes))
        mad[SAHeader.componentMask] = 1 << 2 | 1 << 3  // DGID, SGID (IBA 15.2.5.16 component mask bits)
        do {
            let response = try await agent.request(mad, to: gsiAddress(lid: sm), options: options)
            guard response.status.isSuccess else { return (nil, "the SA at LID \(sm) answered the PathRecord query with status \(response.status) (no such port?)") }
            let dlid = UInt16(truncatingIfNeeded: response[Field("DLID", byte: 56 + 40, width: 16)])
            return dlid == 0 ? (nil, "the SA at LID \(sm) returned a path without a DLID") : (dlid, "")
        } catch {
            return (nil, "PathRecord query to the SA at LID \(sm) failed: \(error)")
        }
    }

    /// Resolves the destination argument the way resolve_portid_str does for -L (default),
    /// -G and -D; a failure prints "can't resolve destination port ARG".
    func target(_ text: String, _ diags: DiagsOptions) async throws(DiagsFailure) -> DiagsTarget {
        let unresolved = "can't resolve destination port \(text)"
        do throws(DiagsFailure) {
            if diags.direct { return .directed(try DRPathArgument(parsing: text).value) }
            if diags.guid {
                let guid = try GUIDArgument(parsing: text).value
                let (lid, why) = await resolve(guid: guid, smLID: diags.smPort?.value)
                guard let lid else { throw DiagsFailure(detail: "cannot find the LID of port GUID 0x\(String(guid, radix: 16)): \(why)") }
                return .lid(lid)
            }
            return .lid(try LIDArgument(parsing: text).value)
        } catch {
            throw DiagsFailure(stdout: unresolved, detail: error.detail)
        }
    }
}
