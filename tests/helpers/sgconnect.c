// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test client: one TCP connect the way a spamming script would make it, and
 * an exit code that says what happened. Runs as any UID (no interpreter
 * needed, unlike /root's python).
 *   sgconnect [--nonblock|--fastopen] [--mptcp] [--count N] [--from SRC] ADDR PORT
 * ADDR: IPv4, IPv6, or ::ffff:a.b.c.d (then an AF_INET6 socket is used).
 * --mptcp: an MPTCP socket (SOCK_STREAM, IPPROTO_MPTCP), which the connect
 * hooks see with another protocol than TCP.
 * Prints "connected <banner>" or the errno name. Exit: 0 connected,
 * 10 EPERM, 11 ECONNREFUSED, 12 timed out, 13 no MPTCP socket here (kernel
 * without it, or net.mptcp.enabled=0), 1 anything else.
 * --count N repeats the connect N times (flood tests) and prints
 * "ok=<n> eperm=<n> other=<n>"; exit 0 when all ended in EPERM or all connected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

enum { PLAIN, NONBLOCK, FASTOPEN };

static int exit_for(int err)
{
	switch (err) {
	case 0: return 0;
	case EPERM: return 10;
	case ECONNREFUSED: return 11;
	case ETIMEDOUT: return 12;
	case EPROTONOSUPPORT: case ENOPROTOOPT: return 13;
	default: return 1;
	}
}

static int wait_connected(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (poll(&p, 1, 5000) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return errno;
	return soerr;
}

/* One attempt; returns 0 or an errno. banner gets the server's first line. */
static int proto; /* 0 (TCP), or IPPROTO_MPTCP */
/* --from ADDR: the source address, bound before connect (a DNAT of [::1]
 * needs a source the reply can come back to; issue 14 tests) */
static struct sockaddr_storage from;
static socklen_t fromlen;

static int parse_from(const char *a)
{
	struct sockaddr_in *f4 = (struct sockaddr_in *)&from;
	struct sockaddr_in6 *f6 = (struct sockaddr_in6 *)&from;

	if (inet_pton(AF_INET, a, &f4->sin_addr) == 1) {
		f4->sin_family = AF_INET;
		fromlen = sizeof(*f4);
	} else if (inet_pton(AF_INET6, a, &f6->sin6_addr) == 1) {
		f6->sin6_family = AF_INET6;
		fromlen = sizeof(*f6);
	} else {
		return -1;
	}
	return 0;
}

static int attempt(int how, const struct sockaddr *sa, socklen_t salen, char *banner, size_t blen)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | (how == NONBLOCK ? SOCK_NONBLOCK : 0), proto);
	struct timeval tv = { .tv_sec = 5 };
	int err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	if (fromlen && bind(fd, (struct sockaddr *)&from, fromlen)) {
		err = errno;
		close(fd);
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (how == FASTOPEN) {
		if (sendto(fd, "EHLO x\r\n", 8, MSG_FASTOPEN, sa, salen) < 0)
			err = errno == EINPROGRESS ? 0 : errno;
	} else if (connect(fd, sa, salen)) {
		err = errno;
		if (how == NONBLOCK && err == EINPROGRESS)
			err = wait_connected(fd);
	}
	if (!err && banner) {
		if (how == NONBLOCK) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			poll(&p, 1, 5000);
		}
		n = recv(fd, banner, blen - 1, 0);
		banner[n > 0 ? n : 0] = '\0';
		banner[strcspn(banner, "\r\n")] = '\0';
	}
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t salen;
	long count = 0;
	int how = PLAIN, i = 1, err;
	char banner[256] = "";

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--nonblock"))
			how = NONBLOCK;
		else if (!strcmp(argv[i], "--fastopen"))
			how = FASTOPEN;
		else if (!strcmp(argv[i], "--mptcp"))
			proto = IPPROTO_MPTCP;
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = atol(argv[++i]);
		else if (!strcmp(argv[i], "--from") && i + 1 < argc && !parse_from(argv[i + 1]))
			i++;
		else
			break;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: sgconnect [--nonblock|--fastopen] [--mptcp] [--count N] "
			"[--from SRC] ADDR PORT\n");
		return 2;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[i], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(argv[i + 1]));
		salen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[i], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(argv[i + 1]));
		salen = sizeof(*s6);
	} else {
		fprintf(stderr, "sgconnect: bad address %s\n", argv[i]);
		return 2;
	}

	if (count > 0) {
		long ok = 0, eperm = 0, other = 0;

		for (long k = 0; k < count; k++) {
			err = attempt(how, (struct sockaddr *)&ss, salen, NULL, 0);
			if (!err)
				ok++;
			else if (err == EPERM)
				eperm++;
			else
				other++;
		}
		printf("ok=%ld eperm=%ld other=%ld\n", ok, eperm, other);
		return (ok == count || eperm == count) ? 0 : 1;
	}
	err = attempt(how, (struct sockaddr *)&ss, salen, banner, sizeof(banner));
	if (err)
		printf("%s\n", err == EPERM ? "EPERM" : strerror(err));
	else
		printf("connected %s\n", banner);
	return exit_for(err);
}
