/*
 * The boot plan: everything the builder writes into a new domain's RAM
 * (image segments, modules, command line, boot information, page
 * tables, firmware tables) as a list of blobs, plus vCPU 0's registers.
 * Computing it is pure, so tests lay the plan out in a buffer standing
 * for guest RAM and inspect it without a hypervisor; the builder copies
 * the same blobs through foreign mappings.
 *
 * Guest-physical layout (kernels; flat binaries keep 0x8000, README.md):
 *   0x5000  GDTs: 32-bit flat (PVH, Multiboot), 64-bit (bzImage)
 *   0x6000  command line (KXL_CMDLINE_GPA), NUL-terminated
 *   0x7000  boot information: hvm_start_info, zero page or Multiboot info
 *   0x10000 identity page tables for the bzImage 64-bit entry (4 GiB)
 *   0xe0000 ACPI tables (RSDP first, found by the legacy scan too)
 *   0xf0000 MP floating pointer and configuration table
 *   1 MiB+  kernel; modules page-aligned above it (bzImage: the initrd at
 *           the top of low RAM, below initrd_addr_max)
 */
#ifndef KXL_BOOT_H
#define KXL_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "multiboot.h"
#include "kxen/abi.h"

#define KXL_GDT_GPA 0x5000u
#define KXL_GDT64_GPA 0x5100u
#define KXL_BOOTINFO_GPA 0x7000u
#define KXL_PAGETABLE_GPA 0x10000u
#define KXL_PAGETABLE_PAGES 6u /* PML4, PDPT, 4 PDs of 2 MiB pages */
#define KXL_ACPI_GPA 0xe0000u
#define KXL_ACPI_SIZE 0x10000u
#define KXL_MPTABLE_GPA 0xf0000u
#define KXL_MPTABLE_SIZE 0x1000u
/* Segments, 16 Multiboot modules and the fixed pieces. */
#define KXL_BOOT_MAX_BLOBS (KXL_IMAGE_MAX_SEGS + 16u + 12u)

/* Copy data[0, len) to gpa and zero [gpa + len, gpa + size). */
struct kxl_blob {
	const char *what; /* for errors: "ramdisk", "ACPI tables", ... */
	uint64_t gpa;
	uint64_t len;
	uint64_t size;
	const unsigned char *data; /* NULL: all zeroes */
};

struct kxl_boot_args {
	uint64_t ram_bytes;
	unsigned int vcpus;
	const char *cmdline; /* never NULL */
	const void *ramdisk; /* NULL when there is none */
	size_t ramdisk_len;
	const char *ramdisk_name; /* Multiboot module string */
	/* Multiboot only: the image's path (starts the command line; NULL:
	 * the command line alone) and the modules after the ramdisk. */
	const char *kernel_path;
	const struct kxl_mb_module *modules;
	unsigned int nr_modules;
};

struct kxl_boot {
	unsigned int nr_blobs;
	struct kxl_blob blobs[KXL_BOOT_MAX_BLOBS];
	uint64_t rsdp_gpa;
	uint64_t ramdisk_gpa; /* 0: none */
	/* Owned buffers the blobs point into. */
	void *ramdisk_file;  /* kxl_boot_plan_config's copy of the file */
	void **module_files; /* ... and of each Multiboot module */
	unsigned int nr_module_files;
	struct kxl_mb_layout *mb; /* Multiboot: modules and strings */
	unsigned char *cmdline_page;
	unsigned char *info_page;
	unsigned char *gdt_page;
	unsigned char *pagetables;
	unsigned char *acpi;
	unsigned char *mptable;
};

/*
 * Plan the boot of img (parsed from image[0, len)) with args. Returns 0,
 * or -1 with one line in err (without the file name), e.g. "ramdisk of
 * 40000000 bytes does not fit in guest RAM above the kernel".
 */
int kxl_boot_prepare(const struct kxl_image *img, const void *image,
		     const struct kxl_boot_args *args, struct kxl_boot *out,
		     char *err, size_t errlen);

struct kxl_config;

/*
 * kxl_boot_prepare for a domain config: reads cfg->ramdisk (if any) and
 * plans with cfg's memory, vCPUs and command line. Errors name the file
 * they are about (the ramdisk or cfg->kernel).
 */
int kxl_boot_plan_config(const struct kxl_config *cfg,
			 const struct kxl_image *img, const void *image,
			 struct kxl_boot *out, char *err, size_t errlen);

/* Free the plan's buffers; out may be zeroed. */
void kxl_boot_free(struct kxl_boot *b);

/*
 * Whether every blob lies in the RAM of a domain with ram_bytes and no
 * two overlap. Returns 0, or -1 naming both blobs in err.
 */
int kxl_boot_check(const struct kxl_boot *b, uint64_t ram_bytes, char *err,
		   size_t errlen);

/* Append a blob; -1 when the list is full. */
int kxl_boot_add(struct kxl_boot *b, const char *what, uint64_t gpa,
		 const void *data, uint64_t len, uint64_t size);

/*
 * vCPU 0's entry state for the image kinds with boot information (the
 * builder's kxl_boot_context covers every kind and calls this):
 * PVH and Multiboot in 32-bit flat protected mode (EBX = the info, and
 * for Multiboot EAX = 0x2BADB002), bzImage in 64-bit long mode on the
 * identity page tables (RSI = the zero page). The plan puts the boot
 * information, GDTs and page tables at fixed addresses, so this depends
 * on the image alone. Pure.
 */
void kxl_boot_context_kernel(const struct kxl_image *img,
			     struct kxen_vcpu_context *ctx);

#endif /* KXL_BOOT_H */
