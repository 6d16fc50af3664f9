// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test client with a process name of the caller's choosing, any bytes (as
 * a user can set with prctl(PR_SET_NAME)): the JSON outputs must stay
 * valid UTF-8 whatever the name.
 *   sgcomm HEXNAME ADDR PORT
 * HEXNAME: the name's bytes in hex (at most 15), e.g. 73678ee9ff.
 * One TCP connect; exit 0 connected, 10 EPERM, 1 anything else.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int hex_name(const char *hex, char name[16])
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > 15)
		return -1;
	memset(name, 0, 16);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 || !v)
			return -1;
		name[i] = (char)v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr *sa = (struct sockaddr *)&s4;
	socklen_t salen = sizeof(s4);
	char name[16];
	int fd;

	if (argc != 4 || hex_name(argv[1], name)) {
		fprintf(stderr, "usage: sgcomm HEXNAME ADDR PORT\n");
		return 2;
	}
	s4.sin_port = s6.sin6_port = htons((unsigned short)atoi(argv[3]));
	if (inet_pton(AF_INET6, argv[2], &s6.sin6_addr) == 1) {
		sa = (struct sockaddr *)&s6;
		salen = sizeof(s6);
	} else if (inet_pton(AF_INET, argv[2], &s4.sin_addr) != 1) {
		fprintf(stderr, "sgcomm: bad address %s\n", argv[2]);
		return 2;
	}
	if (prctl(PR_SET_NAME, name, 0, 0, 0)) {
		perror("sgcomm: prctl(PR_SET_NAME)");
		return 1;
	}
	fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, sa, salen)) {
		printf("%s\n", strerror(errno));
		return errno == EPERM ? 10 : 1;
	}
	printf("connected\n");
	close(fd);
	return 0;
}
