// Real functions for the verbs/umad macros and static inlines, and accessors for
// struct ib_user_mad. See include/CInfiniBand.h.

// Some toolchains struggle with a .c file that is empty once preprocessed
// (swift-nio's CNIOLinux keeps the same guard for non-Linux builds).
void CInfiniBand_i_do_nothing_just_working_around_an_empty_translation_unit(void) {}

#ifdef __linux__

#include <CInfiniBand.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <netinet/ip.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int32_t CInfiniBand_gettid(void) { return (int32_t)syscall(SYS_gettid); }

// MARK: layouts Swift mirrors or indexes
//
// Swift code indexes the umad header (status at 4, addr at 20, MAD at 64) and the
// receive slot (40-byte GRH, then the MAD), and reads these structs through the
// importer. If a header ever changes them, the build stops here, not on the wire.

// struct ib_user_mad: kernel ABI 5 with P_Key index (include/uapi/rdma/ib_user_mad.h).
_Static_assert(sizeof(struct ib_user_mad) == 64, "struct ib_user_mad is not 64 bytes");
_Static_assert(offsetof(struct ib_user_mad, agent_id) == 0, "ib_user_mad.agent_id moved");
_Static_assert(offsetof(struct ib_user_mad, status) == 4, "ib_user_mad.status moved");
_Static_assert(offsetof(struct ib_user_mad, timeout_ms) == 8, "ib_user_mad.timeout_ms moved");
_Static_assert(offsetof(struct ib_user_mad, retries) == 12, "ib_user_mad.retries moved");
_Static_assert(offsetof(struct ib_user_mad, length) == 16, "ib_user_mad.length moved");
_Static_assert(offsetof(struct ib_user_mad, addr) == 20, "ib_user_mad.addr moved");
_Static_assert(offsetof(struct ib_user_mad, data) == 64, "ib_user_mad.data moved");

_Static_assert(sizeof(struct ib_mad_addr) == 44, "struct ib_mad_addr is not 44 bytes");
_Static_assert(offsetof(struct ib_mad_addr, qpn) == 0, "ib_mad_addr.qpn moved");
_Static_assert(offsetof(struct ib_mad_addr, qkey) == 4, "ib_mad_addr.qkey moved");
_Static_assert(offsetof(struct ib_mad_addr, lid) == 8, "ib_mad_addr.lid moved");
_Static_assert(offsetof(struct ib_mad_addr, sl) == 10, "ib_mad_addr.sl moved");
_Static_assert(offsetof(struct ib_mad_addr, path_bits) == 11, "ib_mad_addr.path_bits moved");
_Static_assert(offsetof(struct ib_mad_addr, grh_present) == 12, "ib_mad_addr.grh_present moved");
_Static_assert(offsetof(struct ib_mad_addr, gid_index) == 13, "ib_mad_addr.gid_index moved");
_Static_assert(offsetof(struct ib_mad_addr, hop_limit) == 14, "ib_mad_addr.hop_limit moved");
_Static_assert(offsetof(struct ib_mad_addr, traffic_class) == 15, "ib_mad_addr.traffic_class moved");
_Static_assert(offsetof(struct ib_mad_addr, gid) == 16, "ib_mad_addr.gid moved");
_Static_assert(sizeof(((struct ib_mad_addr *)0)->gid) == 16, "ib_mad_addr.gid is not 16 bytes");
_Static_assert(offsetof(struct ib_mad_addr, flow_label) == 32, "ib_mad_addr.flow_label moved");
_Static_assert(offsetof(struct ib_mad_addr, pkey_index) == 36, "ib_mad_addr.pkey_index moved");
_Static_assert(offsetof(struct ib_mad_addr, reserved) == 38, "ib_mad_addr.reserved moved");

_Static_assert(CInfiniBand_IB_USER_MAD_SIZE == sizeof(struct ib_user_mad), "header size constant");
_Static_assert(CInfiniBand_IB_MAD_ADDR_SIZE == sizeof(struct ib_mad_addr), "addr size constant");
_Static_assert(CInfiniBand_UMAD_BUFFER_SIZE == 64 + 256, "umad buffer size constant");

// The GRH in front of every UD receive (IBA 8.3): 40 bytes, SGID at 8, DGID at 24.
_Static_assert(sizeof(struct ibv_grh) == CInfiniBand_GRH_SIZE, "struct ibv_grh is not 40 bytes");
_Static_assert(offsetof(struct ibv_grh, version_tclass_flow) == 0, "ibv_grh.version_tclass_flow moved");
_Static_assert(offsetof(struct ibv_grh, paylen) == 4, "ibv_grh.paylen moved");
_Static_assert(offsetof(struct ibv_grh, next_hdr) == 6, "ibv_grh.next_hdr moved");
_Static_assert(offsetof(struct ibv_grh, hop_limit) == 7, "ibv_grh.hop_limit moved");
_Static_assert(offsetof(struct ibv_grh, sgid) == 8, "ibv_grh.sgid moved");
_Static_assert(offsetof(struct ibv_grh, dgid) == 24, "ibv_grh.dgid moved");
_Static_assert(sizeof(union ibv_gid) == 16, "union ibv_gid is not 16 bytes");
// RoCE v2 over IPv4 (IBA A17.4.5.1): the receive's 40-byte GRH area holds 20 unused bytes
// and then the IPv4 header, which Swift (VerbsReceivedHeader) reads by offset: version/IHL
// at 20, TOS at 21, TTL at 28, checksum at 30, source address at 32.
_Static_assert(sizeof(struct iphdr) == 20, "struct iphdr is not 20 bytes");
_Static_assert(CInfiniBand_GRH_SIZE - sizeof(struct iphdr) == 20, "IPv4 header is not at GRH offset 20");
_Static_assert(offsetof(struct iphdr, tos) == 1, "iphdr.tos moved");
_Static_assert(offsetof(struct iphdr, ttl) == 8, "iphdr.ttl moved");
_Static_assert(offsetof(struct iphdr, check) == 10, "iphdr.check moved");
_Static_assert(offsetof(struct iphdr, saddr) == 12, "iphdr.saddr moved");
_Static_assert(offsetof(struct iphdr, daddr) == 16, "iphdr.daddr moved");

size_t CInfiniBand_umad_buffer_size(void) {
    return sizeof(struct ib_user_mad) + CInfiniBand_MAD_SIZE;
}

// MARK: verbs

struct ibv_mr *CInfiniBand_ibv_reg_mr(struct ibv_pd *pd, void *addr, size_t length, int access) {
    return ibv_reg_mr(pd, addr, length, access);
}

int CInfiniBand_ibv_query_port(struct ibv_context *context, uint8_t port_num,
                               struct ibv_port_attr *port_attr) {
    return ibv_query_port(context, port_num, port_attr);
}

int CInfiniBand_ibv_query_gid_ex(struct ibv_context *context, uint32_t port_num,
                                 uint32_t gid_index, struct ibv_gid_entry *entry,
                                 uint32_t flags) {
    return ibv_query_gid_ex(context, port_num, gid_index, entry, flags);
}

int CInfiniBand_ibv_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
                              struct ibv_send_wr **bad_wr) {
    return ibv_post_send(qp, wr, bad_wr);
}

int CInfiniBand_ibv_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
                              struct ibv_recv_wr **bad_wr) {
    return ibv_post_recv(qp, wr, bad_wr);
}

int CInfiniBand_ibv_poll_cq(struct ibv_cq *cq, int num_entries, struct ibv_wc *wc) {
    return ibv_poll_cq(cq, num_entries, wc);
}

int CInfiniBand_ibv_req_notify_cq(struct ibv_cq *cq, int solicited_only) {
    return ibv_req_notify_cq(cq, solicited_only);
}

void CInfiniBand_ibv_send_wr_ud(struct ibv_send_wr *wr, uint64_t wr_id,
                                struct ibv_sge *sge, struct ibv_ah *ah,
                                uint32_t remote_qpn, uint32_t remote_qkey) {
    memset(wr, 0, sizeof(*wr));
    wr->wr_id = wr_id;
    wr->sg_list = sge;
    wr->num_sge = 1;
    wr->opcode = IBV_WR_SEND;
    wr->send_flags = IBV_SEND_SIGNALED;
    wr->wr.ud.ah = ah;
    wr->wr.ud.remote_qpn = remote_qpn;
    wr->wr.ud.remote_qkey = remote_qkey;
}

struct ibv_ah *CInfiniBand_ibv_create_ah_ud(struct ibv_pd *pd, uint8_t port_num,
                                            uint16_t dlid, uint8_t sl, int is_global,
                                            const uint8_t *dgid, uint8_t sgid_index,
                                            uint8_t hop_limit, uint8_t traffic_class,
                                            uint32_t flow_label) {
    struct ibv_ah_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.dlid = dlid;
    attr.sl = sl;
    attr.port_num = port_num;
    if (is_global) {
        if (dgid == NULL) {
            errno = EINVAL;
            return NULL;
        }
        attr.is_global = 1;
        memcpy(attr.grh.dgid.raw, dgid, sizeof(attr.grh.dgid.raw));
        attr.grh.sgid_index = sgid_index;
        attr.grh.hop_limit = hop_limit;
        attr.grh.traffic_class = traffic_class;
        attr.grh.flow_label = flow_label;
    }
    return ibv_create_ah(pd, &attr);
}

int CInfiniBand_ibv_modify_qp_ud_to_rts(struct ibv_qp *qp, uint8_t port_num,
                                        uint16_t pkey_index, uint32_t qkey,
                                        enum ibv_qp_state *failed_state) {
    struct ibv_qp_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.qp_state = IBV_QPS_INIT;
    attr.pkey_index = pkey_index;
    attr.port_num = port_num;
    attr.qkey = qkey;
    int rc = ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT | IBV_QP_QKEY);
    if (rc != 0) {
        *failed_state = IBV_QPS_INIT;
        return rc;
    }
    memset(&attr, 0, sizeof(attr));
    attr.qp_state = IBV_QPS_RTR;
    rc = ibv_modify_qp(qp, &attr, IBV_QP_STATE);
    if (rc != 0) {
        *failed_state = IBV_QPS_RTR;
        return rc;
    }
    memset(&attr, 0, sizeof(attr));
    attr.qp_state = IBV_QPS_RTS;
    attr.sq_psn = 0;
    rc = ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_SQ_PSN);
    if (rc != 0) *failed_state = IBV_QPS_RTS;
    return rc;
}

// MARK: thread capabilities

// capget/capset on the calling thread (pid 0), version 3: two 32-bit words per set.
static int thread_caps(struct __user_cap_data_struct data[2], int set) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    return (int)syscall(set ? SYS_capset : SYS_capget, &header, data);
}

int CInfiniBand_thread_has_capability(int capability) {
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (capability < 0 || capability >= 64 || thread_caps(data, 0) != 0) return -1;
    return (data[capability / 32].effective >> (capability % 32)) & 1;
}

int CInfiniBand_thread_drop_effective_capability(int capability) {
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (capability < 0 || capability >= 64) {
        errno = EINVAL;
        return -1;
    }
    if (thread_caps(data, 0) != 0) return -1;
    data[capability / 32].effective &= ~(1u << (capability % 32));
    return thread_caps(data, 1);
}

// MARK: umad

void *CInfiniBand_umad_alloc(int num, size_t size) { return umad_alloc(num, size); }
void CInfiniBand_umad_free(void *umad) { umad_free(umad); }

#define UMAD(p) ((struct ib_user_mad *)(p))
#define CUMAD(p) ((const struct ib_user_mad *)(p))

uint32_t CInfiniBand_umad_agent_id(const void *umad) { return CUMAD(umad)->agent_id; }
void CInfiniBand_umad_set_agent_id(void *umad, uint32_t v) { UMAD(umad)->agent_id = v; }
uint32_t CInfiniBand_umad_status(const void *umad) { return CUMAD(umad)->status; }
void CInfiniBand_umad_set_status(void *umad, uint32_t v) { UMAD(umad)->status = v; }
uint32_t CInfiniBand_umad_timeout_ms(const void *umad) { return CUMAD(umad)->timeout_ms; }
void CInfiniBand_umad_set_timeout_ms(void *umad, uint32_t v) { UMAD(umad)->timeout_ms = v; }
uint32_t CInfiniBand_umad_retries(const void *umad) { return CUMAD(umad)->retries; }
void CInfiniBand_umad_set_retries(void *umad, uint32_t v) { UMAD(umad)->retries = v; }
uint32_t CInfiniBand_umad_length(const void *umad) { return CUMAD(umad)->length; }
void CInfiniBand_umad_set_length(void *umad, uint32_t v) { UMAD(umad)->length = v; }

uint32_t CInfiniBand_umad_addr_qpn(const void *umad) { return ntohl(CUMAD(umad)->addr.qpn); }
void CInfiniBand_umad_set_addr_qpn(void *umad, uint32_t v) { UMAD(umad)->addr.qpn = htonl(v); }
uint32_t CInfiniBand_umad_addr_qkey(const void *umad) { return ntohl(CUMAD(umad)->addr.qkey); }
void CInfiniBand_umad_set_addr_qkey(void *umad, uint32_t v) { UMAD(umad)->addr.qkey = htonl(v); }
uint16_t CInfiniBand_umad_addr_lid(const void *umad) { return ntohs(CUMAD(umad)->addr.lid); }
void CInfiniBand_umad_set_addr_lid(void *umad, uint16_t v) { UMAD(umad)->addr.lid = htons(v); }
uint8_t CInfiniBand_umad_addr_sl(const void *umad) { return CUMAD(umad)->addr.sl; }
void CInfiniBand_umad_set_addr_sl(void *umad, uint8_t v) { UMAD(umad)->addr.sl = v; }
uint8_t CInfiniBand_umad_addr_path_bits(const void *umad) { return CUMAD(umad)->addr.path_bits; }
void CInfiniBand_umad_set_addr_path_bits(void *umad, uint8_t v) { UMAD(umad)->addr.path_bits = v; }
uint8_t CInfiniBand_umad_addr_grh_present(const void *umad) { return CUMAD(umad)->addr.grh_present; }
void CInfiniBand_umad_set_addr_grh_present(void *umad, uint8_t v) { UMAD(umad)->addr.grh_present = v; }
uint8_t CInfiniBand_umad_addr_gid_index(const void *umad) { return CUMAD(umad)->addr.gid_index; }
void CInfiniBand_umad_set_addr_gid_index(void *umad, uint8_t v) { UMAD(umad)->addr.gid_index = v; }
uint8_t CInfiniBand_umad_addr_hop_limit(const void *umad) { return CUMAD(umad)->addr.hop_limit; }
void CInfiniBand_umad_set_addr_hop_limit(void *umad, uint8_t v) { UMAD(umad)->addr.hop_limit = v; }
uint8_t CInfiniBand_umad_addr_traffic_class(const void *umad) { return CUMAD(umad)->addr.traffic_class; }
void CInfiniBand_umad_set_addr_traffic_class(void *umad, uint8_t v) { UMAD(umad)->addr.traffic_class = v; }

void CInfiniBand_umad_addr_gid(const void *umad, uint8_t *gid) {
    memcpy(gid, CUMAD(umad)->addr.gid, sizeof(CUMAD(umad)->addr.gid));
}
void CInfiniBand_umad_set_addr_gid(void *umad, const uint8_t *gid) {
    memcpy(UMAD(umad)->addr.gid, gid, sizeof(UMAD(umad)->addr.gid));
}

uint32_t CInfiniBand_umad_addr_flow_label(const void *umad) { return ntohl(CUMAD(umad)->addr.flow_label); }
void CInfiniBand_umad_set_addr_flow_label(void *umad, uint32_t v) { UMAD(umad)->addr.flow_label = htonl(v); }
uint16_t CInfiniBand_umad_addr_pkey_index(const void *umad) { return CUMAD(umad)->addr.pkey_index; }
void CInfiniBand_umad_set_addr_pkey_index(void *umad, uint16_t v) { UMAD(umad)->addr.pkey_index = v; }

#undef UMAD
#undef CUMAD

#endif // __linux__
