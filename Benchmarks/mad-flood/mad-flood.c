// mad-flood: the ceiling for a userspace SMP requester. Keeps WINDOW LID-routed
// SubnGet(NodeInfo) SMPs outstanding through libibumad, round-robin over LIDs
// 1..MAXLID, until COUNT have been answered; prints the rate. A MAD handed back
// (ibsim returns a lost MAD at once with status 110, ib_umad after its timeout) is
// sent again. Built and run by scripts/bench next to `ibmad mad-rate`.
//
//   mad-flood WINDOW COUNT MAXLID
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <infiniband/umad.h>

enum { MAD_SIZE = 256 };

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static void put64(uint8_t *p, uint64_t v) { for (int i = 7; i >= 0; i--, v >>= 8) p[i] = v; }

// IBA 13.4.3 common header + 14.2.1.1 LID-routed SMP: Get NodeInfo (0x0011).
static void build(void *umad, int agent, uint16_t lid, uint64_t tid)
{
	uint8_t *mad = umad_get_mad(umad);
	memset(mad, 0, MAD_SIZE);
	mad[0] = 1;		/* base version */
	mad[1] = 0x01;		/* SubnMgt LID routed */
	mad[2] = 1;		/* class version */
	mad[3] = 0x01;		/* Get */
	put64(mad + 8, tid);
	put16(mad + 16, 0x0011);
	umad_set_addr(umad, lid, 0, 0, 0);
	(void)agent;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: mad-flood WINDOW COUNT MAXLID\n");
		return 2;
	}
	int window = atoi(argv[1]);
	long count = atol(argv[2]);
	int maxlid = atoi(argv[3]);
	if (window < 1 || count < 1 || maxlid < 1) {
		fprintf(stderr, "mad-flood: WINDOW, COUNT and MAXLID must be positive\n");
		return 2;
	}
	if (umad_init() < 0) { perror("umad_init"); return 1; }
	int fd = umad_open_port(NULL, 0);
	if (fd < 0) { fprintf(stderr, "umad_open_port: %s\n", strerror(-fd)); return 1; }
	int agent = umad_register(fd, 0x01, 1, 0, NULL);
	if (agent < 0) { fprintf(stderr, "umad_register: %s\n", strerror(-agent)); return 1; }
	void *send = umad_alloc(1, umad_size() + MAD_SIZE);
	void *recv = umad_alloc(1, umad_size() + MAD_SIZE);

	long sent = 0, answered = 0, resent = 0;
	uint64_t tid = 1;
	int next_lid = 1;
	double start = now();
	for (int i = 0; i < window && sent < count; i++, sent++) {
		build(send, agent, next_lid, tid++);
		next_lid = next_lid % maxlid + 1;
		if (umad_send(fd, agent, send, MAD_SIZE, 0, 0) < 0) { perror("umad_send"); return 1; }
	}
	while (answered < count) {
		int len = MAD_SIZE;
		if (umad_recv(fd, recv, &len, 5000) < 0) {
			fprintf(stderr, "mad-flood: no answer within 5 s (%ld of %ld answered)\n", answered, count);
			return 1;
		}
		if (umad_status(recv) != 0) {	/* handed back: send it again */
			uint16_t lid = ntohs(umad_get_mad_addr(recv)->lid);
			build(send, agent, lid ? lid : 1, tid++);
			resent++;
			if (umad_send(fd, agent, send, MAD_SIZE, 0, 0) < 0) { perror("umad_send"); return 1; }
			continue;
		}
		answered++;
		if (sent < count) {
			build(send, agent, next_lid, tid++);
			next_lid = next_lid % maxlid + 1;
			sent++;
			if (umad_send(fd, agent, send, MAD_SIZE, 0, 0) < 0) { perror("umad_send"); return 1; }
		}
	}
	double elapsed = now() - start;
	printf("window %d: %ld MADs in %.3f s = %.0f MADs/s (%ld resent)\n", window, answered, elapsed,
	       answered / elapsed, resent);
	umad_close_port(fd);
	return 0;
}
