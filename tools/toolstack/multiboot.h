/*
 * Multiboot 1 (Multiboot Specification 0.6.96): a kernel carries a
 * header (magic 0x1BADB002, flags, checksum) 4-byte aligned in its first
 * 8 KiB; it is loaded by its ELF program headers or, with flag 16, by
 * the a.out kludge addresses in the header, and entered in flat 32-bit
 * protected mode with EAX = 0x2BADB002 and EBX = the multiboot_info.
 */
#ifndef KXL_MULTIBOOT_H
#define KXL_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "e820.h"

struct kxl_image;

#define KXL_MB_MAGIC 0x1badb002u
#define KXL_MB_BOOT_MAGIC 0x2badb002u
#define KXL_MB_SEARCH 8192u

/* Header flags (§3.1.2). */
#define KXL_MB_PAGE_ALIGN (1u << 0)
#define KXL_MB_MEMORY_INFO (1u << 1)
#define KXL_MB_VIDEO_MODE (1u << 2)
#define KXL_MB_AOUT_KLUDGE (1u << 16)

/* multiboot_info flags and offsets (§3.3). */
#define KXL_MBI_MEM (1u << 0)
#define KXL_MBI_CMDLINE (1u << 2)
#define KXL_MBI_MODS (1u << 3)
#define KXL_MBI_MMAP (1u << 6)
#define KXL_MBI_LOADER (1u << 9)
#define KXL_MBI_FLAGS 0u
#define KXL_MBI_MEM_LOWER 4u
#define KXL_MBI_MEM_UPPER 8u
#define KXL_MBI_CMDLINE_PTR 16u
#define KXL_MBI_MODS_COUNT 20u
#define KXL_MBI_MODS_ADDR 24u
#define KXL_MBI_MMAP_LENGTH 44u
#define KXL_MBI_MMAP_ADDR 48u
#define KXL_MBI_LOADER_NAME 64u

/* Offsets of the parts inside the boot information page. */
#define KXL_MBI_MMAP_OFF 0x100u
#define KXL_MBI_MODS_OFF 0x400u /* 16 entries of 16 bytes */
#define KXL_MBI_LOADER_OFF 0x600u
#define KXL_MB_MAX_MODS 16u
#define KXL_MB_STRINGS_MAX (64u << 10) /* command line + module strings */

/*
 * Find a valid header (magic and checksum) in buf's first 8 KiB.
 * Returns 1 with its file offset in *off, or 0.
 */
int kxl_multiboot_find(const unsigned char *buf, size_t len, size_t *off);

/*
 * Turn the image whose header is at buf[off] into a Multiboot image:
 * refuse requirement flags kxen cannot meet, and for a non-ELF image
 * (elf false) lay out its one segment from the a.out kludge fields.
 * Returns 0 or -1 with one line in err.
 */
int kxl_multiboot_parse(const unsigned char *buf, size_t len, size_t off,
			bool elf, uint64_t ram_bytes, struct kxl_image *out,
			char *err, size_t errlen);

/* One boot module to load (§3.3 "mods"): its bytes and its string. */
struct kxl_mb_module {
	const void *data;
	uint64_t len;
	const char *path;   /* the file it came from: starts the string */
	const char *string; /* NULL: the string is the path alone */
};

/*
 * Where the plan put the modules and strings (kxl_multiboot_place), for
 * the info page. Strings go in one blob after the last module: the
 * command line (the image's path first, as GRUB and QEMU pass it), then
 * each module's "path string".
 */
struct kxl_mb_layout {
	unsigned int nr_mods;
	uint64_t mod_start[KXL_MB_MAX_MODS], mod_end[KXL_MB_MAX_MODS];
	uint64_t mod_string[KXL_MB_MAX_MODS]; /* guest address */
	uint64_t cmdline_gpa;
	uint64_t strings_gpa;
	unsigned char *strings; /* the blob, owned */
	size_t strings_len;
};

struct kxl_boot;

/*
 * Place mods[0, nr) page-aligned one after another from floor (the
 * kernel's end) below top (the end of low RAM), then the strings blob,
 * adding each to b. kernel_path NULL leaves the command line as given.
 * Fills *l (free l->strings with kxl_multiboot_layout_free). Returns 0,
 * or -1 with one line in err, e.g. "module 1 (/x/b.bin) of 9000000
 * bytes does not fit in guest RAM between 0x200000 and 0x800000".
 */
int kxl_multiboot_place(struct kxl_boot *b, const struct kxl_mb_module *mods,
			unsigned int nr, const char *kernel_path,
			const char *cmdline, uint64_t floor, uint64_t top,
			struct kxl_mb_layout *l, char *err, size_t errlen);
void kxl_multiboot_layout_free(struct kxl_mb_layout *l);

struct kxl_multiboot_boot {
	uint64_t page_gpa;
	const struct kxl_mb_layout *layout;
	uint64_t ram_bytes;
	const struct kxl_e820 *map;
	unsigned int nr_map;
};

/* Write multiboot_info, its memory map and module list into page. */
void kxl_multiboot_write_info(unsigned char *page,
			      const struct kxl_multiboot_boot *in);

#endif /* KXL_MULTIBOOT_H */
