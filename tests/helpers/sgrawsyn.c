// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test client for the egress layer: a TCP handshake made by hand on a raw
 * IPPROTO_TCP socket, as a container root could, with no connect() for the
 * connect hooks to judge. Sends a SYN, waits for the SYN-ACK, answers with
 * the ACK, so the remote's accept() returns. (The kernel of the sending
 * namespace answers the SYN-ACK with a RST, as no socket of its own knows
 * the connection: the test drops outgoing RSTs there with nft.)
 *   sgrawsyn SRC DST PORT      (both IPv4 or both IPv6)
 * Prints "handshake" or "timeout". Exit: 0 handshake done, 12 no SYN-ACK
 * within 3 s, 1 anything else (said).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SYN 0x02
#define ACK 0x10

struct tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t off, flags;
	uint16_t win, sum, urg;
};

/* A source port of this run: a port of an earlier run may still be in
 * the remote's TIME_WAIT or FIN_WAIT, which would not answer a SYN. */
static uint16_t src_port;

static uint32_t sum16(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

/* IPv4: the TCP checksum over the pseudo-header (IPv6 sockets compute it,
 * IPV6_CHECKSUM). */
static void checksum4(struct tcp *t, const struct in_addr *s, const struct in_addr *d)
{
	uint8_t ph[12];
	uint32_t x;

	memcpy(ph, s, 4);
	memcpy(ph + 4, d, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP;
	ph[10] = 0;
	ph[11] = sizeof(*t);
	t->sum = 0;
	x = sum16(t, sizeof(*t), sum16(ph, sizeof(ph), 0));
	while (x >> 16)
		x = (x & 0xffff) + (x >> 16);
	t->sum = htons((uint16_t)~x);
}

static int send_seg(int fd, int fam, const void *src, const void *dst, const struct sockaddr *sa,
		    socklen_t salen, uint16_t port, uint32_t seq, uint32_t ack, uint8_t flags)
{
	struct tcp t = { .sport = htons(src_port), .dport = htons(port), .seq = htonl(seq),
			 .ack = htonl(ack), .off = (sizeof(t) / 4) << 4, .flags = flags,
			 .win = htons(65535) };

	if (fam == AF_INET)
		checksum4(&t, src, dst);
	return sendto(fd, &t, sizeof(t), 0, sa, salen) == sizeof(t) ? 0 : -1;
}

/* The SYN-ACK for our SYN: its sequence number, or -1 on timeout. */
static long wait_synack(int fd, int fam, uint16_t port, uint32_t iss)
{
	time_t end = time(NULL) + 3;
	uint8_t buf[2048];

	while (time(NULL) < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		size_t off = 0;
		struct tcp t;

		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((n = recv(fd, buf, sizeof(buf), 0)) <= 0)
			continue;
		if (fam == AF_INET)
			off = (size_t)(buf[0] & 0x0f) * 4; /* IPv4 raw sockets see the IP header */
		if ((size_t)n < off + sizeof(t))
			continue;
		memcpy(&t, buf + off, sizeof(t));
		if (ntohs(t.sport) == port && ntohs(t.dport) == src_port &&
		    (t.flags & (SYN | ACK)) == (SYN | ACK) && ntohl(t.ack) == iss + 1)
			return (long)ntohl(t.seq);
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage src = { 0 }, dst = { 0 };
	void *sa, *da;
	socklen_t len;
	uint32_t iss = 1000;
	long peer;
	int fam, fd, port, off = 16;

	if (argc != 4) {
		fprintf(stderr, "usage: sgrawsyn SRC DST PORT\n");
		return 1;
	}
	src_port = (uint16_t)(40000 + getpid() % 20000);
	fam = strchr(argv[2], ':') ? AF_INET6 : AF_INET;
	port = atoi(argv[3]);
	if (fam == AF_INET) {
		struct sockaddr_in *s = (void *)&src, *d = (void *)&dst;

		s->sin_family = d->sin_family = AF_INET;
		sa = &s->sin_addr;
		da = &d->sin_addr;
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (void *)&src, *d = (void *)&dst;

		s->sin6_family = d->sin6_family = AF_INET6;
		sa = &s->sin6_addr;
		da = &d->sin6_addr;
		len = sizeof(*s);
	}
	if (inet_pton(fam, argv[1], sa) != 1 || inet_pton(fam, argv[2], da) != 1) {
		fprintf(stderr, "sgrawsyn: bad address\n");
		return 1;
	}
	if ((fd = socket(fam, SOCK_RAW, IPPROTO_TCP)) < 0 ||
	    bind(fd, (struct sockaddr *)&src, len) ||
	    (fam == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off)))) {
		fprintf(stderr, "sgrawsyn: raw socket: %s\n", strerror(errno));
		return 1;
	}
	/* a dropped SYN reads as success to sendto (the egress hook drops it
	 * silently), so only the answer tells */
	if (send_seg(fd, fam, sa, da, (struct sockaddr *)&dst, len, (uint16_t)port, iss, 0, SYN)) {
		printf("%s\n", strerror(errno));
		return errno == EPERM ? 10 : 1;
	}
	if ((peer = wait_synack(fd, fam, (uint16_t)port, iss)) < 0) {
		printf("timeout\n");
		return 12;
	}
	if (send_seg(fd, fam, sa, da, (struct sockaddr *)&dst, len, (uint16_t)port, iss + 1,
		     (uint32_t)peer + 1, ACK)) {
		fprintf(stderr, "sgrawsyn: ack: %s\n", strerror(errno));
		return 1;
	}
	printf("handshake\n");
	return 0;
}
