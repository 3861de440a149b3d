/*
 * Suite "dm": kxen-dm end to end. A private kxend runs tests/guests/
 * serial.bin through `kxl create`, which starts one kxen-dm per domain;
 * the tests talk to the DM's console socket as a client would (raw
 * bytes; recent output first), read the guest's verdicts in the console
 * ring, and kill the DM to see the domain crash alone. Timeouts are
 * generous: guest kernel code is emulated on the build hosts.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "kxenctrl.h"
#include "xendevicemodel.h"
#include "xenforeignmemory.h"

#define GUEST_TIMEOUT_MS 60000
#define ECHO_TIMEOUT_MS 30000
#define BANNER "kxen serial: echo ready"

/* kxend for one test; kxl and the DM find the log dir through the env. */
static struct harness_kxend *start_kxend(void)
{
	struct harness_kxend *k = harness_kxend_start();

	CU_ASSERT_PTR_NOT_NULL(k);
	if (k)
		setenv("KXEN_LOGDIR", k->logdir, 1);
	return k;
}

/* Write a config for serial.bin and `kxl create` it; returns kxl's
 * status, its output in *out when out is not NULL. */
static int create(struct harness_kxend *k, const char *name, const char *guest,
		  const char *cmdline, const char *devices, char **out)
{
	char json[1024], dev[300] = "", *img = harness_guest(guest), *cfg;
	char *o = NULL;
	int rc;

	if (devices)
		snprintf(dev, sizeof(dev), ", \"devices\": \"%s\"", devices);
	/* preserve: tests inspect crashed domains, which their monitor
	 * would otherwise destroy (xl's default on_crash). */
	snprintf(json, sizeof(json),
		 "{\"name\": \"%s\", \"memory\": 16, \"vcpus\": 1, "
		 "\"kernel\": \"%s\", \"cmdline\": \"%s\", "
		 "\"on_crash\": \"preserve\"%s}",
		 name, img, cmdline, dev);
	free(img);
	cfg = harness_write_config(k, name, json);
	if (!cfg)
		return -1;
	rc = harness_kxl(&o, "create", cfg, NULL);
	if (rc != 0 && !out)
		fprintf(stderr, "\nkxl create %s: %s\n", name, o ? o : "");
	if (out)
		*out = o;
	else
		free(o);
	free(cfg);
	return rc;
}

static int lookup(const char *name, struct kxen_domain_info *info)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	struct kxen_domain_info all[32];
	int n, found = -1;

	if (!xch)
		return -1;
	n = kxc_domain_list(xch, 0, 32, all);
	for (int i = 0; i < n; i++)
		if (strcmp(all[i].name, name) == 0) {
			*info = all[i];
			found = 0;
		}
	xc_interface_close(xch);
	return found;
}

static uint32_t domid_of(const char *name)
{
	struct kxen_domain_info info;

	return lookup(name, &info) == 0 ? info.domid : 0;
}

/* ---- a console client, speaking the socket protocol ---- */

static int console_open(struct harness_kxend *k, uint32_t domid)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/console-%u.sock",
		 k->rundir, domid);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	fprintf(stderr, "\nconnect %s: %s\n", sa.sun_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

struct reader {
	char buf[65536 + 4096];
	size_t len;
};

/* Read from fd into r until its text contains needle (from offset
 * from), for at most timeout_ms. 0 when found. */
static int read_until(int fd, struct reader *r, size_t from, const char *needle,
		      int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	for (int waited = 0; waited < timeout_ms; waited += 100) {
		ssize_t n;

		r->buf[r->len] = '\0';
		if (from <= r->len && strstr(r->buf + from, needle))
			return 0;
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len);
		if (n <= 0)
			return -1;
		r->len += (size_t)n;
	}
	r->buf[r->len] = '\0';
	fprintf(stderr, "\nconsole: no '%s' in [%s]\n", needle, r->buf + from);
	return -1;
}

static int send_str(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

/* ---- tests ---- */

/* 1. Banner through the UART, then interrupt-driven echo. */
static void test_echo_interrupts(void)
{
	struct harness_kxend *k;
	struct reader *r = calloc(1, sizeof(*r));
	int fd;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k || !r)
		goto out;
	CU_ASSERT_EQUAL_FATAL(
	    create(k, "echo1", "serial.bin", "echo", NULL, NULL), 0);
	fd = console_open(k, domid_of("echo1"));
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(read_until(fd, r, 0, BANNER, ECHO_TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(send_str(fd, "hello\n"), 0);
	CU_ASSERT_EQUAL(
	    read_until(fd, r, strlen(BANNER), "hello\n", ECHO_TIMEOUT_MS), 0);
	close(fd);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "echo1", NULL), 0);
out:
	free(r);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* 2. Input survives a client leaving; late clients get the history;
 * several clients at once. */
static void test_console_reattach(void)
{
	struct harness_kxend *k;
	struct reader *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct reader *c = calloc(1, sizeof(*c));
	int fa, fb, fc;
	uint32_t domid;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k || !a || !b || !c)
		goto out;
	CU_ASSERT_EQUAL_FATAL(
	    create(k, "echo2", "serial.bin", "echo", NULL, NULL), 0);
	domid = domid_of("echo2");
	fa = console_open(k, domid);
	CU_ASSERT_FATAL(fa >= 0);
	CU_ASSERT_EQUAL(read_until(fa, a, 0, BANNER, ECHO_TIMEOUT_MS), 0);
	/* A types and leaves before the echo can have come back. */
	CU_ASSERT_EQUAL(send_str(fa, "first-line\n"), 0);
	close(fa);
	/* B attaches late: history has the banner and A's echo. */
	fb = console_open(k, domid);
	CU_ASSERT_FATAL(fb >= 0);
	CU_ASSERT_EQUAL(read_until(fb, b, 0, BANNER, ECHO_TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(read_until(fb, b, 0, "first-line\n", ECHO_TIMEOUT_MS),
			0);
	/* C joins and leaves again; B's input and output carry on. */
	fc = console_open(k, domid);
	CU_ASSERT(fc >= 0);
	if (fc >= 0) {
		CU_ASSERT_EQUAL(
		    read_until(fc, c, 0, "first-line\n", ECHO_TIMEOUT_MS), 0);
		close(fc);
	}
	size_t mark = b->len;
	CU_ASSERT_EQUAL(send_str(fb, "second-line\n"), 0);
	CU_ASSERT_EQUAL(
	    read_until(fb, b, mark, "second-line\n", ECHO_TIMEOUT_MS), 0);
	close(fb);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "echo2", NULL), 0);
out:
	free(a);
	free(b);
	free(c);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* A guest's "<tag> writes=W bad=B" verdict from the console ring. */
static void expect_verdict(const char *tag, unsigned writes)
{
	char needle[96], *out = NULL;

	snprintf(needle, sizeof(needle), "%s writes=%u bad=0", tag, writes);
	CU_ASSERT_EQUAL(harness_wait_dmesg(needle, GUEST_TIMEOUT_MS), 0);
	harness_kxl(&out, "dmesg", NULL);
	if (!out || !strstr(out, needle))
		fprintf(stderr, "\nno '%s' in dmesg:\n%s\n", needle,
			out ? out : "");
	free(out);
}

/* 3. 100,000 synchronous accesses: none lost, doubled or reordered
 * (the DM's sequence checker sees every value once, in order). */
static void test_forwarded_sequence(void)
{
	struct harness_kxend *k;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k)
		return;
	CU_ASSERT_EQUAL(
	    create(k, "seq1", "serial.bin", "seq", "com1,seqcheck", NULL), 0);
	expect_verdict("seq:", 100000);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "seq1", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* 5. More buffered writes than the 511-slot ring holds, in order. */
static void test_buffered_wrap(void)
{
	struct harness_kxend *k;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k)
		return;
	CU_ASSERT_EQUAL(
	    create(k, "buf1", "serial.bin", "buf", "com1,seqcheck", NULL), 0);
	expect_verdict("buf:", 2000);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "buf1", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

static pid_t dm_pid(struct harness_kxend *k, uint32_t domid)
{
	char path[512];
	FILE *f;
	int pid = -1;

	snprintf(path, sizeof(path), "%s/dm-%u.pid", k->rundir, domid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

static int wait_state(const char *name, uint32_t state, int timeout_ms)
{
	struct kxen_domain_info info;

	for (int t = 0; t < timeout_ms; t += 50) {
		if (lookup(name, &info) == 0 && info.state == state)
			return 0;
		usleep(50000);
	}
	return -1;
}

/* The last "spin: tick N" of a domain in dmesg, or -1. */
static long last_tick(uint32_t domid)
{
	char needle[64], *out = NULL, *p;
	long best = -1;

	snprintf(needle, sizeof(needle), "d%u: guest: spin: tick ", domid);
	harness_kxl(&out, "dmesg", NULL);
	for (p = out; p && (p = strstr(p, needle)); p += strlen(needle))
		best = strtol(p + strlen(needle), NULL, 10);
	free(out);
	return best;
}

/* 4. kill -9 of the DM while the guest loops on UART accesses. */
static void test_dm_killed(void)
{
	struct harness_kxend *k;
	struct kxen_domain_info info;
	uint32_t victim, bystander;
	long t0 = -1;
	pid_t pid;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k)
		return;
	CU_ASSERT_EQUAL(create(k, "bystander", "spin.bin", "", NULL, NULL), 0);
	CU_ASSERT_EQUAL(create(k, "victim", "serial.bin", "spin", NULL, NULL),
			0);
	victim = domid_of("victim");
	bystander = domid_of("bystander");
	CU_ASSERT_EQUAL(harness_wait_dmesg("serial: spin", GUEST_TIMEOUT_MS),
			0);
	usleep(300000); /* well into the loop of forwarded LSR reads */
	pid = dm_pid(k, victim);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(kill(pid, SIGKILL), 0);
	CU_ASSERT_EQUAL(wait_state("victim", KXEN_STATE_CRASHED, 20000), 0);
	CU_ASSERT_EQUAL(lookup("victim", &info), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(info.crash_reason, "device model"));
	if (!strstr(info.crash_reason, "device model"))
		fprintf(stderr, "\ncrash reason: %s\n", info.crash_reason);
	/* The bystander keeps running; kxend keeps serving. */
	for (int i = 0; i < 400 && t0 < 0; i++, usleep(50000))
		t0 = last_tick(bystander);
	for (int i = 0; i < 400 && last_tick(bystander) <= t0; i++)
		usleep(50000);
	CU_ASSERT(last_tick(bystander) > t0);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "victim", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "bystander", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* A DM that stops answering (SIGSTOP) mid-request: after kxend's 10 s
 * answer timeout the domain crashes naming the device model, and kxend
 * carries on. */
static void test_dm_stops_answering(void)
{
	struct harness_kxend *k;
	struct kxen_domain_info info;
	uint32_t victim;
	pid_t pid;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k)
		return;
	CU_ASSERT_EQUAL(create(k, "mute", "serial.bin", "spin", NULL, NULL), 0);
	victim = domid_of("mute");
	CU_ASSERT_EQUAL(harness_wait_dmesg("serial: spin", GUEST_TIMEOUT_MS),
			0);
	usleep(300000);
	pid = dm_pid(k, victim);
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(kill(pid, SIGSTOP), 0);
	CU_ASSERT_EQUAL(wait_state("mute", KXEN_STATE_CRASHED, 30000), 0);
	CU_ASSERT_EQUAL(lookup("mute", &info), 0);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(info.crash_reason, "device model did not answer"));
	kill(pid, SIGCONT);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "info", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "mute", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* 6. A handle restricted to one domain cannot touch another's memory
 * or interrupts. */
static void test_restricted_refused(void)
{
	struct harness_kxend *k;
	xendevicemodel_handle *dmod = NULL;
	xenforeignmemory_handle *fmem = NULL;
	xen_pfn_t gfn = 0x8; /* the guest image's first page */
	uint32_t a, b;
	void *p;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k)
		return;
	CU_ASSERT_EQUAL(create(k, "mine", "hello.bin", "", NULL, NULL), 0);
	CU_ASSERT_EQUAL(create(k, "other", "hello.bin", "", NULL, NULL), 0);
	a = domid_of("mine");
	b = domid_of("other");
	dmod = xendevicemodel_open(NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	CU_ASSERT_FATAL(dmod && fmem && a && b);
	CU_ASSERT_EQUAL(xendevicemodel_restrict(dmod, (domid_t)a), 0);
	CU_ASSERT_EQUAL(xenforeignmemory_restrict(fmem, (domid_t)a), 0);
	/* Our own domain still works. */
	p = xenforeignmemory_map(fmem, a, PROT_READ, 1, &gfn, NULL);
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p)
		xenforeignmemory_unmap(fmem, p, 1);
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_isa_irq_level(dmod, (domid_t)a, 5, 0), 0);
	/* The other domain is refused. */
	errno = 0;
	p = xenforeignmemory_map(fmem, b, PROT_READ, 1, &gfn, NULL);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(errno, EPERM);
	errno = 0;
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_isa_irq_level(dmod, (domid_t)b, 5, 1), -1);
	CU_ASSERT_EQUAL(errno, EPERM);
	xenforeignmemory_close(fmem);
	xendevicemodel_close(dmod);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "mine", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "other", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* One line, carrying needle and the DM log's path; no domain left. */
static void expect_start_failure(struct harness_kxend *k, const char *name,
				 const char *out, const char *needle,
				 const char *logdir)
{
	char log[512];
	struct kxen_domain_info info;

	snprintf(log, sizeof(log), "%s/dm-%s.log", logdir, name);
	CU_ASSERT_PTR_NOT_NULL(out);
	if (!out)
		return;
	CU_ASSERT_PTR_NOT_NULL(strstr(out, needle));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, log));
	CU_ASSERT_PTR_NULL(
	    strchr(out, '\n') ? strchr(strchr(out, '\n') + 1, '\n') : NULL);
	if (!strstr(out, needle) || !strstr(out, log))
		fprintf(stderr, "\nkxl said: %s\n", out);
	CU_ASSERT_NOT_EQUAL(lookup(name, &info), 0);
	(void)k;
}

/* 7. A DM that cannot start: kxl create says why, in one line. */
static void test_dm_start_failure(void)
{
	struct harness_kxend *k;
	char *out = NULL;

	KXEN_REQUIRE_KVM();
	k = start_kxend();
	if (!k)
		return;
	CU_ASSERT_EQUAL(
	    create(k, "baddev", "hello.bin", "", "com1,bogus", &out), 1);
	expect_start_failure(k, "baddev", out, "unknown device 'bogus'",
			     k->logdir);
	free(out);
	out = NULL;
	setenv("KXEN_LOGDIR", "/proc/kxen-no-such-dir", 1);
	CU_ASSERT_EQUAL(create(k, "badlog", "hello.bin", "", NULL, &out), 1);
	expect_start_failure(k, "badlog", out, "cannot open log file",
			     "/proc/kxen-no-such-dir");
	free(out);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

int kxen_suite_dm(void)
{
	CU_pSuite s = CU_add_suite("dm", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "UART banner and interrupt-driven echo",
			 test_echo_interrupts) ||
	    !CU_add_test(s,
			 "console input survives detach, late attach "
			 "gets history",
			 test_console_reattach) ||
	    !CU_add_test(s, "100,000 forwarded accesses in order",
			 test_forwarded_sequence) ||
	    !CU_add_test(s, "DM killed mid-request crashes only its domain",
			 test_dm_killed) ||
	    !CU_add_test(s, "a DM that stops answering crashes only its domain",
			 test_dm_stops_answering) ||
	    !CU_add_test(s, "buffered ring wrap-around in order",
			 test_buffered_wrap) ||
	    !CU_add_test(s, "restricted handle refused for another domain",
			 test_restricted_refused) ||
	    !CU_add_test(s, "DM start failure: one line with its error",
			 test_dm_start_failure))
		return -1;
	return 0;
}
