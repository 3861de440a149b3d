/*
 * Suite "testdev", continued (test_testdev.c registers these): the
 * config keys, the Multiboot loader's modules and command line with
 * its bad inputs (pure, on a buffer standing for guest RAM), the
 * KXEN_OP_TEST_DEVICES refusals on a live domain, and a Multiboot test
 * kernel (tests/guests/testdev.S) that uses every test device and ends
 * its domain with a status of its choosing.
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "kxenctrl.h"
#include "toolstack/boot.h"
#include "toolstack/bytes.h"
#include "toolstack/config.h"
#include "toolstack/image.h"
#include "toolstack/multiboot.h"

#define MIB (1024u * 1024u)
#define RAM (64 * MIB)
#define KERNEL_GPA 0x100000u
#define PAGE 4096u

/* ---- config keys ----------------------------------------------------- */

/* Load {"name":"x","memory":1,"kernel":"k",<extra>} from /tmp. */
static int load_extra(const char *extra, struct kxl_config *cfg, char *err,
		      size_t errlen)
{
	char json[1024], p[] = "/tmp/kxen-testdev-XXXXXX";
	int fd = mkstemp(p), n, rc;

	if (fd < 0)
		return -2;
	n = snprintf(json, sizeof(json),
		     "{\"name\":\"x\",\"memory\":1,\"kernel\":\"k\",%s}",
		     extra);
	rc = write(fd, json, (size_t)n) == n ? 0 : -2;
	close(fd);
	if (rc == 0)
		rc = kxl_config_load(p, cfg, err, errlen);
	unlink(p);
	return rc;
}

static void expect_bad(const char *extra, const char *expect)
{
	struct kxl_config cfg;
	char err[512] = "";

	CU_ASSERT_EQUAL(load_extra(extra, &cfg, err, sizeof(err)), -1);
	if (!strstr(err, expect))
		fprintf(stderr, "\n%s: expected '%s', got '%s'\n", extra,
			expect, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
}

static void test_config_devices(void)
{
	struct kxl_config cfg;
	char err[512] = "";

	CU_ASSERT_EQUAL(
	    load_extra("\"serial\":\"none\"", &cfg, err, sizeof(err)), 0);
	CU_ASSERT(!cfg.test_devices.debug_exit && !cfg.test_devices.fw_cfg &&
		  !cfg.test_devices.irq_lines); /* all off by default */
	kxl_config_free(&cfg);
	CU_ASSERT_EQUAL(
	    load_extra("\"test_devices\":[\"isa-debug-exit\",\"fw_cfg\"]", &cfg,
		       err, sizeof(err)),
	    0);
	CU_ASSERT(cfg.test_devices.debug_exit && cfg.test_devices.fw_cfg &&
		  !cfg.test_devices.irq_lines);
	CU_ASSERT_EQUAL(cfg.test_devices.exit_port, 0xf4);
	CU_ASSERT_EQUAL(cfg.test_devices.exit_width, 4);
	kxl_config_free(&cfg);
	CU_ASSERT_EQUAL(load_extra("\"test_devices\":[\"pc-testdev\","
				   "\"isa-debug-exit,iobase=0x501,iosize=2\"]",
				   &cfg, err, sizeof(err)),
			0);
	CU_ASSERT(cfg.test_devices.irq_lines && cfg.test_devices.debug_exit);
	CU_ASSERT_EQUAL(cfg.test_devices.exit_port, 0x501);
	CU_ASSERT_EQUAL(cfg.test_devices.exit_width, 2);
	kxl_config_free(&cfg);
	expect_bad("\"test_devices\":\"fw_cfg\"", "must be an array");
	expect_bad("\"test_devices\":[1]", "element 0 must be a string");
	expect_bad("\"test_devices\":[\"vga\"]", "unknown device 'vga'");
	expect_bad("\"test_devices\":[\"fw_cfg\",\"fw_cfg\"]", "listed twice");
	expect_bad("\"test_devices\":[\"fw_cfg,x=1\"]", "takes no options");
	expect_bad("\"test_devices\":[\"isa-debug-exit,iosize=5\"]",
		   "iosize must be 1-4, got '5'");
	expect_bad("\"test_devices\":[\"isa-debug-exit,iobase=0x10000\"]",
		   "iobase must be a port");
	expect_bad("\"test_devices\":[\"isa-debug-exit,iobase=0xfffe\"]",
		   "run past 0xffff");
	expect_bad("\"test_devices\":[\"isa-debug-exit,speed\"]",
		   "needs a value");
	expect_bad("\"test_devices\":[\"isa-debug-exit,color=1\"]",
		   "has no option 'color'");
}

static void test_config_modules(void)
{
	struct kxl_config cfg;
	char err[512] = "";

	CU_ASSERT_EQUAL(load_extra("\"modules\":[\"a.bin\",{\"file\":"
				   "\"/m/b.bin\",\"string\":\"b args\"}]",
				   &cfg, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL_FATAL(cfg.nr_modules, 2);
	CU_ASSERT_STRING_EQUAL(cfg.modules[0].path, "/tmp/a.bin");
	CU_ASSERT_PTR_NULL(cfg.modules[0].string);
	CU_ASSERT_STRING_EQUAL(cfg.modules[1].path, "/m/b.bin");
	CU_ASSERT_STRING_EQUAL(cfg.modules[1].string, "b args");
	kxl_config_free(&cfg);
	expect_bad("\"modules\":[]", "must be an array of 1-15 modules");
	expect_bad("\"modules\":\"a.bin\"", "must be an array");
	expect_bad("\"modules\":[\"\"]", "element 0 must be a file name");
	expect_bad("\"modules\":[{\"string\":\"x\"}]",
		   "element 0 must be a file name");
	expect_bad("\"modules\":[{\"file\":\"a\",\"args\":\"x\"}]",
		   "may only have 'file' and 'string'");
	expect_bad("\"modules\":[{\"file\":\"a\",\"string\":3}]",
		   "'string' must be a string");
}

/* ---- Multiboot loading ----------------------------------------------- */

/* ELF32 with the Multiboot header at the start of its one segment. */
struct mb_elf {
	Elf32_Ehdr eh;
	Elf32_Phdr ph[2];
	uint32_t hdr[4];
	unsigned char code[32];
};

static void make_elf(struct mb_elf *e, uint16_t machine)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS32;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = machine;
	e->eh.e_entry = KERNEL_GPA + 16;
	e->eh.e_phoff = offsetof(struct mb_elf, ph);
	e->eh.e_phentsize = sizeof(Elf32_Phdr);
	e->eh.e_phnum = 1;
	e->ph[0].p_type = PT_LOAD;
	e->ph[0].p_offset = offsetof(struct mb_elf, hdr);
	e->ph[0].p_paddr = KERNEL_GPA;
	e->ph[0].p_filesz = sizeof(e->hdr) + sizeof(e->code);
	e->ph[0].p_memsz = 0x3000;
	e->hdr[0] = KXL_MB_MAGIC;
	e->hdr[1] = KXL_MB_PAGE_ALIGN;
	e->hdr[2] = -(KXL_MB_MAGIC + KXL_MB_PAGE_ALIGN);
}

static int plan_mods(const void *image, size_t len,
		     const struct kxl_mb_module *mods, unsigned n,
		     struct kxl_boot *b, char *err, size_t errlen)
{
	struct kxl_boot_args a = {.ram_bytes = RAM,
				  .vcpus = 1,
				  .cmdline = "a b",
				  .kernel_path = "/boot/kernel",
				  .modules = mods,
				  .nr_modules = n};
	struct kxl_image img;

	if (kxl_image_parse(image, len, RAM, &img, err, errlen) < 0)
		return -1;
	if (img.kind != KXL_IMAGE_MULTIBOOT)
		return -3;
	return kxl_boot_prepare(&img, image, &a, b, err, errlen);
}

static unsigned char *lay_out(const struct kxl_boot *b)
{
	unsigned char *ram = calloc(1, RAM);
	unsigned int i;

	CU_ASSERT_FATAL(ram != NULL);
	for (i = 0; i < b->nr_blobs; i++) {
		CU_ASSERT_FATAL(b->blobs[i].gpa + b->blobs[i].size <= RAM);
		if (b->blobs[i].data)
			memcpy(ram + b->blobs[i].gpa, b->blobs[i].data,
			       b->blobs[i].len);
	}
	return ram;
}

static const char *str_at(const unsigned char *ram, uint32_t gpa)
{
	return (const char *)ram + gpa;
}

/* EM_386 and EM_X86_64 in an ELF32 wrapper load the same way. */
static void check_modules(uint16_t machine)
{
	static const struct kxl_mb_module mods[] = {
	    {"ZERO", 4, "/m/zero", NULL},
	    {"MODULE-ONE", 10, "/m/one", "arg1 arg2"}};
	const unsigned char *mbi, *m;
	unsigned char *ram;
	struct kxl_boot b;
	struct mb_elf e;
	char err[256] = "";

	make_elf(&e, machine);
	CU_ASSERT_EQUAL_FATAL(
	    plan_mods(&e, sizeof(e), mods, 2, &b, err, sizeof(err)), 0);
	ram = lay_out(&b);
	mbi = ram + KXL_BOOTINFO_GPA;
	CU_ASSERT(kxl_get32(mbi, KXL_MBI_FLAGS) & KXL_MBI_MODS);
	CU_ASSERT_STRING_EQUAL(str_at(ram, kxl_get32(mbi, KXL_MBI_CMDLINE_PTR)),
			       "/boot/kernel a b");
	CU_ASSERT_EQUAL_FATAL(kxl_get32(mbi, KXL_MBI_MODS_COUNT), 2);
	m = ram + kxl_get32(mbi, KXL_MBI_MODS_ADDR);
	/* Page-aligned (header flag 0), above the kernel, in order. */
	CU_ASSERT_EQUAL(kxl_get32(m, 0), KERNEL_GPA + 0x3000);
	CU_ASSERT_EQUAL(kxl_get32(m, 4), KERNEL_GPA + 0x3000 + 4);
	CU_ASSERT_EQUAL(memcmp(ram + kxl_get32(m, 0), "ZERO", 4), 0);
	CU_ASSERT_STRING_EQUAL(str_at(ram, kxl_get32(m, 8)), "/m/zero");
	CU_ASSERT_EQUAL(kxl_get32(m, 16), KERNEL_GPA + 0x4000);
	CU_ASSERT_EQUAL(kxl_get32(m, 20) - kxl_get32(m, 16), 10);
	CU_ASSERT_EQUAL(memcmp(ram + kxl_get32(m, 16), "MODULE-ONE", 10), 0);
	CU_ASSERT_STRING_EQUAL(str_at(ram, kxl_get32(m, 24)),
			       "/m/one arg1 arg2");
	CU_ASSERT_EQUAL(kxl_get32(m, 28), 0);
	free(ram);
	kxl_boot_free(&b);
}

static void test_mb_modules(void)
{
	check_modules(EM_386);
	check_modules(EM_X86_64);
}

static void expect_plan_error(const void *image, size_t len,
			      const struct kxl_mb_module *mods, unsigned n,
			      const char *expect)
{
	struct kxl_boot b;
	char err[256] = "";

	CU_ASSERT_EQUAL(plan_mods(image, len, mods, n, &b, err, sizeof(err)),
			-1);
	if (!strstr(err, expect))
		fprintf(stderr, "\nexpected '%s', got '%s'\n", expect, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
}

/* The a.out kludge (§3.1.3) of a raw image with its header at 0x40. */
static void make_aout(unsigned char *img, uint32_t load, uint32_t load_end,
		      uint32_t bss_end)
{
	uint32_t flags = KXL_MB_AOUT_KLUDGE;

	memset(img, 0, 0x400);
	kxl_put32(img, 0x40, KXL_MB_MAGIC);
	kxl_put32(img, 0x44, flags);
	kxl_put32(img, 0x48, -(KXL_MB_MAGIC + flags));
	kxl_put32(img, 0x4c, load + 0x40);
	kxl_put32(img, 0x50, load);
	kxl_put32(img, 0x54, load_end);
	kxl_put32(img, 0x58, bss_end);
	kxl_put32(img, 0x5c, load + 0x100);
}

static void test_mb_bad(void)
{
	static unsigned char one;
	struct kxl_mb_module big = {&one, RAM, "/m/big", NULL};
	struct kxl_mb_module many[KXL_MB_MAX_MODS + 1];
	unsigned char raw[0x400];
	struct mb_elf e;
	unsigned i;

	/* Truncated: the ELF segment, the a.out header, its load_end. */
	make_elf(&e, EM_386);
	e.ph[0].p_filesz = sizeof(e);
	expect_plan_error(&e, sizeof(e), NULL, 0, "past end of file");
	make_aout(raw, 0x200000, 0, 0);
	expect_plan_error(raw, 0x50, NULL, 0, "a.out header is truncated");
	make_aout(raw, 0x200000, 0x200800, 0x201000);
	expect_plan_error(raw, sizeof(raw), NULL, 0, "past end of file");
	/* Overlapping: two ELF segments, an a.out image on the boot info. */
	make_elf(&e, EM_386);
	e.eh.e_phnum = 2;
	e.ph[1] = e.ph[0];
	e.ph[1].p_paddr = KERNEL_GPA + 0x1000;
	expect_plan_error(&e, sizeof(e), NULL, 0,
			  "kernel segment 1 at 0x101000 overlaps kernel "
			  "segment 0");
	make_aout(raw, 0x7000, 0, 0x8000);
	expect_plan_error(raw, sizeof(raw), NULL, 0, "overlaps");
	/* A module larger than the RAM above the kernel, too many. */
	make_elf(&e, EM_386);
	expect_plan_error(&e, sizeof(e), &big, 1,
			  "module 0 (/m/big) of 67108864 bytes does not fit "
			  "in guest RAM");
	for (i = 0; i <= KXL_MB_MAX_MODS; i++)
		many[i] = (struct kxl_mb_module){"x", 1, "/m/x", NULL};
	expect_plan_error(&e, sizeof(e), many, KXL_MB_MAX_MODS + 1,
			  "17 Multiboot modules, at most 16");
}

int kxen_suite_testdev_boot(CU_pSuite s)
{
	if (!CU_add_test(s, "config test_devices", test_config_devices) ||
	    !CU_add_test(s, "config modules", test_config_modules) ||
	    !CU_add_test(s, "Multiboot modules and command line",
			 test_mb_modules) ||
	    !CU_add_test(s, "Multiboot bad images and modules", test_mb_bad))
		return -1;
	return kxen_suite_testdev_guest(s);
}
