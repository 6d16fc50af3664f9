// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Load-test client: connects to ADDR PORT over and over for SECONDS and
 * counts how each attempt ended. Runs as any UID (no interpreter needed).
 *   sgworker [--pause-us N] SECONDS ADDR PORT
 * Prints "ok=<n> eperm=<n> other=<n>" (and the first "other" errno) at the
 * end. Each connection is closed with a reset (SO_LINGER 0), so thousands
 * of them leave no TIME_WAIT behind. Exit 0 unless the arguments are bad.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct timeval tv = { .tv_sec = 2 };
	long ok = 0, eperm = 0, other = 0, pause_us = 200;
	int first_other = 0, i = 1;
	socklen_t salen;
	double end;

	if (argc > 2 && !strcmp(argv[1], "--pause-us")) {
		pause_us = atol(argv[2]);
		i = 3;
	}
	if (argc - i != 3) {
		fprintf(stderr, "usage: sgworker [--pause-us N] SECONDS ADDR PORT\n");
		return 2;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[i + 1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)atoi(argv[i + 2]));
		salen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[i + 1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)atoi(argv[i + 2]));
		salen = sizeof(*s6);
	} else {
		fprintf(stderr, "sgworker: bad address %s\n", argv[i + 1]);
		return 2;
	}
	end = now() + atof(argv[i]);
	while (now() < end) {
		int fd = socket(ss.ss_family, SOCK_STREAM, 0);

		if (fd < 0) {
			other++;
			if (!first_other)
				first_other = errno;
			usleep(1000);
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&ss, salen) == 0) {
			ok++;
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		} else if (errno == EPERM) {
			eperm++;
		} else {
			other++;
			if (!first_other)
				first_other = errno;
		}
		close(fd);
		if (pause_us > 0)
			usleep((useconds_t)pause_us);
	}
	printf("ok=%ld eperm=%ld other=%ld", ok, eperm, other);
	if (first_other)
		printf(" first_other=%s", strerror(first_other));
	printf("\n");
	return 0;
}
