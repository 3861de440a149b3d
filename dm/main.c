/*
 * kxen-dm: the device model of one domain (DESIGN.md, "Processes";
 * README.md, "kxen-dm").
 *
 *   kxen-dm --domid N --name NAME [--rundir DIR] [--logdir DIR]
 *           [--devices LIST] [--ready-fd FD]
 *
 * Start-up order matters: the devices and their ranges exist before the
 * ioreq server is enabled, and the server is enabled before we report
 * ready, so the toolstack never unpauses a guest whose devices are not
 * there yet. Readiness (or the one-line reason we failed) goes to
 * --ready-fd. Then a libevent loop serves the event channels and the
 * console until the domain is gone: our ioreq server vanishes with it,
 * which a once-a-second check notices.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "devices.h"
#include "dm.h"
#include "ioreq_client.h"
#include "kxen/msg.h"
#include "kxenctrl.h"
#include "xendevicemodel.h"
#include "xenevtchn.h"
#include "xenforeignmemory.h"

#define ALIVE_CHECK_SEC 1

struct options {
	long domid;
	const char *name;
	const char *rundir;
	const char *logdir;
	const char *devices;
	int ready_fd;
	unsigned mask;
};

struct dm {
	struct options opt;
	char log_path[PATH_MAX], pid_path[PATH_MAX];
	xendevicemodel_handle *dmod;
	xenevtchn_handle *xce;
	xenforeignmemory_handle *fmem;
	unsigned nr_vcpus;
	struct event_base *base;
	struct dm_registry *reg;
	struct dm_devices *devs;
	struct dm_guest_mem *mem;
	struct dm_ioreq *ioreq;
	struct event *ev_ioreq, *ev_alive, *ev_sig[3];
	int exit_code;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kxen-dm --domid N --name NAME [--rundir DIR] "
		   "[--logdir DIR] [--devices LIST] [--ready-fd FD]\n"
		   "  --devices  comma-separated: com1, com2, pci, i8042, pm, "
		   "seqcheck, default\n");
}

/* Tell whoever started us (kxl) how start-up went: "ready" or why not. */
static void report(struct dm *dm, const char *line)
{
	int fd = dm->opt.ready_fd;
	size_t len = strlen(line);

	if (fd < 0)
		return;
	if (write(fd, line, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		/* kxl gave up waiting; the log has the story. */
	}
	close(fd);
	dm->opt.ready_fd = -1;
}

static int startup_error(struct dm *dm, const char *msg)
{
	fprintf(stderr, "kxen-dm: %s\n", msg);
	dm_log("start-up failed: %s", msg);
	report(dm, msg);
	return 1;
}

static int parse_int(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o, char *err,
			 size_t len)
{
	static const struct option lopts[] = {
	    {"domid", required_argument, NULL, 'd'},
	    {"name", required_argument, NULL, 'n'},
	    {"rundir", required_argument, NULL, 'r'},
	    {"logdir", required_argument, NULL, 'l'},
	    {"devices", required_argument, NULL, 'D'},
	    {"ready-fd", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	long fd;
	int c;

	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_int(optarg, KXEN_MAX_DOMID, &o->domid) < 0) {
				snprintf(err, len, "bad --domid '%s'", optarg);
				return -1;
			}
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'r':
			o->rundir = optarg;
			break;
		case 'l':
			o->logdir = optarg;
			break;
		case 'D':
			o->devices = optarg;
			break;
		case 'f':
			if (parse_int(optarg, INT_MAX, &fd) < 0) {
				snprintf(err, len, "bad --ready-fd '%s'",
					 optarg);
				return -1;
			}
			o->ready_fd = (int)fd;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			snprintf(err, len, "bad option (see kxen-dm --help)");
			return -1;
		}
	}
	if (optind != argc || o->domid < 1 || !o->name ||
	    !kxen_name_valid(o->name, KXEN_NAME_MAX)) {
		snprintf(err, len,
			 "--domid N (N >= 1) and a valid --name are required");
		return -1;
	}
	return dm_devices_parse(o->devices, &o->mask, err, len);
}

static int open_handles(struct dm *dm, char *err, size_t len)
{
	dm->dmod = xendevicemodel_open(NULL, 0);
	dm->xce = xenevtchn_open(NULL, 0);
	dm->fmem = xenforeignmemory_open(NULL, 0);
	if (!dm->dmod || !dm->xce || !dm->fmem) {
		snprintf(err, len, "cannot open libctl handles: %s",
			 kxc_last_error(NULL));
		return -1;
	}
	return 0;
}

/* The domain's vCPU count (one ioreq slot and port per vCPU). */
static int query_domain(struct dm *dm, char *err, size_t len)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	struct kxen_domain_info info;
	int n;

	if (!xch) {
		snprintf(err, len, "%s", kxc_last_error(NULL));
		return -1;
	}
	n = kxc_domain_list(xch, (uint32_t)dm->opt.domid, 1, &info);
	if (n != 1 || info.domid != (uint32_t)dm->opt.domid)
		snprintf(err, len, "no domain %ld: %s", dm->opt.domid,
			 n < 0 ? kxc_last_error(xch) : "it does not exist");
	else
		dm->nr_vcpus = info.max_vcpus;
	xc_interface_close(xch);
	return dm->nr_vcpus ? 0 : -1;
}

static int setup_devices(struct dm *dm, char *err, size_t len)
{
	struct dm_devices_config dc = {.mask = dm->opt.mask,
				       .base = dm->base,
				       .dmod = dm->dmod,
				       .domid = (uint32_t)dm->opt.domid,
				       .name = dm->opt.name,
				       .rundir = dm->opt.rundir,
				       .logdir = dm->opt.logdir,
				       .reg = dm->reg};

	dm->devs = dm_devices_create(&dc, err, len);
	return dm->devs ? 0 : -1;
}

static int setup_ioreq(struct dm *dm, char *err, size_t len)
{
	struct dm_ioreq_env env = {.dmod = dm->dmod,
				   .xce = dm->xce,
				   .fmem = dm->fmem,
				   .domid = (uint32_t)dm->opt.domid,
				   .nr_vcpus = dm->nr_vcpus,
				   .reg = dm->reg,
				   .mem = dm->mem};

	dm->ioreq = dm_ioreq_open(&env, err, len);
	if (!dm->ioreq || dm_ioreq_start(dm->ioreq, err, len) < 0)
		return -1;
	return 0;
}

/* From here on these handles can reach our domain only. */
static int restrict_handles(struct dm *dm, char *err, size_t len)
{
	domid_t d = (domid_t)dm->opt.domid;

	if (xendevicemodel_restrict(dm->dmod, d) < 0 ||
	    xenforeignmemory_restrict(dm->fmem, d) < 0 ||
	    xenevtchn_restrict(dm->xce, d) < 0) {
		snprintf(err, len, "cannot restrict to domain %u: %s", d,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void on_ioreq(evutil_socket_t fd, short what, void *arg)
{
	struct dm *dm = arg;

	(void)fd;
	(void)what;
	dm_ioreq_handle_events(dm->ioreq);
}

static void on_alive_check(evutil_socket_t fd, short what, void *arg)
{
	struct dm *dm = arg;
	int rc = dm_ioreq_check_alive(dm->ioreq);

	(void)fd;
	(void)what;
	if (rc < 0) {
		dm_log("domain %ld is gone (%s): exiting", dm->opt.domid,
		       strerror(-rc));
		event_base_loopbreak(dm->base);
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct dm *dm = arg;

	(void)what;
	dm_log("signal %d: exiting", (int)sig);
	event_base_loopbreak(dm->base);
}

static int setup_events(struct dm *dm, char *err, size_t len)
{
	static const int sigs[3] = {SIGTERM, SIGINT, SIGHUP};
	struct timeval every = {.tv_sec = ALIVE_CHECK_SEC};

	dm->ev_ioreq = event_new(dm->base, dm_ioreq_fd(dm->ioreq),
				 EV_READ | EV_PERSIST, on_ioreq, dm);
	dm->ev_alive = event_new(dm->base, -1, EV_PERSIST, on_alive_check, dm);
	for (unsigned i = 0; i < 3; i++) {
		dm->ev_sig[i] = evsignal_new(dm->base, sigs[i], on_signal, dm);
		if (!dm->ev_sig[i] || evsignal_add(dm->ev_sig[i], NULL) < 0)
			break;
	}
	if (!dm->ev_ioreq || !dm->ev_alive || !dm->ev_sig[2] ||
	    event_add(dm->ev_ioreq, NULL) < 0 ||
	    event_add(dm->ev_alive, &every) < 0) {
		snprintf(err, len, "cannot set up the event loop");
		return -1;
	}
	return 0;
}

static void write_pidfile(struct dm *dm)
{
	FILE *f;

	snprintf(dm->pid_path, sizeof(dm->pid_path), "%s/dm-%ld.pid",
		 dm->opt.rundir, dm->opt.domid);
	f = fopen(dm->pid_path, "we");
	if (!f) {
		dm_log("cannot write %s: %s (kxl destroy will rely on the "
		       "DM noticing the domain is gone)",
		       dm->pid_path, strerror(errno));
		dm->pid_path[0] = '\0';
		return;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

static int start(struct dm *dm)
{
	char err[PATH_MAX + 512];

	if (open_handles(dm, err, sizeof(err)) < 0 ||
	    query_domain(dm, err, sizeof(err)) < 0)
		return startup_error(dm, err);
	dm->base = event_base_new();
	dm->reg = dm_registry_create();
	dm->mem = dm_guest_mem_create(dm->fmem, (uint32_t)dm->opt.domid);
	if (!dm->base || !dm->reg || !dm->mem)
		return startup_error(dm, "out of memory");
	if (setup_devices(dm, err, sizeof(err)) < 0 ||
	    setup_ioreq(dm, err, sizeof(err)) < 0 ||
	    restrict_handles(dm, err, sizeof(err)) < 0 ||
	    setup_events(dm, err, sizeof(err)) < 0)
		return startup_error(dm, err);
	write_pidfile(dm);
	dm_log("ready: domain %ld '%s', %u vCPU(s), %u range(s), devices '%s'",
	       dm->opt.domid, dm->opt.name, dm->nr_vcpus,
	       dm_registry_count(dm->reg), dm->opt.devices);
	report(dm, "ready");
	return 0;
}

static void log_stats(struct dm *dm)
{
	uint64_t sync = 0, buffered = 0;

	if (dm->ioreq)
		dm_ioreq_stats(dm->ioreq, &sync, &buffered);
	dm_log("handled %llu synchronous and %llu buffered requests",
	       (unsigned long long)sync, (unsigned long long)buffered);
	for (unsigned i = 0; dm->reg && i < dm_registry_count(dm->reg); i++) {
		const struct dm_range *r = dm_registry_at(dm->reg, i);

		dm_log("  %-18s %#llx-%#llx: %llu accesses", r->name,
		       (unsigned long long)r->start, (unsigned long long)r->end,
		       (unsigned long long)r->accesses);
	}
	if (dm->devs)
		dm_devices_report(dm->devs);
}

static void teardown(struct dm *dm)
{
	log_stats(dm);
	if (dm->ev_ioreq)
		event_free(dm->ev_ioreq);
	if (dm->ev_alive)
		event_free(dm->ev_alive);
	for (unsigned i = 0; i < 3; i++)
		if (dm->ev_sig[i])
			event_free(dm->ev_sig[i]);
	dm_ioreq_close(dm->ioreq);
	dm_devices_destroy(dm->devs);
	dm_guest_mem_destroy(dm->mem);
	dm_registry_destroy(dm->reg);
	if (dm->base)
		event_base_free(dm->base);
	if (dm->fmem)
		xenforeignmemory_close(dm->fmem);
	if (dm->xce)
		xenevtchn_close(dm->xce);
	if (dm->dmod)
		xendevicemodel_close(dm->dmod);
	if (dm->pid_path[0])
		unlink(dm->pid_path);
	dm_log("exit");
	dm_log_close();
}

static void default_options(struct options *o)
{
	const char *rundir = getenv("KXEN_RUNDIR");

	*o =
	    (struct options){.domid = -1,
			     .rundir = rundir && *rundir ? rundir : "/run/kxen",
			     .logdir = "/var/log/kxen",
			     .devices = "default",
			     .ready_fd = -1};
}

int main(int argc, char **argv)
{
	static struct dm dm; /* main()'s singleton */
	char err[PATH_MAX + 512];
	int rc;

	default_options(&dm.opt);
	signal(SIGPIPE, SIG_IGN); /* a vanished client is an EPIPE */
	if (parse_options(argc, argv, &dm.opt, err, sizeof(err)) < 0)
		return startup_error(&dm, err);
	/* libctl finds kxend through $KXEN_RUNDIR. */
	setenv("KXEN_RUNDIR", dm.opt.rundir, 1);
	snprintf(dm.log_path, sizeof(dm.log_path), "%s/dm-%s.log",
		 dm.opt.logdir, dm.opt.name);
	rc = dm_log_open(dm.log_path);
	if (rc < 0) {
		snprintf(err, sizeof(err), "cannot open log file %s: %s",
			 dm.log_path, strerror(-rc));
		return startup_error(&dm, err);
	}
	dm_log("kxen-dm starting for domain %ld '%s'", dm.opt.domid,
	       dm.opt.name);
	rc = start(&dm);
	if (rc == 0)
		event_base_dispatch(dm.base);
	teardown(&dm);
	return rc;
}
