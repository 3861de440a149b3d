/*
 * Suite "pvmpolicy": the kernel parameters kxl adds for Linux guests on
 * PVM hosts (tools/toolstack/pvm_policy.h, issue 8): what is missing is
 * added, what the config says is kept, the last clearcpuid= (the one
 * Linux uses) gains the missing features, and a too-small buffer fails.
 */
#include <string.h>

#include "harness.h"
#include "toolstack/pvm_policy.h"

static void check(const char *in, unsigned khz, const char *want_out,
		  const char *want_added)
{
	char out[512], added[256];

	CU_ASSERT_EQUAL(
	    kxl_pvm_cmdline(in, khz, out, sizeof(out), added, sizeof(added)),
	    0);
	CU_ASSERT_STRING_EQUAL(out, want_out);
	CU_ASSERT_STRING_EQUAL(added, want_added);
}

static void test_adds_what_is_missing(void)
{
	check("", 2596148,
	      "noxsave clearcpuid=popcnt,smap tsc_early_khz=2596148 "
	      "tsc=reliable no_timer_check",
	      "noxsave clearcpuid=popcnt,smap tsc_early_khz=2596148 "
	      "tsc=reliable no_timer_check");
	check("console=ttyS0", 0,
	      "console=ttyS0 noxsave clearcpuid=popcnt,smap tsc=reliable "
	      "no_timer_check",
	      "noxsave clearcpuid=popcnt,smap tsc=reliable no_timer_check");
}

static void test_keeps_what_the_config_says(void)
{
	check("noxsave clearcpuid=popcnt,smap,erms tsc=unstable "
	      "tsc_early_khz=1000 no_timer_check",
	      2596148,
	      "noxsave clearcpuid=popcnt,smap,erms tsc=unstable "
	      "tsc_early_khz=1000 no_timer_check",
	      "");
	/* A word that only starts like a parameter is not it. */
	check("notnoxsave", 0,
	      "notnoxsave noxsave clearcpuid=popcnt,smap tsc=reliable "
	      "no_timer_check",
	      "noxsave clearcpuid=popcnt,smap tsc=reliable no_timer_check");
}

static void test_merges_the_last_clearcpuid(void)
{
	check("clearcpuid=smap clearcpuid=erms x", 0,
	      "clearcpuid=smap clearcpuid=erms,popcnt,smap x noxsave "
	      "tsc=reliable no_timer_check",
	      "clearcpuid+=popcnt,smap noxsave tsc=reliable no_timer_check");
}

static void test_too_small_fails(void)
{
	char out[8], added[64];

	CU_ASSERT_EQUAL(kxl_pvm_cmdline("console=ttyS0", 0, out, sizeof(out),
					added, sizeof(added)),
			-1);
}

/* A setup header whose kernel_version string is text. */
static void bzimage_with(unsigned char *img, size_t len, const char *ver)
{
	memset(img, 0, len);
	img[0x20e] = 0x00; /* kernel_version at 0x200 + 0x100 */
	img[0x20f] = 0x01;
	memcpy(img + 0x300, ver, strlen(ver) + 1);
}

static void test_bzimage_is_linux(void)
{
	unsigned char img[0x800];

	bzimage_with(img, sizeof(img),
		     "6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) "
		     "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)");
	CU_ASSERT_TRUE(kxl_bzimage_is_linux(img, sizeof(img)));
	bzimage_with(img, sizeof(img), "memtest86+ 7.00");
	CU_ASSERT_FALSE(kxl_bzimage_is_linux(img, sizeof(img)));
	/* No pointer; a pointer past the end; no NUL before the end. */
	memset(img, 0, sizeof(img));
	CU_ASSERT_FALSE(kxl_bzimage_is_linux(img, sizeof(img)));
	img[0x20f] = 0x7f;
	CU_ASSERT_FALSE(kxl_bzimage_is_linux(img, sizeof(img)));
	bzimage_with(img, sizeof(img), "6.1 (a@b) #1");
	memset(img + 0x300, '6', sizeof(img) - 0x300);
	CU_ASSERT_FALSE(kxl_bzimage_is_linux(img, sizeof(img)));
	CU_ASSERT_FALSE(kxl_bzimage_is_linux(img, 0x100));
}

int kxen_suite_pvmpolicy(void)
{
	CU_pSuite s = CU_add_suite("pvmpolicy", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "adds what is missing",
			 test_adds_what_is_missing) ||
	    !CU_add_test(s, "keeps what the config says",
			 test_keeps_what_the_config_says) ||
	    !CU_add_test(s, "merges the last clearcpuid=",
			 test_merges_the_last_clearcpuid) ||
	    !CU_add_test(s, "too small a buffer fails", test_too_small_fails) ||
	    !CU_add_test(s, "a bzImage is Linux by its kernel_version",
			 test_bzimage_is_linux))
		return -1;
	return 0;
}
