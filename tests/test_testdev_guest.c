/*
 * Suite "testdev", with a hypervisor (registered from
 * test_testdev_boot.c): KXEN_OP_TEST_DEVICES refused as abi.h says on a
 * live domain, and tests/guests/testdev.elf, a Multiboot kernel written
 * against QEMU's devices, booted by kxl with modules and all three test
 * devices; its domain ends with the status it chose. Without the
 * config key the same kernel finds none of them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kxenctrl.h"

static int create_domain(xc_interface *xch, const char *name, uint32_t *domid)
{
	struct xen_domctl_createdomain cd = {0};

	cd.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	cd.max_vcpus = 1;
	cd.max_grant_frames = -1;
	cd.max_maptrack_frames = -1;
	return kxc_domain_create_named(xch, name, domid, &cd);
}

static int try_op(xc_interface *xch, const struct kxen_test_devices *r,
		  const char *line)
{
	errno = 0;
	return kxc_test_devices(xch, r, line) == 0 ? 0 : -errno;
}

/* Every refusal the op documents, then one success, then no more. */
static void test_op_refusals(void)
{
	struct harness_kxend *k;
	xc_interface *xch;
	struct kxen_test_devices r;
	uint32_t domid = 0, other = 0;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_FATAL(k != NULL);
	xch = xc_interface_open(NULL, NULL, 0);
	CU_ASSERT_FATAL(xch != NULL);
	CU_ASSERT_EQUAL_FATAL(create_domain(xch, "tdop", &domid), 0);
	r = (struct kxen_test_devices){.domid = domid};
	CU_ASSERT_EQUAL(try_op(xch, &r, NULL), -EINVAL); /* no flags */
	r.flags = 0x8;
	CU_ASSERT_EQUAL(try_op(xch, &r, NULL), -EINVAL);
	r.flags = KXEN_TESTDEV_DEBUG_EXIT;
	r.exit_port = 0xf4;
	r.exit_width = 5;
	CU_ASSERT_EQUAL(try_op(xch, &r, NULL), -EINVAL);
	r.exit_width = 0;
	CU_ASSERT_EQUAL(try_op(xch, &r, NULL), -EINVAL);
	r.exit_port = 0xfffe;
	r.exit_width = 4;
	CU_ASSERT_EQUAL(try_op(xch, &r, NULL), -EINVAL);
	r.exit_port = 0xf4;
	r.pad = 1;
	CU_ASSERT_EQUAL(try_op(xch, &r, NULL), -EINVAL);
	r.pad = 0;
	CU_ASSERT_EQUAL(try_op(xch, &r, "x"), -EINVAL); /* line, no fw_cfg */
	r.flags = KXEN_TESTDEV_FW_CFG;
	CU_ASSERT_EQUAL(try_op(xch, &r, "x"), -EINVAL); /* no RAM */
	/* The PIT owns 0x40-0x43: nothing may be half set up after. */
	r.flags = KXEN_TESTDEV_ALL;
	r.ram_bytes = 16u << 20;
	r.exit_port = 0x42;
	CU_ASSERT_EQUAL(try_op(xch, &r, "x"), -EADDRINUSE);
	r.exit_port = 0x2010; /* on pc-testdev's own lines */
	CU_ASSERT_EQUAL(try_op(xch, &r, "x"), -EADDRINUSE);
	r.exit_port = 0xf4;
	r.domid = domid + 100;
	CU_ASSERT_EQUAL(try_op(xch, &r, "x"), -ESRCH);
	r.domid = domid;
	CU_ASSERT_EQUAL(try_op(xch, &r, "console=ttyS0"), 0);
	CU_ASSERT_EQUAL(try_op(xch, &r, "console=ttyS0"), -EEXIST);
	/* A domain that has run keeps its dispatch table as it is. */
	CU_ASSERT_EQUAL_FATAL(create_domain(xch, "tdop2", &other), 0);
	CU_ASSERT_EQUAL(xc_domain_unpause(xch, other), 0);
	r.domid = other;
	CU_ASSERT_EQUAL(try_op(xch, &r, "x"), -EBUSY);
	xc_domain_destroy(xch, domid);
	xc_domain_destroy(xch, other);
	xc_interface_close(xch);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

static char *write_file(struct harness_kxend *k, const char *name,
			const char *text)
{
	char *path = NULL;
	FILE *f;

	if (asprintf(&path, "%s/%s", k->dir, name) < 0)
		return NULL;
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0) {
		if (f)
			fclose(f);
		free(path);
		return NULL;
	}
	fclose(f);
	return path;
}

static int find_info(const char *name, struct kxen_domain_info *info)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	struct kxen_domain_info all[16];
	int n, i, rc = -1;

	if (!xch)
		return -1;
	n = kxc_domain_list(xch, 0, 16, all);
	for (i = 0; i < n; i++)
		if (strcmp(all[i].name, name) == 0) {
			*info = all[i];
			rc = 0;
		}
	xc_interface_close(xch);
	return rc;
}

#define ALL_DEVICES                                                            \
	"[\"isa-debug-exit,iobase=0xf4,iosize=4\",\"pc-testdev\",\"fw_cfg\"]"

static void expect_lines(const char *const *needles)
{
	char *out = NULL;
	size_t i;

	CU_ASSERT_EQUAL(harness_kxl(&out, "dmesg", NULL), 0);
	for (i = 0; needles[i]; i++) {
		if (!out || !strstr(out, needles[i]))
			fprintf(stderr, "\nmissing in dmesg: '%s'\n%s\n",
				needles[i], out ? out : "");
		CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needles[i]) : NULL);
	}
	free(out);
}

/*
 * Boot testdev.elf as domain name with devices (a JSON array or "") and
 * extra keys; kxl create gets flag (NULL: none) and its exit status
 * goes to *rc. Domains are kept after power-off unless extra says.
 */
static const char *guest = "testdev.elf"; /* the image boot() uses */

static struct harness_kxend *boot(const char *name, const char *devices,
				  const char *extra, const char *flag, int *rc,
				  char **img, char **dir)
{
	struct harness_kxend *k = harness_kxend_start();
	char json[2048], *cfg, *a, *b, *out = NULL;

	CU_ASSERT_FATAL(k != NULL);
	setenv("KXEN_LOGDIR", k->logdir, 1); /* kxen-dm logs there */
	*img = harness_guest(guest);
	*dir = strdup(k->dir);
	a = write_file(k, "mod-a.bin", "alpha-module");
	b = write_file(k, "mod-b.bin", "beta-module");
	CU_ASSERT_FATAL(*img && a && b);
	snprintf(json, sizeof(json),
		 "{\"name\":\"%s\",\"memory\":32,\"vcpus\":2,\"kernel\":\"%s\","
		 "\"cmdline\":\"status=21 hello\",\"modules\":[\"mod-a.bin\","
		 "{\"file\":\"mod-b.bin\",\"string\":\"beta args\"}]%s%s%s}",
		 name, *img, devices[0] ? ",\"test_devices\":" : "", devices,
		 extra);
	cfg = harness_write_config(k, name, json);
	CU_ASSERT_FATAL(cfg != NULL);
	*rc = flag ? harness_kxl(&out, "create", flag, cfg, NULL)
		   : harness_kxl(&out, "create", cfg, NULL);
	if (out && !strstr(out, "created"))
		fprintf(stderr, "\nkxl create: %s\n", out);
	free(out);
	free(cfg);
	free(a);
	free(b);
	return k;
}

static void test_guest_exit_status(void)
{
	struct kxen_domain_info info = {0};
	struct harness_kxend *k;
	char line[4][1024], *img, *dir, *out = NULL;
	const char *needles[] = {line[0],
				 "td: modules=2",
				 line[1],
				 line[2],
				 "td: probe ok",
				 "td: fw_cfg sig=QEMU id=1 cpus=2 max_cpus=2 "
				 "ram_mib=32",
				 "td: fw_cfg cmdline=[status=21 hello]",
				 "td: fw_cfg unknown=0x00000000",
				 "td: line 5 vector 0x00000045 in IRR",
				 "td: line 19 vector 0x00000046 in IRR",
				 "debug-exit, exit status 43",
				 NULL};
	int t, rc;

	KXEN_REQUIRE_KVM();
	k = boot("td1", ALL_DEVICES, ",\"on_poweroff\":\"preserve\"", NULL, &rc,
		 &img, &dir);
	CU_ASSERT_EQUAL(rc, 0);
	snprintf(line[0], sizeof(line[0]), "td: cmdline=[%s status=21 hello]",
		 img);
	snprintf(line[1], sizeof(line[1]),
		 "td: module 0 [%s/mod-a.bin] data=[alpha-module]", dir);
	snprintf(line[2], sizeof(line[2]),
		 "td: module 1 [%s/mod-b.bin beta args] data=[beta-module]",
		 dir);
	CU_ASSERT_EQUAL(harness_wait_dmesg("td: done", 60000), 0);
	for (t = 0; t < 10000; t += 50) {
		if (find_info("td1", &info) == 0 &&
		    info.state == KXEN_STATE_SHUTDOWN)
			break;
		usleep(50000);
	}
	expect_lines(needles);
	CU_ASSERT_EQUAL(info.state, KXEN_STATE_SHUTDOWN);
	CU_ASSERT_EQUAL(info.shutdown_reason, KXEN_SHUTDOWN_POWEROFF);
	CU_ASSERT(info.flags & KXEN_INFO_EXIT_STATUS);
	CU_ASSERT_EQUAL(info.exit_status, (21u << 1) | 1);
	harness_kxl(&out, "dmesg", NULL);
	CU_ASSERT_PTR_NULL(out ? strstr(out, "td: FAIL") : "no dmesg");
	free(out);
	harness_kxl(NULL, "destroy", "td1", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
	free(img);
	free(dir);
}

/* Without `test_devices` the ports are empty bus: nothing answers. */
static void test_guest_devices_off(void)
{
	static const char *const needles[] = {
	    "td: fw_cfg sig=", "td: line 5 vector 0x00000045 missing",
	    "td: still running after the exit write", NULL};
	struct kxen_domain_info info = {0};
	struct harness_kxend *k;
	char *img, *dir;
	int rc;

	KXEN_REQUIRE_KVM();
	k = boot("td0", "", "", NULL, &rc, &img, &dir);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("td: still running", 60000), 0);
	expect_lines(needles);
	CU_ASSERT_EQUAL(find_info("td0", &info), 0);
	CU_ASSERT_NOT_EQUAL(info.state, KXEN_STATE_SHUTDOWN);
	CU_ASSERT_FALSE(info.flags & KXEN_INFO_EXIT_STATUS);
	harness_kxl(NULL, "destroy", "td0", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
	free(img);
	free(dir);
}

/*
 * What the issue asks of `kxl create`: run the kernel, wait for it and
 * exit with its status, as `qemu -device isa-debug-exit` does (the
 * default on_poweroff destroys the domain once it has ended).
 */
static void test_create_wait_status(void)
{
	struct kxen_domain_info info;
	struct harness_kxend *k;
	char *img, *dir;
	int rc = -1;

	KXEN_REQUIRE_KVM();
	k = boot("tdw", ALL_DEVICES, "", "-w", &rc, &img, &dir);
	CU_ASSERT_EQUAL(rc, (21 << 1) | 1);
	CU_ASSERT_NOT_EQUAL(find_info("tdw", &info), 0); /* destroyed */
	harness_kxl(NULL, "destroy", "tdw", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
	free(img);
	free(dir);
}

/* kxl's answer to a bad request: one line naming the problem, exit 1. */
static void expect_create_error(struct harness_kxend *k, const char *json,
				const char *expect)
{
	char *cfg = harness_write_config(k, "bad", json), *out = NULL;
	const char *nl;

	CU_ASSERT_FATAL(cfg != NULL);
	CU_ASSERT_NOT_EQUAL(harness_kxl(&out, "create", cfg, NULL), 0);
	if (!out || !strstr(out, expect))
		fprintf(stderr, "\nexpected '%s', got '%s'\n", expect,
			out ? out : "");
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, expect) : NULL);
	nl = out ? strchr(out, '\n') : NULL;
	CU_ASSERT(nl != NULL && nl[1] == '\0');
	free(out);
	free(cfg);
}

/* A module larger than guest RAM, an exit port on the PIT's. */
static void test_create_errors(void)
{
	struct harness_kxend *k;
	char json[1024], *img, *big;
	FILE *f;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_FATAL(k != NULL);
	img = harness_guest("testdev.elf");
	CU_ASSERT_FATAL(asprintf(&big, "%s/big.bin", k->dir) > 0);
	f = fopen(big, "w");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(ftruncate(fileno(f), 5 << 20), 0);
	fclose(f);
	snprintf(json, sizeof(json),
		 "{\"name\":\"bad\",\"memory\":4,\"kernel\":\"%s\","
		 "\"modules\":[\"big.bin\"]}",
		 img);
	expect_create_error(k, json, "module 0 (" /* the path follows */);
	expect_create_error(k, json,
			    "big.bin) of 5242880 bytes does not fit "
			    "in guest RAM");
	snprintf(json, sizeof(json),
		 "{\"name\":\"bad\",\"memory\":4,\"kernel\":\"%s\","
		 "\"test_devices\":[\"isa-debug-exit,iobase=0x40\"]}",
		 img);
	expect_create_error(k, json,
			    "isa-debug-exit ports 0x40-0x43 are "
			    "taken by another device");
	CU_ASSERT_NOT_EQUAL(harness_kxl(NULL, "destroy", "bad", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
	free(img);
	free(big);
}

/*
 * The other Multiboot image forms run the same kernel: ELF32 with
 * e_machine EM_X86_64, and a flat file placed by the a.out kludge.
 */
static void test_image_forms(void)
{
	static const char *const forms[] = {"testdev-x64.elf",
					    "testdev-aout.bin"};
	struct harness_kxend *k;
	char *img, *dir;
	unsigned i;
	int rc = -1;

	KXEN_REQUIRE_KVM();
	for (i = 0; i < 2; i++) {
		guest = forms[i];
		k = boot("tdf", ALL_DEVICES, "", "-w", &rc, &img, &dir);
		if (rc != ((21 << 1) | 1))
			fprintf(stderr, "\n%s: kxl create -w gave %d\n",
				forms[i], rc);
		CU_ASSERT_EQUAL(rc, (21 << 1) | 1);
		harness_kxl(NULL, "destroy", "tdf", NULL);
		CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
		free(img);
		free(dir);
	}
	guest = "testdev.elf";
}

int kxen_suite_testdev_guest(CU_pSuite s)
{
	if (!CU_add_test(s, "op refusals on a live domain", test_op_refusals) ||
	    !CU_add_test(s, "Multiboot test kernel exit status",
			 test_guest_exit_status) ||
	    !CU_add_test(s, "kxl create errors", test_create_errors) ||
	    !CU_add_test(s, "kxl create -w returns the guest's status",
			 test_create_wait_status) ||
	    !CU_add_test(s, "ELF32 x86-64 and a.out kludge images",
			 test_image_forms) ||
	    !CU_add_test(s, "test devices off by default",
			 test_guest_devices_off))
		return -1;
	return 0;
}
