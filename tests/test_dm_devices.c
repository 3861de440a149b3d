/*
 * dmdev: the device model's register models (dm/dev/) driven through
 * their handlers on the host, one CUnit suite each: "uart" (TI PC16550D),
 * "pcihost" (PCI Local Bus 3.0 §6, 82441FX IDs), "i8042" (Intel 8042
 * and Linux's probe of it) and "pmcontrol" (ACPI PM1_CNT, PIIX 0xcf9).
 * Each ends with a randomized test on a fixed xorshift seed, printed and
 * replayable with KXEN_DMDEV_SEED.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "dev/i8042.h"
#include "dev/pci_host.h"
#include "dev/pm_control.h"
#include "dev/uart16550.h"

#define RANDOM_STEPS 25000

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t random_seed(const char *what)
{
	const char *env = getenv("KXEN_DMDEV_SEED"); /* to replay */
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x2545f4914f6cdd1dull;

	if (seed == 0)
		seed = 1; /* xorshift's fixed point */
	printf("\n    %s random seed 0x%016" PRIx64 "\n", what, seed);
	return seed;
}

/*
 * Register scripts, so that a datasheet sequence reads as one line:
 * "wA=V" writes hex byte V at hex offset/port A, "rA=V" reads a byte
 * and expects V; other tokens go to the device's own step function
 * (IRQ levels and the like). A failure names the token and the line.
 */
struct script {
	int (*io)(void *, uint64_t, unsigned, bool, uint64_t *);
	void *dev;
	bool (*other)(void *fx, const char *tok, size_t len);
	void *fx;
};

static bool io_step(const struct script *sc, const char *tok)
{
	unsigned addr, val;
	uint64_t v;

	if (sscanf(tok + 1, "%x=%x", &addr, &val) != 2)
		return false;
	v = val;
	if (sc->io(sc->dev, addr, 1, tok[0] == 'w', &v) != 0)
		return false;
	return tok[0] == 'w' || v == val;
}

static void run_script(const struct script *sc, const char *s, int line)
{
	while (*s) {
		size_t len = strcspn(s, " ");
		bool ok = s[0] == 'w' || s[0] == 'r'
			      ? io_step(sc, s)
			      : sc->other(sc->fx, s, len);

		if (!ok)
			printf("\n    line %d: '%.*s' failed", line, (int)len,
			       s);
		CU_assertImplementation(ok, (unsigned)line, "script step",
					__FILE__, "", CU_FALSE);
		s += len;
		s += strspn(s, " ");
	}
}

/* ==== UART ============================================================= */

enum { RBR, IER, IIR, LCR, MCR, LSR, MSR, SCR };

struct ufx {
	struct uart *u;
	uint8_t tx[64];
	unsigned ntx, txall;
	bool irq, bad; /* bad: set_irq repeated a level */
};

static void u_tx(void *ctx, uint8_t b)
{
	struct ufx *f = ctx;

	if (f->ntx < sizeof(f->tx))
		f->tx[f->ntx++] = b;
	f->txall++;
}

static void u_irq(void *ctx, bool level)
{
	struct ufx *f = ctx;

	if (level == f->irq)
		f->bad = true;
	f->irq = level;
}

static const struct uart_ops uops = {u_tx, u_irq};

static void ufx_init(struct ufx *f)
{
	memset(f, 0, sizeof(*f));
	f->u = uart_create(&uops, f);
	CU_ASSERT_FATAL(f->u != NULL);
}

static uint8_t uin(struct ufx *f, unsigned reg)
{
	uint64_t v = 0x5a;

	CU_ASSERT_EQUAL(uart_io(f->u, reg, 1, false, &v), 0);
	CU_ASSERT_EQUAL(v >> 8, 0);
	return (uint8_t)v;
}

static void uout(struct ufx *f, unsigned reg, uint8_t val)
{
	uint64_t v = val;

	CU_ASSERT_EQUAL(uart_io(f->u, reg, 1, true, &v), 0);
}

/* uart_rx from a script token "x:TEXT/N": N bytes must be taken. */
static bool urx_token(struct ufx *f, const char *tok, size_t len)
{
	const char *slash = memchr(tok, '/', len);
	char text[32];
	size_t n;

	if (!slash || slash - tok < 2 || (size_t)(slash - tok) > sizeof(text))
		return false;
	n = (size_t)(slash - tok) - 2;
	memcpy(text, tok + 2, n);
	return uart_rx(f->u, (const uint8_t *)text, n) ==
	       strtoul(slash + 1, NULL, 10);
}

/* Script tokens of the UART: "I" / "i" IRQ high / low, "x:TEXT/N". */
static bool ustep(void *fx, const char *tok, size_t len)
{
	struct ufx *f = fx;

	if (len == 1 && (tok[0] == 'I' || tok[0] == 'i'))
		return f->irq == (tok[0] == 'I');
	return tok[0] == 'x' && urx_token(f, tok, len);
}

#define US(f, text)                                                            \
	run_script(&(struct script){uart_io, (f)->u, ustep, (f)}, text,        \
		   __LINE__)

/* §8, Table 3: master reset values; MSR shows the console's lines. */
static void test_uart_reset_values(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "r1=00 r2=01 r3=00 r4=00 r5=60 r6=b0 r7=00 i");
	US(&f, "w3=80 r0=01 r1=00"); /* divisor 1: 115200 baud */
	uart_destroy(f.u);
}

/* Scratch, LCR, MCR (bits 4:0) and IER (bits 3:0) are plain registers;
 * DLAB swaps DLL/DLM in at 0/1; LSR and MSR ignore writes. */
static void test_uart_plain_registers(void)
{
	struct ufx f;

	ufx_init(&f);
	for (unsigned v = 0; v < 256; v++) {
		uout(&f, SCR, (uint8_t)v);
		uout(&f, LCR, (uint8_t)(v & 0x7f));
		uout(&f, MCR, (uint8_t)(v & ~0x10));
		uout(&f, IER, (uint8_t)v);
		CU_ASSERT_EQUAL(uin(&f, SCR), v);
		CU_ASSERT_EQUAL(uin(&f, LCR), v & 0x7f);
		CU_ASSERT_EQUAL(uin(&f, MCR), v & 0x0f);
		CU_ASSERT_EQUAL(uin(&f, IER), v & 0x0f);
	}
	US(&f, "w1=00 w3=83 w0=34 w1=12 r0=34 r1=12 w3=03 r1=00");
	CU_ASSERT_EQUAL(f.txall, 0); /* DLL writes transmit nothing */
	US(&f, "w5=00 w6=0f r5=60 r6=b0");
	uart_destroy(f.u);
}

/* §8.6.3: THRE is cleared by an IIR read that reports it and by a THR
 * write, and re-arms as soon as THR is empty again. Enabling ETBEI
 * with THR empty raises it (§8.5.1), which Linux's UART_BUG_THRE
 * probe checks. */
static void test_uart_thre(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w4=08 w1=02 I r2=02 i r2=01 w1=02 i w0=68 w0=69 I");
	CU_ASSERT_EQUAL(f.ntx, 2);
	CU_ASSERT_EQUAL(memcmp(f.tx, "hi", 2), 0);
	US(&f, "w1=00 i r2=01 w1=02 I w1=00 w1=02 r2=02 r5=60");
	CU_ASSERT_FALSE(f.bad);
	uart_destroy(f.u);
}

/* Without FIFOs RBR holds one byte; more input waits with the caller,
 * so nothing is lost and OE stays clear. */
static void test_uart_rx_nofifo(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w4=08 w1=01 x:abc/1 x:bc/0 I r2=04 r5=61 r0=61 i r5=60");
	US(&f, "r2=01 x:b/1 r0=62");
	uart_tick(f.u, 1000000000ull); /* no timeout without FIFOs */
	US(&f, "r2=01");
	uart_destroy(f.u);
}

/* §8.5 Table 5: RDA at 1, 4, 8 and 14 bytes; clears below the level;
 * the FIFO takes 16 bytes and then refuses. */
static void test_uart_fifo_triggers(void)
{
	static const char *script[4] = {
	    "w2=01 r2=c1 x:/0 i r2=c1 x:0/1 I r2=c4 r0=30 i",
	    "w2=41 r2=c1 x:012/3 i r2=c1 x:3/1 I r2=c4 r0=30 i",
	    "w2=81 r2=c1 x:0123456/7 i r2=c1 x:7/1 I r2=c4 r0=30 i",
	    "w2=c1 r2=c1 x:0123456789abc/13 i r2=c1 x:d/1 I r2=c4 r0=30 i"};
	static const char *fill[4] = {
	    "x:ABCDEFGHIJKLMNOPQ/16 r0=41", "x:ABCDEFGHIJKLMNOPQ/13 r0=31",
	    "x:ABCDEFGHIJKLMNOPQ/9 r0=31", "x:ABCDEFGHIJKLMNOPQ/3 r0=31"};

	for (unsigned t = 0; t < 4; t++) {
		struct ufx f;

		ufx_init(&f);
		US(&f, "w4=08 w1=01");
		US(&f, script[t]);
		US(&f, fill[t]);
		CU_ASSERT_EQUAL(uart_rx_space(f.u), 1);
		CU_ASSERT_FALSE(f.bad);
		uart_destroy(f.u);
	}
}

/* §8.5: FCR bit 0 gates the others; changing it or bit 1 clears RX;
 * IIR bits 7:6 show the FIFOs on. */
static void test_uart_fcr(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w2=c1 x:abcd/4 w2=c3 r5=60 r2=c1 x:abcd/4 w2=c5 r5=61");
	US(&f, "w2=c0 r5=60 r2=01 x:ab/1 w2=01 r5=60 w1=01 x:a/1 r2=c4");
	uart_destroy(f.u);
}

/* §8.6.2: the character timeout, 4 character times after the last
 * character into or out of the FIFO; cleared and restarted by an RBR
 * read, restarted by a new character, never with an empty FIFO. */
static void test_uart_char_timeout(void)
{
	struct ufx f;
	/* 115200 8N1: 10 bits * 16 / 1.8432 MHz = 86805.5 ns a character */
	const uint64_t t4 = 4 * 86805;

	ufx_init(&f);
	US(&f, "w3=03 w4=08 w1=01 w2=81 x:abc/3"); /* trigger 8 */
	uart_tick(f.u, t4 - 100);
	US(&f, "i x:d/1");
	uart_tick(f.u, t4 - 100);
	US(&f, "i");
	uart_tick(f.u, 200);
	US(&f, "I r2=cc r0=61 i r2=c1");
	uart_tick(f.u, t4 + 200);
	US(&f, "r2=cc r0=62 r0=63 r0=64");
	uart_tick(f.u, 10 * t4);
	US(&f, "r2=c1");
	/* 9600 7E2 (divisor 12): 11 bits, 1145833 ns a character. */
	US(&f, "w3=80 w0=0c w1=00 w3=1e x:x/1");
	uart_tick(f.u, 4 * 1145833 - 1000);
	US(&f, "i");
	uart_tick(f.u, 2000);
	US(&f, "I r2=cc");
	CU_ASSERT_FALSE(f.bad);
	uart_destroy(f.u);
}

/* §8.6 Table 4: line status > RDA > THRE > modem status, each cleared
 * by its own rule (LSR read, RBR read, IIR read, MSR read). */
static void test_uart_priorities(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w4=10 w4=08 x:a/1"); /* loopback in and out: MSR deltas */
	uart_rx_overrun(f.u, 'b');   /* RBR full: OE, 'b' replaces 'a' */
	US(&f, "w1=0f I r2=06 r2=06 r5=63 r2=04 r0=62 r2=02 r2=00 I");
	US(&f, "r6=bb r2=01 i");
	CU_ASSERT_FALSE(f.bad);
	uart_destroy(f.u);
}

/* §8.4: OE only when a byte truly has no room; the caller decides. */
static void test_uart_overrun(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w2=01 x:ABCDEFGHIJKLMNOPQRS/16 x:T/0 r5=61");
	uart_rx_overrun(f.u, 'z'); /* FIFO full: the byte is lost */
	US(&f, "r5=63 r5=61 r0=41 r0=42 r0=43 r0=44 r0=45 r0=46 r0=47");
	US(&f, "r0=48 r0=49 r0=4a r0=4b r0=4c r0=4d r0=4e r0=4f r0=50");
	US(&f, "r5=60");
	uart_rx_overrun(f.u, 'q'); /* room: taken normally, no OE */
	US(&f, "r5=61 r0=71");
	uart_destroy(f.u);
}

/* §8.7: loopback connects TX to RX and DTR/RTS/OUT1/OUT2 to
 * DSR/CTS/RI/DCD; external input waits; the IRQ stays off (OUT2 is
 * forced inactive). Deltas: any change, but TERI only when RI falls. */
static void test_uart_loopback(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w4=10 r6=0b");			 /* CTS/DSR/DCD fell */
	US(&f, "w4=11 r6=22 w4=10 r6=02");	 /* DTR -> DSR */
	US(&f, "w4=12 r6=11 w4=10 r6=01");	 /* RTS -> CTS */
	US(&f, "w4=14 r6=40 w4=10 r6=04");	 /* OUT1 -> RI, TERI */
	US(&f, "w4=18 r6=88 w4=10 r6=08 r6=00"); /* OUT2 -> DCD */
	US(&f, "x:x/0 w4=18 w1=01 w0=4c r2=04 i r0=4c");
	CU_ASSERT_EQUAL(uart_rx_space(f.u), 0);
	CU_ASSERT_EQUAL(f.txall, 0);
	US(&f, "w0=31 w0=32 r5=63 r0=32"); /* overrun inside the chip */
	US(&f, "w4=08 r6=bb w0=6f");	   /* lines back, TX out */
	CU_ASSERT_EQUAL(f.txall, 1);
	CU_ASSERT_FALSE(f.bad);
	uart_destroy(f.u);
}

/* PC wiring: OUT2 enables the IRQ buffer; IIR works either way. */
static void test_uart_out2_gating(void)
{
	struct ufx f;

	ufx_init(&f);
	US(&f, "w1=01 x:a/1 i w4=08 I w4=03 i r2=04 w4=0b I r0=61 i");
	CU_ASSERT_FALSE(f.bad);
	uart_destroy(f.u);
}

/* Wide accesses act on the byte at the offset; the rest reads 0xff;
 * other offsets and sizes read all ones without side effects. */
static void test_uart_widths(void)
{
	struct ufx f;
	uint64_t v = 0x1234567a;

	ufx_init(&f);
	CU_ASSERT_EQUAL(uart_io(f.u, SCR, 4, true, &v), 0);
	US(&f, "r7=7a x:a/1");
	CU_ASSERT_EQUAL(uart_io(f.u, LSR, 2, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xff61);
	CU_ASSERT_EQUAL(uart_io(f.u, SCR, 8, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffffffff7aull);
	CU_ASSERT_EQUAL(uart_io(f.u, 8, 1, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xff);
	CU_ASSERT_EQUAL(uart_io(f.u, RBR, 0, false, &v), 0);
	CU_ASSERT_EQUAL(v, ~0ull);
	CU_ASSERT_EQUAL(uart_io(f.u, RBR, 9, false, &v), 0);
	CU_ASSERT_EQUAL(uart_io(f.u, ~0ull, 1, true, &v), 0);
	CU_ASSERT_EQUAL(uart_io(f.u, RBR, 1, false, NULL), -22);
	US(&f, "r0=61"); /* still there */
	uart_destroy(f.u);
}

static void test_uart_save_load(void)
{
	struct ufx a, b;
	struct uart_save s, t, bad;

	ufx_init(&a);
	ufx_init(&b);
	US(&a, "w3=80 w0=03 w3=1b w7=99 w2=41 w4=0b w1=07 x:abcdef/6 r0=61");
	uart_rx_overrun(a.u, 'g');
	uart_tick(a.u, 100000000);
	uart_save(a.u, &s);
	CU_ASSERT_EQUAL(s.rx_count, 6);
	CU_ASSERT_EQUAL(s.timeout_pending, 1);
	CU_ASSERT_EQUAL(uart_load(b.u, &s), 0);
	CU_ASSERT_TRUE(b.irq); /* the level follows the loaded state */
	uart_save(b.u, &t);
	CU_ASSERT_EQUAL(memcmp(&s, &t, sizeof(s)), 0);
	US(&b, "r2=cc r0=62 r7=99");

#define REJECT(field, value)                                                   \
	do {                                                                   \
		bad = s;                                                       \
		bad.field = value;                                             \
		CU_ASSERT_EQUAL(uart_load(b.u, &bad), -22);                    \
	} while (0)
	uart_save(b.u, &t);
	REJECT(rx_count, 17);
	REJECT(rx_head, 16);
	REJECT(iir_thri_pending, 2);
	REJECT(timeout_pending, 7);
	REJECT(ier, 0x10);
	REJECT(mcr, 0x20);
	REJECT(fcr, 0x43); /* self-clearing bit kept */
	REJECT(fcr, 0x40); /* trigger without FIFO */
	REJECT(fcr, 0x00); /* 6 bytes in a 1-byte RBR */
	REJECT(lsr, 0x60); /* DR clear with data */
	REJECT(lsr, 0x21); /* TEMT clear */
	REJECT(msr, 0x00); /* lines not what MCR says */
	REJECT(pad[1], 1);
	bad = s;
	bad.rx_count = 0;
	bad.lsr = 0x60; /* timeout with an empty FIFO */
	CU_ASSERT_EQUAL(uart_load(b.u, &bad), -22);
#undef REJECT
	uart_save(b.u, &s);
	CU_ASSERT_EQUAL(memcmp(&s, &t, sizeof(s)), 0); /* untouched */
	CU_ASSERT_EQUAL(uart_load(b.u, NULL), -22);
	CU_ASSERT_FALSE(a.bad || b.bad);
	uart_destroy(a.u);
	uart_destroy(b.u);
}

/* The test's own statement of §8.6: is any enabled source pending? */
static int expected_source(const struct uart_save *s)
{
	static const uint8_t level[4] = {1, 4, 8, 14};
	unsigned trig = (s->fcr & 1) ? level[s->fcr >> 6] : 1;

	if ((s->ier & 4) && (s->lsr & 0x1e))
		return 6;
	if ((s->ier & 1) && s->timeout_pending)
		return 0xc;
	if ((s->ier & 1) && s->rx_count >= trig)
		return 4;
	if ((s->ier & 2) && s->iir_thri_pending)
		return 2;
	if ((s->ier & 8) && (s->msr & 0x0f))
		return 0;
	return 1;
}

static void uart_random_step(struct ufx *f, uint64_t *seed)
{
	uint64_t r = xorshift(seed), v = xorshift(seed);
	unsigned what = r % 100, reg = (r >> 8) % 10, size = (r >> 16) % 10;
	uint8_t buf[20];
	struct uart_save s;

	uart_save(f->u, &s);
	if (what < 45) {
		CU_ASSERT_EQUAL(uart_io(f->u, reg, size, true, &v), 0);
	} else if (what < 85) {
		int src = expected_source(&s);

		CU_ASSERT_EQUAL(uart_io(f->u, reg, size, false, &v), 0);
		if (reg == IIR && size >= 1 && size <= 8)
			CU_ASSERT_EQUAL(v & 0x0f, (unsigned)src);
	} else if (what < 92) {
		memcpy(buf, &v, 8);
		uart_rx(f->u, buf, (r >> 24) % sizeof(buf));
	} else if (what < 95) {
		uart_rx_overrun(f->u, (uint8_t)v);
	} else if (what < 99) {
		uart_tick(f->u, v % 2000000);
	} else if (v % 4 == 0) {
		uart_reset(f->u);
	} else {
		CU_ASSERT_EQUAL(uart_load(f->u, &s), 0);
	}
}

/* Random accesses: no crash, and the line always equals (pending
 * source) && OUT2 && !LOOP, changed only when it changes. */
static void test_uart_random(void)
{
	uint64_t seed = random_seed("uart");
	struct ufx f;
	unsigned highs = 0;

	ufx_init(&f);
	for (unsigned i = 0; i < RANDOM_STEPS; i++) {
		struct uart_save s;
		bool want;

		uart_random_step(&f, &seed);
		uart_save(f.u, &s);
		want = expected_source(&s) != 1 && (s.mcr & 0x18) == 0x08;
		if (want != f.irq) {
			CU_FAIL("IRQ line disagrees with IER/IIR/OUT2");
			printf("    step %u: ier %02x mcr %02x irq %d\n", i,
			       s.ier, s.mcr, f.irq);
			break;
		}
		CU_ASSERT_TRUE(s.rx_count <= ((s.fcr & 1) ? 16 : 1));
		highs += f.irq;
	}
	CU_ASSERT_FALSE(f.bad);
	CU_ASSERT_TRUE(highs > 0);
	uart_destroy(f.u);
}

/* ==== PCI host ========================================================= */

struct pfx {
	struct pci_bus *b;
	uint64_t moved[6];
	unsigned nmoved, nwrites;
	unsigned last_reg, last_size;
	uint32_t last_val;
};

static void p_config_write(void *ctx, unsigned reg, unsigned size, uint32_t val)
{
	struct pfx *f = ctx;

	f->nwrites++;
	f->last_reg = reg;
	f->last_size = size;
	f->last_val = val;
}

static void p_bar_moved(void *ctx, unsigned bar, uint64_t addr)
{
	struct pfx *f = ctx;

	if (bar < 6)
		f->moved[bar] = addr;
	f->nmoved++;
}

static const struct pci_device_ops pops = {p_config_write, p_bar_moved};

static uint32_t cfg_rd(struct pfx *f, uint32_t sbdf, unsigned reg,
		       unsigned size)
{
	uint32_t v = 0x5a5a5a5a;

	CU_ASSERT_EQUAL(pci_config_access(f->b, sbdf, reg, size, false, &v), 0);
	return v;
}

static void cfg_wr(struct pfx *f, uint32_t sbdf, unsigned reg, unsigned size,
		   uint32_t v)
{
	CU_ASSERT_EQUAL(pci_config_access(f->b, sbdf, reg, size, true, &v), 0);
}

#define DEV1 (1u << 3) /* 00:01.0 */

static struct pci_device *pfx_init(struct pfx *f)
{
	struct pci_device *d;

	memset(f, 0, sizeof(*f));
	f->b = pci_bus_create();
	CU_ASSERT_FATAL(f->b != NULL);
	d = pci_add_device(f->b, 1, 0, 0x1af4, 0x1000, 0x020000, &pops, f);
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL(pci_set_bar(d, 0, 32, true), 0);
	CU_ASSERT_EQUAL(pci_set_bar(d, 1, 4096, false), 0);
	pci_set_intx(d, 1);
	return d;
}

/* 82441FX: 8086:1237 rev 02, class 060000, header type 0. */
static void test_pci_host_bridge(void)
{
	struct pfx f;

	pfx_init(&f);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x00, 4), 0x12378086);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x08, 4), 0x06000002);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x0e, 1), 0x00);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x02, 2), 0x1237);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x01, 1), 0x80);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x0b, 1), 0x06);
	cfg_wr(&f, 0, 0x00, 4, 0);
	cfg_wr(&f, 0, 0x08, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x00, 4), 0x12378086);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x08, 4), 0x06000002);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0x10, 4), 0); /* no BARs */
	pci_bus_destroy(f.b);
}

/* §6.1: absent functions master-abort: all ones, writes dropped. */
static void test_pci_absent(void)
{
	struct pfx f;
	uint32_t v = 0;

	pfx_init(&f);
	CU_ASSERT_EQUAL(cfg_rd(&f, 2 << 3, 0, 4), 0xffffffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, 2 << 3, 0, 2), 0xffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, 2 << 3, 3, 1), 0xff);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1 | 1, 0, 4), 0xffffffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, 1 << 8, 0, 4), 0xffffffff); /* bus 1 */
	CU_ASSERT_EQUAL(cfg_rd(&f, 1u << 16, 0, 4), 0xffffffff);
	cfg_wr(&f, 31 << 3 | 7, 4, 4, 0x7);
	CU_ASSERT_EQUAL(cfg_rd(&f, 31 << 3 | 7, 4, 4), 0xffffffff);
	/* Bad shapes are refused and read as all ones. */
	CU_ASSERT_EQUAL(pci_config_access(f.b, 0, 3, 2, false, &v), -22);
	CU_ASSERT_EQUAL(v, 0xffffffff);
	CU_ASSERT_EQUAL(pci_config_access(f.b, 0, 0, 3, false, &v), -22);
	CU_ASSERT_EQUAL(pci_config_access(f.b, 0, 256, 1, false, &v), -22);
	CU_ASSERT_EQUAL(pci_config_access(f.b, 0, 2, 4, true, &v), -22);
	CU_ASSERT_EQUAL(pci_config_access(f.b, 0, 0, 4, false, NULL), -22);
	pci_bus_destroy(f.b);
}

/* §6.2.2: COMMAND keeps its implemented bits; STATUS is read-only 0
 * here; IDs and class are read-only; line RW, pin RO. */
static void test_pci_command_and_ids(void)
{
	struct pfx f;

	pfx_init(&f);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0, 4), 0x10001af4);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 8, 4), 0x02000000);
	cfg_wr(&f, DEV1, 4, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 4, 4), 0x00000547);
	CU_ASSERT_EQUAL(f.nwrites, 1);
	CU_ASSERT_EQUAL(f.last_reg, 4);
	CU_ASSERT_EQUAL(f.last_size, 4);
	CU_ASSERT_EQUAL(f.last_val, 0xffffffff);
	cfg_wr(&f, DEV1, 5, 1, 0x00);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 4, 2), 0x0047);
	cfg_wr(&f, DEV1, 4, 2, 0);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 4, 4), 0);
	cfg_wr(&f, DEV1, 0, 2, 0x1234);
	cfg_wr(&f, DEV1, 0x0e, 1, 0x7f);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0, 2), 0x1af4);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x0e, 1), 0);
	cfg_wr(&f, DEV1, 0x3c, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x3c, 4), 0x000001ff);
	cfg_wr(&f, DEV1, 0x3c, 1, 11);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x3c, 2), 0x010b);
	cfg_wr(&f, DEV1, 0x0c, 2, 0x4010); /* cache line, latency */
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x0c, 4), 0x00004010);
	cfg_wr(&f, DEV1, 0x40, 4, 0xffffffff); /* device-specific: RO 0 */
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x40, 4), 0);
	pci_bus_destroy(f.b);
}

/* §6.2.5.1: write all ones, read the size mask with the type bits;
 * decoded addresses reach bar_moved as COMMAND enables them. */
static void test_pci_bar_sizing(void)
{
	struct pfx f;

	pfx_init(&f);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x10, 4), 0x00000001);
	cfg_wr(&f, DEV1, 0x10, 4, 0xffffffff);
	cfg_wr(&f, DEV1, 0x14, 4, 0xffffffff);
	cfg_wr(&f, DEV1, 0x18, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x10, 4), 0xffffffe1);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x14, 4), 0xfffff000);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x18, 4), 0);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x30, 4), 0); /* no ROM */
	CU_ASSERT_EQUAL(f.nmoved, 0);		       /* decoding is off */
	cfg_wr(&f, DEV1, 0x10, 4, 0xc05f);
	cfg_wr(&f, DEV1, 0x14, 4, 0xfebf1234);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x10, 4), 0xc041);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x14, 4), 0xfebf1000);
	cfg_wr(&f, DEV1, 4, 2, 0x0001); /* I/O decode */
	CU_ASSERT_EQUAL(f.nmoved, 1);
	CU_ASSERT_EQUAL(f.moved[0], 0xc040);
	cfg_wr(&f, DEV1, 4, 2, 0x0003); /* and memory */
	CU_ASSERT_EQUAL(f.moved[1], 0xfebf1000);
	cfg_wr(&f, DEV1, 0x15, 1, 0x20); /* byte write moves the BAR */
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x14, 4), 0xfebf2000);
	CU_ASSERT_EQUAL(f.moved[1], 0xfebf2000);
	CU_ASSERT_EQUAL(f.nmoved, 3);
	cfg_wr(&f, DEV1, 4, 2, 0); /* decode off: unmapped */
	CU_ASSERT_EQUAL(f.moved[0], 0);
	CU_ASSERT_EQUAL(f.moved[1], 0);
	CU_ASSERT_EQUAL(f.nmoved, 5);
	pci_bus_destroy(f.b);
}

static void test_pci_devices_and_functions(void)
{
	struct pfx f;
	uint32_t list[8];
	struct pci_device *d = pfx_init(&f);

	CU_ASSERT_EQUAL(pci_set_bar(d, 6, 16, false), -22);
	CU_ASSERT_EQUAL(pci_set_bar(d, 2, 8, false), -22);
	CU_ASSERT_EQUAL(pci_set_bar(d, 2, 24, false), -22);
	CU_ASSERT_EQUAL(pci_set_bar(d, 2, 512, true), -22);
	CU_ASSERT_EQUAL(pci_set_bar(d, 2, 2, true), -22);
	CU_ASSERT_PTR_NULL(
	    pci_add_device(f.b, 1, 0, 1, 2, 0, NULL, NULL)); /* taken */
	CU_ASSERT_PTR_NULL(pci_add_device(f.b, 0, 0, 1, 2, 0, NULL, NULL));
	CU_ASSERT_PTR_NULL(pci_add_device(f.b, 32, 0, 1, 2, 0, NULL, NULL));
	CU_ASSERT_PTR_NULL(pci_add_device(f.b, 3, 8, 1, 2, 0, NULL, NULL));
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x0e, 1), 0x00);
	CU_ASSERT_PTR_NOT_NULL(
	    pci_add_device(f.b, 1, 3, 0x8086, 0x7113, 0x068000, NULL, NULL));
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x0e, 1), 0x80); /* multi-fn */
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1 | 3, 0x0e, 1), 0x00);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1 | 3, 0, 4), 0x71138086);
	CU_ASSERT_EQUAL(pci_bus_devices(f.b, list, 8), 3);
	CU_ASSERT_EQUAL(list[0], 0);
	CU_ASSERT_EQUAL(list[1], DEV1);
	CU_ASSERT_EQUAL(list[2], DEV1 | 3);
	CU_ASSERT_EQUAL(pci_bus_devices(f.b, list, 2), 2);
	pci_bus_destroy(f.b);
}

/* Random config cycles: absent functions read all ones; IDs, header
 * and BAR type bits never change; COMMAND keeps only its bits. */
static void test_pci_random(void)
{
	uint64_t seed = random_seed("pcihost");
	struct pfx f;

	pfx_init(&f);
	for (unsigned i = 0; i < RANDOM_STEPS; i++) {
		uint64_t r = xorshift(&seed);
		uint32_t v = (uint32_t)xorshift(&seed), sbdf;
		unsigned reg = r & 0xff, size = 1u << ((r >> 8) % 3);
		bool present;

		sbdf = (r >> 16) % 8 == 0 ? (uint32_t)(r >> 24)
					  : (uint32_t)((r >> 24) % 3) << 3;
		present = sbdf == 0 || sbdf == DEV1;
		reg &= ~(size - 1);
		if ((r >> 40) % 2) {
			cfg_wr(&f, sbdf, reg, size, v);
			continue;
		}
		v = cfg_rd(&f, sbdf, reg, size);
		if (!present)
			CU_ASSERT_EQUAL(v,
					size == 4 ? ~0u : (1u << 8 * size) - 1);
	}
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0, 4), 0x10001af4);
	CU_ASSERT_EQUAL(cfg_rd(&f, 0, 0, 4), 0x12378086);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x10, 4) & 0x1f, 0x01);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x14, 4) & 0xfff, 0);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 4, 2) & ~0x547u, 0);
	CU_ASSERT_EQUAL(cfg_rd(&f, DEV1, 0x3d, 1), 1);
	pci_bus_destroy(f.b);
}

/* ==== i8042 ============================================================ */

struct kfx {
	struct i8042 *k;
	unsigned resets;
	bool irq1, irq12, bad;
};

static void k_reset(void *ctx)
{
	((struct kfx *)ctx)->resets++;
}

static void k_irq(void *ctx, unsigned irq, bool level)
{
	struct kfx *f = ctx;
	bool *line = irq == 1 ? &f->irq1 : &f->irq12;

	if ((irq != 1 && irq != 12) || *line == level)
		f->bad = true;
	*line = level;
}

static const struct i8042_ops kops = {k_reset, k_irq};

static void kfx_init(struct kfx *f)
{
	memset(f, 0, sizeof(*f));
	f->k = i8042_create(&kops, f);
	CU_ASSERT_FATAL(f->k != NULL);
}

/* Script tokens of the i8042: "I"/"i" IRQ 1 high/low, "M"/"m" IRQ 12,
 * "Rn" n resets so far. */
static bool kstep(void *fx, const char *tok, size_t len)
{
	struct kfx *f = fx;

	if (len == 1 && (tok[0] == 'I' || tok[0] == 'i'))
		return f->irq1 == (tok[0] == 'I');
	if (len == 1 && (tok[0] == 'M' || tok[0] == 'm'))
		return f->irq12 == (tok[0] == 'M');
	return tok[0] == 'R' && f->resets == strtoul(tok + 1, NULL, 10);
}

#define KS(f, text)                                                            \
	run_script(&(struct script){i8042_io, (f)->k, kstep, (f)}, text,       \
		   __LINE__)

/*
 * drivers/input/serio/i8042.c as Linux probes: flush, controller
 * self-test (0x55, sets the system flag), a stable CTR read twice, CTR
 * write (keyboard disabled, no interrupt), the MUX probe (an echoing
 * AUX loop of f0 56 a4 means "no MUX"), i8042_check_aux (loop, AUX
 * test, AUXDIS seen toggling in the CTR), the AUX IRQ test, then the
 * keyboard port enabled with its interrupt. Status: 0x14 idle (SYS,
 * not inhibited), +0x08 after a command, +0x01 OBF, +0x20 aux data.
 */
static void test_i8042_linux_probe(void)
{
	struct kfx f;

	kfx_init(&f);
	KS(&f, "r64=14 w64=aa r64=1d r60=55 r64=1c i");
	KS(&f, "w64=20 r60=45 w64=20 r60=45");
	KS(&f, "w64=60 r64=1c w60=54 r64=14 w64=20 r60=54");
	KS(&f, "w64=d3 w60=f0 r64=35 r60=f0 w64=d3 w60=56 r60=56");
	KS(&f, "w64=d3 w60=a4 r64=35 r60=a4 r64=14");
	KS(&f, "w64=d3 w60=5a r60=5a w64=a9 r60=00");
	KS(&f, "w64=a7 w64=20 r60=74 w64=a8 w64=20 r60=54");
	KS(&f, "w64=60 w60=56 m w64=d3 w60=a5 M i r60=a5 m");
	KS(&f, "w64=ae w64=20 r60=46 w64=60 w60=47 i w64=ab I r60=00 i R0");
	CU_ASSERT_FALSE(f.bad);
	i8042_destroy(f.k);
}

/* Keyboard commands: reset answers ACK + BAT, get-ID an MF2 ID, echo
 * echoes, anything else ACK (atkbd's probe). IRQ 1 follows OBF. */
static void test_i8042_keyboard(void)
{
	struct kfx f;

	kfx_init(&f);
	KS(&f, "w60=ff I r64=15 r60=fa I r60=aa i r64=14 r60=00");
	KS(&f, "w60=f2 r60=fa r60=ab r60=83 w60=ed r60=fa w60=02 r60=fa");
	KS(&f, "w60=ee r60=ee i");
	CU_ASSERT_FALSE(f.bad);
	i8042_destroy(f.k);
}

/* 0xfe pulses the reset line (0xf0-0xff pulse output bits 3:0; bit 0
 * is reset); so does an output port written with bit 0 low. */
static void test_i8042_reset(void)
{
	struct kfx f;
	uint64_t v = 0xfe;

	kfx_init(&f);
	KS(&f, "w64=d0 r60=03 w64=fe R1 w64=ff w64=f1 R1");
	KS(&f, "w64=d1 w60=df R1 w64=d0 r60=df w64=d1 w60=de R2");
	/* Wide accesses: all ones, no effect. */
	CU_ASSERT_EQUAL(i8042_io(f.k, 0x64, 2, true, &v), 0);
	KS(&f, "R2 w60=ff");
	CU_ASSERT_EQUAL(i8042_io(f.k, 0x60, 2, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffff);
	CU_ASSERT_EQUAL(i8042_io(f.k, 0x61, 1, false, &v), 0);
	CU_ASSERT_EQUAL(v, 0xff);
	KS(&f, "r60=fa"); /* not consumed */
	CU_ASSERT_EQUAL(i8042_io(f.k, 0x60, 1, false, NULL), -22);
	i8042_destroy(f.k);
}

/* Random accesses: no crash; IRQ 1 / 12 follow OBF, AUXDATA and CTR. */
static void test_i8042_random(void)
{
	uint64_t seed = random_seed("i8042");
	struct kfx f;
	unsigned resets = 0;

	kfx_init(&f);
	for (unsigned i = 0; i < RANDOM_STEPS; i++) {
		uint64_t r = xorshift(&seed), v = xorshift(&seed);
		uint64_t port = (r & 1) ? 0x64 : 0x60;
		unsigned size = (r >> 8) % 16 == 0 ? (r >> 12) % 10 : 1;
		uint64_t st = 0;
		bool is_write = (r >> 20) & 1;

		if ((r >> 24) % 64 == 0)
			port = r >> 32;
		if (is_write && port == 0x64 && size == 1 &&
		    (uint8_t)v >= 0xf0 && !(v & 1))
			resets++;
		CU_ASSERT_EQUAL(i8042_io(f.k, port, size, is_write, &v), 0);
		i8042_io(f.k, 0x64, 1, false, &st);
		CU_ASSERT_TRUE(!f.irq1 || (st & 0x21) == 0x01);
		CU_ASSERT_TRUE(!f.irq12 || (st & 0x21) == 0x21);
	}
	CU_ASSERT_TRUE(f.resets >= resets); /* D1 writes reset too */
	CU_ASSERT_FALSE(f.bad);
	i8042_destroy(f.k);
}

/* ==== PM control ======================================================= */

struct mfx {
	struct pm_control *p;
	unsigned poweroffs, reboots;
};

static void m_poweroff(void *ctx)
{
	((struct mfx *)ctx)->poweroffs++;
}

static void m_reboot(void *ctx)
{
	((struct mfx *)ctx)->reboots++;
}

static const struct pm_control_ops mops = {m_poweroff, m_reboot};

#define CNT PM_CONTROL_PM1A_CNT_PORT
#define RC PM_CONTROL_RESET_PORT

static void mfx_init(struct mfx *f)
{
	memset(f, 0, sizeof(*f));
	f->p = pm_control_create(&mops, f);
	CU_ASSERT_FATAL(f->p != NULL);
}

static uint64_t mio(struct mfx *f, uint64_t port, unsigned size, bool is_write,
		    uint64_t v)
{
	CU_ASSERT_EQUAL(pm_control_io(f->p, port, size, is_write, &v), 0);
	return v;
}

/* ACPI §4.8.3.2.1: SLP_EN with \_S5's SLP_TYP powers off; other sleep
 * types are not supported and do nothing; SCI_EN reads set. */
static void test_pm_sleep(void)
{
	struct mfx f;

	mfx_init(&f);
	CU_ASSERT_EQUAL(mio(&f, CNT, 2, false, 0), 0x0001);
	for (unsigned typ = 0; typ < 8; typ++) {
		if (typ == PM_CONTROL_S5_SLP_TYP)
			continue;
		mio(&f, CNT, 2, true, 0x2000 | typ << 10);
		CU_ASSERT_EQUAL(mio(&f, CNT, 2, false, 0), 0x0001 | typ << 10);
	}
	CU_ASSERT_EQUAL(f.poweroffs, 0);
	mio(&f, CNT, 2, true, PM_CONTROL_S5_SLP_TYP << 10); /* no SLP_EN */
	CU_ASSERT_EQUAL(f.poweroffs, 0);
	mio(&f, CNT, 2, true, 0x2000 | PM_CONTROL_S5_SLP_TYP << 10);
	CU_ASSERT_EQUAL(f.poweroffs, 1);
	CU_ASSERT_EQUAL(mio(&f, CNT, 2, false, 0) & 0x2000, 0); /* WO */
	mio(&f, CNT + 1, 1, true, 0x20); /* byte write of the high half */
	CU_ASSERT_EQUAL(f.poweroffs, 2);
	mio(&f, CNT, 1, true, 0xff); /* low half only: no SLP_EN */
	CU_ASSERT_EQUAL(f.poweroffs, 2);
	CU_ASSERT_EQUAL(mio(&f, CNT, 1, false, 0), 0x03);
	CU_ASSERT_EQUAL(mio(&f, CNT, 4, false, 0), 0xffff0003);
	CU_ASSERT_EQUAL(f.reboots, 0);
	pm_control_destroy(f.p);
}

/* PIIX RC at 0xcf9: RCPU (bit 2) resets, SRST picks hard or soft;
 * bits 1 and 3 read back, RCPU does not. Linux writes 0x02, 0x06. */
static void test_pm_reset_register(void)
{
	struct mfx f;

	mfx_init(&f);
	CU_ASSERT_EQUAL(mio(&f, RC, 1, false, 0), 0x00);
	mio(&f, RC, 1, true, 0x02);
	CU_ASSERT_EQUAL(f.reboots, 0);
	CU_ASSERT_EQUAL(mio(&f, RC, 1, false, 0), 0x02);
	mio(&f, RC, 1, true, 0x06);
	CU_ASSERT_EQUAL(f.reboots, 1);
	CU_ASSERT_EQUAL(mio(&f, RC, 1, false, 0), 0x02);
	mio(&f, RC, 1, true, 0x04); /* soft reset */
	CU_ASSERT_EQUAL(f.reboots, 2);
	mio(&f, RC, 1, true, 0x0e); /* full reset */
	CU_ASSERT_EQUAL(f.reboots, 3);
	CU_ASSERT_EQUAL(mio(&f, RC, 1, false, 0), 0x0a);
	mio(&f, RC, 1, true, 0xf1);
	CU_ASSERT_EQUAL(mio(&f, RC, 1, false, 0), 0x00);
	CU_ASSERT_EQUAL(mio(&f, 0x70, 1, false, 0), 0xff);
	CU_ASSERT_EQUAL(mio(&f, RC, 0, false, 0), ~0ull);
	CU_ASSERT_EQUAL(f.reboots, 3);
	CU_ASSERT_EQUAL(f.poweroffs, 0);
	pm_control_destroy(f.p);
}

/* Random accesses around both registers; the callbacks fire exactly
 * when a byte with RCPU lands on 0xcf9, or a high PM1_CNT byte with
 * SLP_EN and SLP_TYP S5. */
static void test_pm_random(void)
{
	uint64_t seed = random_seed("pmcontrol");
	struct mfx f;
	unsigned offs = 0, boots = 0;

	mfx_init(&f);
	for (unsigned i = 0; i < RANDOM_STEPS; i++) {
		uint64_t r = xorshift(&seed), v = xorshift(&seed);
		uint64_t port = ((r & 1) ? CNT : RC) - 4 + (r >> 4) % 8;
		unsigned size = (r >> 8) % 10;
		bool is_write = (r >> 12) & 1;

		if ((r >> 16) % 128 == 0)
			port = r >> 20;
		if (!is_write) {
			v = mio(&f, port, size, false, v);
			if (size == 1 && port != CNT && port != CNT + 1 &&
			    port != RC)
				CU_ASSERT_EQUAL(v, 0xff);
			continue;
		}
		for (unsigned b = 0; size <= 8 && b < size; b++) {
			uint8_t byte = (uint8_t)(v >> 8 * b);

			if (port + b == RC && (byte & 0x04))
				boots++;
			if (port + b == CNT + 1 && (byte & 0x20) &&
			    ((byte >> 2) & 7) == PM_CONTROL_S5_SLP_TYP)
				offs++;
		}
		mio(&f, port, size, true, v);
	}
	CU_ASSERT_EQUAL(f.reboots, boots);
	CU_ASSERT_EQUAL(f.poweroffs, offs);
	CU_ASSERT_TRUE(boots > 0 && offs > 0);
	pm_control_destroy(f.p);
}

/* ==== registration ===================================================== */

struct test {
	const char *name;
	CU_TestFunc fn;
};

static int add_suite(const char *name, const struct test *t, size_t n)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!CU_add_test(s, t[i].name, t[i].fn))
			return -1;
	return 0;
}

static const struct test uart_tests[] = {
    {"reset values", test_uart_reset_values},
    {"SCR, LCR, MCR, IER, DLAB divisor latch", test_uart_plain_registers},
    {"THRE interrupt: IIR read and THR write re-arm", test_uart_thre},
    {"RBR without FIFOs, caller keeps input", test_uart_rx_nofifo},
    {"FIFO trigger levels 1/4/8/14", test_uart_fifo_triggers},
    {"FCR enable and reset bits", test_uart_fcr},
    {"character timeout with uart_tick", test_uart_char_timeout},
    {"IIR priorities and clearing", test_uart_priorities},
    {"overrun only when forced", test_uart_overrun},
    {"loopback: TX->RX, MCR->MSR, deltas", test_uart_loopback},
    {"OUT2 gates the IRQ line", test_uart_out2_gating},
    {"access widths and offsets", test_uart_widths},
    {"save/load round trip, bad records", test_uart_save_load},
    {"random accesses", test_uart_random},
};

static const struct test pci_tests[] = {
    {"host bridge 8086:1237 at 00:00.0", test_pci_host_bridge},
    {"absent functions read all ones", test_pci_absent},
    {"command, IDs, interrupt line/pin", test_pci_command_and_ids},
    {"BAR sizing and bar_moved", test_pci_bar_sizing},
    {"devices, functions, header type", test_pci_devices_and_functions},
    {"random config cycles", test_pci_random},
};

static const struct test i8042_tests[] = {
    {"Linux i8042 probe sequence", test_i8042_linux_probe},
    {"keyboard reset, ID, ACK", test_i8042_keyboard},
    {"0xfe and output port reset", test_i8042_reset},
    {"random accesses", test_i8042_random},
};

static const struct test pm_tests[] = {
    {"S5 powers off, other SLP_TYP ignored", test_pm_sleep},
    {"0xcf9 reset register", test_pm_reset_register},
    {"random accesses", test_pm_random},
};

#define ADD(name, t) add_suite(name, t, sizeof(t) / sizeof(t[0]))

int kxen_suite_dmdev(void)
{
	if (ADD("uart", uart_tests) || ADD("pcihost", pci_tests) ||
	    ADD("i8042", i8042_tests) || ADD("pmcontrol", pm_tests))
		return -1;
	return 0;
}
