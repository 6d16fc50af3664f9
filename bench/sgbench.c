// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sgbench: the load generator and servers behind bench/run.sh.
 *
 *   sgbench serve SECONDS PORT...
 *       Listen on [::] (IPv4 and IPv6) on every PORT; accept and close at
 *       once. Prints "ready" when listening; exits after SECONDS or SIGTERM.
 *   sgbench sink SECONDS PORT
 *       Listen on PORT; read each connection to EOF, then close it.
 *   sgbench connect HOST PORT ITERATIONS
 *       ITERATIONS x { socket(); connect(); close() } (plus ITERATIONS/10
 *       untimed warm-up rounds), each timed with CLOCK_MONOTONIC. A socket
 *       that connects is closed with SO_LINGER {1,0} (RST, no TIME_WAIT), so
 *       thousands of iterations never run out of ephemeral ports.
 *       Prints one line:
 *         n=.. ok=.. eperm=.. refused=.. other=.. median_ns=.. p10_ns=..
 *         p90_ns=.. mean_ns=.. rate=..   (rate: operations per second)
 *   sgbench stream HOST PORT SECONDS
 *       Send 128 KiB writes for SECONDS, shut down, wait for the receiver to
 *       close; prints "bytes=.. seconds=.. gbit=..".
 *
 * Every mode is bounded in time (alarm) so that a harness killed with
 * SIGKILL never leaves a process behind for long.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 8
#define MAX_ITER  1000000L

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "sgbench: time limit reached\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
	_exit(3);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void setup_signals(unsigned int limit)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction al = { .sa_handler = on_alarm };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &al, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm(limit);
}

static unsigned int parse_seconds(const char *s)
{
	long v = strtol(s, NULL, 10);

	if (v < 1)
		v = 1;
	if (v > 7200)
		v = 7200;
	return (unsigned int)v;
}

static int listen_on(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = in6addr_any };
	int fd = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;

	if (fd < 0)
		return -1;
	a.sin6_port = htons((unsigned short)port);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096)) {
		fprintf(stderr, "sgbench: port %d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_serve(int argc, char **argv)
{
	struct pollfd pfd[MAX_PORTS];
	int n = 0;

	if (argc < 2 || argc - 1 > MAX_PORTS) {
		fprintf(stderr, "usage: sgbench serve SECONDS PORT...\n");
		return 2;
	}
	setup_signals(parse_seconds(argv[0]));
	for (int i = 1; i < argc; i++, n++) {
		int fd = listen_on(atoi(argv[i]));

		if (fd < 0)
			return 1;
		fcntl(fd, F_SETFL, O_NONBLOCK);
		pfd[n] = (struct pollfd){ .fd = fd, .events = POLLIN };
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		if (poll(pfd, (nfds_t)n, 200) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			int c;

			if (!(pfd[i].revents & POLLIN))
				continue;
			/* drain the accept queue; bounded by its length */
			for (int k = 0; k < 8192 && (c = accept(pfd[i].fd, NULL, NULL)) >= 0; k++)
				close(c);
		}
	}
	return 0;
}

static int cmd_sink(int argc, char **argv)
{
	static char buf[1 << 18];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: sgbench sink SECONDS PORT\n");
		return 2;
	}
	setup_signals(parse_seconds(argv[0]));
	fd = listen_on(atoi(argv[1]));
	if (fd < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 200) <= 0)
			continue;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		while (!stop && read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
	return 0;
}

/* resolve HOST (numeric IPv4 or IPv6) and PORT into a sockaddr */
static int make_addr(const char *host, const char *port, struct sockaddr_storage *ss,
		     socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	int p = atoi(port);

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)p);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)p);
		*len = sizeof(*a6);
		return 0;
	}
	fprintf(stderr, "sgbench: not a numeric address: %s\n", host);
	return -1;
}

enum { C_OK, C_EPERM, C_REFUSED, C_OTHER };

static int one_connect(const struct sockaddr_storage *ss, socklen_t len)
{
	static const struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(ss->ss_family, SOCK_STREAM, 0), r;

	if (fd < 0)
		return C_OTHER;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0) {
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		r = C_OK;
	} else if (errno == EPERM) {
		r = C_EPERM;
	} else if (errno == ECONNREFUSED) {
		r = C_REFUSED;
	} else {
		r = C_OTHER;
	}
	close(fd);
	return r;
}

static int cmd_connect(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	long n, warm, count[4] = { 0 };
	uint64_t *lat, t0, t_all, sum = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: sgbench connect HOST PORT ITERATIONS\n");
		return 2;
	}
	setup_signals(600);
	if (make_addr(argv[0], argv[1], &ss, &len))
		return 2;
	n = strtol(argv[2], NULL, 10);
	if (n < 1 || n > MAX_ITER) {
		fprintf(stderr, "sgbench: ITERATIONS must be 1..%ld\n", MAX_ITER);
		return 2;
	}
	lat = calloc((size_t)n, sizeof(*lat));
	if (!lat)
		return 1;
	warm = n / 10 + 1;
	for (long i = 0; i < warm && !stop; i++)
		one_connect(&ss, len);
	t_all = now_ns();
	for (long i = 0; i < n && !stop; i++) {
		t0 = now_ns();
		count[one_connect(&ss, len)]++;
		lat[i] = now_ns() - t0;
		sum += lat[i];
	}
	t_all = now_ns() - t_all;
	qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
	printf("n=%ld ok=%ld eperm=%ld refused=%ld other=%ld median_ns=%llu p10_ns=%llu "
	       "p90_ns=%llu mean_ns=%llu rate=%.0f\n",
	       n, count[C_OK], count[C_EPERM], count[C_REFUSED], count[C_OTHER],
	       (unsigned long long)lat[n / 2], (unsigned long long)lat[n / 10],
	       (unsigned long long)lat[n * 9 / 10], (unsigned long long)(sum / (uint64_t)n),
	       (double)n * 1e9 / (double)(t_all ? t_all : 1));
	free(lat);
	return count[C_OTHER] ? 1 : 0;
}

static int cmd_stream(int argc, char **argv)
{
	static char buf[128 * 1024];
	struct sockaddr_storage ss;
	socklen_t len;
	uint64_t bytes = 0, t0, end, el;
	double secs;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: sgbench stream HOST PORT SECONDS\n");
		return 2;
	}
	secs = strtod(argv[2], NULL);
	if (!(secs > 0 && secs <= 600)) {
		fprintf(stderr, "sgbench: SECONDS must be in (0, 600]\n");
		return 2;
	}
	setup_signals((unsigned int)secs + 60);
	if (make_addr(argv[0], argv[1], &ss, &len))
		return 2;
	memset(buf, 'x', sizeof(buf));
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len)) {
		fprintf(stderr, "sgbench: connect: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	end = t0 + (uint64_t)(secs * 1e9);
	while (!stop && now_ns() < end) {
		ssize_t w = write(fd, buf, sizeof(buf));

		if (w <= 0) {
			fprintf(stderr, "sgbench: write: %s\n", strerror(errno));
			return 1;
		}
		bytes += (uint64_t)w;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, buf, sizeof(buf)) > 0) /* receiver closes after EOF */
		;
	el = now_ns() - t0;
	close(fd);
	printf("bytes=%llu seconds=%.3f gbit=%.3f\n", (unsigned long long)bytes, el / 1e9,
	       (double)bytes * 8 / (double)el);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "serve"))
		return cmd_serve(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "sink"))
		return cmd_sink(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "connect"))
		return cmd_connect(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "stream"))
		return cmd_stream(argc - 2, argv + 2);
	fprintf(stderr, "usage: sgbench serve|sink|connect|stream ...\n");
	return 2;
}
