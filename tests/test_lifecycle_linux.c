/*
 * Suite "lifecycle_linux": the default Linux guest (tests/test_linux.c
 * says how it is built) through the lifecycle that the "monitor" suite
 * checks on tiny guests: `reboot` inside the guest restarts it from the
 * same config (on_reboot's default), `kxl shutdown -w` powers it off
 * through the ACPI power button (its /init listens for the button's
 * input event) and on_poweroff destroys it, and a kernel panic ends as a
 * crash that on_crash=preserve keeps listed while kxend goes on serving
 * (kxl create -w: status 4, then 0 for the next guest's power-off).
 * Each boot takes tens of seconds here (the kernel runs emulated), so
 * the checks share few boots; the log says how long each took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "kxenctrl.h"

#define BOOT_TIMEOUT_S 480 /* a boot takes ~1 min here, 4 on a loaded host */
/* As examples/default.json, which boots here. */
#define CMDLINE                                                                \
	"console=ttyS0 quiet noxsave clearcpuid=popcnt,smap,erms,fsrm "        \
	"tsc=reliable mitigations=off percpu_alloc=page"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* NAME.json for the default guest with extra command-line words and
 * config keys; the path, malloc'd. */
static char *linux_config(struct harness_kxend *k, const char *name,
			  const char *words, const char *keys)
{
	char kernel[2048], initrd[2048], json[8192];

	if (!harness_default_guest(kernel, initrd, sizeof(kernel)))
		return NULL;
	snprintf(json, sizeof(json),
		 "{\"name\": \"%s\", \"memory\": 128, \"vcpus\": 1, "
		 "\"kernel\": \"%s\", \"ramdisk\": \"%s\", "
		 "\"cmdline\": \"" CMDLINE " %s\"%s%s}",
		 name, kernel, initrd, words, keys ? ", " : "",
		 keys ? keys : "");
	return harness_write_config(k, name, json);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* Wait until the domain's console log holds n copies of needle. */
static int wait_console(struct harness_kxend *k, const char *name,
			const char *needle, int n, int timeout_s)
{
	char path[4300], *text;
	int found;

	snprintf(path, sizeof(path), "%s/console-%s.log", k->logdir, name);
	for (int i = 0; i < timeout_s * 5; i++) {
		text = read_text(path);
		found = count(text, needle);
		free(text);
		if (found >= n)
			return 0;
		usleep(200000);
	}
	return -1;
}

static int dmesg_count(const char *needle)
{
	char *out = NULL;
	int n;

	harness_kxl(&out, "dmesg", NULL);
	n = count(out, needle);
	free(out);
	return n;
}

static bool exists(const char *name, struct kxen_domain_info *out)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	struct kxen_domain_info all[16];
	bool found = false;
	int n;

	if (!xch)
		return false;
	n = kxc_domain_list(xch, 0, 16, all);
	for (int i = 0; i < n; i++)
		if (strcmp(all[i].name, name) == 0) {
			found = true;
			if (out)
				*out = all[i];
		}
	xc_interface_close(xch);
	return found;
}

/*
 * Destroy until it stays gone: a monitor may be half-way through a
 * restart and build it once more; it then watches that domain and ends
 * with it. 0 when gone for 8 s in a row.
 */
static int destroy_for_good(const char *name)
{
	int quiet = 0;

	for (int i = 0; i < 60 && quiet < 8; i++) {
		if (exists(name, NULL)) {
			harness_kxl(NULL, "destroy", name, NULL);
			quiet = 0;
		} else {
			quiet++;
		}
		sleep(1);
	}
	return quiet >= 8 ? 0 : -1;
}

/*
 * Run `kxl ARGS` (ARGS as shell words) with output in *out: harness_kxl
 * stops tools after 30 s, too short for a Linux boot or shutdown here.
 */
static int kxl_long(char **out, const char *args)
{
	char cmd[8400], line[1024];
	size_t len = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "timeout %d '%s/tools/kxl' %s 2>&1",
		 2 * BOOT_TIMEOUT_S, harness_builddir(), args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	*out = calloc(1, 65536);
	while (fgets(line, sizeof(line), p))
		if (*out && len + strlen(line) < 65535) {
			memcpy(*out + len, line, strlen(line));
			len += strlen(line);
		}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int create_wait(const char *cfg, char **out)
{
	char args[4200];

	snprintf(args, sizeof(args), "create -w '%s'", cfg);
	return kxl_long(out, args);
}

static struct harness_kxend *start(void)
{
	struct harness_kxend *k = harness_kxend_start();

	/* It exports KXEN_LOGDIR: kxen-dm and the monitor log there. */
	CU_ASSERT_PTR_NOT_NULL(k);
	return k;
}

/* `reboot` in the guest: a new domain from the same config boots again. */
static void test_guest_reboot_restarts(void)
{
	struct harness_kxend *k;
	char *cfg;
	double t0;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	cfg = linux_config(k, "rebooter", "kxen.test=reboot", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	t0 = now_s();
	CU_ASSERT_EQUAL(harness_kxl(NULL, "create", cfg, NULL), 0);
	free(cfg);
	CU_ASSERT_EQUAL(wait_console(k, "rebooter", "kxen-guest: userspace up",
				     1, BOOT_TIMEOUT_S),
			0);
	fprintf(stderr, "first boot: userspace after %.1f s; ", now_s() - t0);
	CU_ASSERT_EQUAL(wait_console(k, "rebooter", "kxen-guest: userspace up",
				     2, BOOT_TIMEOUT_S),
			0);
	fprintf(stderr, "second boot: after %.1f s in all\n", now_s() - t0);
	CU_ASSERT(dmesg_count("domain 'rebooter' shut down: reboot") >= 1);
	CU_ASSERT(dmesg_count("toolstack: domain 'rebooter' (id") >= 1);
	CU_ASSERT(dmesg_count("rebooted: on_reboot is restart") >= 1);
	CU_ASSERT(dmesg_count("toolstack: domain 'rebooter' restarted as id") >=
		  1);
	CU_ASSERT_EQUAL(destroy_for_good("rebooter"), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/*
 * kxl shutdown -w through the power button, on_poweroff=destroy; then a
 * panicking kernel (panic=-1 reboot=t: it resets by triple fault, which
 * kxen counts as a crash) with on_crash=preserve: create -w exits 4 and
 * the domain stays listed; kxend still boots the next guest, whose
 * power-off makes create -w exit 0.
 */
static void test_shutdown_panic_and_wait(void)
{
	struct kxen_domain_info info;
	struct harness_kxend *k;
	char *cfg, *out = NULL;
	double t0;

	KXEN_REQUIRE_KVM();
	k = start();
	if (!k)
		return;
	cfg = linux_config(k, "button", "kxen.test=shell", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	t0 = now_s();
	CU_ASSERT_EQUAL(harness_kxl(NULL, "create", cfg, NULL), 0);
	free(cfg);
	CU_ASSERT_EQUAL(wait_console(k, "button", "kxen-guest: userspace up", 1,
				     BOOT_TIMEOUT_S),
			0);
	fprintf(stderr, "userspace after %.1f s; ", now_s() - t0);
	/* /init listens for the button (evdev) before it starts the shell;
	 * a press before its reader opened the device would be lost. */
	CU_ASSERT_EQUAL(wait_console(k, "button", "/ # ", 1, 180), 0);
	sleep(3);
	t0 = now_s();
	out = NULL;
	CU_ASSERT_EQUAL(kxl_long(&out, "shutdown -w -t 300 button"), 0);
	fprintf(stderr, "shutdown -w took %.1f s; ", now_s() - t0);
	CU_ASSERT(out && strstr(out, "has shut down"));
	free(out);
	CU_ASSERT_EQUAL(wait_console(k, "button",
				     "kxen-guest: power button: poweroff", 1,
				     5),
			0);
	/* shutdown -w returns once it shut down; the monitor then acts. */
	for (int i = 0; i < 100 && exists("button", NULL); i++)
		usleep(100000);
	CU_ASSERT_FALSE(exists("button", NULL));
	CU_ASSERT(dmesg_count("on_poweroff is destroy") == 1);

	cfg = linux_config(k, "panicker",
			   "rdinit=/nonexistent panic=-1 "
			   "reboot=t",
			   "\"on_crash\": \"preserve\"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	t0 = now_s();
	out = NULL;
	CU_ASSERT_EQUAL(create_wait(cfg, &out), 4);
	fprintf(stderr, "panic after %.1f s; ", now_s() - t0);
	free(cfg);
	CU_ASSERT(out && strstr(out, "kxl: domain 'panicker' (id ") &&
		  strstr(out, "crashed: "));
	if (!out || !strstr(out, "crashed: "))
		fprintf(stderr, "\nkxl create -w: %s\n", out ? out : "");
	free(out);
	CU_ASSERT_EQUAL_FATAL(exists("panicker", &info), true);
	CU_ASSERT_EQUAL(info.state, KXEN_STATE_CRASHED);
	CU_ASSERT_EQUAL(wait_console(k, "panicker", "Kernel panic", 1, 5), 0);

	cfg = linux_config(k, "after", "kxen.test=poweroff", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	t0 = now_s();
	out = NULL;
	CU_ASSERT_EQUAL(create_wait(cfg, &out), 0);
	fprintf(stderr, "next guest powered off after %.1f s\n", now_s() - t0);
	free(cfg);
	CU_ASSERT(out && strstr(out, "powered off: on_poweroff is destroy"));
	free(out);
	CU_ASSERT_FALSE(exists("after", NULL));
	CU_ASSERT_TRUE(exists("panicker", NULL)); /* still preserved */
	harness_kxl(NULL, "destroy", "panicker", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

int kxen_suite_lifelinux(void)
{
	CU_pSuite s = CU_add_suite("lifecycle_linux", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "guest reboot restarts it from the same config",
			 test_guest_reboot_restarts) ||
	    !CU_add_test(s, "shutdown button, panic preserved, create -w",
			 test_shutdown_panic_and_wait))
		return -1;
	return 0;
}
