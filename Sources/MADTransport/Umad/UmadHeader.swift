import CInfiniBand

/// The `struct ib_user_mad` header in a slot's 64 bytes of headroom (ib_umad ABI 5,
/// include/uapi/rdma/ib_user_mad.h). The CInfiniBand accessors convert the big-endian
/// address fields (qpn, qkey, lid, flow_label) to and from host order, as umad_set_addr does.
enum UmadHeader {
    /// A send's header: agent, the kernel's response timeout, retries 0 (the requester
    /// retries, DESIGN.md; ibsim ignores both), and the destination.
    static func fill(_ header: UnsafeMutableRawPointer, agent: UInt32, timeoutMilliseconds: UInt32,
                     address: MADAddress) {
        CInfiniBand_umad_set_agent_id(header, agent)
        CInfiniBand_umad_set_status(header, 0)
        CInfiniBand_umad_set_timeout_ms(header, timeoutMilliseconds)
        CInfiniBand_umad_set_retries(header, 0)
        CInfiniBand_umad_set_addr_qpn(header, address.queuePair)
        CInfiniBand_umad_set_addr_qkey(header, address.queueKey)
        CInfiniBand_umad_set_addr_lid(header, address.lid)
        CInfiniBand_umad_set_addr_sl(header, address.serviceLevel)
        CInfiniBand_umad_set_addr_path_bits(header, 0)
        CInfiniBand_umad_set_addr_pkey_index(header, address.pKeyIndex)
        if let route = address.globalRoute {
            // Filled here, not with umad_set_grh(), which ignores the GID index (DESIGN.md).
            CInfiniBand_umad_set_addr_grh_present(header, 1)
            CInfiniBand_umad_set_addr_gid_index(header, route.sourceGIDIndex)
            CInfiniBand_umad_set_addr_hop_limit(header, route.hopLimit)
            CInfiniBand_umad_set_addr_traffic_class(header, route.trafficClass)
            CInfiniBand_umad_set_addr_flow_label(header, route.flowLabel)
            route.destinationGID.withUnsafeBufferPointer { CInfiniBand_umad_set_addr_gid(header, $0.baseAddress!) }
        } else {
            CInfiniBand_umad_set_addr_grh_present(header, 0)
        }
    }

    /// Where a received MAD came from: its source LID and QP, SL, P_Key index and GRH.
    static func source(_ header: UnsafeRawPointer) -> MADAddress {
        var route: GlobalRoute?
        if CInfiniBand_umad_addr_grh_present(header) != 0 {
            var gid = [UInt8](repeating: 0, count: 16)
            gid.withUnsafeMutableBufferPointer { CInfiniBand_umad_addr_gid(header, $0.baseAddress!) }
            route = GlobalRoute(destinationGID: gid, flowLabel: CInfiniBand_umad_addr_flow_label(header),
                                hopLimit: CInfiniBand_umad_addr_hop_limit(header),
                                trafficClass: CInfiniBand_umad_addr_traffic_class(header),
                                sourceGIDIndex: CInfiniBand_umad_addr_gid_index(header))
        }
        // ib_umad's recv_handler leaves qkey 0: a GMP that reached our QP1 carried the GSI
        // Q_Key, and a reply to a requester's own UD QP (a verbs requester) must carry it too,
        // as the kernel's agent_send_response does.
        let qpn = CInfiniBand_umad_addr_qpn(header)
        let qkey = CInfiniBand_umad_addr_qkey(header)
        return MADAddress(lid: CInfiniBand_umad_addr_lid(header), queuePair: qpn,
                          queueKey: qkey == 0 && qpn != 0 ? MADAddress.gsiQueueKey : qkey, serviceLevel: CInfiniBand_umad_addr_sl(header),
                          pKeyIndex: CInfiniBand_umad_addr_pkey_index(header), globalRoute: route)
    }

    static func agentID(_ header: UnsafeRawPointer) -> UInt32 { CInfiniBand_umad_agent_id(header) }
    static func status(_ header: UnsafeRawPointer) -> UInt32 { CInfiniBand_umad_status(header) }
    /// Header plus MAD bytes as the kernel reported them (for RMPP, the whole message).
    static func length(_ header: UnsafeRawPointer) -> UInt32 { CInfiniBand_umad_length(header) }
}
