/*
 * Suite "monitor": the domain lifecycle without Linux, on the tiny
 * guests. tests/guests/power.bin powers off (ACPI S5), reboots (0xcf9)
 * or waits for the ACPI power button as its command line says;
 * crash.bin triple-faults; hello.bin ignores the power button. Checked:
 * the monitor that kxl create leaves behind acts on on_poweroff /
 * on_reboot / on_crash and says so in the domain's log and its own;
 * kxl create -w's exit statuses; kxl shutdown / reboot through the
 * power button, with --wait and its timeout; xc_domain_send_trigger's
 * validation; and one clear line for bad command lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kxenctrl.h"
#include "xenctrl.h"

/* Write NAME.json for guest image `guest` (+ extra keys) into k->dir. */
static char *config(struct harness_kxend *k, const char *name,
		    const char *guest, const char *cmdline, const char *extra)
{
	char json[2048], *img = harness_guest(guest), *cfg;

	snprintf(json, sizeof(json),
		 "{\"name\": \"%s\", \"memory\": 16, \"kernel\": \"%s\", "
		 "\"cmdline\": \"%s\"%s%s}",
		 name, img, cmdline, extra ? ", " : "", extra ? extra : "");
	free(img);
	cfg = harness_write_config(k, name, json);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	return cfg;
}

/* kxl create [opt] for a config; kxl's status, output in *out. */
static int create(struct harness_kxend *k, const char *opt, const char *name,
		  const char *guest, const char *cmdline, const char *extra,
		  char **out)
{
	char *cfg = config(k, name, guest, cmdline, extra);
	int rc;

	if (!cfg)
		return -1;
	rc = opt ? harness_kxl(out, "create", opt, cfg, NULL)
		 : harness_kxl(out, "create", cfg, NULL);
	free(cfg);
	return rc;
}

/* 0 with the info of the domain called name, -1 when there is none. */
static int info_of(const char *name, struct kxen_domain_info *info)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	struct kxen_domain_info all[32];
	int n, rc = -1;

	if (!xch)
		return -1;
	n = kxc_domain_list(xch, 0, 32, all);
	for (int i = 0; i < n; i++)
		if (strcmp(all[i].name, name) == 0) {
			*info = all[i];
			rc = 0;
		}
	xc_interface_close(xch);
	return rc;
}

/* Wait until no domain is called name: 0, or -1 after timeout_ms. */
static int wait_gone(const char *name, int timeout_ms)
{
	struct kxen_domain_info info;

	for (int t = 0; t < timeout_ms; t += 100) {
		if (info_of(name, &info) < 0)
			return 0;
		usleep(100000);
	}
	return -1;
}

static int wait_state(const char *name, uint32_t state, int timeout_ms)
{
	struct kxen_domain_info info;

	for (int t = 0; t < timeout_ms; t += 100) {
		if (info_of(name, &info) == 0 && info.state == state)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* Occurrences of needle in kxl dmesg. */
static int dmesg_count(const char *needle)
{
	char *out = NULL, *p;
	int n = 0;

	harness_kxl(&out, "dmesg", NULL);
	for (p = out; p && (p = strstr(p, needle)); p++)
		n++;
	free(out);
	return n;
}

static int wait_dmesg_count(const char *needle, int want, int timeout_ms)
{
	for (int t = 0; t < timeout_ms; t += 100) {
		if (dmesg_count(needle) >= want)
			return 0;
		usleep(100000);
	}
	return -1;
}

/* The monitor's own log, LOGDIR/monitor-NAME.log, malloc'd or NULL. */
static char *monitor_log(struct harness_kxend *k, const char *name)
{
	char path[4200], *buf = calloc(1, 65536);
	FILE *f;

	snprintf(path, sizeof(path), "%s/monitor-%s.log", k->logdir, name);
	f = fopen(path, "r");
	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	if (fread(buf, 1, 65535, f) == 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static struct harness_kxend *start(void)
{
	struct harness_kxend *k = harness_kxend_start();

	/* It exports KXEN_LOGDIR: kxen-dm and the monitor log there. */
	CU_ASSERT_PTR_NOT_NULL(k);
	return k;
}

/* Power-off: destroyed by default; preserve keeps it, reason poweroff. */
static void test_poweroff_actions(void)
{
	struct harness_kxend *k;
	struct kxen_domain_info info;
	char *log;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	CU_ASSERT_EQUAL(create(k, NULL, "off1", "power.bin", "off", NULL, NULL),
			0);
	CU_ASSERT_EQUAL(wait_gone("off1", 20000), 0);
	CU_ASSERT_EQUAL(dmesg_count("power: powering off"), 1);
	CU_ASSERT_EQUAL(dmesg_count("toolstack: domain 'off1' (id 1) powered "
				    "off: on_poweroff is destroy"),
			1);
	log = monitor_log(k, "off1");
	CU_ASSERT(log && strstr(log, "monitor: domain 'off1' (id 1) powered "
				     "off: on_poweroff is destroy"));
	free(log);

	CU_ASSERT_EQUAL(create(k, NULL, "off2", "power.bin", "off",
			       "\"on_poweroff\": \"preserve\"", NULL),
			0);
	CU_ASSERT_EQUAL(wait_state("off2", KXEN_STATE_SHUTDOWN, 20000), 0);
	CU_ASSERT_EQUAL(wait_dmesg_count("on_poweroff is preserve", 1, 5000),
			0);
	usleep(600000); /* the monitor would have acted by now */
	CU_ASSERT_EQUAL(info_of("off2", &info), 0);
	CU_ASSERT_EQUAL(info.state, KXEN_STATE_SHUTDOWN);
	CU_ASSERT_EQUAL(info.shutdown_reason, KXEN_SHUTDOWN_POWEROFF);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "off2", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/*
 * kxl reboot presses the button and the guest's power-off counts as a
 * reboot: the monitor builds the same config again (new domain process,
 * same name, boots again). kxl shutdown -w then ends it for good.
 */
static void test_reboot_and_shutdown_buttons(void)
{
	struct harness_kxend *k;
	struct kxen_domain_info a, b;
	char *out = NULL;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	CU_ASSERT_EQUAL(
	    create(k, NULL, "btn", "power.bin", "button", NULL, NULL), 0);
	CU_ASSERT_EQUAL(
	    harness_wait_dmesg("power: waiting for the power button", 20000),
	    0);
	CU_ASSERT_EQUAL_FATAL(info_of("btn", &a), 0);
	CU_ASSERT_EQUAL(
	    harness_kxl(&out, "reboot", "-w", "-t", "25", "btn", NULL), 0);
	CU_ASSERT(out && strstr(out, "Domain 'btn' rebooted: now id"));
	free(out);
	CU_ASSERT_EQUAL(
	    wait_dmesg_count("power: waiting for the power button", 2, 20000),
	    0);
	CU_ASSERT_EQUAL(dmesg_count("power: up"), 2);
	CU_ASSERT_EQUAL(dmesg_count("counted as a reboot"), 1);
	CU_ASSERT_EQUAL(dmesg_count("rebooted: on_reboot is restart"), 1);
	CU_ASSERT_EQUAL(dmesg_count("toolstack: domain 'btn' restarted as id"),
			1);
	CU_ASSERT_EQUAL_FATAL(info_of("btn", &b), 0);
	CU_ASSERT_NOT_EQUAL(a.child_pid, b.child_pid);
	CU_ASSERT_EQUAL(a.max_pages, b.max_pages); /* the same config */

	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "shutdown", "--wait", "btn", NULL),
			0);
	CU_ASSERT(out && strstr(out, "Domain 'btn' (id") &&
		  strstr(out, "has shut down"));
	free(out);
	CU_ASSERT_EQUAL(wait_gone("btn", 10000), 0);
	CU_ASSERT_EQUAL(dmesg_count("power: powering off"), 2);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* kxl create -w / -F: statuses, and the actions still apply. */
static void test_create_wait(void)
{
	struct harness_kxend *k;
	struct kxen_domain_info info;
	char *out = NULL;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	CU_ASSERT_EQUAL(create(k, "-w", "w1", "power.bin", "off", NULL, &out),
			0);
	CU_ASSERT(out && strstr(out, "powered off: on_poweroff is destroy"));
	free(out);
	CU_ASSERT_EQUAL(info_of("w1", &info), -1);

	/* A reboot that on_reboot ends is a clean end too. */
	out = NULL;
	CU_ASSERT_EQUAL(create(k, "-w", "w2", "power.bin", "reboot",
			       "\"on_reboot\": \"destroy\"", &out),
			0);
	CU_ASSERT(out && strstr(out, "rebooted: on_reboot is destroy"));
	free(out);

	/* A guest that reboots at once, again and again, is a loop the
	 * monitor stops after a few restarts rather than feed it. */
	out = NULL;
	CU_ASSERT_EQUAL(
	    create(k, "-w", "loop", "power.bin", "reboot", NULL, &out), 1);
	CU_ASSERT(out && strstr(out, "kxl: domain 'loop' (id ") &&
		  strstr(out, "restart loop: it ended within 5 s of starting "
			      "3 times in a row"));
	free(out);
	CU_ASSERT_EQUAL(dmesg_count("toolstack: domain 'loop' restarted as"),
			2);
	CU_ASSERT_EQUAL(info_of("loop", &info), -1);

	/* A crash: status 4 and the reason on one line. */
	out = NULL;
	CU_ASSERT_EQUAL(
	    create(k, "-w", "w3", "crash.bin", "triple", NULL, &out), 4);
	CU_ASSERT(out && strstr(out, "kxl: domain 'w3' (id ") &&
		  strstr(out, "crashed: vCPU 0: triple fault\n"));
	free(out);
	CU_ASSERT_EQUAL(info_of("w3", &info), -1);

	/* -F with preserve: returns, the crashed domain stays listed. */
	out = NULL;
	CU_ASSERT_EQUAL(create(k, "-F", "w4", "crash.bin", "triple",
			       "\"on_crash\": \"preserve\"", &out),
			0);
	CU_ASSERT(out && strstr(out, "on_crash is preserve"));
	free(out);
	CU_ASSERT_EQUAL(info_of("w4", &info), 0);
	CU_ASSERT_EQUAL(info.state, KXEN_STATE_CRASHED);
	CU_ASSERT_PTR_NOT_NULL(strstr(info.crash_reason, "triple fault"));

	/* kxend keeps serving: another domain boots afterwards. */
	CU_ASSERT_EQUAL(
	    create(k, NULL, "after", "hello.bin", "after", NULL, NULL), 0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("hello: cmdline=[after]", 20000), 0);
	harness_kxl(NULL, "destroy", "after", NULL);
	harness_kxl(NULL, "destroy", "w4", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* One line (ends with the only newline), starting "kxl: ". */
static bool one_line(const char *out, const char *needle)
{
	bool ok = out && strncmp(out, "kxl: ", 5) == 0 &&
		  strchr(out, '\n') == out + strlen(out) - 1 &&
		  strstr(out, needle);

	if (!ok)
		fprintf(stderr, "\nexpected one line with '%s', got: %s\n",
			needle, out ? out : "(nothing)");
	return ok;
}

/* A guest that ignores the button, paused and ended domains, bad input. */
static void test_shutdown_refusals(void)
{
	struct harness_kxend *k;
	char *out = NULL;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	CU_ASSERT_EQUAL(harness_kxl(&out, "shutdown", "nosuch", NULL), 1);
	CU_ASSERT(one_line(out, "no domain named 'nosuch'"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "shutdown", "-t", "soon", "x", NULL),
			2);
	CU_ASSERT(one_line(out, "bad timeout 'soon'"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "reboot", "-t", "0", "x", NULL), 2);
	CU_ASSERT(one_line(out, "bad timeout '0'"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "shutdown", NULL), 2);
	CU_ASSERT(one_line(out, "usage: kxl shutdown"));
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "create", "-c", "-w", "x.json", NULL),
			2);
	CU_ASSERT(one_line(out, "usage: kxl create"));
	free(out);

	CU_ASSERT_EQUAL(
	    create(k, NULL, "deaf", "hello.bin", "deaf", NULL, NULL), 0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("hello: done", 20000), 0);
	out = NULL;
	CU_ASSERT_EQUAL(
	    harness_kxl(&out, "shutdown", "-w", "-t", "2", "deaf", NULL), 1);
	CU_ASSERT(out &&
		  strstr(out, "kxl: domain 'deaf' did not shut down "
			      "within 2 s") &&
		  strstr(out, "'kxl destroy deaf'"));
	free(out);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "pause", "deaf", NULL), 0);
	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "shutdown", "deaf", NULL), 1);
	CU_ASSERT(one_line(out, "domain 'deaf' is paused"));
	free(out);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "deaf", NULL), 0);

	CU_ASSERT_EQUAL(create(k, NULL, "dead", "crash.bin", "triple",
			       "\"on_crash\": \"preserve\"", NULL),
			0);
	CU_ASSERT_EQUAL(wait_state("dead", KXEN_STATE_CRASHED, 20000), 0);
	out = NULL;
	CU_ASSERT_EQUAL(harness_kxl(&out, "reboot", "dead", NULL), 1);
	CU_ASSERT(one_line(out, "domain 'dead' has already shut down"));
	free(out);
	harness_kxl(NULL, "destroy", "dead", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* xc_domain_send_trigger: Xen's numbers, kxen's errors. */
static void test_send_trigger_validation(void)
{
	struct harness_kxend *k;
	struct kxen_domain_info info;
	xc_interface *xch;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	CU_ASSERT_EQUAL(create(k, NULL, "trig", "spin.bin", "", NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(info_of("trig", &info), 0);
	xch = xc_interface_open(NULL, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xch);
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid, 99, 0), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid,
					       XEN_DOMCTL_SENDTRIGGER_POWER, 1),
			-1);
	CU_ASSERT_EQUAL(errno, EINVAL); /* one vCPU */
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid,
					       XEN_DOMCTL_SENDTRIGGER_RESET, 0),
			-1);
	CU_ASSERT_EQUAL(errno, EOPNOTSUPP);
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid,
					       XEN_DOMCTL_SENDTRIGGER_SLEEP, 0),
			-1);
	CU_ASSERT_EQUAL(errno, EOPNOTSUPP);
	CU_ASSERT_EQUAL(
	    xc_domain_send_trigger(xch, 999, XEN_DOMCTL_SENDTRIGGER_POWER, 0),
	    -1);
	CU_ASSERT_EQUAL(errno, ESRCH);
	CU_ASSERT_EQUAL(xc_domain_pause(xch, info.domid), 0);
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid,
					       XEN_DOMCTL_SENDTRIGGER_POWER, 0),
			-1);
	CU_ASSERT_EQUAL(errno, EBUSY);
	CU_ASSERT_EQUAL(xc_domain_unpause(xch, info.domid), 0);
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid,
					       XEN_DOMCTL_SENDTRIGGER_POWER, 0),
			0);
	CU_ASSERT_EQUAL(
	    harness_wait_dmesg("domain 'trig': ACPI power button pressed; the "
			       "guest has not enabled it (PWRBTN_EN)",
			       5000),
	    0);
	/* spin.bin keeps running: the press was only a status bit. */
	CU_ASSERT_EQUAL(info_of("trig", &info), 0);
	CU_ASSERT(info.state == KXEN_STATE_RUNNING ||
		  info.state == KXEN_STATE_BLOCKED);
	/* An NMI reaches the vCPU: hello.bin halts in long mode without an
	 * IDT, so delivering it escalates to a triple fault. */
	CU_ASSERT_EQUAL(create(k, NULL, "nmi", "hello.bin", "nmi",
			       "\"on_crash\": \"preserve\"", NULL),
			0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("hello: cmdline=[nmi]", 20000), 0);
	CU_ASSERT_EQUAL_FATAL(info_of("nmi", &info), 0);
	CU_ASSERT_EQUAL(xc_domain_send_trigger(xch, info.domid,
					       XEN_DOMCTL_SENDTRIGGER_NMI, 0),
			0);
	CU_ASSERT_EQUAL(wait_state("nmi", KXEN_STATE_CRASHED, 10000), 0);
	CU_ASSERT_EQUAL(info_of("nmi", &info), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(info.crash_reason, "triple fault"));
	xc_interface_close(xch);
	harness_kxl(NULL, "destroy", "trig", NULL);
	harness_kxl(NULL, "destroy", "nmi", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

int kxen_suite_monitor(void)
{
	CU_pSuite s = CU_add_suite("monitor", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "power-off: destroy, preserve",
			 test_poweroff_actions) ||
	    !CU_add_test(s, "kxl reboot restarts, kxl shutdown -w ends",
			 test_reboot_and_shutdown_buttons) ||
	    !CU_add_test(s, "kxl create -w/-F statuses", test_create_wait) ||
	    !CU_add_test(s, "shutdown refusals and bad input",
			 test_shutdown_refusals) ||
	    !CU_add_test(s, "send_trigger validation",
			 test_send_trigger_validation))
		return -1;
	return 0;
}
