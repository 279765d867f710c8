/*
 * madcapture: an LD_PRELOAD interposer that records every MAD a libibumad
 * program sends and receives. Built and used by scripts/capture-mads:
 *
 *   cc -shared -fPIC -O2 -o madcapture.so madcapture.c -ldl -libumad
 *   MADCAPTURE_DIR=out LD_PRELOAD=libumad2sim.so:./madcapture.so smpquery ...
 *
 * For each MAD it writes $MADCAPTURE_DIR/NNNN-send.mad or NNNN-recv.mad (the
 * MAD itself, umad_get_mad(), without the ib_user_mad header; normally 256
 * bytes) and appends a line to $MADCAPTURE_DIR/index:
 *   NNNN send|recv len=L status=S lid=0xLLLL qpn=Q class=0xCC method=0xMM attr=0xAAAA tid=0x...
 * status is the ib_user_mad status: 110 (ETIMEDOUT) on a send handed back
 * because no response matched it.
 *
 * libibmad calls umad_send/umad_recv through the PLT, so definitions here win;
 * dlsym(RTLD_NEXT) finds libibumad's. libumad2sim wraps libc (open, read,
 * write, ioctl, poll), not libibumad, so the preload order between the two does
 * not matter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <infiniband/umad.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*send_fn)(int, int, void *, int, int, int);
typedef int (*recv_fn)(int, void *, int *, int);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned seq;

static void record(const char *dir, void *umad, int len)
{
	const char *out = getenv("MADCAPTURE_DIR");
	const uint8_t *mad = umad_get_mad(umad);
	ib_mad_addr_t *addr = umad_get_mad_addr(umad);
	char path[4096];
	FILE *f;
	uint64_t tid = 0;
	int saved = errno;

	if (!out || !*out || len <= 0) {
		errno = saved;
		return;
	}
	pthread_mutex_lock(&lock);
	seq++;
	snprintf(path, sizeof(path), "%s/%04u-%s.mad", out, seq, dir);
	if ((f = fopen(path, "wb"))) {
		fwrite(mad, 1, (size_t)len, f);
		fclose(f);
	}
	if (len >= 24)	/* common MAD header, IBA 13.4.3 */
		for (int i = 8; i < 16; i++)
			tid = tid << 8 | mad[i];
	snprintf(path, sizeof(path), "%s/index", out);
	if ((f = fopen(path, "a"))) {
		fprintf(f, "%04u %s len=%d status=%d lid=0x%04x qpn=%u "
			"class=0x%02x method=0x%02x attr=0x%04x tid=0x%016llx\n",
			seq, dir, len, umad_status(umad), ntohs(addr->lid),
			ntohl(addr->qpn), len > 1 ? mad[1] : 0,
			len > 3 ? mad[3] : 0,
			len > 17 ? (unsigned)(mad[16] << 8 | mad[17]) : 0,
			(unsigned long long)tid);
		fclose(f);
	}
	pthread_mutex_unlock(&lock);
	errno = saved;
}

/*
 * With MADCAPTURE_TID set (e.g. 0x1000), libibmad's transaction IDs count up from
 * that value instead of from a time- and pid-seeded random() value, so two
 * captures of one deterministic fabric are byte-identical. Only the low 32 bits
 * are the requester's: the kernel (or libumad2sim) owns the high 32 (IBA 13.4.6.4
 * leaves TID allocation to the requester; libibmad masks them).
 */
uint64_t mad_trid(void)
{
	typedef uint64_t (*trid_fn)(void);
	static trid_fn real;
	static uint32_t next;
	const char *base = getenv("MADCAPTURE_TID");

	if (base && *base) {
		pthread_mutex_lock(&lock);
		if (!next)
			next = (uint32_t)strtoul(base, NULL, 0);
		uint64_t tid = ++next;
		pthread_mutex_unlock(&lock);
		return tid;
	}
	if (!real)
		real = (trid_fn)dlsym(RTLD_NEXT, "mad_trid");
	return real ? real() : 0;
}

int umad_send(int portid, int agentid, void *umad, int length,
	      int timeout_ms, int retries)
{
	static send_fn real;

	if (!real)
		real = (send_fn)dlsym(RTLD_NEXT, "umad_send");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	int rc = real(portid, agentid, umad, length, timeout_ms, retries);
	if (rc == 0)
		record("send", umad, length);
	return rc;
}

int umad_recv(int portid, void *umad, int *length, int timeout_ms)
{
	static recv_fn real;

	if (!real)
		real = (recv_fn)dlsym(RTLD_NEXT, "umad_recv");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	int rc = real(portid, umad, length, timeout_ms);
	if (rc >= 0 && length)
		record("recv", umad, *length);
	return rc;
}
