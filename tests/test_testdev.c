/*
 * Suite "testdev": QEMU's test devices (issue 9). First each device
 * alone through its port handler, as the exit dispatch calls it: every
 * width at every port, values as QEMU's isa-debug-exit, pc-testdev and
 * fw_cfg give them, save/load records checked. Then the op that adds
 * them to a domain (size rule, refusals), and test_testdev_boot.c
 * boots a Multiboot kernel that uses them all.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/debugexit.h"
#include "dev/fwcfg.h"
#include "dev/testdev.h"
#include "harness.h"
#include "kxen/msg.h"

/* ---- isa-debug-exit -------------------------------------------------- */

struct exits {
	unsigned calls;
	uint32_t status;
};

static void record_exit(void *ctx, uint32_t status)
{
	struct exits *e = ctx;

	e->calls++;
	e->status = status;
}

static void test_debugexit_status(void)
{
	static const struct {
		unsigned size;
		uint64_t val;
		uint32_t status;
	} cases[] = {{1, 0x10, 0x21},
		     {1, 0x1ff, 0x1ff}, /* only the byte written counts */
		     {2, 0x0000, 0x1},
		     {2, 0x12345, 0x468b},
		     {4, 0x7fffffff, 0xffffffff},
		     {4, 0x12345678, 0x2468acf1}};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct exits ex = {0};
		struct debugexit *e =
		    debugexit_create(1, 0xf4, 4, record_exit, &ex);
		uint64_t v = cases[i].val, r = 0xdead;

		CU_ASSERT_FATAL(e != NULL);
		CU_ASSERT_EQUAL(debugexit_io(e, 0xf4, cases[i].size, false, &r),
				0);
		CU_ASSERT_EQUAL(r, 0);
		CU_ASSERT_EQUAL(ex.calls, 0);
		CU_ASSERT_EQUAL(
		    debugexit_io(e, 0xf4 + i % 4, cases[i].size, true, &v), 0);
		CU_ASSERT_EQUAL(ex.calls, 1);
		CU_ASSERT_EQUAL(ex.status, cases[i].status);
		/* A second write (another vCPU, a retry) changes nothing. */
		v = 3;
		debugexit_io(e, 0xf4, 1, true, &v);
		CU_ASSERT_EQUAL(ex.calls, 1);
		CU_ASSERT_EQUAL(ex.status, cases[i].status);
		debugexit_destroy(e);
	}
}

static void test_debugexit_bad(void)
{
	struct exits ex = {0};
	struct debugexit_save s;
	struct debugexit *e;
	uint64_t v = 5;

	CU_ASSERT_PTR_NULL(debugexit_create(1, 0xf4, 0, record_exit, &ex));
	CU_ASSERT_PTR_NULL(debugexit_create(1, 0xf4, 5, record_exit, &ex));
	CU_ASSERT_PTR_NULL(debugexit_create(1, 0xfffe, 4, record_exit, &ex));
	CU_ASSERT_PTR_NULL(debugexit_create(1, 0xf4, 4, NULL, NULL));
	e = debugexit_create(1, 0xfffc, 4, record_exit, &ex);
	CU_ASSERT_FATAL(e != NULL);
	debugexit_io(e, 0xfffc, 1, true, &v);
	debugexit_save(e, &s);
	CU_ASSERT_EQUAL(s.fired, 1);
	CU_ASSERT_EQUAL(s.status, 11);
	debugexit_reset(e);
	v = 6;
	debugexit_io(e, 0xfffc, 1, true, &v);
	CU_ASSERT_EQUAL(ex.calls, 2); /* reset re-arms it */
	CU_ASSERT_EQUAL(ex.status, 13);
	s.fired = 2;
	CU_ASSERT_EQUAL(debugexit_load(e, &s), -EINVAL);
	s.fired = 0;
	s.pad[1] = 1;
	CU_ASSERT_EQUAL(debugexit_load(e, &s), -EINVAL);
	s.pad[1] = 0;
	CU_ASSERT_EQUAL(debugexit_load(e, &s), 0);
	debugexit_destroy(e);
}

/* ---- pc-testdev lines ------------------------------------------------ */

struct lines {
	int isa[TESTDEV_IRQ_LINES], gsi[TESTDEV_IRQ_LINES];
	unsigned calls;
};

static void isa_line(void *ctx, unsigned line, enum irq_level level)
{
	struct lines *l = ctx;

	CU_ASSERT_FATAL(line < TESTDEV_ISA_LINES);
	l->isa[line] = level;
	l->calls++;
}

static void gsi_line(void *ctx, unsigned line, enum irq_level level)
{
	struct lines *l = ctx;

	CU_ASSERT_FATAL(line >= TESTDEV_ISA_LINES && line < TESTDEV_IRQ_LINES);
	l->gsi[line] = level;
	l->calls++;
}

/* Each port drives its own line, ISA for 0-15 and GSI for 16-23. */
static void test_lines_route(void)
{
	struct lines l = {0};
	struct testdev *t = testdev_create(1, isa_line, gsi_line, &l);
	struct testdev_save s;
	unsigned n;

	CU_ASSERT_FATAL(t != NULL);
	for (n = 0; n < TESTDEV_IRQ_LINES; n++) {
		uint64_t v = n + 1; /* any non-zero byte is high */

		CU_ASSERT_EQUAL(testdev_io(t, 0x2000 + n, 1, true, &v), 0);
		CU_ASSERT_EQUAL(n < 16 ? l.isa[n] : l.gsi[n], IRQ_ASSERT);
	}
	CU_ASSERT_EQUAL(l.calls, TESTDEV_IRQ_LINES);
	testdev_save(t, &s);
	CU_ASSERT_EQUAL(s.levels, 0xffffff);
	{
		uint64_t v = 0x100; /* low byte 0: low */

		testdev_io(t, 0x2003, 1, true, &v);
		CU_ASSERT_EQUAL(l.isa[3], IRQ_DEASSERT);
	}
	testdev_reset(t);
	for (n = 0; n < TESTDEV_IRQ_LINES; n++)
		CU_ASSERT_EQUAL(n < 16 ? l.isa[n] : l.gsi[n], IRQ_DEASSERT);
	s.levels = 1u << 20 | 1u << 4;
	CU_ASSERT_EQUAL(testdev_load(t, &s), 0);
	CU_ASSERT_EQUAL(l.gsi[20], IRQ_ASSERT);
	CU_ASSERT_EQUAL(l.isa[4], IRQ_ASSERT);
	s.levels = 1u << 24;
	CU_ASSERT_EQUAL(testdev_load(t, &s), -EINVAL);
	testdev_destroy(t); /* lowers what it held */
	CU_ASSERT_EQUAL(l.gsi[20], IRQ_DEASSERT);
	CU_ASSERT_EQUAL(l.isa[4], IRQ_DEASSERT);
}

/*
 * QEMU's line region takes byte writes only and has no read side: every
 * other access is ignored, reads give 0, whatever the port and width.
 */
static void test_lines_every_width(void)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	struct lines l = {0};
	struct testdev *t = testdev_create(1, isa_line, gsi_line, &l);
	unsigned port, i;

	CU_ASSERT_FATAL(t != NULL);
	for (port = 0x2000; port < 0x2000 + TESTDEV_IRQ_LINES; port++)
		for (i = 0; i < 4; i++) {
			uint64_t v = ~0ull;

			CU_ASSERT_EQUAL(
			    testdev_io(t, port, sizes[i], false, &v), 0);
			CU_ASSERT_EQUAL(v, 0);
			v = 1;
			CU_ASSERT_EQUAL(testdev_io(t, port, sizes[i], true, &v),
					0);
		}
	/* Only the byte writes moved lines: one call per port. */
	CU_ASSERT_EQUAL(l.calls, TESTDEV_IRQ_LINES);
	CU_ASSERT_PTR_NULL(testdev_create(1, NULL, gsi_line, &l));
	testdev_destroy(t);
}

/* ---- fw_cfg ---------------------------------------------------------- */

static void fw_select(struct fwcfg *c, uint16_t key)
{
	uint64_t v = key;

	CU_ASSERT_EQUAL(fwcfg_io(c, FWCFG_PORT, 2, true, &v), 0);
}

static uint8_t fw_byte(struct fwcfg *c, uint16_t port)
{
	uint64_t v = 0xdead;

	CU_ASSERT_EQUAL(fwcfg_io(c, port, 1, false, &v), 0);
	CU_ASSERT(v <= 0xff);
	return (uint8_t)v;
}

/* n bytes of the selected item, little-endian. */
static uint64_t fw_le(struct fwcfg *c, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)fw_byte(c, FWCFG_PORT + 1) << (8 * i);
	return v;
}

static struct fwcfg *make_fwcfg(void)
{
	struct fwcfg_facts f = {.ram_bytes = 3ull << 30,
				.nb_cpus = 3,
				.max_cpus = 3,
				.cmdline = "console=ttyS0 status=7"};
	struct fwcfg *c = fwcfg_create(1, &f);

	CU_ASSERT_FATAL(c != NULL);
	return c;
}

static void test_fwcfg_items(void)
{
	struct fwcfg *c = make_fwcfg();
	char line[64] = "";
	unsigned i, len;

	/* Reset selects the signature; both ports read data bytes. */
	CU_ASSERT_EQUAL(fw_byte(c, FWCFG_PORT), 'Q');
	CU_ASSERT_EQUAL(fw_byte(c, FWCFG_PORT + 1), 'E');
	fw_select(c, FW_CFG_SIGNATURE);
	CU_ASSERT_EQUAL(fw_le(c, 4), 0x554d4551); /* "QEMU" */
	CU_ASSERT_EQUAL(fw_le(c, 2), 0);	  /* past the end */
	fw_select(c, FW_CFG_ID);
	CU_ASSERT_EQUAL(fw_le(c, 4), 1);
	fw_select(c, FW_CFG_RAM_SIZE);
	CU_ASSERT_EQUAL(fw_le(c, 8), 3ull << 30);
	fw_select(c, FW_CFG_NB_CPUS);
	CU_ASSERT_EQUAL(fw_le(c, 2), 3);
	fw_select(c, FW_CFG_MAX_CPUS);
	CU_ASSERT_EQUAL(fw_le(c, 2), 3);
	fw_select(c, FW_CFG_CMDLINE_SIZE);
	len = (unsigned)fw_le(c, 4);
	CU_ASSERT_EQUAL(len, strlen("console=ttyS0 status=7") + 1);
	fw_select(c, FW_CFG_CMDLINE_DATA);
	for (i = 0; i < len && i < sizeof(line); i++)
		line[i] = (char)fw_byte(c, FWCFG_PORT + 1);
	CU_ASSERT_STRING_EQUAL(line, "console=ttyS0 status=7");
	/* Bit 14 (write channel) does not change what is read. */
	fw_select(c, FW_CFG_WRITE_CHANNEL | FW_CFG_NB_CPUS);
	CU_ASSERT_EQUAL(fw_le(c, 2), 3);
	fwcfg_destroy(c);
}

/* Selectors with no item, and accesses QEMU's region refuses. */
static void test_fwcfg_unknown(void)
{
	static const uint16_t keys[] = {0x02,	0x04,	0x19,	0x20,  0x1234,
					0x3fff, 0x8000, 0x8005, 0xffff};
	struct fwcfg *c = make_fwcfg();
	struct fwcfg_save s;
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		fw_select(c, keys[i]);
		CU_ASSERT_EQUAL(fw_le(c, 8), 0);
	}
	fw_select(c, FW_CFG_NB_CPUS);
	v = ~0ull; /* 2- and 4-byte reads: refused, read as 0 */
	CU_ASSERT_EQUAL(fwcfg_io(c, FWCFG_PORT + 1, 2, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	v = ~0ull;
	CU_ASSERT_EQUAL(fwcfg_io(c, FWCFG_PORT, 4, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	v = FW_CFG_SIGNATURE; /* a 4-byte write selects nothing */
	CU_ASSERT_EQUAL(fwcfg_io(c, FWCFG_PORT, 4, true, &v), 0);
	v = 0x55; /* data writes are ignored */
	CU_ASSERT_EQUAL(fwcfg_io(c, FWCFG_PORT + 1, 1, true, &v), 0);
	CU_ASSERT_EQUAL(fw_le(c, 2), 3); /* still NB_CPUS, unmoved */
	/* The cursor is the whole state. */
	fw_select(c, FW_CFG_SIGNATURE);
	fw_byte(c, FWCFG_PORT + 1);
	fwcfg_save(c, &s);
	CU_ASSERT_EQUAL(s.selector, FW_CFG_SIGNATURE);
	CU_ASSERT_EQUAL(s.offset, 1);
	fwcfg_reset(c);
	CU_ASSERT_EQUAL(fwcfg_load(c, &s), 0);
	CU_ASSERT_EQUAL(fw_byte(c, FWCFG_PORT + 1), 'E');
	s.offset = 5; /* past the 4-byte signature */
	CU_ASSERT_EQUAL(fwcfg_load(c, &s), -EINVAL);
	s.offset = 0;
	s.pad = 1;
	CU_ASSERT_EQUAL(fwcfg_load(c, &s), -EINVAL);
	fwcfg_destroy(c);
}

/* ---- the op's size rule ---------------------------------------------- */

static union {
	struct kxen_msg_hdr hdr;
	uint8_t bytes[KXEN_MSG_MAX];
} msg;

static int check_len(size_t payload)
{
	memset(&msg, 0, sizeof(msg));
	kxen_msg_init(&msg.hdr, KXEN_OP_TEST_DEVICES,
		      (uint32_t)(sizeof(msg.hdr) + payload), 1, 0);
	return kxen_msg_check_request(&msg, sizeof(msg.hdr) + payload);
}

static void test_op_sizes(void)
{
	size_t fixed = sizeof(struct kxen_test_devices);

	CU_ASSERT_EQUAL(check_len(fixed), 0);
	CU_ASSERT_EQUAL(check_len(fixed + KXEN_TESTDEV_CMDLINE_MAX), 0);
	CU_ASSERT_EQUAL(check_len(fixed + KXEN_TESTDEV_CMDLINE_MAX + 1),
			-EBADMSG);
	CU_ASSERT_EQUAL(check_len(fixed - 1), -EBADMSG);
	CU_ASSERT_EQUAL(check_len(0), -EBADMSG);
	CU_ASSERT_STRING_EQUAL(kxen_op_name(KXEN_OP_TEST_DEVICES),
			       "test_devices");
}

int kxen_suite_testdev(void)
{
	CU_pSuite s = CU_add_suite("testdev", NULL, NULL);

	if (!s || !CU_add_test(s, "debug-exit status", test_debugexit_status) ||
	    !CU_add_test(s, "debug-exit bad input", test_debugexit_bad) ||
	    !CU_add_test(s, "pc-testdev lines", test_lines_route) ||
	    !CU_add_test(s, "pc-testdev every width", test_lines_every_width) ||
	    !CU_add_test(s, "fw_cfg items", test_fwcfg_items) ||
	    !CU_add_test(s, "fw_cfg unknown selectors and widths",
			 test_fwcfg_unknown) ||
	    !CU_add_test(s, "op size rule", test_op_sizes))
		return -1;
	return kxen_suite_testdev_boot(s);
}
