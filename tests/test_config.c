/*
 * Suite "config": kxl's config parser on golden files (tests/configs/,
 * each bad-*.json with the error it must produce), and the image
 * validation of the domain builder on crafted ELF and flat images. Both
 * run in-process, without a hypervisor.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tools/toolstack/builder.h"
#include "../tools/toolstack/config.h"
#include "../tools/toolstack/image.h"
#include "harness.h"

#define MIB (1ull << 20)

static const struct {
	const char *file;
	const char *expect; /* substring of the one-line error */
} golden_bad[] = {
    {"bad-unknown-key.json", "unknown key 'memroy'"},
    {"bad-memory-string.json", "key 'memory' must be an integer (MiB), got "
			       "string"},
    {"bad-memory-float.json", "key 'memory' must be an integer (MiB), got "
			      "number"},
    {"bad-memory-zero.json", "key 'memory' must be between 1 and 1048576"},
    {"bad-memory-huge.json", "got 1048577"},
    {"bad-vcpus-range.json", "key 'vcpus' must be between 1 and 128"},
    {"bad-vcpus-bool.json", "key 'vcpus' must be an integer, got boolean"},
    {"bad-missing-name.json", "missing required key 'name'"},
    {"bad-missing-memory.json", "missing required key 'memory'"},
    {"bad-missing-kernel.json", "missing required key 'kernel'"},
    {"bad-name-chars.json", "key 'name' must be 1-63 characters"},
    {"bad-name-empty.json", "key 'name' must be 1-63 characters"},
    {"bad-kernel-type.json", "key 'kernel' must be a string, got integer"},
    {"bad-kernel-empty.json", "key 'kernel' must not be empty"},
    {"bad-cmdline-type.json", "key 'cmdline' must be a string, got array"},
    {"bad-cmdline-long.json", "key 'cmdline' is longer than 4095 bytes"},
    {"bad-duplicate-key.json", "duplicate key 'name'"},
    {"bad-json-comma.json", "invalid JSON near line 1, column "},
    {"bad-empty.json", "invalid JSON"},
    {"bad-not-object.json", "top level must be a JSON object, got array"},
};

static char *config_path(const char *file)
{
	char *p;

	if (asprintf(&p, "%s/tests/configs/%s", harness_srcdir(), file) < 0)
		return NULL;
	return p;
}

/* Load path, expecting failure with `expect` in the error; err -> out. */
static void expect_error(const char *path, const char *expect)
{
	struct kxl_config cfg;
	char err[512] = "";
	int rc = kxl_config_load(path, &cfg, err, sizeof(err));

	CU_ASSERT_EQUAL(rc, -1);
	if (!strstr(err, expect))
		fprintf(stderr, "\n%s: expected '%s', got '%s'\n", path, expect,
			err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
	/* One line, naming the file first. */
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
}

static void test_golden_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(golden_bad) / sizeof(golden_bad[0]); i++) {
		char *path = config_path(golden_bad[i].file);

		CU_ASSERT_FATAL(path != NULL);
		expect_error(path, golden_bad[i].expect);
		free(path);
	}
}

static void test_good(void)
{
	char *path = config_path("good.json"), *kernel = NULL;
	struct kxl_config cfg;
	char err[512] = "";

	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT_EQUAL_FATAL(kxl_config_load(path, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(cfg.name, "hello-1");
	CU_ASSERT_EQUAL(cfg.memory_mib, 16);
	CU_ASSERT_EQUAL(cfg.vcpus, 2);
	CU_ASSERT_STRING_EQUAL(cfg.cmdline, "console=ttyS0 quiet");
	/* Relative kernel paths resolve against the config's directory. */
	CU_ASSERT(asprintf(&kernel, "%s/tests/configs/guests/hello.bin",
			   harness_srcdir()) > 0);
	CU_ASSERT_STRING_EQUAL(cfg.kernel, kernel);
	kxl_config_free(&cfg);
	free(kernel);
	free(path);
}

/* Write data to a new temp file; returns its malloc'd path. */
static char *temp_file(const void *data, size_t len)
{
	char *path = strdup("/tmp/kxen-config-XXXXXX");
	int fd = path ? mkstemp(path) : -1;

	if (fd < 0) {
		free(path);
		return NULL;
	}
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void test_defaults_and_absolute_kernel(void)
{
	static const char json[] =
	    "{\"name\":\"x\",\"memory\":1,\"kernel\":\"/abs/k\"}";
	char *path = temp_file(json, sizeof(json) - 1);
	struct kxl_config cfg;
	char err[512] = "";

	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT_EQUAL(kxl_config_load(path, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.vcpus, 1);
	CU_ASSERT_STRING_EQUAL(cfg.cmdline, "");
	CU_ASSERT_STRING_EQUAL(cfg.kernel, "/abs/k");
	kxl_config_free(&cfg);
	unlink(path);
	free(path);
}

/* Load {"name":"x","memory":1,"kernel":"k","timer_mode":<value>}. */
static int load_timer_mode(const char *value, struct kxl_config *cfg, char *err,
			   size_t errlen, char **path_out)
{
	char json[256];
	int n = snprintf(json, sizeof(json),
			 "{\"name\":\"x\",\"memory\":1,\"kernel\":\"k\","
			 "\"timer_mode\":%s}",
			 value);
	char *path = temp_file(json, (size_t)n);
	int rc;

	*path_out = path;
	if (!path)
		return -2;
	rc = kxl_config_load(path, cfg, err, errlen);
	return rc;
}

static void test_timer_mode_good(void)
{
	static const struct {
		const char *json;
		unsigned int mode;
	} good[] = {
	    {"\"delay_for_missed_ticks\"", 0},
	    {"\"no_delay_for_missed_ticks\"", 1},
	    {"\"no_missed_ticks_pending\"", 2},
	    {"\"one_missed_tick_pending\"", 3},
	    {"0", 0},
	    {"1", 1},
	    {"2", 2},
	    {"3", 3},
	};
	static const char json[] =
	    "{\"name\":\"x\",\"memory\":1,\"kernel\":\"/k\"}";
	struct kxl_config cfg;
	char err[512] = "", *path;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(load_timer_mode(good[i].json, &cfg, err,
						sizeof(err), &path),
				0);
		if (err[0])
			fprintf(stderr, "\n%s: %s\n", good[i].json, err);
		CU_ASSERT_EQUAL(cfg.timer_mode, good[i].mode);
		kxl_config_free(&cfg);
		if (path)
			unlink(path);
		free(path);
	}
	/* Absent: Xen's default, delay_for_missed_ticks. */
	path = temp_file(json, sizeof(json) - 1);
	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT_EQUAL(kxl_config_load(path, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(cfg.timer_mode, KXL_TIMER_MODE_DELAY_FOR_MISSED_TICKS);
	kxl_config_free(&cfg);
	unlink(path);
	free(path);
	CU_ASSERT_STRING_EQUAL(kxl_timer_mode_name(2),
			       "no_missed_ticks_pending");
	CU_ASSERT_PTR_NULL(kxl_timer_mode_name(4));
}

static void test_timer_mode_bad(void)
{
	static const struct {
		const char *json;
		const char *got;
	} bad[] = {
	    {"\"delay\"", "got 'delay'"},
	    {"\"\"", "got ''"},
	    {"\"Delay_For_Missed_Ticks\"", "got 'Delay_For_Missed_Ticks'"},
	    {"4", "got 4"},
	    {"-1", "got -1"},
	    {"1.0", "got number"},
	    {"true", "got boolean"},
	    {"null", "got null"},
	    {"[0]", "got array"},
	};
	struct kxl_config cfg;
	char err[512], *path;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CU_ASSERT_EQUAL(
		    load_timer_mode(bad[i].json, &cfg, err, sizeof(err), &path),
		    -1);
		CU_ASSERT_FATAL(path != NULL);
		/* Names the file, the key, the choices and the bad value. */
		CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "key 'timer_mode' must be"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "one_missed_tick_pending"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].got));
		if (!strstr(err, bad[i].got))
			fprintf(stderr, "\n%s: expected '%s', got '%s'\n",
				bad[i].json, bad[i].got, err);
		CU_ASSERT_PTR_NULL(strchr(err, '\n'));
		unlink(path);
		free(path);
	}
}

static void test_unreadable_and_oversized(void)
{
	size_t big = KXL_CONFIG_MAX_BYTES + 1;
	char *data = malloc(big), *path;

	expect_error("/nonexistent/kxen/x.json", "cannot open");
	expect_error("/tmp", "not a regular file");
	CU_ASSERT_FATAL(data != NULL);
	memset(data, ' ', big);
	path = temp_file(data, big);
	free(data);
	CU_ASSERT_FATAL(path != NULL);
	expect_error(path, "larger than");
	unlink(path);
	free(path);
}

/* --- images --- */

/* A minimal ELF64 executable with one PT_LOAD at paddr. */
struct elf64 {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned char code[16];
};

static void make_elf64(struct elf64 *e, uint64_t paddr)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = paddr;
	e->eh.e_phoff = offsetof(struct elf64, ph);
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_offset = offsetof(struct elf64, code);
	e->ph.p_paddr = paddr;
	e->ph.p_filesz = sizeof(e->code);
	e->ph.p_memsz = 4096;
}

static void expect_image_error(const void *buf, size_t len, uint64_t ram,
			       const char *expect)
{
	struct kxl_image img;
	char err[256] = "";

	CU_ASSERT_EQUAL(kxl_image_parse(buf, len, ram, &img, err, sizeof(err)),
			-1);
	if (!strstr(err, expect))
		fprintf(stderr, "\nimage: expected '%s', got '%s'\n", expect,
			err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
}

static void test_elf_good(void)
{
	struct kxen_vcpu_context ctx;
	struct kxl_image img;
	struct elf64 e;
	char err[256] = "";

	make_elf64(&e, 0x100000);
	CU_ASSERT_EQUAL_FATAL(
	    kxl_image_parse(&e, sizeof(e), 16 * MIB, &img, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_ELF);
	CU_ASSERT_EQUAL(img.nr_segs, 1);
	CU_ASSERT_EQUAL(img.segs[0].paddr, 0x100000);
	CU_ASSERT_EQUAL(img.segs[0].memsz, 4096);
	kxl_boot_context(&img, &ctx);
	CU_ASSERT_EQUAL(ctx.rip, 0x100000);
	CU_ASSERT_EQUAL(ctx.rbx, KXL_CMDLINE_GPA);
	CU_ASSERT_EQUAL(ctx.cr0, 0x11);
	CU_ASSERT_EQUAL(ctx.cs.selector, 0x08);
	CU_ASSERT_EQUAL(ctx.cs.attr, 0xc09b);
	CU_ASSERT_EQUAL(ctx.ss.attr, 0xc093);
	CU_ASSERT_EQUAL(ctx.tr.limit, 0x67);
}

static void test_elf_bad(void)
{
	struct elf64 e;

	make_elf64(&e, 0x100000);
	expect_image_error(&e, 20, 16 * MIB, "truncated ELF header");
	expect_image_error(&e, sizeof(e.eh) + 8, 16 * MIB,
			   "program header table extends past end of file");
	e.ph.p_offset = sizeof(e) - 4;
	expect_image_error(&e, sizeof(e), 16 * MIB,
			   "program header 0 extends past end of file");
	make_elf64(&e, 15 * MIB);
	e.ph.p_memsz = 2 * MIB;
	expect_image_error(&e, sizeof(e), 16 * MIB, "outside guest RAM");
	make_elf64(&e, UINT64_MAX - 100);
	expect_image_error(&e, sizeof(e), 16 * MIB, "outside guest RAM");
	make_elf64(&e, 0x5800);
	expect_image_error(&e, sizeof(e), 16 * MIB, "command line page");
	make_elf64(&e, 0x100000);
	e.ph.p_filesz = 8192;
	expect_image_error(&e, sizeof(e), 16 * MIB,
			   "file size exceeds memory size");
	make_elf64(&e, 0x100000);
	e.eh.e_machine = EM_AARCH64;
	expect_image_error(&e, sizeof(e), 16 * MIB, "is not x86");
	make_elf64(&e, 0x100000);
	e.eh.e_type = ET_DYN;
	expect_image_error(&e, sizeof(e), 16 * MIB, "ET_EXEC");
	make_elf64(&e, 0x100000);
	e.eh.e_entry = 0x900000;
	expect_image_error(&e, sizeof(e), 16 * MIB, "entry point");
}

static void test_flat(void)
{
	static unsigned char code[512];
	struct kxen_vcpu_context ctx;
	struct kxl_image img;
	char err[256] = "";
	size_t room = KXL_FLAT_LIMIT_GPA - KXL_FLAT_LOAD_GPA;
	unsigned char *big = calloc(1, room + 1);

	CU_ASSERT_EQUAL_FATAL(kxl_image_parse(code, sizeof(code), 16 * MIB,
					      &img, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_FLAT);
	CU_ASSERT_EQUAL(img.segs[0].paddr, 0x8000);
	kxl_boot_context(&img, &ctx);
	CU_ASSERT_EQUAL(ctx.rip, 0x8000);
	CU_ASSERT_EQUAL(ctx.rsp, 0x7c00);
	CU_ASSERT_EQUAL(ctx.cr0, 0x10);
	CU_ASSERT_EQUAL(ctx.rflags, 0x2);
	CU_ASSERT_EQUAL(ctx.cs.attr, 0x9b);
	CU_ASSERT_EQUAL(ctx.cs.limit, 0xffff);
	CU_ASSERT_EQUAL(ctx.ds.attr, 0x93);
	CU_ASSERT_EQUAL(ctx.ldtr.attr, 0x82);
	CU_ASSERT_FATAL(big != NULL);
	CU_ASSERT_EQUAL(
	    kxl_image_parse(big, room, 16 * MIB, &img, err, sizeof(err)), 0);
	expect_image_error(big, room + 1, 16 * MIB, "does not fit");
	expect_image_error(code, 0, 16 * MIB, "image is empty");
	free(big);
}

static void test_image_files(void)
{
	char err[256] = "";
	char *path = temp_file("", 0);
	void *buf;
	size_t len;

	CU_ASSERT_EQUAL(kxl_image_read("/nonexistent/g.elf", 1024, &buf, &len,
				       err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/g.elf: cannot open"));
	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT_EQUAL(
	    kxl_image_read(path, 1024, &buf, &len, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "image is empty"));
	unlink(path);
	free(path);
	path = temp_file("0123456789", 10);
	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT_EQUAL(kxl_image_read(path, 4, &buf, &len, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than"));
	CU_ASSERT_EQUAL(kxl_image_read(path, 10, &buf, &len, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(len, 10);
	free(buf);
	unlink(path);
	free(path);
}

static void test_ram_layout(void)
{
	uint64_t four_g = 1ull << 32;

	CU_ASSERT_TRUE(kxl_ram_contains(16 * MIB, 0, 16 * MIB));
	CU_ASSERT_FALSE(kxl_ram_contains(16 * MIB, 16 * MIB - 1, 2));
	/* 4 GiB of RAM: 3.5 GiB low, the rest from 4 GiB up. */
	CU_ASSERT_TRUE(kxl_ram_contains(four_g, 0xdff00000, 0x100000));
	CU_ASSERT_FALSE(kxl_ram_contains(four_g, 0xe0000000, 1));
	CU_ASSERT_TRUE(kxl_ram_contains(four_g, four_g, 0x20000000));
	CU_ASSERT_FALSE(kxl_ram_contains(four_g, four_g, 0x20000001));
	CU_ASSERT_EQUAL(kxl_ram_end(16 * MIB), 16 * MIB);
	CU_ASSERT_EQUAL(kxl_ram_end(four_g), four_g + 0x20000000);
}

int kxen_suite_config(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);

	if (!s || !CU_add_test(s, "golden bad configs", test_golden_bad) ||
	    !CU_add_test(s, "golden good config", test_good) ||
	    !CU_add_test(s, "defaults, absolute kernel",
			 test_defaults_and_absolute_kernel) ||
	    !CU_add_test(s, "unreadable and oversized files",
			 test_unreadable_and_oversized) ||
	    !CU_add_test(s, "timer_mode accepted", test_timer_mode_good) ||
	    !CU_add_test(s, "timer_mode rejected", test_timer_mode_bad) ||
	    !CU_add_test(s, "ELF image accepted", test_elf_good) ||
	    !CU_add_test(s, "ELF images rejected", test_elf_bad) ||
	    !CU_add_test(s, "flat images", test_flat) ||
	    !CU_add_test(s, "image files", test_image_files) ||
	    !CU_add_test(s, "RAM layout", test_ram_layout))
		return -1;
	return 0;
}
