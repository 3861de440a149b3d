/*
 * The benchmark scratch MMIO page of kxen-dm (dm/dev/scratch_mmio.h):
 * bytes read back as written at every width, accesses outside the page
 * are refused without touching it; and end to end, bench/run.sh's guest
 * reaches it through kxend and the ioreq path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "dev/scratch_mmio.h"

static uint64_t rd(struct scratch_mmio *s, uint64_t off, unsigned size)
{
	uint64_t v = 0x5a5a;

	CU_ASSERT_EQUAL(scratch_mmio_io(s, off, size, false, &v), 0);
	return v;
}

static void wr(struct scratch_mmio *s, uint64_t off, unsigned size, uint64_t v)
{
	CU_ASSERT_EQUAL(scratch_mmio_io(s, off, size, true, &v), 0);
}

static void test_read_back(void)
{
	struct scratch_mmio *s = scratch_mmio_create();

	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_EQUAL(rd(s, 0, 8), 0);
	wr(s, 0, 4, 0x11223344);
	CU_ASSERT_EQUAL(rd(s, 0, 4), 0x11223344);
	CU_ASSERT_EQUAL(rd(s, 1, 2), 0x2233);
	CU_ASSERT_EQUAL(rd(s, 3, 1), 0x11);
	wr(s, 0xff8, 8, 0x0102030405060708ull);
	CU_ASSERT_EQUAL(rd(s, 0xff8, 8), 0x0102030405060708ull);
	wr(s, 0xffc, 1, 0xee);
	CU_ASSERT_EQUAL(rd(s, 0xff8, 8), 0x010203ee05060708ull);
	scratch_mmio_destroy(s);
}

static void test_outside(void)
{
	struct scratch_mmio *s = scratch_mmio_create();
	uint64_t v = 0;

	CU_ASSERT_FATAL(s != NULL);
	wr(s, 0xffc, 4, 0xaabbccdd);
	wr(s, 0xffe, 4, 0x12345678); /* crosses the end: ignored */
	wr(s, 0x1000, 1, 0x12);
	wr(s, UINT64_MAX, 8, 0x12);
	CU_ASSERT_EQUAL(rd(s, 0xffc, 4), 0xaabbccdd);
	CU_ASSERT_EQUAL(rd(s, 0xffd, 4), ~0ull);
	CU_ASSERT_EQUAL(rd(s, 0, 0), ~0ull);
	CU_ASSERT_EQUAL(rd(s, 0, 9), ~0ull);
	CU_ASSERT_EQUAL(scratch_mmio_io(NULL, 0, 1, false, &v), -EINVAL);
	CU_ASSERT_EQUAL(scratch_mmio_io(s, 0, 1, false, NULL), -EINVAL);
	scratch_mmio_destroy(s);
}

/* The DM's log line for the page once it has exited, or NULL. */
static char *dm_count_line(const char *logdir, const char *name)
{
	char path[1024], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dm-%s.log", logdir, name);
	for (int i = 0; i < 200; i++) { /* the DM logs it at exit */
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (strstr(line, "benchmmio") &&
			    strstr(line, "accesses")) {
				fclose(f);
				return strdup(line);
			}
		if (f)
			fclose(f);
		usleep(50000);
	}
	return NULL;
}

/*
 * bench/guests/exitbench.elf "exits 7" makes 7 reads and 7 writes to
 * the page among its other paths, then powers off (its monitor then
 * destroys the domain and the DM exits): the DM must have served all
 * 14 and the guest must have finished.
 */
static void test_forwarded(void)
{
	struct harness_kxend *k;
	char json[1024], img[900], *cfg, *line, *out = NULL;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_FATAL(k != NULL);
	snprintf(img, sizeof(img), "%s/bench/guests/exitbench.elf",
		 harness_builddir());
	snprintf(json, sizeof(json),
		 "{\"name\": \"bm1\", \"memory\": 16, \"vcpus\": 1, "
		 "\"kernel\": \"%s\", \"cmdline\": \"exits 7\", "
		 "\"devices\": \"default,benchmmio\"}",
		 img);
	cfg = harness_write_config(k, "bm1", json);
	CU_ASSERT_FATAL(cfg != NULL);
	CU_ASSERT_EQUAL(harness_kxl(&out, "create", cfg, NULL), 0);
	CU_ASSERT_EQUAL(
	    harness_wait_dmesg("bench: exit dm-mmio-write n=7", 30000), 0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("bench: done", 30000), 0);
	line = dm_count_line(k->logdir, "bm1");
	CU_ASSERT_PTR_NOT_NULL(line);
	if (line) {
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(line, "0xd0000000-0xd0000fff: 14 accesses"));
		if (!strstr(line, ": 14 accesses"))
			fprintf(stderr, "\nDM log: %s", line);
	}
	harness_kxl(NULL, "destroy", "bm1", NULL); /* gone already: ignored */
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
	free(line);
	free(out);
	free(cfg);
}

int kxen_suite_benchmmio(void)
{
	CU_pSuite s = CU_add_suite("benchmmio", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "bytes read back as written", test_read_back) ||
	    !CU_add_test(s, "accesses outside the page refused",
			 test_outside) ||
	    !CU_add_test(s, "bench guest reaches it through kxend and the DM",
			 test_forwarded))
		return -1;
	return 0;
}
