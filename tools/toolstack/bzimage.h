/*
 * Linux bzImage direct boot (Documentation/arch/x86/boot.rst, "The
 * Linux/x86 Boot Protocol"): the setup header at 0x1f1, the protected-
 * mode kernel after the setup sectors, loaded at pref_address and
 * entered at its 64-bit entry (load address + 0x200) in long mode with
 * RSI pointing at the zero page (struct boot_params). Protocol 2.12 or
 * later with XLF_KERNEL_64 is required: kxen runs no real-mode setup.
 */
#ifndef KXL_BZIMAGE_H
#define KXL_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "e820.h"

struct kxl_image;

/* boot.rst "The Real-Mode Kernel Header" and zero-page.rst offsets. */
#define KXL_BP_ACPI_RSDP 0x070u
#define KXL_BP_EXT_RAMDISK_IMAGE 0x0c0u
#define KXL_BP_EXT_RAMDISK_SIZE 0x0c4u
#define KXL_BP_EXT_CMD_LINE 0x0c8u
#define KXL_BP_ALT_MEM_K 0x1e0u
#define KXL_BP_E820_ENTRIES 0x1e8u
#define KXL_BP_SETUP_SECTS 0x1f1u
#define KXL_BP_BOOT_FLAG 0x1feu
#define KXL_BP_HEADER 0x202u
#define KXL_BP_VERSION 0x206u
#define KXL_BP_TYPE_OF_LOADER 0x210u
#define KXL_BP_LOADFLAGS 0x211u
#define KXL_BP_RAMDISK_IMAGE 0x218u
#define KXL_BP_RAMDISK_SIZE 0x21cu
#define KXL_BP_CMD_LINE_PTR 0x228u
#define KXL_BP_INITRD_ADDR_MAX 0x22cu
#define KXL_BP_XLOADFLAGS 0x236u
#define KXL_BP_CMDLINE_SIZE 0x238u
#define KXL_BP_PREF_ADDRESS 0x258u
#define KXL_BP_INIT_SIZE 0x260u
#define KXL_BP_E820_TABLE 0x2d0u
#define KXL_BP_E820_MAX 128u
#define KXL_BP_SIZE 4096u

#define KXL_BZ_LOADED_HIGH 0x01u
#define KXL_BZ_XLF_KERNEL_64 0x0001u
#define KXL_BZ_ENTRY64_OFF 0x200u
#define KXL_BZ_DEFAULT_LOAD 0x100000u

/* Whether buf looks like a Linux boot image (0xAA55 and "HdrS"). */
bool kxl_bzimage_detect(const unsigned char *buf, size_t len);

/*
 * Validate the bzImage in buf[0, len) for ram_bytes of RAM and describe
 * its one segment in out. Returns 0 or -1 with one line in err.
 */
int kxl_bzimage_parse(const unsigned char *buf, size_t len, uint64_t ram_bytes,
		      struct kxl_image *out, char *err, size_t errlen);

struct kxl_bzimage_boot {
	uint64_t cmdline_gpa;
	uint64_t ramdisk_gpa, ramdisk_len;
	uint64_t rsdp_gpa;
	uint64_t ram_bytes;
	const struct kxl_e820 *map;
	unsigned int nr_map;
};

/* Fill the zero page zp (KXL_BP_SIZE bytes) from the image's header. */
void kxl_bzimage_zero_page(unsigned char *zp, const unsigned char *image,
			   const struct kxl_image *img,
			   const struct kxl_bzimage_boot *in);

#endif /* KXL_BZIMAGE_H */
