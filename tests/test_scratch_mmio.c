/*
 * The benchmark scratch MMIO page of kxen-dm (dm/dev/scratch_mmio.h):
 * bytes read back as written at every width, accesses outside the page
 * are refused without touching it.
 */
#include <errno.h>
#include <stdint.h>

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

int kxen_suite_benchmmio(void)
{
	CU_pSuite s = CU_add_suite("benchmmio", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "bytes read back as written", test_read_back) ||
	    !CU_add_test(s, "accesses outside the page refused", test_outside))
		return -1;
	return 0;
}
