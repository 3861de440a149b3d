/*
 * QEMU's firmware configuration device, legacy (non-DMA) x86 interface
 * (QEMU docs/specs/fw_cfg.rst): a 16-bit write to port 0x510 selects an
 * item and rewinds it, each byte read from port 0x511 (or 0x510) returns
 * its next byte; past the item's end, and for a selector naming no item,
 * reads return 0. Byte writes are ignored (QEMU has ignored data writes
 * since 2.4), as is everything QEMU's port region does not accept:
 * reads wider than a byte return 0, writes of 4 bytes do nothing.
 *
 * Items (keys from include/standard-headers/linux/qemu_fw_cfg.h, values
 * little-endian as fw_cfg_add_i16/i32/i64 store them):
 *   0x00 FW_CFG_SIGNATURE    "QEMU"
 *   0x01 FW_CFG_ID           u32 1: the traditional interface, no DMA
 *   0x03 FW_CFG_RAM_SIZE     u64 bytes of guest RAM
 *   0x05 FW_CFG_NB_CPUS      u16 vCPUs at boot
 *   0x0f FW_CFG_MAX_CPUS     u16 vCPUs the domain may have
 *   0x14 FW_CFG_CMDLINE_SIZE u32 strlen(cmdline) + 1
 *   0x15 FW_CFG_CMDLINE_DATA the command line and its NUL
 * Everything else (the file directory 0x19 included) reads as zeroes:
 * no files, as a QEMU without any would answer.
 */
#ifndef KXEN_FWCFG_H
#define KXEN_FWCFG_H

#include <stdbool.h>
#include <stdint.h>

#include "io_dispatch.h"

#define FWCFG_PORT 0x510 /* selector; data at 0x511 */
#define FWCFG_PORTS 2

#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_ID 0x01
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define FW_CFG_MAX_CPUS 0x0f
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_FILE_DIR 0x19
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_ENTRY_MASK 0x3fff

/* What the device answers; cmdline is copied. */
struct fwcfg_facts {
	uint64_t ram_bytes;
	uint16_t nb_cpus, max_cpus;
	const char *cmdline; /* NULL: "" */
};

struct fwcfg;

struct fwcfg *fwcfg_create(uint32_t domid, const struct fwcfg_facts *f);
void fwcfg_destroy(struct fwcfg *c);
/* Selects FW_CFG_SIGNATURE, as QEMU's reset does. */
void fwcfg_reset(struct fwcfg *c);
int fwcfg_register(struct fwcfg *c, struct io_table *t);
int fwcfg_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
	     uint64_t *val);

/* Save/restore record: the guest-visible cursor (items are config). */
struct fwcfg_save {
	uint16_t selector;
	uint16_t pad;
	uint32_t offset;
};
_Static_assert(sizeof(struct fwcfg_save) == 8, "fwcfg layout");

void fwcfg_save(struct fwcfg *c, struct fwcfg_save *out);
int fwcfg_load(struct fwcfg *c, const struct fwcfg_save *in);

#endif
