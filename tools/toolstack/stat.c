/*
 * kxl stat NAME|ID [--json] [-d SECONDS [-n COUNT]]: per device, the
 * exits a domain's vCPUs made, where they were handled (in kxend's core,
 * forwarded to the device model, or unclaimed), how many and their mean
 * latency; like xentop, but for exits. Figures come from two ops:
 * KXEN_OP_DOMAIN_IO_STATS (in-core devices, unclaimed) and
 * KXEN_OP_DOMAIN_EXIT_STATS (device-model ranges, PVM syscall
 * completion, per-vCPU exits). With -d the figures are per interval.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "kxl.h"

#define MAX_INTERVAL_S 3600.0
#define MAX_ROWS (KXEN_IO_STATS_MAX + KXEN_EXIT_STATS_MAX_RANGES + 2)

#define IO_BYTES                                                               \
	(sizeof(struct kxen_io_stats_reply) +                                  \
	 KXEN_IO_STATS_MAX * sizeof(struct kxen_io_stat))
#define EX_BYTES                                                               \
	(sizeof(struct kxen_exit_stats_reply) +                                \
	 KXEN_EXIT_STATS_MAX_RANGES * sizeof(struct kxen_dm_range_stat))

/* Replies as kxend sends them, with room for every entry (on the heap:
 * two replies with flexible arrays cannot share one struct in C11). */
struct snapshot {
	struct kxen_io_stats_reply *io;	  /* IO_BYTES */
	struct kxen_exit_stats_reply *ex; /* EX_BYTES */
	double when;			  /* CLOCK_MONOTONIC seconds */
};

static int snapshot_init(struct snapshot *s)
{
	s->io = calloc(1, IO_BYTES);
	s->ex = calloc(1, EX_BYTES);
	return s->io && s->ex ? 0 : -1;
}

static void snapshot_free(struct snapshot *s)
{
	free(s->io);
	free(s->ex);
	s->io = NULL;
	s->ex = NULL;
}

static void snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	memcpy(dst->io, src->io, IO_BYTES);
	memcpy(dst->ex, src->ex, EX_BYTES);
	dst->when = src->when;
}

/* One line of the table. time_ns is meaningless when !timed. */
struct row {
	char device[24];
	const char *space; /* port, mmio, pci */
	const char *where; /* core, dm, unclaimed */
	uint64_t start, end;
	bool has_range, timed;
	uint64_t exits, time_ns;
};

struct stat_opts {
	const char *domain;
	bool json;
	double interval; /* 0: one shot */
	long count;	 /* refreshes with -d; 0: until interrupted */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int take(xc_interface *xch, uint32_t domid, struct snapshot *s)
{
	s->when = kxl_now_s();
	if (kxc_domain_io_stats(xch, domid, s->io, IO_BYTES) < 0 ||
	    kxc_domain_exit_stats(xch, domid, s->ex, EX_BYTES) < 0)
		return -1;
	return 0;
}

static const char *dm_space(uint16_t type)
{
	switch (type) {
	case KXEN_IOREQ_RANGE_PORT:
		return "port";
	case KXEN_IOREQ_RANGE_MMIO:
		return "mmio";
	default:
		return "pci";
	}
}

/* Flatten a snapshot into rows: core devices, DM ranges, unclaimed. */
static unsigned rows_of(const struct snapshot *s, struct row *out)
{
	unsigned n = 0, i;

	for (i = 0; i < s->io->count; i++) {
		const struct kxen_io_stat *st = &s->io->stat[i];

		out[n] = (struct row){.space = st->space ? "mmio" : "port",
				      .where = "core",
				      .start = st->base,
				      .end = st->base + st->len - 1,
				      .has_range = true,
				      .timed = true,
				      .exits = st->exits,
				      .time_ns = st->time_ns};
		snprintf(out[n++].device, sizeof(out[0].device), "%.*s",
			 (int)sizeof(st->name), st->name);
	}
	for (i = 0; i < s->ex->count; i++) {
		const struct kxen_dm_range_stat *st = &s->ex->range[i];

		/* A DM range is named by its server and its range. */
		out[n] = (struct row){.space = dm_space(st->type),
				      .where = "dm",
				      .start = st->start,
				      .end = st->end,
				      .has_range = true,
				      .timed = true,
				      .exits = st->exits,
				      .time_ns = st->time_ns};
		snprintf(out[n++].device, sizeof(out[0].device), "ioreq%u",
			 st->server);
	}
	out[n++] = (struct row){.device = "-",
				.space = "port",
				.where = "unclaimed",
				.exits = s->io->unclaimed_port};
	out[n++] = (struct row){.device = "-",
				.space = "mmio",
				.where = "unclaimed",
				.exits = s->io->unclaimed_mmio};
	return n;
}

/* The same row in an earlier snapshot, to make per-interval figures. */
static const struct row *match(const struct row *r, const struct row *old,
			       unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(old[i].device, r->device) == 0 &&
		    old[i].where == r->where && old[i].space == r->space &&
		    old[i].start == r->start && old[i].end == r->end)
			return &old[i];
	return NULL;
}

/* Turn cumulative rows into the change since prev (counters only grow;
 * a range mapped anew restarts at 0, hence the guard). */
static void subtract(struct row *rows, unsigned n, const struct row *prev,
		     unsigned np)
{
	for (unsigned i = 0; i < n; i++) {
		const struct row *o = match(&rows[i], prev, np);

		if (o && o->exits <= rows[i].exits &&
		    o->time_ns <= rows[i].time_ns) {
			rows[i].exits -= o->exits;
			rows[i].time_ns -= o->time_ns;
		}
	}
}

static void range_text(const struct row *r, char *buf, size_t len)
{
	if (!r->has_range)
		snprintf(buf, len, "*");
	else if (strcmp(r->space, "pci") == 0) /* SBDF: bus:dev.fn */
		snprintf(buf, len, "%02llx:%02llx.%llx-%02llx:%02llx.%llx",
			 (unsigned long long)(r->start >> 8) & 0xff,
			 (unsigned long long)(r->start >> 3) & 0x1f,
			 (unsigned long long)r->start & 7,
			 (unsigned long long)(r->end >> 8) & 0xff,
			 (unsigned long long)(r->end >> 3) & 0x1f,
			 (unsigned long long)r->end & 7);
	else
		snprintf(buf, len, "%#llx-%#llx", (unsigned long long)r->start,
			 (unsigned long long)r->end);
}

static void print_table(const struct stat_opts *o, const struct row *rows,
			unsigned n, const struct snapshot *s, double secs)
{
	const struct kxen_exit_stats_reply *e = s->ex;
	uint64_t total = 0;
	char range[48];

	if (secs > 0)
		printf("domain %s: last %.2f s\n", o->domain, secs);
	printf("%-12s %-5s %-27s %-9s %12s %10s\n", "DEVICE", "SPACE", "RANGE",
	       "WHERE", secs > 0 ? "EXITS/S" : "EXITS", "MEAN_US");
	for (unsigned i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		range_text(r, range, sizeof(range));
		printf("%-12s %-5s %-27s %-9s ", r->device, r->space, range,
		       r->where);
		if (secs > 0)
			printf("%12.1f ", r->exits / secs);
		else
			printf("%12llu ", (unsigned long long)r->exits);
		if (r->timed && r->exits)
			printf("%10.2f\n", r->time_ns / 1e3 / r->exits);
		else
			printf("%10s\n", "-");
	}
	for (unsigned i = 0; i < e->nr_vcpus; i++)
		total += e->vcpu_exits[i];
	printf("vCPU exits: %llu (", (unsigned long long)total);
	for (unsigned i = 0; i < e->nr_vcpus; i++)
		printf("%s%u: %llu", i ? ", " : "", i,
		       (unsigned long long)e->vcpu_exits[i]);
	printf(")\nPVM syscalls completed: %llu, faults stepped over: %llu\n"
	       "emulation failures: %llu, software interrupts delivered: "
	       "%llu\n",
	       (unsigned long long)e->pvm_syscalls,
	       (unsigned long long)e->pvm_faults_stepped,
	       (unsigned long long)e->emulation_failures,
	       (unsigned long long)e->emulated_softints);
}

static void gen_str(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void gen_u64(yajl_gen g, const char *key, uint64_t v)
{
	gen_str(g, key);
	yajl_gen_integer(g, (long long)v);
}

static void gen_row(yajl_gen g, const struct row *r, double secs)
{
	yajl_gen_map_open(g);
	gen_str(g, "device");
	gen_str(g, r->device);
	gen_str(g, "space");
	gen_str(g, r->space);
	gen_str(g, "where");
	gen_str(g, r->where);
	if (r->has_range) {
		gen_u64(g, "start", r->start);
		gen_u64(g, "end", r->end);
	}
	gen_u64(g, "exits", r->exits);
	if (secs > 0) {
		gen_str(g, "exits_per_s");
		yajl_gen_double(g, r->exits / secs);
	}
	gen_str(g, "mean_us");
	if (r->timed && r->exits)
		yajl_gen_double(g, r->time_ns / 1e3 / r->exits);
	else
		yajl_gen_null(g);
	yajl_gen_map_close(g);
}

/* One JSON object per snapshot, on one line (a stream with -d). */
static int print_json(const struct stat_opts *o, uint32_t domid,
		      const struct row *rows, unsigned n,
		      const struct snapshot *s, double secs)
{
	const struct kxen_exit_stats_reply *e = s->ex;
	yajl_gen g = yajl_gen_alloc(NULL);
	const unsigned char *buf;
	size_t len;

	if (!g)
		return -1;
	yajl_gen_map_open(g);
	gen_str(g, "domain");
	gen_str(g, o->domain);
	gen_u64(g, "domid", domid);
	gen_str(g, "interval_s");
	if (secs > 0)
		yajl_gen_double(g, secs);
	else
		yajl_gen_null(g);
	gen_str(g, "devices");
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < n; i++)
		gen_row(g, &rows[i], secs);
	yajl_gen_array_close(g);
	gen_str(g, "vcpu_exits");
	yajl_gen_array_open(g);
	for (unsigned i = 0; i < e->nr_vcpus; i++)
		yajl_gen_integer(g, (long long)e->vcpu_exits[i]);
	yajl_gen_array_close(g);
	gen_u64(g, "pvm_syscalls", e->pvm_syscalls);
	gen_u64(g, "pvm_faults_stepped", e->pvm_faults_stepped);
	gen_u64(g, "emulation_failures", e->emulation_failures);
	gen_u64(g, "emulated_softints", e->emulated_softints);
	yajl_gen_map_close(g);
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		return -1;
	}
	printf("%.*s\n", (int)len, (const char *)buf);
	yajl_gen_free(g);
	return 0;
}

/* Per-domain counters as a difference too, when refreshing. */
static void subtract_domain(struct kxen_exit_stats_reply *cur,
			    const struct kxen_exit_stats_reply *old)
{
	cur->pvm_syscalls -= old->pvm_syscalls;
	cur->pvm_faults_stepped -= old->pvm_faults_stepped;
	cur->emulation_failures -= old->emulation_failures;
	cur->emulated_softints -= old->emulated_softints;
	for (unsigned i = 0; i < cur->nr_vcpus && i < old->nr_vcpus; i++)
		cur->vcpu_exits[i] -= old->vcpu_exits[i];
}

/* Print cur, or what changed since prev when there is one. */
static int show(const struct stat_opts *o, uint32_t domid,
		const struct snapshot *cur, const struct snapshot *prev)
{
	static struct row rows[MAX_ROWS], old[MAX_ROWS];
	static struct snapshot s;
	unsigned n;
	double secs = 0;

	if (!s.io && snapshot_init(&s) < 0)
		return -1;
	snapshot_copy(&s, cur);
	n = rows_of(&s, rows);
	if (prev) {
		unsigned np = rows_of(prev, old);

		secs = s.when - prev->when;
		subtract(rows, n, old, np);
		subtract_domain(s.ex, prev->ex);
	}
	if (o->json)
		return print_json(o, domid, rows, n, &s, secs);
	print_table(o, rows, n, &s, secs);
	return 0;
}

static int parse_interval(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= 0 ||
	    v > MAX_INTERVAL_S) {
		kxl_err("bad interval '%s': give seconds, more than 0 and at "
			"most %.0f",
			arg, MAX_INTERVAL_S);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_count(const char *arg, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > 1000000) {
		kxl_err("bad count '%s': give a number of refreshes from 1 to "
			"1000000",
			arg);
		return -1;
	}
	*out = v;
	return 0;
}

static const struct option stat_options[] = {
    {"json", no_argument, NULL, 'j'},
    {"delay", required_argument, NULL, 'd'},
    {"iterations", required_argument, NULL, 'n'},
    {NULL, 0, NULL, 0},
};

static int parse_args(int argc, char **argv, struct stat_opts *o)
{
	bool have_count = false;
	int c;

	memset(o, 0, sizeof(*o));
	/* 0, not 1: glibc then forgets main()'s "+" (stop at the first
	 * non-option), so options may also follow NAME as in xl. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jd:n:", stat_options, NULL)) !=
	       -1) {
		if (c == 'j')
			o->json = true;
		else if (c == 'd' && parse_interval(optarg, &o->interval) < 0)
			return -1;
		else if (c == 'n' && parse_count(optarg, &o->count) < 0)
			return -1;
		else if (c == 'n')
			have_count = true;
		else if (c == '?') {
			kxl_err("usage: kxl stat NAME|ID [--json] [-d SECONDS "
				"[-n COUNT]]");
			return -1;
		}
	}
	if (optind != argc - 1) {
		kxl_err("usage: kxl stat NAME|ID [--json] [-d SECONDS "
			"[-n COUNT]]");
		return -1;
	}
	if (have_count && o->interval == 0) {
		kxl_err("-n COUNT needs -d SECONDS (the refresh interval)");
		return -1;
	}
	o->domain = argv[optind];
	return 0;
}

/* Sleep secs, or less when a signal asks us to stop. */
static void pause_for(double secs)
{
	struct timespec ts = {.tv_sec = (time_t)secs,
			      .tv_nsec = (long)((secs - (time_t)secs) * 1e9)};

	if (!stop_requested)
		nanosleep(&ts, NULL);
}

static int refresh_loop(const struct stat_opts *o, xc_interface *xch,
			uint32_t domid)
{
	struct snapshot a = {0}, b = {0};
	struct snapshot *prev = &a, *cur = &b, *t;
	struct sigaction sa = {.sa_handler = on_signal};
	int rc = -1;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (snapshot_init(&a) < 0 || snapshot_init(&b) < 0 ||
	    take(xch, domid, prev) < 0)
		goto out;
	for (long i = 0; !stop_requested && (!o->count || i < o->count); i++) {
		pause_for(o->interval);
		if (stop_requested)
			break;
		if (take(xch, domid, cur) < 0 || show(o, domid, cur, prev) < 0)
			goto out;
		if (!o->json)
			putchar('\n');
		fflush(stdout);
		t = prev;
		prev = cur;
		cur = t;
	}
	rc = 0;
out:
	snapshot_free(&a);
	snapshot_free(&b);
	return rc;
}

int kxl_cmd_stat(int argc, char **argv)
{
	struct snapshot s = {0};
	struct stat_opts o;
	xc_interface *xch;
	uint32_t domid;
	int rc = KXL_EXIT_FAIL;

	if (parse_args(argc, argv, &o) < 0)
		return KXL_EXIT_USAGE;
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	if (kxc_domain_lookup(xch, o.domain, &domid) < 0) {
		if (errno == ESRCH)
			kxl_err("no domain named '%s' (see 'kxl list')",
				o.domain);
		else
			kxl_err("cannot look up domain '%s': %s", o.domain,
				kxc_last_error(xch));
	} else if (o.interval > 0
		       ? refresh_loop(&o, xch, domid) == 0
		       : snapshot_init(&s) == 0 && take(xch, domid, &s) == 0 &&
			     show(&o, domid, &s, NULL) == 0) {
		rc = 0;
	} else {
		kxl_err("cannot read the statistics of domain '%s': %s",
			o.domain, kxc_last_error(xch));
	}
	snapshot_free(&s);
	xc_interface_close(xch);
	return rc;
}
