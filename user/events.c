// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * log and monitor: consume the events map (its pin, or the attached
 * program's map when the pins are gone, layout-checked by the kernel-state
 * module, kstate.h). `log` prints one line (or JSON object) per event until
 * interrupted; `monitor` writes each to syslog and is meant to run as a
 * service. Both follow the enforcement across unload/load: when the events
 * map changes, they re-open it. The map is a BPF ring buffer, or a perf
 * event array where the kernel has no ring buffer (SG_FEAT_PERFBUF); the
 * map's type says which.
 * A ring buffer has one consumer position, so two readers at once split
 * the events between them; a perf event array holds one reader's buffers,
 * so a reader re-claims its slots at every re-open check.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cleanup.h"
#include "clock.h"
#include "commands.h"
#include "common.h"
#include "event_format.h"
#include "names.h"
#include "kstate.h"
#include "sysenv.h"

#define NAME_CACHE_SLOTS 256
#define NAME_CACHE_TTL   60 /* seconds: accounts come and go on hosting servers */
#define REOPEN_EVERY_MS  2000
#define PERF_PAGES       16 /* per CPU, a power of two: 64 KiB with 4 KiB pages */
#define MAX_CPUS         4096

static volatile sig_atomic_t stop;

struct name_slot {
	__u32 uid;
	time_t at;
	char name[SG_NAME_MAX];
};

struct reader {
	bool json, to_syslog;
	struct name_slot cache[NAME_CACHE_SLOTS];
	int map_fd;
	__u32 map_id;
	__u32 features;          /* of the loaded policy: which clock stamps */
	bool said;               /* an error following the map was said */
	struct ring_buffer *rb;  /* one of these two, by the events map's type */
	struct perf_buffer *pb;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A tight retry loop by one account must not mean one NSS query per event. */
static const char *user_name(struct reader *rd, __u32 uid)
{
	struct name_slot *s = &rd->cache[uid % NAME_CACHE_SLOTS];
	time_t now = time(NULL);

	if (s->at == 0 || s->uid != uid || now - s->at > NAME_CACHE_TTL) {
		s->uid = uid;
		s->at = now;
		sg_user_name(uid, s->name, sizeof(s->name));
	}
	return s->name;
}

static int on_event(void *ctx, void *data, size_t len)
{
	struct reader *rd = ctx;
	struct sg_event ev, *e = &ev;
	char line[1024], when[48];
	double t;

	if (len < sizeof(*e))
		return 0;
	/* a perf sample is only 4-byte aligned (after its u32 size): copy it
	 * out rather than read its u64 fields in place */
	memcpy(&ev, data, sizeof(ev));
	t = sg_stamp_to_unix(e->ts_ns, rd->features);
	if (rd->to_syslog) {
		sg_event_line(e, user_name(rd, e->uid), line, sizeof(line));
		syslog(e->verdict == SG_VERDICT_AUDITED ? LOG_NOTICE : LOG_WARNING, "%s", line);
	} else if (rd->json) {
		sg_event_json(e, user_name(rd, e->uid), t, line, sizeof(line));
		printf("%s\n", line);
	} else {
		sg_iso_time(t, when, sizeof(when));
		sg_event_line(e, user_name(rd, e->uid), line, sizeof(line));
		printf("%s %s\n", when, line);
	}
	fflush(stdout);
	return 0;
}

static void on_perf_event(void *ctx, int cpu, void *data, __u32 size)
{
	on_event(ctx, data, size);
}

/* The kernel dropped samples from a full per-CPU buffer (the program could
 * not tell, so they are not in the `lost` counter): say so where events go. */
static void on_perf_lost(void *ctx, int cpu, __u64 count)
{
	struct reader *rd = ctx;

	if (rd->to_syslog)
		syslog(LOG_WARNING, "%llu events lost on CPU %d (buffer full)",
		       (unsigned long long)count, cpu);
	else
		sg_warn("%llu events lost on CPU %d (buffer full)", (unsigned long long)count, cpu);
}

static bool reading(const struct reader *rd)
{
	return rd->rb || rd->pb;
}

static void close_reader(struct reader *rd)
{
	ring_buffer__free(rd->rb);
	rd->rb = NULL;
	perf_buffer__free(rd->pb);
	rd->pb = NULL;
	if (rd->map_fd >= 0)
		close(rd->map_fd);
	rd->map_fd = -1;
	rd->map_id = 0;
}

/* Online CPUs in the order libbpf opened its per-CPU buffers ("0-3,6"). */
static int online_cpus(int *cpus, int max)
{
	char buf[1024] = "", *p = buf;
	int fd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t got = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (got <= 0)
		return -1;
	while (*p && *p != '\n') {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return -1;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long c = a; c <= b && n < max; c++)
			cpus[n++] = (int)c;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* Another perf reader that came and went took our slots with it (the
 * kernel clears a slot when the file that filled it closes): fill them
 * with our buffers again. */
static void reclaim_perf_slots(struct reader *rd)
{
	static int cpus[MAX_CPUS];
	int n = online_cpus(cpus, MAX_CPUS);
	size_t cnt = perf_buffer__buffer_cnt(rd->pb);

	for (size_t i = 0; n > 0 && i < cnt && i < (size_t)n; i++) {
		__u32 key = (__u32)cpus[i];
		int fd = perf_buffer__buffer_fd(rd->pb, i);

		if (fd >= 0)
			bpf_map_update_elem(rd->map_fd, &key, &fd, BPF_ANY);
	}
}

/* (Re)opens the events map (the kernel-state module finds it under its pin
 * or through the attached program, and checks its layout) when it is not
 * the one being read. Returns 1 when reading, 0 when nothing is loaded,
 * -errno on error (said once until reading works again). */
static int follow(struct reader *rd, const char *pin_dir, const char *cg_hint)
{
	struct sg_history h;
	int rc = sg_kstate_open_history(pin_dir, cg_hint, SG_HIST_BIT(SG_HIST_EVENTS) |
					(rd->said ? SG_HIST_QUIET : 0), &h);
	int fd = h.fd[SG_HIST_EVENTS];

	if (rc) {
		sg_history_close(&h);
		close_reader(rd);
		rd->said = rc != -ENOENT;
		return rc == -ENOENT ? 0 : rc;
	}
	rd->said = false;
	/* a reload may switch the clock without replacing the events map */
	rd->features = h.policy.features;
	if (reading(rd) && h.id[SG_HIST_EVENTS] == rd->map_id) {
		sg_history_close(&h);
		if (rd->pb)
			reclaim_perf_slots(rd);
		return 1;
	}
	close_reader(rd);
	if (h.events_perf)
		rd->pb = perf_buffer__new(fd, PERF_PAGES, on_perf_event, on_perf_lost, rd, NULL);
	else
		rd->rb = ring_buffer__new(fd, on_event, rd, NULL);
	if (!reading(rd)) {
		rc = -errno;
		if (!rd->said)
			sg_err("cannot read the events map in %s: %s", pin_dir, strerror(errno));
		rd->said = true;
		sg_history_close(&h);
		return rc;
	}
	rd->map_fd = sg_take_fd(&h.fd[SG_HIST_EVENTS]);
	rd->map_id = h.id[SG_HIST_EVENTS];
	return 1;
}

/* The first look: an exit code, or -1 to go on reading. */
static int start(struct reader *rd, const struct sg_args *args, const char *hint)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns */
	int rc = follow(rd, args->pin_dir, hint);

	if (rc < 0)
		return SG_EXIT_RUNTIME;
	if (rc == 0 && !rd->to_syslog) {
		sg_err("not loaded (no pinned events in %s)", args->pin_dir);
		return SG_EXIT_NOT_LOADED;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (rd->to_syslog) {
		openlog("smtpguard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog(LOG_INFO, "monitor started (pin dir %s)", args->pin_dir);
	}
	return -1;
}

/* Reads until a signal, re-opening the map every REOPEN_EVERY_MS. */
static int read_loop(struct reader *rd, const struct sg_args *args, const char *hint)
{
	struct timespec last = { 0 }, now;
	bool waiting_said = false;
	int rc;

	while (!stop) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 >=
		    REOPEN_EVERY_MS) {
			last = now;
			if (follow(rd, args->pin_dir, hint) == 0 && rd->to_syslog && !waiting_said) {
				syslog(LOG_NOTICE, "not loaded: waiting for %s/events", args->pin_dir);
				waiting_said = true;
			} else if (reading(rd)) {
				waiting_said = false;
			}
		}
		if (!reading(rd)) {
			usleep(200000);
			continue;
		}
		rc = rd->pb ? perf_buffer__poll(rd->pb, 500) : ring_buffer__poll(rd->rb, 500);
		if (rc < 0 && rc != -EINTR) {
			sg_err("reading events failed: %s", strerror(-rc));
			return SG_EXIT_RUNTIME;
		}
	}
	/* what is already there */
	if (rd->rb)
		ring_buffer__consume(rd->rb);
	if (rd->pb)
		perf_buffer__consume(rd->pb);
	if (rd->to_syslog)
		syslog(LOG_INFO, "monitor stopped");
	return SG_EXIT_OK;
}

static int run(const struct sg_args *args, bool to_syslog)
{
	_cleanup_free_ struct reader *rd = calloc(1, sizeof(*rd));
	char err[SG_ERRLEN], root[SG_PATH_LEN];
	const char *hint;
	int rc;

	if (!rd) {
		sg_err("out of memory");
		return SG_EXIT_RUNTIME;
	}
	rd->json = args->json;
	rd->to_syslog = to_syslog;
	rd->map_fd = -1;
	if ((rc = sg_check_userns(err, sizeof(err)))) {
		sg_err("%s", err);
		return rc;
	}
	/* with the pins gone, the map is found through the attached program */
	if ((rc = sg_kstate_hint(args->cgroup, root, sizeof(root), &hint)))
		return sg_kstate_exit(rc);
	if ((rc = start(rd, args, hint)) < 0)
		rc = read_loop(rd, args, hint);
	close_reader(rd);
	return rc;
}

int sg_cmd_log(const struct sg_args *args)
{
	return run(args, false);
}

int sg_cmd_monitor(const struct sg_args *args)
{
	return run(args, true);
}
