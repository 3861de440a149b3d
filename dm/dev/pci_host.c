/*
 * PCI bus 0 of the device model: a type-0 configuration header per
 * function (PCI Local Bus 3.0 §6.1-§6.2) and the i440FX host bridge
 * (Intel 82441FX PMC datasheet: vendor 8086, device 1237, revision 02,
 * class 06/00/00) at 00:00.0.
 *
 * Each function keeps its 256 configuration bytes and a per-byte write
 * mask: IDs, class, header type and pin are read-only because their mask
 * bytes are zero. The BARs are kept apart (their low bits are fixed by
 * type and size, §6.2.5.1), as is COMMAND, whose decode enables decide
 * where a BAR is mapped (bar_moved).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/pci_host.h"

#define NSLOTS 32
#define NFUNCS 8
#define NBARS 6

/* Type-0 header offsets (§6.1, Figure 6-1). */
#define CFG_VENDOR 0x00
#define CFG_DEVICE 0x02
#define CFG_COMMAND 0x04
#define CFG_STATUS 0x06
#define CFG_REVISION 0x08
#define CFG_CLASS 0x09
#define CFG_CACHE_LINE 0x0c
#define CFG_LATENCY 0x0d
#define CFG_HEADER_TYPE 0x0e
#define CFG_BAR0 0x10
#define CFG_BAR_END 0x28
#define CFG_INT_LINE 0x3c
#define CFG_INT_PIN 0x3d

#define HEADER_MULTIFUNCTION 0x80

/* COMMAND bits a type-0 function implements here (§6.2.2): I/O and
 * memory decode, bus master, parity error response, SERR#, INTx
 * disable. The others are hardwired to 0. */
#define CMD_IO 0x0001
#define CMD_MEMORY 0x0002
#define CMD_WRITABLE 0x0547

#define BAR_IO 0x1u
#define BAR_IO_ADDR 0xfffffffcu
#define BAR_MEM_ADDR 0xfffffff0u

struct pci_bar {
	uint32_t size; /* 0: not implemented, reads as 0 */
	bool io;
	uint32_t val;	 /* the register, address and type bits */
	uint64_t mapped; /* address last reported to bar_moved */
};

struct pci_device {
	struct pci_bus *bus;
	unsigned slot, func;
	const struct pci_device_ops *ops;
	void *ctx;
	uint8_t cfg[256];
	uint8_t wmask[256];
	struct pci_bar bar[NBARS];
};

struct pci_bus {
	struct pci_device *dev[NSLOTS][NFUNCS];
};

/* ---- little-endian helpers ---------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* ---- BARs ---------------------------------------------------------------- */

static unsigned bar_index(unsigned reg)
{
	return (reg - CFG_BAR0) / 4;
}

static bool is_bar(unsigned reg)
{
	return reg >= CFG_BAR0 && reg < CFG_BAR_END;
}

/* §6.2.5.1: the address bits below the size read as 0, the type bits
 * are hardwired; so writing all ones reads back ~(size - 1) | type. */
static uint32_t bar_value(const struct pci_bar *b, uint32_t written)
{
	if (b->size == 0)
		return 0;
	if (b->io)
		return (written & BAR_IO_ADDR & ~(b->size - 1)) | BAR_IO;
	return written & BAR_MEM_ADDR & ~(b->size - 1);
}

static uint64_t bar_address(const struct pci_device *d, unsigned n)
{
	const struct pci_bar *b = &d->bar[n];
	uint16_t cmd = get16(&d->cfg[CFG_COMMAND]);

	if (b->size == 0 || !(cmd & (b->io ? CMD_IO : CMD_MEMORY)))
		return 0;
	return b->val & (b->io ? BAR_IO_ADDR : BAR_MEM_ADDR);
}

/* Tell the device about every BAR whose decoded address changed (a
 * COMMAND decode bit or the BAR itself); 0 means unmapped. */
static void bars_update(struct pci_device *d)
{
	for (unsigned n = 0; n < NBARS; n++) {
		uint64_t addr = bar_address(d, n);

		if (addr == d->bar[n].mapped)
			continue;
		d->bar[n].mapped = addr;
		if (d->ops && d->ops->bar_moved)
			d->ops->bar_moved(d->ctx, n, addr);
	}
}

int pci_set_bar(struct pci_device *d, unsigned bar, uint32_t size, bool io)
{
	uint32_t min = io ? 4 : 16;
	/* §6.2.5.1: an I/O BAR may not ask for more than 256 bytes. */
	uint32_t max = io ? 256 : 0x80000000u;

	if (!d || bar >= NBARS || size < min || size > max ||
	    (size & (size - 1)))
		return -EINVAL;
	d->bar[bar] = (struct pci_bar){.size = size, .io = io};
	d->bar[bar].val = bar_value(&d->bar[bar], 0);
	bars_update(d);
	return 0;
}

void pci_set_intx(struct pci_device *d, uint8_t pin)
{
	if (!d || pin > 4)
		return;
	d->cfg[CFG_INT_PIN] = pin;
	/* The line register is there for software either way (§6.2.4). */
}

/* ---- bus and devices -------------------------------------------------- */

static void init_config(struct pci_device *d, uint16_t vendor, uint16_t device,
			uint32_t class_code)
{
	put16(&d->cfg[CFG_VENDOR], vendor);
	put16(&d->cfg[CFG_DEVICE], device);
	d->cfg[CFG_CLASS] = (uint8_t)class_code;	    /* prog-if */
	d->cfg[CFG_CLASS + 1] = (uint8_t)(class_code >> 8); /* sub-class */
	d->cfg[CFG_CLASS + 2] = (uint8_t)(class_code >> 16);
	put16(&d->wmask[CFG_COMMAND], CMD_WRITABLE);
	d->wmask[CFG_CACHE_LINE] = 0xff;
	d->wmask[CFG_LATENCY] = 0xff;
	d->wmask[CFG_INT_LINE] = 0xff;
}

struct pci_device *pci_add_device(struct pci_bus *b, unsigned slot,
				  unsigned func, uint16_t vendor,
				  uint16_t device, uint32_t class_code,
				  const struct pci_device_ops *ops, void *ctx)
{
	struct pci_device *d;

	/* Vendor ffff is what an absent function reads as (§6.2.1). */
	if (!b || slot >= NSLOTS || func >= NFUNCS || vendor == 0xffff ||
	    b->dev[slot][func])
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->bus = b;
	d->slot = slot;
	d->func = func;
	d->ops = ops;
	d->ctx = ctx;
	init_config(d, vendor, device, class_code);
	b->dev[slot][func] = d;
	return d;
}

struct pci_bus *pci_bus_create(void)
{
	struct pci_bus *b = calloc(1, sizeof(*b));
	struct pci_device *host;

	if (!b)
		return NULL;
	/* 82441FX: 8086:1237, revision 02, host bridge class 060000. */
	host = pci_add_device(b, 0, 0, 0x8086, 0x1237, 0x060000, NULL, NULL);
	if (!host) {
		free(b);
		return NULL;
	}
	host->cfg[CFG_REVISION] = 0x02;
	return b;
}

void pci_bus_destroy(struct pci_bus *b)
{
	if (!b)
		return;
	for (unsigned s = 0; s < NSLOTS; s++)
		for (unsigned f = 0; f < NFUNCS; f++)
			free(b->dev[s][f]);
	free(b);
}

unsigned pci_bus_devices(struct pci_bus *b, uint32_t *sbdf, unsigned max)
{
	unsigned n = 0;

	if (!b || !sbdf)
		return 0;
	for (unsigned s = 0; s < NSLOTS; s++)
		for (unsigned f = 0; f < NFUNCS && n < max; f++)
			if (b->dev[s][f])
				sbdf[n++] = s << 3 | f; /* segment 0, bus 0 */
	return n;
}

/* ---- configuration cycles --------------------------------------------- */

static struct pci_device *lookup(struct pci_bus *b, uint32_t sbdf)
{
	if (sbdf >> 8) /* segment 0, bus 0 only */
		return NULL;
	return b->dev[(sbdf >> 3) & 31][sbdf & 7];
}

/* §6.2.3: bit 7 of function 0's header type says the device has more
 * functions, which is what makes software scan functions 1-7. */
static bool multifunction(const struct pci_device *d)
{
	for (unsigned f = 1; f < NFUNCS; f++)
		if (d->bus->dev[d->slot][f])
			return true;
	return false;
}

static uint8_t read_byte(const struct pci_device *d, unsigned reg)
{
	if (is_bar(reg))
		return (uint8_t)(d->bar[bar_index(reg)].val >> 8 * (reg & 3));
	if (reg == CFG_HEADER_TYPE && d->func == 0 && multifunction(d))
		return d->cfg[reg] | HEADER_MULTIFUNCTION;
	return d->cfg[reg];
}

/* A BAR written in part keeps its other bytes (§6.2.5.1 allows byte
 * access to any register). */
static void write_bar(struct pci_device *d, unsigned reg, unsigned size,
		      uint32_t val)
{
	struct pci_bar *b = &d->bar[bar_index(reg)];
	unsigned shift = 8 * (reg & 3);
	uint32_t mask = (size == 4 ? ~0u : (1u << 8 * size) - 1) << shift;
	uint32_t merged = (b->val & ~mask) | ((val << shift) & mask);

	b->val = bar_value(b, merged);
}

static void write_bytes(struct pci_device *d, unsigned reg, unsigned size,
			uint32_t val)
{
	for (unsigned i = 0; i < size; i++) {
		uint8_t m = d->wmask[reg + i];
		uint8_t v = (uint8_t)(val >> 8 * i);

		d->cfg[reg + i] = (uint8_t)((d->cfg[reg + i] & ~m) | (v & m));
	}
}

static void config_write(struct pci_device *d, unsigned reg, unsigned size,
			 uint32_t val)
{
	if (is_bar(reg))
		write_bar(d, reg, size, val);
	else
		write_bytes(d, reg, size, val);
	bars_update(d);
	if (d->ops && d->ops->config_write)
		d->ops->config_write(d->ctx, reg, size, val);
}

/*
 * Accesses are 1, 2 or 4 bytes inside one dword, as a CF8/CFC cycle
 * makes them (§3.2.2.3.2); anything else is refused with -EINVAL and
 * reads as all ones. Absent functions read all ones and drop writes
 * (master abort, §6.1).
 */
int pci_config_access(struct pci_bus *b, uint32_t sbdf, unsigned reg,
		      unsigned size, bool is_write, uint32_t *val)
{
	struct pci_device *d;
	uint32_t v = 0;

	if (!b || !val)
		return -EINVAL;
	if ((size != 1 && size != 2 && size != 4) || reg > 255 ||
	    (reg & 3) + size > 4) {
		if (!is_write)
			*val = ~0u;
		return -EINVAL;
	}
	d = lookup(b, sbdf);
	if (!d) {
		if (!is_write)
			*val = size == 4 ? ~0u : (1u << 8 * size) - 1;
		return 0;
	}
	if (is_write) {
		config_write(d, reg, size, *val);
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)read_byte(d, reg + i) << 8 * i;
	*val = v;
	return 0;
}
