/*
 * PVH direct boot, as Xen defines it: an ELF kernel names its 32-bit
 * entry point in a XEN_ELFNOTE_PHYS32_ENTRY note (Xen's public/elfnote.h)
 * and is entered in flat 32-bit protected mode, paging off, with EBX
 * pointing at struct hvm_start_info (Xen's public/arch-x86/hvm/
 * start_info.h, version 1; docs/misc/pvh.pandoc). The layouts below are
 * that ABI's, checked by _Static_assert.
 */
#ifndef KXL_PVH_H
#define KXL_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "e820.h"

#define KXL_PVH_MAGIC 0x336ec578u /* "xEn3" with the 0x80 bit of E set */
#define KXL_PVH_VERSION 1u
#define KXL_ELFNOTE_PHYS32_ENTRY 18u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags; /* SIF_*: none for an unprivileged domain */
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;	 /* version 1 */
	uint32_t memmap_entries; /* version 1 */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry");

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820 types */
	uint32_t reserved;
};
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24,
	       "hvm_memmap_table_entry");

/* Offsets inside the boot information page. */
#define KXL_PVH_MEMMAP_OFF 0x40u
#define KXL_PVH_MODLIST_OFF 0x400u

/*
 * Look for a Xen PHYS32_ENTRY note in the PT_NOTE segment buf[off, off +
 * size) (ELF gABI "Note Section"; the descriptor is 4 or 8 bytes). The
 * segment itself must lie in buf[0, len). Returns 1 with *entry set, 0
 * when the segment holds no such note, or -1 with err saying what is
 * malformed.
 */
int kxl_pvh_find_entry(const unsigned char *buf, size_t len, uint64_t off,
		       uint64_t size, uint64_t *entry, char *err,
		       size_t errlen);

struct kxl_pvh_info {
	uint64_t page_gpa; /* where page is seen by the guest */
	uint64_t cmdline_gpa, rsdp_gpa;
	uint64_t module_gpa, module_len; /* module_len 0: no module */
	const struct kxl_e820 *map;
	unsigned int nr_map;
};

/* Write hvm_start_info, its memory map and module list into page. */
void kxl_pvh_write_info(unsigned char *page, const struct kxl_pvh_info *in);

#endif /* KXL_PVH_H */
