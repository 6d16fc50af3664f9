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
 * A ring buffer has one consumer position, so two readers at once would
 * split the events between them; a perf event array holds one reader's
 * buffers. So there is one reader (issue 11): a running monitor announces
 * itself (monitor_state.h) and writes every event, as JSON, to its output
 * file as well as to syslog; `log` then follows that file (log_follow.h)
 * instead of the map, and takes the map over only while no monitor runs.
 * `log` prints live events only: those stamped before it started are
 * skipped, unless --since-load asks for the backlog.
 * Each event gets its attribution (attrib.h) when it is read, best effort.
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
#include "attrib.h"
#include "event_format.h"
#include "event_out.h"
#include "event_parse.h"
#include "log_follow.h"
#include "monitor_state.h"
#include "names.h"
#include "kstate.h"
#include "prefix.h"
#include "sysenv.h"
#include "events_reader.h"

#define REOPEN_EVERY_MS  2000
#define MONITOR_CHECK_MS 200  /* how soon log steps back for a monitor that started */
#define FOLLOW_IDLE_US   100000
#define PERF_PAGES       16 /* per CPU, a power of two: 64 KiB with 4 KiB pages */
#define MAX_CPUS         4096

static volatile sig_atomic_t stop, reopen;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reopen = 1;
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
		rd->pb = perf_buffer__new(fd, PERF_PAGES, sg_reader_on_perf_event, sg_reader_on_perf_lost, rd, NULL);
	else
		rd->rb = ring_buffer__new(fd, sg_reader_on_event, rd, NULL);
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

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long ms_since(const struct timespec *then)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - then->tv_sec) * 1000 + (now.tv_nsec - then->tv_nsec) / 1000000;
}

/* log: a monitor that started takes the map over (log follows its file
 * from its last part, which holds what the monitor wrote before log saw
 * it; the since filter skips older lines); one that stopped hands it back
 * (log reads what is left of its file first). At log's start, the file is
 * read from its end (live) or, with --since-load, from its start. */
static void check_monitor(struct reader *rd, const char *pin_dir, enum sg_follow_from from)
{
	struct sg_monitor_info info;
	bool alive = sg_monitor_find(pin_dir, &info) == 1;
	int rc;

	if (alive && rd->following && !strcmp(info.output, rd->fol.path))
		return;
	if (rd->following) {
		sg_follow_read(&rd->fol, sg_reader_on_line, rd);
		sg_follow_close(&rd->fol);
		rd->following = false;
	}
	if (!alive)
		return;
	close_reader(rd);
	rd->following = true;
	/* no file yet (the monitor has written nothing): fol.path is kept,
	 * and sg_follow_read opens it once it is there */
	rc = sg_follow_open(&rd->fol, info.output, from);
	if (rc && rc != -ENOENT)
		sg_warn("cannot read %s, the output of the running monitor (pid %d): %s",
			info.output, (int)info.pid, strerror(-rc));
}

/* monitor: announce this reader and open where it writes. 0 or an exit code. */
static int monitor_start(struct reader *rd, const struct sg_args *args)
{
	char def[SG_PATH_LEN], cwd[SG_PATH_LEN];
	const char *output = args->output;
	int fd;

	if (!output) {
		sg_monitor_path(args->pin_dir, ".json", def, sizeof(def));
		output = def;
	} else if (output[0] != '/') {
		/* log, in another directory, reads it by the path in the state */
		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(def, sizeof(def), "%s/%s", cwd, output) >= (int)sizeof(def)) {
			sg_err("--output %s: path too long", output);
			return SG_EXIT_USAGE;
		}
		output = def;
	}
	fd = sg_monitor_claim(args->pin_dir, output);
	if (fd < 0)
		return SG_EXIT_RUNTIME;
	rd->state_fd = fd;
	if (sg_event_out_open(&rd->out, output, !args->output))
		return SG_EXIT_RUNTIME;
	return 0;
}

/* The first look: an exit code, or -1 to go on reading. */
static int start(struct reader *rd, const struct sg_args *args, const char *hint)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: poll returns */
	struct sigaction hup = { .sa_handler = on_hup };
	int rc;

	if (rd->to_syslog && (rc = monitor_start(rd, args)))
		return rc;
	if (!rd->to_syslog)
		check_monitor(rd, args->pin_dir, args->since_load ? SG_FOLLOW_START : SG_FOLLOW_END);
	rc = rd->following ? 1 : follow(rd, args->pin_dir, hint);
	if (rc < 0)
		return SG_EXIT_RUNTIME;
	if (rc == 0 && !rd->to_syslog) {
		sg_err("not loaded (no pinned events in %s)", args->pin_dir);
		return SG_EXIT_NOT_LOADED;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* the monitor reopens its output file on SIGHUP (logrotate) */
	sigaction(SIGHUP, rd->to_syslog ? &hup : &sa, NULL);
	if (rd->to_syslog) {
		openlog("smtpguard", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		syslog(LOG_INFO, "monitor started (pin dir %s, output %s)", args->pin_dir,
		       rd->out.path);
	}
	return -1;
}

/* One turn of reading the map; re-opens it every REOPEN_EVERY_MS. 0 or
 * an exit code. */
static int read_map(struct reader *rd, const struct sg_args *args, const char *hint,
		    struct timespec *last, bool *waiting_said)
{
	int rc;

	if (ms_since(last) >= REOPEN_EVERY_MS) {
		clock_gettime(CLOCK_MONOTONIC, last);
		if (follow(rd, args->pin_dir, hint) == 0 && rd->to_syslog && !*waiting_said) {
			syslog(LOG_NOTICE, "not loaded: waiting for %s/events", args->pin_dir);
			*waiting_said = true;
		} else if (reading(rd)) {
			*waiting_said = false;
		}
	}
	if (!reading(rd)) {
		usleep(200000);
		return 0;
	}
	rc = rd->pb ? perf_buffer__poll(rd->pb, MONITOR_CHECK_MS) : ring_buffer__poll(rd->rb, MONITOR_CHECK_MS);
	if (rc < 0 && rc != -EINTR) {
		sg_err("reading events failed: %s", strerror(-rc));
		return SG_EXIT_RUNTIME;
	}
	return 0;
}

/* Reads until a signal. */
static int read_loop(struct reader *rd, const struct sg_args *args, const char *hint)
{
	struct timespec last_open = { 0 }, last_check = { 0 };
	bool waiting_said = false;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &last_open);
	while (!stop) {
		if (reopen) {
			reopen = 0;
			sg_event_out_reopen(&rd->out, sg_reader_syslog_warn);
		}
		if (!rd->to_syslog && ms_since(&last_check) >= MONITOR_CHECK_MS) {
			clock_gettime(CLOCK_MONOTONIC, &last_check);
			check_monitor(rd, args->pin_dir, SG_FOLLOW_TAIL);
			if (!rd->following && !reading(rd))
				last_open = (struct timespec){ 0 }; /* handed back: open it now */
		}
		if (rd->following) {
			if (!sg_follow_read(&rd->fol, sg_reader_on_line, rd))
				usleep(FOLLOW_IDLE_US);
		} else if ((rc = read_map(rd, args, hint, &last_open, &waiting_said))) {
			return rc;
		}
	}
	/* what is already there */
	if (rd->rb)
		ring_buffer__consume(rd->rb);
	if (rd->pb)
		perf_buffer__consume(rd->pb);
	if (rd->following)
		sg_follow_read(&rd->fol, sg_reader_on_line, rd);
	if (rd->to_syslog)
		syslog(LOG_INFO, "monitor stopped");
	return SG_EXIT_OK;
}

/* log --user NAME|UID: 0, or an exit code with the line said. */
static int take_user(struct reader *rd, const char *user)
{
	unsigned long long id;

	if (!user)
		return 0;
	rd->user_filter = true;
	if (!sg_parse_uint(user, UINT32_MAX - 1, &id)) {
		rd->user_uid = (__u32)id;
		return 0;
	}
	if (sg_user_id(user, &rd->user_uid)) {
		sg_err("--user: no such user '%s'", user);
		return SG_EXIT_USAGE;
	}
	return 0;
}

static int run(const struct sg_args *args, bool to_syslog)
{
	_cleanup_free_ struct reader *rd = calloc(1, sizeof(*rd));
	char root[SG_PATH_LEN];
	const char *hint;
	int rc;

	if (!rd) {
		sg_err("out of memory");
		return SG_EXIT_RUNTIME;
	}
	rd->json = args->json;
	rd->to_syslog = to_syslog;
	rd->map_fd = rd->state_fd = rd->out.fd = rd->fol.fd = -1;
	rd->since = to_syslog || args->since_load ? 0 : now_unix();
	if ((rc = take_user(rd, args->user)))
		return rc;
	if (sg_check_userns())
		return SG_EXIT_RUNTIME;
	/* with the pins gone, the map is found through the attached program */
	if ((rc = sg_kstate_hint(args->cgroup, root, sizeof(root), &hint)))
		return sg_kstate_exit(rc);
	if ((rc = start(rd, args, hint)) < 0)
		rc = read_loop(rd, args, hint);
	close_reader(rd);
	sg_follow_close(&rd->fol);
	/* the default file is in memory, and only for a log following this
	 * monitor (which keeps reading it through its open fd) */
	if (rd->out.capped && rd->state_fd >= 0) {
		char old[SG_PATH_LEN + 4];

		snprintf(old, sizeof(old), "%s.1", rd->out.path);
		unlink(old);
		unlink(rd->out.path);
	}
	sg_event_out_close(&rd->out);
	sg_monitor_release(args->pin_dir, rd->state_fd);
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
