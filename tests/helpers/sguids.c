// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Many-UID test client (issue 11: a user with a subordinate ID range): run
 * as root, it takes each real UID of FIRST..FIRST+COUNT-1 in turn
 * (setresuid, keeping effective UID 0 to switch again; the connect hooks
 * judge the real UID) and makes one connect to ADDR PORT as each.
 *   sguids [--for SECONDS] [--hold SECONDS] FIRST COUNT ADDR PORT
 * --for: repeat the pass over the UIDs until SECONDS have passed.
 * --hold: stay alive that long afterwards (attribution reads /proc/PID).
 * Prints "connects=<n> eperm=<n> other=<n>". Exit 0 unless arguments or
 * setresuid fail.
 */
#define _GNU_SOURCE
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
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	double run_for = 0, hold = 0, end;
	long connects = 0, eperm = 0, other = 0;
	unsigned long first, count;
	socklen_t salen;
	int i = 1, port;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2)
		*(strcmp(argv[i], "--for") ? &hold : &run_for) = atof(argv[i + 1]);
	if (argc - i != 4) {
		fprintf(stderr, "usage: sguids [--for S] [--hold S] FIRST COUNT ADDR PORT\n");
		return 2;
	}
	first = strtoul(argv[i], NULL, 10);
	count = strtoul(argv[i + 1], NULL, 10);
	port = atoi(argv[i + 3]);
	if (inet_pton(AF_INET, argv[i + 2], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		salen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[i + 2], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		salen = sizeof(*s6);
	} else {
		fprintf(stderr, "sguids: bad address %s\n", argv[i + 2]);
		return 2;
	}
	end = now() + run_for;
	do {
		for (unsigned long u = first; u < first + count; u++) {
			int fd;

			if (setresuid((uid_t)u, 0, 0)) {
				perror("sguids: setresuid");
				return 1;
			}
			fd = socket(ss.ss_family, SOCK_STREAM, 0);
			if (fd < 0)
				continue;
			connects++;
			if (!connect(fd, (struct sockaddr *)&ss, salen))
				;
			else if (errno == EPERM)
				eperm++;
			else
				other++;
			close(fd);
		}
	} while (now() < end);
	printf("connects=%ld eperm=%ld other=%ld\n", connects, eperm, other);
	fflush(stdout);
	if (hold > 0)
		usleep((useconds_t)(hold * 1e6));
	return 0;
}
