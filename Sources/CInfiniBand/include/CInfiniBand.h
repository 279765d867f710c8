// CInfiniBand: the C shim under MADTransport (style of swift-nio's CNIOLinux).
//
// Swift cannot call what <infiniband/verbs.h> and <infiniband/umad.h> define as
// function-like macros, and the static-inline verbs dispatch through provider ops
// tables that we would rather not mirror; so each gets a real function here, named
// CInfiniBand_<c name>. Functions that are real symbols in libibverbs/libibumad
// (ibv_open_device, ibv_create_qp, ibv_query_gid, ibv_fork_init, umad_open_port, ...)
// are called from Swift directly and are not wrapped.
#ifndef C_INFINIBAND_H
#define C_INFINIBAND_H

#ifdef __linux__
#include <stddef.h>
#include <stdint.h>
#include <infiniband/verbs.h>
#include <infiniband/umad.h>

#pragma clang assume_nonnull begin

/// The calling thread's kernel id (gettid(2) is not visible to Swift without _GNU_SOURCE).
int32_t CInfiniBand_gettid(void);

// Sizes Swift lays buffers out with. shim.c asserts each against the C headers.
enum {
    /// A MAD, every management class (IBA 13.4.3).
    CInfiniBand_MAD_SIZE = 256,
    /// The GRH a UD receive buffer starts with, present or not (IBA 8.3, 11.4.1.1).
    CInfiniBand_GRH_SIZE = 40,
    /// sizeof(struct ib_user_mad): the header ib_umad reads/writes before each MAD
    /// once P_Key indices are enabled (always, on any kernel ib_umad ABI 5+).
    CInfiniBand_IB_USER_MAD_SIZE = sizeof(struct ib_user_mad),
    /// sizeof(struct ib_mad_addr).
    CInfiniBand_IB_MAD_ADDR_SIZE = sizeof(struct ib_mad_addr),
    /// One umad read/write buffer for a single (non-RMPP) MAD.
    CInfiniBand_UMAD_BUFFER_SIZE = sizeof(struct ib_user_mad) + 256,
};

/// sizeof(struct ib_user_mad) + 256. Note libibumad's umad_size() is 8 less (56)
/// until umad_open_port() has enabled P_Key indices; use this for buffer layout.
size_t CInfiniBand_umad_buffer_size(void);

// MARK: verbs — macros and static inlines as real functions

/// ibv_reg_mr is a macro over __ibv_reg_mr; with a non-constant access mask it goes
/// through ibv_reg_mr_iova2, which masks IBV_ACCESS_OPTIONAL_* bits the kernel lacks.
struct ibv_mr *_Nullable CInfiniBand_ibv_reg_mr(struct ibv_pd *pd, void *addr,
                                                size_t length, int access);
/// ibv_query_port is a macro over ___ibv_query_port (the real symbol takes the
/// smaller compat struct).
int CInfiniBand_ibv_query_port(struct ibv_context *context, uint8_t port_num,
                               struct ibv_port_attr *port_attr);
int CInfiniBand_ibv_query_gid_ex(struct ibv_context *context, uint32_t port_num,
                                 uint32_t gid_index, struct ibv_gid_entry *entry,
                                 uint32_t flags);
int CInfiniBand_ibv_post_send(struct ibv_qp *qp, struct ibv_send_wr *wr,
                              struct ibv_send_wr *_Nullable *_Nonnull bad_wr);
int CInfiniBand_ibv_post_recv(struct ibv_qp *qp, struct ibv_recv_wr *wr,
                              struct ibv_recv_wr *_Nullable *_Nonnull bad_wr);
int CInfiniBand_ibv_poll_cq(struct ibv_cq *cq, int num_entries, struct ibv_wc *wc);
int CInfiniBand_ibv_req_notify_cq(struct ibv_cq *cq, int solicited_only);

/// Fills a UD SEND work request in one call (zeroing the rest), so Swift does not
/// have to reach through the wr.ud union: one SGE, signaled completion.
void CInfiniBand_ibv_send_wr_ud(struct ibv_send_wr *wr, uint64_t wr_id,
                                struct ibv_sge *sge, struct ibv_ah *ah,
                                uint32_t remote_qpn, uint32_t remote_qkey);

/// Creates a UD address handle (ibv_create_ah, a real symbol) without Swift reaching
/// into union ibv_gid: `dgid` is the 16-byte destination GID in network order, used
/// (with sgid_index, hop_limit, traffic_class, flow_label) only when `is_global`.
/// Returns NULL with errno set.
struct ibv_ah *_Nullable CInfiniBand_ibv_create_ah_ud(struct ibv_pd *pd, uint8_t port_num,
                                                      uint16_t dlid, uint8_t sl, int is_global,
                                                      const uint8_t *_Nullable dgid,
                                                      uint8_t sgid_index, uint8_t hop_limit,
                                                      uint8_t traffic_class, uint32_t flow_label);

/// Moves a UD QP through INIT (P_Key index, port, Q_Key), RTR and RTS (SQ PSN 0), as
/// IBA 11.2.4.2 / ibv_modify_qp(3) require for UD. Returns 0, or the positive errno of
/// the first step that failed with *failed_state set to the state it tried to reach
/// (IBV_QPS_INIT, _RTR or _RTS). A Q_Key with the high bit set is privileged: the
/// kernel (uverbs modify_qp) answers EPERM at INIT without CAP_NET_RAW unless
/// `rdma system set privileged-qkey on`.
int CInfiniBand_ibv_modify_qp_ud_to_rts(struct ibv_qp *qp, uint8_t port_num,
                                        uint16_t pkey_index, uint32_t qkey,
                                        enum ibv_qp_state *failed_state);

// MARK: capabilities of the calling thread (Linux capabilities are per thread)

/// 1 when the calling thread's effective set holds `capability` (CAP_NET_RAW is 13),
/// 0 when not, -1 with errno when capget fails.
int CInfiniBand_thread_has_capability(int capability);
/// Removes `capability` from the calling thread's effective set only (the permitted set
/// keeps it, so the thread could raise it again). Lets a test prove the EPERM path for
/// the privileged Q_Key without a second process. 0, or -1 with errno.
int CInfiniBand_thread_drop_effective_capability(int capability);

// MARK: umad — static inlines and struct ib_user_mad accessors
//
// Every accessor takes the umad buffer (struct ib_user_mad *). Multi-byte addr
// fields are big-endian in the struct; these take and return HOST byte order.

void *_Nullable CInfiniBand_umad_alloc(int num, size_t size);
void CInfiniBand_umad_free(void *_Nullable umad);

uint32_t CInfiniBand_umad_agent_id(const void *umad);
void CInfiniBand_umad_set_agent_id(void *umad, uint32_t agent_id);
/// 0 or a positive errno (ETIMEDOUT: the kernel gave a send back unanswered).
uint32_t CInfiniBand_umad_status(const void *umad);
void CInfiniBand_umad_set_status(void *umad, uint32_t status);
uint32_t CInfiniBand_umad_timeout_ms(const void *umad);
void CInfiniBand_umad_set_timeout_ms(void *umad, uint32_t timeout_ms);
uint32_t CInfiniBand_umad_retries(const void *umad);
void CInfiniBand_umad_set_retries(void *umad, uint32_t retries);
uint32_t CInfiniBand_umad_length(const void *umad);
void CInfiniBand_umad_set_length(void *umad, uint32_t length);

uint32_t CInfiniBand_umad_addr_qpn(const void *umad);
void CInfiniBand_umad_set_addr_qpn(void *umad, uint32_t qpn);
uint32_t CInfiniBand_umad_addr_qkey(const void *umad);
void CInfiniBand_umad_set_addr_qkey(void *umad, uint32_t qkey);
uint16_t CInfiniBand_umad_addr_lid(const void *umad);
void CInfiniBand_umad_set_addr_lid(void *umad, uint16_t lid);
uint8_t CInfiniBand_umad_addr_sl(const void *umad);
void CInfiniBand_umad_set_addr_sl(void *umad, uint8_t sl);
uint8_t CInfiniBand_umad_addr_path_bits(const void *umad);
void CInfiniBand_umad_set_addr_path_bits(void *umad, uint8_t path_bits);
uint8_t CInfiniBand_umad_addr_grh_present(const void *umad);
void CInfiniBand_umad_set_addr_grh_present(void *umad, uint8_t grh_present);
uint8_t CInfiniBand_umad_addr_gid_index(const void *umad);
void CInfiniBand_umad_set_addr_gid_index(void *umad, uint8_t gid_index);
uint8_t CInfiniBand_umad_addr_hop_limit(const void *umad);
void CInfiniBand_umad_set_addr_hop_limit(void *umad, uint8_t hop_limit);
uint8_t CInfiniBand_umad_addr_traffic_class(const void *umad);
void CInfiniBand_umad_set_addr_traffic_class(void *umad, uint8_t traffic_class);
/// Copies the 16-byte GID (network order, as on the wire) out / in.
void CInfiniBand_umad_addr_gid(const void *umad, uint8_t *gid);
void CInfiniBand_umad_set_addr_gid(void *umad, const uint8_t *gid);
/// 20-bit flow label, host order (libibumad's umad_set_grh also takes host order).
uint32_t CInfiniBand_umad_addr_flow_label(const void *umad);
void CInfiniBand_umad_set_addr_flow_label(void *umad, uint32_t flow_label);
/// pkey_index is host order in the struct. Unlike umad_set_pkey(), which is a no-op
/// until umad_open_port() has enabled P_Key indices, this always writes it.
uint16_t CInfiniBand_umad_addr_pkey_index(const void *umad);
void CInfiniBand_umad_set_addr_pkey_index(void *umad, uint16_t pkey_index);

#pragma clang assume_nonnull end

#endif // __linux__
#endif // C_INFINIBAND_H
