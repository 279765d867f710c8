import CInfiniBand
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The per-thread capability helpers the verbs rig tests use to prove the privileged
/// Q_Key's EPERM path (CAP_NET_RAW is 13, include/uapi/linux/capability.h).
@Suite("Thread capabilities")
struct ThreadCapabilityTests {
    static let capNetRaw: Int32 = 13

    @Test("Dropping CAP_NET_RAW on one thread leaves the others' sets alone",
          .enabled(if: CInfiniBand_thread_has_capability(13) == 1, "this process has no CAP_NET_RAW to drop"))
    func dropIsPerThread() {
        let before = CInfiniBand_thread_has_capability(Self.capNetRaw)
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { _ in
            let dropped = CInfiniBand_thread_drop_effective_capability(13) == 0
            let after = CInfiniBand_thread_has_capability(13)
            return UnsafeMutableRawPointer(bitPattern: dropped && after == 0 ? 1 : 2)
        }, nil)
        #expect(rc == 0)
        var result: UnsafeMutableRawPointer?
        pthread_join(thread, &result)
        #expect(result == UnsafeMutableRawPointer(bitPattern: 1), "the thread could not drop CAP_NET_RAW")
        #expect(before == 1)
        #expect(CInfiniBand_thread_has_capability(Self.capNetRaw) == 1)
    }

    @Test("Out-of-range capabilities are refused, not masked")
    func badCapability() {
        #expect(CInfiniBand_thread_has_capability(-1) == -1)
        #expect(CInfiniBand_thread_has_capability(64) == -1)
        errno = 0
        #expect(CInfiniBand_thread_drop_effective_capability(64) == -1)
        #expect(errno == EINVAL)
    }

    @Test("The UD helpers link (they need a device to run; the rig runs them)")
    func udHelpersLink() {
        _ = CInfiniBand_ibv_create_ah_ud
        _ = CInfiniBand_ibv_modify_qp_ud_to_rts
    }
}
