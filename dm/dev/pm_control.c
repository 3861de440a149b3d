/*
 * ACPI PM1a control register and the PIIX reset control register.
 *
 * PM1_CNT (ACPI 6.x §4.8.3.2.1, Table 4-15): SCI_EN (bit 0), BM_RLD
 * (bit 1), GBL_RLS (bit 2, write-only), SLP_TYP (bits 12:10) and SLP_EN
 * (bit 13, write-only: reads 0). Writing SLP_EN starts the sleep that
 * SLP_TYP names; only S5 (soft off) exists here, other types are
 * ignored. SCI_EN reads as set: there is no SMI handoff to do.
 *
 * Reset control (Intel 82371 PIIX3/PIIX4 datasheet, RC register at
 * 0xcf9): bit 1 SRST picks a hard (1) or soft (0) reset, bit 2 RCPU
 * starts it and reads back as 0, bit 3 (FULL_RST on later chipsets) is
 * kept. Both kinds reboot the domain: it has no state a soft reset
 * would keep.
 */
#include <errno.h>
#include <stdlib.h>

#include "dev/pm_control.h"

#define SCI_EN 0x0001
#define BM_RLD 0x0002
#define SLP_TYP_SHIFT 10
#define SLP_TYP_MASK (7u << SLP_TYP_SHIFT)
#define SLP_EN 0x2000
#define CNT_KEPT (BM_RLD | SLP_TYP_MASK)

#define RC_SRST 0x02
#define RC_RCPU 0x04
#define RC_FULL 0x08
#define RC_KEPT (RC_SRST | RC_FULL)

struct pm_control {
	const struct pm_control_ops *ops;
	void *ctx;
	uint16_t cnt; /* CNT_KEPT bits */
	uint8_t rc;   /* RC_KEPT bits */
};

static void write_cnt(struct pm_control *p, uint16_t v)
{
	p->cnt = v & CNT_KEPT;
	if (!(v & SLP_EN))
		return;
	if (((v & SLP_TYP_MASK) >> SLP_TYP_SHIFT) == PM_CONTROL_S5_SLP_TYP &&
	    p->ops && p->ops->poweroff)
		p->ops->poweroff(p->ctx);
}

static void write_rc(struct pm_control *p, uint8_t v)
{
	p->rc = v & RC_KEPT;
	if ((v & RC_RCPU) && p->ops && p->ops->reboot)
		p->ops->reboot(p->ctx);
}

static uint8_t read_byte(const struct pm_control *p, uint64_t port)
{
	uint16_t cnt = p->cnt | SCI_EN;

	if (port == PM_CONTROL_PM1A_CNT_PORT)
		return (uint8_t)cnt;
	if (port == PM_CONTROL_PM1A_CNT_PORT + 1)
		return (uint8_t)(cnt >> 8);
	if (port == PM_CONTROL_RESET_PORT)
		return p->rc;
	return 0xff; /* not ours */
}

/*
 * Byte-wise: each byte of the access lands on the register byte at its
 * port, so PM1_CNT takes its natural 16-bit access and byte halves
 * alike (a byte write keeps the other half), and bytes that fall
 * outside both registers read as 0xff and are dropped.
 */
static void write_bytes(struct pm_control *p, uint64_t port, unsigned size,
			uint64_t v)
{
	uint16_t cnt = p->cnt;
	bool cnt_hit = false;

	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(v >> 8 * i);
		uint64_t at = port + i;

		if (at == PM_CONTROL_PM1A_CNT_PORT) {
			cnt = (uint16_t)((cnt & 0xff00) | b);
			cnt_hit = true;
		} else if (at == PM_CONTROL_PM1A_CNT_PORT + 1) {
			cnt = (uint16_t)((cnt & 0x00ff) | b << 8);
			cnt_hit = true;
		} else if (at == PM_CONTROL_RESET_PORT) {
			write_rc(p, b);
		}
	}
	if (cnt_hit)
		write_cnt(p, cnt);
}

int pm_control_io(void *opaque, uint64_t port, unsigned size, bool is_write,
		  uint64_t *val)
{
	struct pm_control *p = opaque;
	uint64_t v = 0;

	if (!p || !val)
		return -EINVAL;
	if (size == 0 || size > 8 || port > UINT64_MAX - 8) {
		if (!is_write)
			*val = ~0ull;
		return 0;
	}
	if (is_write) {
		write_bytes(p, port, size, *val);
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)read_byte(p, port + i) << 8 * i;
	*val = v;
	return 0;
}

struct pm_control *pm_control_create(const struct pm_control_ops *ops,
				     void *ctx)
{
	struct pm_control *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->ops = ops;
	p->ctx = ctx;
	return p;
}

void pm_control_destroy(struct pm_control *p)
{
	free(p);
}
