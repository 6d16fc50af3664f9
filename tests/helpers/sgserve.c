// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Test mail host: listens on the given ports on [::] (IPv4 and IPv6),
 * greets each client with "220 NAME PORT", logs "accept PORT" per connection
 * to stdout (line-buffered) and closes. Runs until SIGTERM/SIGINT.
 *   sgserve NAME PORT...
 * Prints "ready" once every port listens.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PORTS 8

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[MAX_PORTS];
	int port[MAX_PORTS], n = 0, one = 1, zero = 0, tfo = 16;
	struct sigaction sa = { .sa_handler = on_signal };

	if (argc < 3 || argc - 2 > MAX_PORTS) {
		fprintf(stderr, "usage: sgserve NAME PORT...\n");
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 2; i < argc; i++, n++) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any };
		int fd = socket(AF_INET6, SOCK_STREAM, 0);

		port[n] = atoi(argv[i]);
		a.sin6_port = htons((unsigned short)port[n]);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &tfo, sizeof(tfo));
		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 128)) {
			fprintf(stderr, "sgserve: port %d: %s\n", port[n], strerror(errno));
			return 1;
		}
		pfd[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	printf("ready\n");
	while (!stop) {
		if (poll(pfd, (nfds_t)n, 500) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			char msg[128];
			int c;

			if (!(pfd[i].revents & POLLIN))
				continue;
			c = accept(pfd[i].fd, NULL, NULL);
			if (c < 0)
				continue;
			snprintf(msg, sizeof(msg), "220 %s %d\r\n", argv[1], port[i]);
			if (write(c, msg, strlen(msg)) < 0)
				perror("sgserve: write");
			close(c);
			printf("accept %d\n", port[i]);
		}
	}
	return 0;
}
