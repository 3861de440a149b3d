/*
 * Suite "stat": `kxl stat` (issue 6). tests/guests/stat.bin makes known
 * numbers of exits to an in-core port device, a kxen-dm port (COM1's
 * scratch register), an unclaimed port, in-core MMIO (HPET), kxen-dm
 * MMIO (its benchmmio page) and unclaimed MMIO; `kxl stat --json` must count at
 * least that many of each, in the right class (core / dm / unclaimed), with a
 * latency for the handled ones. Bad command lines get one clear line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "harness.h"
#include "kxenctrl.h"

#define GUEST_TIMEOUT_MS 60000

static struct harness_kxend *boot_stat_guest(void)
{
	struct harness_kxend *k = harness_kxend_start();
	char json[1024], *img, *cfg, *out = NULL;
	int rc;

	CU_ASSERT_PTR_NOT_NULL(k);
	if (!k)
		return NULL;
	setenv("KXEN_LOGDIR", k->logdir, 1);
	img = harness_guest("stat.bin");
	snprintf(json, sizeof(json),
		 "{\"name\": \"counted\", \"memory\": 16, \"kernel\": \"%s\", "
		 "\"devices\": \"com1,benchmmio\"}",
		 img);
	free(img);
	cfg = harness_write_config(k, "counted", json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	rc = harness_kxl(&out, "create", cfg, NULL);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\nkxl create: %s\n", out ? out : "");
	free(out);
	free(cfg);
	return k;
}

static void stop(struct harness_kxend *k)
{
	CU_ASSERT_EQUAL(harness_kxl(NULL, "destroy", "counted", NULL), 0);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

static const char *str_at(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_string);

	return v ? YAJL_GET_STRING(v) : "";
}

static long long int_at(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

static double mean_at(yajl_val obj)
{
	const char *path[] = {"mean_us", NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_number);

	return v ? YAJL_GET_DOUBLE(v) : -1;
}

/*
 * The row for an access at addr in space ("port"/"mmio"); with addr
 * ~0, the unclaimed row of that space. NULL when none.
 */
static yajl_val row_for(yajl_val devs, const char *space, uint64_t addr)
{
	for (size_t i = 0; i < YAJL_GET_ARRAY(devs)->len; i++) {
		yajl_val r = YAJL_GET_ARRAY(devs)->values[i];
		bool unclaimed = strcmp(str_at(r, "where"), "unclaimed") == 0;

		if (strcmp(str_at(r, "space"), space) != 0)
			continue;
		if (addr == ~0ull
			? unclaimed
			: !unclaimed && (uint64_t)int_at(r, "start") <= addr &&
			      addr <= (uint64_t)int_at(r, "end"))
			return r;
	}
	return NULL;
}

/* Parse `kxl stat --json counted`; NULL (after saying why) on failure. */
static yajl_val stat_json(void)
{
	char *out = NULL, err[256] = "";
	yajl_val root = NULL;

	/* Options after the name, as xl takes them. */
	if (harness_kxl(&out, "stat", "counted", "--json", NULL) == 0 && out)
		root = yajl_tree_parse(out, err, sizeof(err));
	if (!root)
		fprintf(stderr, "\nkxl stat --json: %s %s\n", out ? out : "",
			err);
	free(out);
	return root;
}

static void expect_row(yajl_val devs, const char *space, uint64_t addr,
		       const char *where, long long min_exits, bool timed)
{
	yajl_val r = row_for(devs, space, addr);

	CU_ASSERT_PTR_NOT_NULL(r);
	if (!r) {
		fprintf(stderr, "\nno %s row for %#llx\n", space,
			(unsigned long long)addr);
		return;
	}
	CU_ASSERT_STRING_EQUAL(str_at(r, "where"), where);
	CU_ASSERT(int_at(r, "exits") >= min_exits);
	if (int_at(r, "exits") < min_exits)
		fprintf(stderr, "\n%s %#llx: %lld exits, expected >= %lld\n",
			space, (unsigned long long)addr, int_at(r, "exits"),
			min_exits);
	if (timed)
		CU_ASSERT(mean_at(r) > 0);
}

/* Each class of exit is counted where it was handled. */
static void test_stat_counts_by_class(void)
{
	const char *dpath[] = {"devices", NULL},
		   *vpath[] = {"vcpu_exits", NULL};
	struct harness_kxend *k;
	yajl_val root, devs, vex;
	char *out = NULL;

	KXEN_REQUIRE_KVM();
	k = boot_stat_guest();
	if (!k)
		return;
	CU_ASSERT_EQUAL(harness_wait_dmesg("stat: done", GUEST_TIMEOUT_MS), 0);
	harness_kxl(&out, "dmesg", NULL);
	CU_ASSERT_PTR_NULL(out ? strstr(out, "stat: FAIL") : NULL);
	free(out);
	root = stat_json();
	CU_ASSERT_PTR_NOT_NULL(root);
	devs = root ? yajl_tree_get(root, dpath, yajl_t_array) : NULL;
	CU_ASSERT_PTR_NOT_NULL(devs);
	if (devs) {
		expect_row(devs, "port", 0x61, "core", 500, true);
		expect_row(devs, "port", 0x3ff, "dm", 600, true);
		expect_row(devs, "port", ~0ull, "unclaimed", 200, false);
		expect_row(devs, "mmio", 0xfed00000, "core", 100, true);
		expect_row(devs, "mmio", ~0ull, "unclaimed", 100, false);
		expect_row(devs, "mmio", 0xd0000000, "dm", 200, true);
		/* 0x2fa is nobody's: no core or DM row may claim it. */
		CU_ASSERT_PTR_NULL(row_for(devs, "port", 0x2fa));
	}
	vex = root ? yajl_tree_get(root, vpath, yajl_t_array) : NULL;
	CU_ASSERT(vex && YAJL_GET_ARRAY(vex)->len == 1 &&
		  YAJL_GET_INTEGER(YAJL_GET_ARRAY(vex)->values[0]) >= 1500);
	yajl_tree_free(root);
	/* The table names the same rows. */
	CU_ASSERT_EQUAL(harness_kxl(&out, "stat", "counted", NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "port61") : NULL);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "unclaimed") : NULL);
	CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, " dm ") : NULL);
	free(out);
	stop(k);
}

/* -d: N refreshes of per-interval figures, one JSON object a line. */
static void test_stat_refresh(void)
{
	struct harness_kxend *k;
	char *out = NULL, *line, *save = NULL;
	int lines = 0;

	KXEN_REQUIRE_KVM();
	k = boot_stat_guest();
	if (!k)
		return;
	CU_ASSERT_EQUAL(harness_wait_dmesg("stat: done", GUEST_TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(harness_kxl(&out, "stat", "--json", "-d", "0.2", "-n",
				    "2", "counted", NULL),
			0);
	for (line = out ? strtok_r(out, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *ipath[] = {"interval_s", NULL};
		yajl_val root = yajl_tree_parse(line, NULL, 0);
		yajl_val iv =
		    root ? yajl_tree_get(root, ipath, yajl_t_number) : NULL;

		CU_ASSERT(iv && YAJL_GET_DOUBLE(iv) >= 0.19);
		yajl_tree_free(root);
		lines++;
	}
	CU_ASSERT_EQUAL(lines, 2);
	free(out);
	stop(k);
}

/* Bad command lines and an unknown domain: one line each, no table. */
static void test_stat_bad_args(void)
{
	static const char *const bad[][5] = {
	    {"stat", NULL},
	    {"stat", "-d", "0", "x", NULL},
	    {"stat", "-d", "-1", "x", NULL},
	    {"stat", "-d", "abc", "x", NULL},
	    {"stat", "-d", "99999", "x", NULL},
	    {"stat", "-n", "2", "x", NULL},
	    {"stat", "--bogus", "x", NULL},
	    {"stat", "a", "b", NULL},
	};
	struct harness_kxend *k = harness_kxend_start();
	char *out = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(harness_kxl(&out, bad[i][0], bad[i][1],
					    bad[i][2], bad[i][3], bad[i][4]),
				2);
		CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, "kxl: ") : NULL);
		CU_ASSERT(out && strchr(out, '\n') == out + strlen(out) - 1);
		free(out);
		out = NULL;
	}
	/* The op itself refuses a domain that does not exist. */
	{
		xc_interface *xch = xc_interface_open(NULL, NULL, 0);
		static struct kxen_exit_stats_reply r;

		CU_ASSERT_PTR_NOT_NULL_FATAL(xch);
		CU_ASSERT_EQUAL(kxc_domain_exit_stats(xch, 999, &r, sizeof(r)),
				-1);
		CU_ASSERT_EQUAL(kxc_domain_exit_stats(xch, 0, NULL, 0), -1);
		xc_interface_close(xch);
	}
	CU_ASSERT_EQUAL(harness_kxl(&out, "stat", "nosuch", NULL), 1);
	CU_ASSERT_STRING_EQUAL(
	    out ? out : "", "kxl: no domain named 'nosuch' (see 'kxl list')\n");
	free(out);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

int kxen_suite_stat(void)
{
	CU_pSuite s = CU_add_suite("stat", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "exits counted as core, dm and unclaimed",
			 test_stat_counts_by_class) ||
	    !CU_add_test(s, "-d refreshes with per-interval figures",
			 test_stat_refresh) ||
	    !CU_add_test(s, "bad arguments get one clear line",
			 test_stat_bad_args))
		return -1;
	return 0;
}
