/*
 * Suite "builder": the domain builder's boot protocols and firmware
 * tables, on the host without a hypervisor: synthetic PVH ELF, bzImage
 * and Multiboot images are parsed and planned, the plan is laid out in a
 * buffer standing for guest RAM, and hvm_start_info, the zero page, the
 * Multiboot info, the e820 map, every ACPI table and the MP table are
 * checked there. With KVM, the PVH and Multiboot test guests boot
 * through `kxl create` and report what they were given.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tools/toolstack/acpi.h"
#include "../tools/toolstack/boot.h"
#include "../tools/toolstack/builder.h"
#include "../tools/toolstack/bytes.h"
#include "../tools/toolstack/bzimage.h"
#include "../tools/toolstack/config.h"
#include "../tools/toolstack/e820.h"
#include "../tools/toolstack/image.h"
#include "../tools/toolstack/mptable.h"
#include "../tools/toolstack/multiboot.h"
#include "../tools/toolstack/pvh.h"
#include "harness.h"

#define MIB (1ull << 20)
#define RAM (64 * MIB)
#define KERNEL_GPA 0x100000u

static const char ramdisk[] = "INITRD-CONTENTS";

/* --- guest RAM in a buffer --- */

static unsigned char *lay_out(const struct kxl_boot *b)
{
	unsigned char *ram = calloc(1, RAM);
	unsigned int i;

	CU_ASSERT_FATAL(ram != NULL);
	for (i = 0; i < b->nr_blobs; i++) {
		const struct kxl_blob *x = &b->blobs[i];

		CU_ASSERT_FATAL(x->gpa + x->size <= RAM);
		if (x->data)
			memcpy(ram + x->gpa, x->data, x->len);
	}
	return ram;
}

static int plan(const void *image, size_t len, const char *rd,
		struct kxl_image *img, struct kxl_boot *b, char *err,
		size_t errlen)
{
	struct kxl_boot_args a = {.ram_bytes = RAM,
				  .vcpus = 2,
				  .cmdline = "console=ttyS0 test",
				  .ramdisk = rd,
				  .ramdisk_len = rd ? strlen(rd) : 0,
				  .ramdisk_name = "initrd.img"};

	if (kxl_image_parse(image, len, RAM, img, err, errlen) < 0)
		return -1;
	return kxl_boot_prepare(img, image, &a, b, err, errlen);
}

static void expect_parse_error(const void *buf, size_t len, uint64_t ram,
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
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
}

/* --- synthetic images --- */

/* ELF64 with one PT_LOAD at 1 MiB and a PT_NOTE holding the PVH note. */
struct pvh_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint32_t note[5]; /* namesz, descsz, type, "Xen\0", entry */
	unsigned char code[64];
};

static void make_pvh(struct pvh_elf *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_entry = 0xffffffff81000000ull; /* virtual, as vmlinux */
	e->eh.e_phoff = offsetof(struct pvh_elf, ph);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 2;
	e->ph[0].p_type = PT_LOAD;
	e->ph[0].p_offset = offsetof(struct pvh_elf, code);
	e->ph[0].p_paddr = KERNEL_GPA;
	e->ph[0].p_filesz = sizeof(e->code);
	e->ph[0].p_memsz = 0x3000;
	e->ph[1].p_type = PT_NOTE;
	e->ph[1].p_offset = offsetof(struct pvh_elf, note);
	e->ph[1].p_filesz = sizeof(e->note);
	e->note[0] = 4;
	e->note[1] = 4;
	e->note[2] = KXL_ELFNOTE_PHYS32_ENTRY;
	memcpy(&e->note[3], "Xen", 4);
	e->note[4] = KERNEL_GPA + 0x10;
	memset(e->code, 0x90, sizeof(e->code));
}

/* A bzImage: 4 setup sectors + the boot sector, then the kernel. */
#define BZ_SETUP (5 * 512)
#define BZ_KERNEL 8192
static unsigned char *make_bzimage(size_t *len)
{
	unsigned char *b = calloc(1, BZ_SETUP + BZ_KERNEL);

	CU_ASSERT_FATAL(b != NULL);
	b[KXL_BP_SETUP_SECTS] = 4;
	kxl_put16(b, KXL_BP_BOOT_FLAG, 0xaa55);
	b[KXL_BP_HEADER - 1] = 0x6a; /* jump: header ends at 0x26c */
	memcpy(b + KXL_BP_HEADER, "HdrS", 4);
	kxl_put16(b, KXL_BP_VERSION, 0x020f);
	b[KXL_BP_LOADFLAGS] = KXL_BZ_LOADED_HIGH;
	kxl_put32(b, KXL_BP_INITRD_ADDR_MAX, 0x7fffffff);
	kxl_put16(b, KXL_BP_XLOADFLAGS, KXL_BZ_XLF_KERNEL_64);
	kxl_put32(b, KXL_BP_CMDLINE_SIZE, 2047);
	kxl_put64(b, KXL_BP_PREF_ADDRESS, 16 * MIB);
	kxl_put32(b, KXL_BP_INIT_SIZE, 4 * MIB);
	memset(b + BZ_SETUP, 0xcc, BZ_KERNEL);
	*len = BZ_SETUP + BZ_KERNEL;
	return b;
}

/* ELF32 i386 with the Multiboot header at the start of its code. */
struct mb_elf {
	Elf32_Ehdr eh;
	Elf32_Phdr ph;
	uint32_t hdr[8];
	unsigned char code[32];
};

static void make_multiboot(struct mb_elf *e, uint32_t flags)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS32;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_386;
	e->eh.e_entry = KERNEL_GPA + 32;
	e->eh.e_phoff = offsetof(struct mb_elf, ph);
	e->eh.e_phentsize = sizeof(Elf32_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_offset = offsetof(struct mb_elf, hdr);
	e->ph.p_paddr = KERNEL_GPA;
	e->ph.p_filesz = sizeof(e->hdr) + sizeof(e->code);
	e->ph.p_memsz = 0x2000;
	e->hdr[0] = KXL_MB_MAGIC;
	e->hdr[1] = flags;
	e->hdr[2] = -(KXL_MB_MAGIC + flags);
}

/* --- PVH --- */

static void test_pvh(void)
{
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct hvm_memmap_table_entry mm;
	struct kxen_vcpu_context ctx;
	struct kxl_image img;
	struct kxl_boot b;
	struct pvh_elf e;
	unsigned char *ram;
	char err[256] = "";

	make_pvh(&e);
	CU_ASSERT_EQUAL_FATAL(
	    plan(&e, sizeof(e), ramdisk, &img, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_PVH);
	CU_ASSERT_EQUAL(img.entry, KERNEL_GPA + 0x10);
	ram = lay_out(&b);
	memcpy(&si, ram + KXL_BOOTINFO_GPA, sizeof(si));
	CU_ASSERT_EQUAL(si.magic, 0x336ec578);
	CU_ASSERT_EQUAL(si.version, 1);
	CU_ASSERT_STRING_EQUAL((char *)ram + si.cmdline_paddr,
			       "console=ttyS0 test");
	CU_ASSERT_EQUAL(si.rsdp_paddr, b.rsdp_gpa);
	CU_ASSERT_EQUAL(memcmp(ram + si.rsdp_paddr, "RSD PTR ", 8), 0);
	CU_ASSERT_EQUAL(si.memmap_entries, 4);
	memcpy(&mm, ram + si.memmap_paddr + 3 * sizeof(mm), sizeof(mm));
	CU_ASSERT_EQUAL(mm.addr, 0x100000);
	CU_ASSERT_EQUAL(mm.addr + mm.size, RAM);
	CU_ASSERT_EQUAL(mm.type, KXL_E820_RAM);
	CU_ASSERT_EQUAL(si.nr_modules, 1);
	memcpy(&mod, ram + si.modlist_paddr, sizeof(mod));
	/* Page-aligned right above the kernel's 0x3000 bytes. */
	CU_ASSERT_EQUAL(mod.paddr, KERNEL_GPA + 0x3000);
	CU_ASSERT_EQUAL(mod.size, strlen(ramdisk));
	CU_ASSERT_EQUAL(memcmp(ram + mod.paddr, ramdisk, mod.size), 0);
	CU_ASSERT_EQUAL(ram[KERNEL_GPA], 0x90);
	kxl_boot_context(&img, &ctx);
	CU_ASSERT_EQUAL(ctx.rip, KERNEL_GPA + 0x10);
	CU_ASSERT_EQUAL(ctx.rbx, KXL_BOOTINFO_GPA);
	CU_ASSERT_EQUAL(ctx.cr0, 0x11);
	CU_ASSERT_EQUAL(ctx.efer, 0);
	CU_ASSERT_EQUAL(ctx.cs.attr, 0xc09b);
	CU_ASSERT_EQUAL(ctx.ds.attr, 0xc093);
	CU_ASSERT_EQUAL(ctx.ss.attr, 0xc093);
	CU_ASSERT_EQUAL(ctx.rflags & 0x200, 0); /* interrupts off */
	CU_ASSERT_EQUAL(kxl_get64(ram, ctx.gdtr.base + ctx.cs.selector),
			0x00cf9b000000ffffull);
	free(ram);
	kxl_boot_free(&b);
}

static void test_pvh_bad(void)
{
	struct pvh_elf e;

	make_pvh(&e);
	e.ph[1].p_offset = sizeof(e) - 8;
	expect_parse_error(&e, sizeof(e), RAM,
			   "program header 1: PT_NOTE segment extends past "
			   "end of file");
	make_pvh(&e);
	e.note[1] = 64; /* descriptor runs past the segment */
	expect_parse_error(&e, sizeof(e), RAM, "extends past its PT_NOTE");
	make_pvh(&e);
	e.note[1] = 2;
	expect_parse_error(&e, sizeof(e), RAM, "2-byte descriptor");
	make_pvh(&e);
	e.note[4] = 0x900000;
	expect_parse_error(&e, sizeof(e), RAM,
			   "PVH entry point 0x900000 is not inside");
	make_pvh(&e);
	e.ph[0].p_paddr = RAM - 0x1000;
	expect_parse_error(&e, sizeof(e), RAM, "outside guest RAM");
	expect_parse_error(&e, 40, RAM, "truncated ELF header");
}

/* A ramdisk too large for RAM above the kernel: one plan error. */
static void test_ramdisk_too_big(void)
{
	struct kxl_boot_args a = {.ram_bytes = RAM, .vcpus = 1, .cmdline = ""};
	struct kxl_image img;
	struct kxl_boot b;
	struct pvh_elf e;
	char err[256] = "";

	make_pvh(&e);
	CU_ASSERT_EQUAL_FATAL(
	    kxl_image_parse(&e, sizeof(e), RAM, &img, err, sizeof(err)), 0);
	a.ramdisk = &e;
	a.ramdisk_len = RAM;
	CU_ASSERT_EQUAL(kxl_boot_prepare(&img, &e, &a, &b, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ramdisk of 67108864 bytes does "
					   "not fit"));
	/* Flat binaries have no way to receive one. */
	CU_ASSERT_EQUAL(kxl_image_parse("\xf4", 1, RAM, &img, err, sizeof(err)),
			0);
	a.ramdisk_len = 16;
	CU_ASSERT_EQUAL(
	    kxl_boot_prepare(&img, "\xf4", &a, &b, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "a ramdisk needs a PVH"));
}

/* Overlapping pieces are refused by name, whatever placed them. */
static void test_overlap(void)
{
	struct kxl_boot b;
	char err[256] = "";

	memset(&b, 0, sizeof(b));
	CU_ASSERT_EQUAL(kxl_boot_add(&b, "module 0", 0x200000, NULL, 0, 0x2000),
			0);
	CU_ASSERT_EQUAL(kxl_boot_check(&b, RAM, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(kxl_boot_add(&b, "module 1", 0x201000, NULL, 0, 0x1000),
			0);
	CU_ASSERT_EQUAL(kxl_boot_check(&b, RAM, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "module 1 at 0x201000 overlaps module 0 "
				    "at [0x200000, 0x202000)");
	b.nr_blobs = 1;
	CU_ASSERT_EQUAL(
	    kxl_boot_add(&b, "module 2", RAM - 0x1000, NULL, 0, 0x2000), 0);
	CU_ASSERT_EQUAL(kxl_boot_check(&b, RAM, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "module 2 [0x3fff000, 0x4001000) "
					   "is outside guest RAM (64 MiB)"));
}

/* --- bzImage --- */

static void check_zero_page(const unsigned char *zp, const struct kxl_boot *b)
{
	uint64_t rd = kxl_get32(zp, KXL_BP_RAMDISK_IMAGE);

	CU_ASSERT_EQUAL(memcmp(zp + KXL_BP_HEADER, "HdrS", 4), 0);
	CU_ASSERT_EQUAL(kxl_get16(zp, KXL_BP_VERSION), 0x020f);
	CU_ASSERT_EQUAL(zp[KXL_BP_TYPE_OF_LOADER], 0xff);
	CU_ASSERT_EQUAL(kxl_get32(zp, KXL_BP_CMD_LINE_PTR), KXL_CMDLINE_GPA);
	CU_ASSERT_EQUAL(rd, b->ramdisk_gpa);
	CU_ASSERT_EQUAL(kxl_get32(zp, KXL_BP_RAMDISK_SIZE), strlen(ramdisk));
	/* At the top of RAM, page-aligned, clear of the kernel. */
	CU_ASSERT_EQUAL(rd % 4096, 0);
	CU_ASSERT(rd + strlen(ramdisk) <= RAM && rd >= RAM - 4096);
	CU_ASSERT_EQUAL(kxl_get64(zp, KXL_BP_ACPI_RSDP), b->rsdp_gpa);
	CU_ASSERT_EQUAL(zp[KXL_BP_E820_ENTRIES], 4);
	CU_ASSERT_EQUAL(kxl_get64(zp, KXL_BP_E820_TABLE + 3 * 20), 0x100000);
	CU_ASSERT_EQUAL(kxl_get64(zp, KXL_BP_E820_TABLE + 3 * 20 + 8),
			RAM - 0x100000);
	CU_ASSERT_EQUAL(kxl_get32(zp, KXL_BP_E820_TABLE + 3 * 20 + 16), 1);
	CU_ASSERT_EQUAL(kxl_get32(zp, KXL_BP_E820_TABLE + 2 * 20 + 16), 2);
}

static void test_bzimage(void)
{
	struct kxen_vcpu_context ctx;
	struct kxl_image img;
	struct kxl_boot b;
	unsigned char *bz, *ram;
	char err[256] = "";
	size_t len;

	bz = make_bzimage(&len);
	CU_ASSERT_EQUAL_FATAL(
	    plan(bz, len, ramdisk, &img, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_BZIMAGE);
	CU_ASSERT_EQUAL(img.segs[0].paddr, 16 * MIB);
	CU_ASSERT_EQUAL(img.entry, 16 * MIB + 0x200);
	ram = lay_out(&b);
	CU_ASSERT_EQUAL(ram[16 * MIB], 0xcc);
	CU_ASSERT_EQUAL(ram[16 * MIB + BZ_KERNEL - 1], 0xcc);
	check_zero_page(ram + KXL_BOOTINFO_GPA, &b);
	CU_ASSERT_EQUAL(memcmp(ram + b.ramdisk_gpa, ramdisk, strlen(ramdisk)),
			0);
	kxl_boot_context(&img, &ctx);
	CU_ASSERT_EQUAL(ctx.rip, 16 * MIB + 0x200);
	CU_ASSERT_EQUAL(ctx.rsi, KXL_BOOTINFO_GPA);
	CU_ASSERT_EQUAL(ctx.cr0, 0x80000011);
	CU_ASSERT_EQUAL(ctx.cr4 & 0x20, 0x20);
	CU_ASSERT_EQUAL(ctx.efer, 0x500);
	CU_ASSERT_EQUAL(ctx.cs.selector, 0x10);
	CU_ASSERT_EQUAL(ctx.cs.attr, 0xa09b);
	CU_ASSERT_EQUAL(ctx.ds.selector, 0x18);
	CU_ASSERT_EQUAL(kxl_get64(ram, ctx.gdtr.base + 0x10),
			0x00af9b000000ffffull);
	/* Identity map: PML4 -> PDPT -> 4 PDs of 2 MiB pages up to 4 GiB. */
	CU_ASSERT_EQUAL(kxl_get64(ram, ctx.cr3) & ~0xfffull, ctx.cr3 + 4096);
	CU_ASSERT_EQUAL(kxl_get64(ram, ctx.cr3 + 4096 + 3 * 8) & ~0xfffull,
			ctx.cr3 + 5 * 4096);
	CU_ASSERT_EQUAL(kxl_get64(ram, ctx.cr3 + 5 * 4096 + 511 * 8),
			0xffe00000ull | 0xe3);
	CU_ASSERT_EQUAL(kxl_get64(ram, ctx.cr3 + 2 * 4096 + 8), 0x2000e3);
	free(ram);
	kxl_boot_free(&b);
	free(bz);
}

static void test_bzimage_bad(void)
{
	struct kxl_boot_args a = {.ram_bytes = RAM, .vcpus = 1};
	struct kxl_image img;
	struct kxl_boot b;
	char err[256] = "", longline[3000];
	size_t len;
	unsigned char *bz = make_bzimage(&len);

	expect_parse_error(bz, 0x240, RAM, "truncated Linux boot header");
	kxl_put16(bz, KXL_BP_VERSION, 0x020a);
	expect_parse_error(bz, len, RAM,
			   "Linux boot protocol 2.10 is older "
			   "than 2.12");
	kxl_put16(bz, KXL_BP_VERSION, 0x020f);
	kxl_put16(bz, KXL_BP_XLOADFLAGS, 0);
	expect_parse_error(bz, len, RAM, "no 64-bit entry point");
	kxl_put16(bz, KXL_BP_XLOADFLAGS, KXL_BZ_XLF_KERNEL_64);
	bz[KXL_BP_LOADFLAGS] = 0;
	expect_parse_error(bz, len, RAM, "zImage");
	bz[KXL_BP_LOADFLAGS] = KXL_BZ_LOADED_HIGH;
	bz[KXL_BP_SETUP_SECTS] = 60;
	expect_parse_error(bz, len, RAM, "setup of 60 sectors extends past");
	bz[KXL_BP_SETUP_SECTS] = 4;
	kxl_put32(bz, KXL_BP_INIT_SIZE, 60 * MIB);
	expect_parse_error(bz, len, RAM,
			   "kernel needs 61440 KiB from "
			   "0x1000000 (init_size)");
	kxl_put32(bz, KXL_BP_INIT_SIZE, 4 * MIB);
	/* The command line must fit the kernel's cmdline_size. */
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	a.cmdline = longline;
	CU_ASSERT_EQUAL_FATAL(
	    kxl_image_parse(bz, len, RAM, &img, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(kxl_boot_prepare(&img, bz, &a, &b, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than the kernel accepts "
					   "(cmdline_size 2047)"));
	/* An initrd that would land inside the decompression area. */
	a.cmdline = "";
	a.ramdisk = bz;
	a.ramdisk_len = RAM - 18 * MIB;
	CU_ASSERT_EQUAL(kxl_boot_prepare(&img, bz, &a, &b, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ramdisk of"));
	free(bz);
}

/* --- Multiboot --- */

static void check_mbi(const unsigned char *ram)
{
	const unsigned char *mbi = ram + KXL_BOOTINFO_GPA, *mod;
	uint32_t flags = kxl_get32(mbi, KXL_MBI_FLAGS), mmap, i;

	CU_ASSERT_EQUAL(
	    flags &
		(KXL_MBI_MEM | KXL_MBI_CMDLINE | KXL_MBI_MODS | KXL_MBI_MMAP),
	    KXL_MBI_MEM | KXL_MBI_CMDLINE | KXL_MBI_MODS | KXL_MBI_MMAP);
	CU_ASSERT_EQUAL(kxl_get32(mbi, KXL_MBI_MEM_LOWER), 639);
	CU_ASSERT_EQUAL(kxl_get32(mbi, KXL_MBI_MEM_UPPER), (RAM - MIB) >> 10);
	CU_ASSERT_STRING_EQUAL((const char *)ram +
				   kxl_get32(mbi, KXL_MBI_CMDLINE_PTR),
			       "console=ttyS0 test");
	CU_ASSERT_EQUAL(kxl_get32(mbi, KXL_MBI_MODS_COUNT), 1);
	mod = ram + kxl_get32(mbi, KXL_MBI_MODS_ADDR);
	CU_ASSERT_EQUAL(kxl_get32(mod, 0) % 4096, 0);
	CU_ASSERT_EQUAL(kxl_get32(mod, 4) - kxl_get32(mod, 0), strlen(ramdisk));
	CU_ASSERT_EQUAL(
	    memcmp(ram + kxl_get32(mod, 0), ramdisk, strlen(ramdisk)), 0);
	CU_ASSERT_STRING_EQUAL((const char *)ram + kxl_get32(mod, 8),
			       "initrd.img");
	CU_ASSERT_EQUAL(kxl_get32(mbi, KXL_MBI_MMAP_LENGTH), 4 * 24);
	mmap = kxl_get32(mbi, KXL_MBI_MMAP_ADDR);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(kxl_get32(ram, mmap + i * 24), 20);
	CU_ASSERT_EQUAL(kxl_get64(ram, mmap + 4), 0);
	CU_ASSERT_EQUAL(kxl_get64(ram, mmap + 12), 0x9fc00);
	CU_ASSERT_EQUAL(kxl_get32(ram, mmap + 20), 1);
	CU_ASSERT_STRING_EQUAL(
	    (const char *)ram + kxl_get32(mbi, KXL_MBI_LOADER_NAME), "kxen");
}

static void test_multiboot_elf(void)
{
	struct kxen_vcpu_context ctx;
	struct kxl_image img;
	struct kxl_boot b;
	struct mb_elf e;
	unsigned char *ram;
	char err[256] = "";

	make_multiboot(&e, KXL_MB_PAGE_ALIGN | KXL_MB_MEMORY_INFO);
	CU_ASSERT_EQUAL_FATAL(
	    plan(&e, sizeof(e), ramdisk, &img, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_MULTIBOOT);
	ram = lay_out(&b);
	check_mbi(ram);
	CU_ASSERT_EQUAL(kxl_get32(ram, KERNEL_GPA), KXL_MB_MAGIC);
	kxl_boot_context(&img, &ctx);
	CU_ASSERT_EQUAL(ctx.rax, 0x2badb002);
	CU_ASSERT_EQUAL(ctx.rbx, KXL_BOOTINFO_GPA);
	CU_ASSERT_EQUAL(ctx.rip, KERNEL_GPA + 32);
	CU_ASSERT_EQUAL(ctx.cr0, 0x11);
	CU_ASSERT_EQUAL(ctx.cs.attr, 0xc09b);
	free(ram);
	kxl_boot_free(&b);
}

/* A raw image placed by the a.out kludge fields (§3.1.3). */
static void test_multiboot_aout(void)
{
	unsigned char image[0x400] = {0};
	uint32_t flags = KXL_MB_AOUT_KLUDGE | KXL_MB_MEMORY_INFO;
	struct kxl_image img;
	struct kxl_boot b;
	unsigned char *ram;
	char err[256] = "";

	kxl_put32(image, 0x40, KXL_MB_MAGIC);
	kxl_put32(image, 0x44, flags);
	kxl_put32(image, 0x48, -(KXL_MB_MAGIC + flags));
	kxl_put32(image, 0x4c, 0x200040); /* header_addr */
	kxl_put32(image, 0x50, 0x200000); /* load_addr */
	kxl_put32(image, 0x54, 0);	  /* load to the end of the file */
	kxl_put32(image, 0x58, 0x204000); /* bss_end_addr */
	kxl_put32(image, 0x5c, 0x200100); /* entry_addr */
	image[0x100] = 0xf4;
	CU_ASSERT_EQUAL_FATAL(
	    plan(image, sizeof(image), ramdisk, &img, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_MULTIBOOT);
	CU_ASSERT_EQUAL(img.entry, 0x200100);
	CU_ASSERT_EQUAL(img.segs[0].memsz, 0x4000);
	ram = lay_out(&b);
	CU_ASSERT_EQUAL(ram[0x200100], 0xf4);
	check_mbi(ram);
	free(ram);
	kxl_boot_free(&b);
	kxl_put32(image, 0x4c, 0x300000); /* header before the file start */
	expect_parse_error(image, sizeof(image), RAM,
			   "do not match the header's file offset");
}

static void test_multiboot_bad(void)
{
	unsigned char raw[64] = {0};
	struct mb_elf e;

	make_multiboot(&e, KXL_MB_VIDEO_MODE);
	expect_parse_error(&e, sizeof(e), RAM, "video mode");
	make_multiboot(&e, 1u << 7);
	expect_parse_error(&e, sizeof(e), RAM,
			   "unknown features (flags "
			   "0x0080)");
	kxl_put32(raw, 0, KXL_MB_MAGIC);
	kxl_put32(raw, 8, -KXL_MB_MAGIC);
	expect_parse_error(raw, sizeof(raw), RAM, "no a.out kludge");
	kxl_put32(raw, 8, 0); /* bad checksum: a flat binary then */
	{
		struct kxl_image img;
		char err[128];

		CU_ASSERT_EQUAL(kxl_image_parse(raw, sizeof(raw), RAM, &img,
						err, sizeof(err)),
				0);
		CU_ASSERT_EQUAL(img.kind, KXL_IMAGE_FLAT);
	}
}

/* --- firmware tables --- */

static const unsigned char *table(const unsigned char *buf, uint64_t base,
				  uint64_t gpa, const char *sig)
{
	const unsigned char *t = buf + (gpa - base);

	CU_ASSERT_EQUAL(memcmp(t, sig, 4), 0);
	CU_ASSERT_EQUAL(kxl_sum8(t, kxl_get32(t, 4)), 0);
	return t;
}

static void check_fadt(const unsigned char *f, const struct kxl_acpi_layout *l)
{
	uint32_t flags = kxl_get32(f, KXL_FADT_FLAGS);

	CU_ASSERT_EQUAL(kxl_get32(f, 4), KXL_FADT_LEN);
	CU_ASSERT_EQUAL(f[8], 6);
	CU_ASSERT_EQUAL(kxl_get32(f, KXL_FADT_DSDT), l->dsdt);
	CU_ASSERT_EQUAL(kxl_get64(f, KXL_FADT_X_DSDT), l->dsdt);
	CU_ASSERT_EQUAL(kxl_get32(f, KXL_FADT_FACS), l->facs);
	CU_ASSERT_EQUAL(kxl_get16(f, KXL_FADT_SCI_INT), 9);
	CU_ASSERT_EQUAL(kxl_get32(f, KXL_FADT_SMI_CMD), 0);
	CU_ASSERT_EQUAL(kxl_get32(f, KXL_FADT_PM1A_EVT), 0x1f40);
	CU_ASSERT_EQUAL(kxl_get32(f, KXL_FADT_PM1A_CNT), 0x1f44);
	CU_ASSERT_EQUAL(kxl_get32(f, KXL_FADT_PM_TMR), 0x1f48);
	CU_ASSERT_EQUAL(f[KXL_FADT_PM1_EVT_LEN], 4);
	CU_ASSERT_EQUAL(f[KXL_FADT_PM1_CNT_LEN], 2);
	CU_ASSERT_EQUAL(f[KXL_FADT_PM_TMR_LEN], 4);
	CU_ASSERT_EQUAL(f[KXL_FADT_X_PM_TMR], 1); /* system I/O */
	CU_ASSERT_EQUAL(kxl_get64(f, KXL_FADT_X_PM_TMR + 4), 0x1f48);
	CU_ASSERT_EQUAL(f[KXL_FADT_CENTURY], 0x32);
	CU_ASSERT_EQUAL(kxl_get16(f, KXL_FADT_BOOT_ARCH) & 3, 3);
	CU_ASSERT(flags & KXL_FADT_TMR_VAL_EXT);
	CU_ASSERT(flags & KXL_FADT_RESET_REG_SUP);
	CU_ASSERT_FALSE(flags & KXL_FADT_PWR_BUTTON);
	CU_ASSERT_EQUAL(f[KXL_FADT_RESET_REG], 1);
	CU_ASSERT_EQUAL(f[KXL_FADT_RESET_REG + 1], 8);
	CU_ASSERT_EQUAL(kxl_get64(f, KXL_FADT_RESET_REG + 4), 0xcf9);
	CU_ASSERT_EQUAL(f[KXL_FADT_RESET_VALUE], 6);
}

/* MADT: count entries by type; check the IOAPIC and the overrides. */
static void check_madt(const unsigned char *m, unsigned int vcpus)
{
	uint32_t len = kxl_get32(m, 4), off = 44;
	unsigned int n = 0, lapics = 0, isos = 0;

	CU_ASSERT_EQUAL(kxl_get32(m, 36), 0xfee00000);
	CU_ASSERT_EQUAL(kxl_get32(m, 40), 1);
	while (off < len) {
		const unsigned char *e = m + off;

		if (e[0] == 0) {
			CU_ASSERT_EQUAL(e[3], lapics);
			CU_ASSERT_EQUAL(kxl_get32(e, 4), 1);
			lapics++;
		} else if (e[0] == 1) {
			CU_ASSERT_EQUAL(e[2], 0);
			CU_ASSERT_EQUAL(kxl_get32(e, 4), 0xfec00000);
			CU_ASSERT_EQUAL(kxl_get32(e, 8), 0);
		} else if (e[0] == 2) {
			CU_ASSERT(e[3] == 0 ? kxl_get32(e, 4) == 2
					    : kxl_get32(e, 4) == 9 &&
						  kxl_get16(e, 8) == 0xd);
			isos++;
		} else {
			CU_ASSERT_EQUAL(e[0], 4);
			CU_ASSERT_EQUAL(e[5], 1); /* LINT1 */
		}
		CU_ASSERT_FATAL(e[1] > 0);
		off += e[1];
		n++;
	}
	CU_ASSERT_EQUAL(off, len);
	CU_ASSERT_EQUAL(lapics, vcpus);
	CU_ASSERT_EQUAL(isos, 2);
	CU_ASSERT_EQUAL(n, vcpus + 1 + 2 + 1);
}

static void test_acpi(void)
{
	static unsigned char buf[KXL_ACPI_SIZE];
	const uint64_t base = KXL_ACPI_GPA;
	const unsigned char *rsdp = buf, *xsdt, *rsdt, *h;
	struct kxl_acpi_layout l;

	CU_ASSERT_EQUAL_FATAL(kxl_acpi_build(buf, sizeof(buf), base, 4, &l), 0);
	CU_ASSERT_EQUAL(l.rsdp, base);
	CU_ASSERT_EQUAL(memcmp(rsdp, "RSD PTR ", 8), 0);
	CU_ASSERT_EQUAL(kxl_sum8(rsdp, 20), 0);
	CU_ASSERT_EQUAL(kxl_sum8(rsdp, 36), 0);
	CU_ASSERT_EQUAL(rsdp[15], 2);
	xsdt = table(buf, base, kxl_get64(rsdp, 24), "XSDT");
	rsdt = table(buf, base, kxl_get32(rsdp, 16), "RSDT");
	CU_ASSERT_EQUAL(kxl_get32(xsdt, 4), 36 + 3 * 8);
	CU_ASSERT_EQUAL(kxl_get32(rsdt, 36 + 4), kxl_get64(xsdt, 36 + 8));
	check_fadt(table(buf, base, kxl_get64(xsdt, 36), "FACP"), &l);
	check_madt(table(buf, base, kxl_get64(xsdt, 44), "APIC"), 4);
	h = table(buf, base, kxl_get64(xsdt, 52), "HPET");
	CU_ASSERT_EQUAL(kxl_get32(h, 36), 0x8086a201);
	CU_ASSERT_EQUAL(kxl_get64(h, 44), 0xfed00000);
	CU_ASSERT(kxl_get16(h, 53) > 0);
	table(buf, base, l.dsdt, "DSDT");
	CU_ASSERT(kxl_get32(buf + (l.dsdt - base), 4) == kxl_dsdt_aml_len);
	CU_ASSERT_EQUAL(l.facs % 64, 0);
	CU_ASSERT_EQUAL(memcmp(buf + (l.facs - base), "FACS", 4), 0);
	CU_ASSERT(l.used <= sizeof(buf));
	/* 1 and 128 vCPUs fit too; 0 does not make sense. */
	CU_ASSERT_EQUAL(kxl_acpi_build(buf, sizeof(buf), base, 1, &l), 0);
	check_madt(buf + (l.madt - base), 1);
	CU_ASSERT_EQUAL(kxl_acpi_build(buf, sizeof(buf), base, 128, &l), 0);
	check_madt(table(buf, base, l.madt, "APIC"), 128);
	CU_ASSERT_EQUAL(kxl_acpi_build(buf, sizeof(buf), base, 0, &l), -1);
	CU_ASSERT_EQUAL(kxl_acpi_build(buf, 256, base, 1, &l), -1);
}

/* The DSDT names what the brief says it must (AML name strings). */
static void test_dsdt(void)
{
	static const char *const names[] = {"PCI0", "_PRT", "COM1", "KBD_",
					    "RTC_", "_S5_", "HPET"};
	size_t i, j;

	CU_ASSERT_EQUAL(kxl_sum8(kxl_dsdt_aml, kxl_dsdt_aml_len), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (j = 0; j + 4 <= kxl_dsdt_aml_len; j++)
			if (memcmp(kxl_dsdt_aml + j, names[i], 4) == 0)
				break;
		CU_ASSERT(j + 4 <= kxl_dsdt_aml_len);
	}
}

static void test_mptable(void)
{
	static unsigned char buf[KXL_MPTABLE_SIZE];
	const unsigned char *t;
	size_t used = kxl_mptable_build(buf, sizeof(buf), KXL_MPTABLE_GPA, 3);
	unsigned int i, cpus = 0, n;
	size_t off = KXL_MP_HDR_LEN;

	CU_ASSERT_FATAL(used > 0);
	CU_ASSERT_EQUAL(memcmp(buf, "_MP_", 4), 0);
	CU_ASSERT_EQUAL(kxl_sum8(buf, 16), 0);
	CU_ASSERT_EQUAL(buf[9], 4);
	CU_ASSERT_EQUAL_FATAL(kxl_get32(buf, 4), KXL_MPTABLE_GPA + 16);
	t = buf + 16;
	CU_ASSERT_EQUAL(memcmp(t, "PCMP", 4), 0);
	CU_ASSERT_EQUAL(kxl_sum8(t, kxl_get16(t, 4)), 0);
	CU_ASSERT_EQUAL(16 + kxl_get16(t, 4), used);
	CU_ASSERT_EQUAL(kxl_get32(t, 36), 0xfee00000);
	n = kxl_get16(t, 34);
	for (i = 0; i < n; i++) {
		cpus += t[off] == 0;
		if (t[off] == 0)
			CU_ASSERT_EQUAL(t[off + 3] & 1, 1);
		off += t[off] == 0 ? 20 : 8;
	}
	CU_ASSERT_EQUAL(off, kxl_get16(t, 4));
	CU_ASSERT_EQUAL(cpus, 3);
	CU_ASSERT_EQUAL(t[KXL_MP_HDR_LEN + 3], 3); /* BSP: enabled + BP */
	CU_ASSERT_EQUAL(kxl_mptable_build(buf, sizeof(buf), 0xf0000, 128) > 0,
			1);
	CU_ASSERT_EQUAL(kxl_mptable_build(buf, 64, 0xf0000, 1), 0);
}

static void test_e820(void)
{
	struct kxl_e820 m[KXL_E820_MAX];
	unsigned int n = kxl_e820_build(RAM, m);

	/* Below the hole: no RAM from 4 GiB. */
	CU_ASSERT_EQUAL_FATAL(n, 4);
	CU_ASSERT(m[0].addr == 0 && m[0].size == 0x9fc00 && m[0].type == 1);
	CU_ASSERT(m[1].addr == 0x9fc00 && m[1].type == 2);
	CU_ASSERT(m[2].addr == 0xe0000 && m[2].size == 0x20000 &&
		  m[2].type == 2);
	CU_ASSERT(m[3].addr == MIB && m[3].size == RAM - MIB);
	/* 4 GiB: low RAM stops at the hole, the rest starts at 4 GiB. */
	n = kxl_e820_build(4096 * MIB, m);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT_EQUAL(m[3].addr + m[3].size, 0xe0000000ull);
	CU_ASSERT(m[4].addr == 1ull << 32 && m[4].size == 512 * MIB &&
		  m[4].type == 1);
	/* 1 MiB: no RAM above 1 MiB at all. */
	CU_ASSERT_EQUAL(kxl_e820_build(MIB, m), 3);
}

/* --- config keys --- */

/* Load {"name":"x","memory":1,"kernel":"k",<extra>} from a temp file. */
static int load_extra(const char *extra, struct kxl_config *cfg, char *err,
		      size_t errlen, char **path)
{
	char json[512], *p = strdup("/tmp/kxen-builder-XXXXXX");
	int fd = p ? mkstemp(p) : -1, n, rc;

	*path = p;
	if (fd < 0)
		return -2;
	n = snprintf(json, sizeof(json),
		     "{\"name\":\"x\",\"memory\":1,\"kernel\":\"k\",%s}",
		     extra);
	rc = write(fd, json, (size_t)n) == n ? 0 : -2;
	close(fd);
	if (rc == 0)
		rc = kxl_config_load(p, cfg, err, errlen);
	unlink(p);
	return rc;
}

static void expect_good(const char *extra, struct kxl_config *cfg)
{
	char err[512] = "", *path;

	CU_ASSERT_EQUAL(load_extra(extra, cfg, err, sizeof(err), &path), 0);
	if (err[0])
		fprintf(stderr, "\n%s: %s\n", extra, err);
	free(path);
}

static void expect_bad(const char *extra, const char *expect)
{
	struct kxl_config cfg;
	char err[512] = "", *path;

	CU_ASSERT_EQUAL(load_extra(extra, &cfg, err, sizeof(err), &path), -1);
	if (!strstr(err, expect))
		fprintf(stderr, "\n%s: expected '%s', got '%s'\n", extra,
			expect, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, expect));
	CU_ASSERT(path && strncmp(err, path, strlen(path)) == 0);
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	free(path);
}

static void test_config_lifecycle(void)
{
	static const char *const acts[] = {"destroy", "restart", "preserve"};
	struct kxl_config cfg;
	char extra[128];
	unsigned int i;

	expect_good("\"serial\":\"pty\"", &cfg);
	/* xl's defaults: destroy, restart, destroy. */
	CU_ASSERT_EQUAL(cfg.on_poweroff, KXL_ACTION_DESTROY);
	CU_ASSERT_EQUAL(cfg.on_reboot, KXL_ACTION_RESTART);
	CU_ASSERT_EQUAL(cfg.on_crash, KXL_ACTION_DESTROY);
	CU_ASSERT_PTR_NULL(cfg.ramdisk);
	CU_ASSERT_FALSE(cfg.cpuid.present);
	kxl_config_free(&cfg);
	for (i = 0; i < 3; i++) {
		snprintf(extra, sizeof(extra),
			 "\"on_poweroff\":\"%s\",\"on_reboot\":\"%s\","
			 "\"on_crash\":\"%s\"",
			 acts[i], acts[(i + 1) % 3], acts[(i + 2) % 3]);
		expect_good(extra, &cfg);
		CU_ASSERT_EQUAL(cfg.on_poweroff, i);
		CU_ASSERT_EQUAL(cfg.on_reboot, (i + 1) % 3);
		CU_ASSERT_EQUAL(cfg.on_crash, (i + 2) % 3);
		CU_ASSERT_STRING_EQUAL(kxl_action_name(cfg.on_poweroff),
				       acts[i]);
		kxl_config_free(&cfg);
	}
	expect_good("\"serial\":\"none\"", &cfg);
	CU_ASSERT_EQUAL(cfg.serial, KXL_SERIAL_NONE);
	kxl_config_free(&cfg);
	expect_good("\"serial\":\"console\"", &cfg);
	CU_ASSERT_STRING_EQUAL(kxl_serial_name(cfg.serial), "console");
	kxl_config_free(&cfg);
	expect_bad("\"on_crash\":\"reboot\"",
		   "key 'on_crash' must be one of destroy, restart, "
		   "preserve, got 'reboot'");
	/* xl's actions that need what kxen lacks are refused by name. */
	expect_bad("\"on_reboot\":\"rename-restart\"",
		   "key 'on_reboot' is 'rename-restart', an xl action kxen "
		   "does not support");
	expect_bad("\"on_crash\":\"coredump-destroy\"",
		   "is 'coredump-destroy', an xl action");
	expect_bad("\"on_poweroff\":1", "key 'on_poweroff' must be one of");
	expect_bad("\"on_reboot\":\"Restart\"", "got 'Restart'");
	expect_bad("\"serial\":\"tty\"",
		   "key 'serial' must be one of pty, none, console, got 'tty'");
	expect_bad("\"serial\":\"pty\",\"serial\":\"none\"",
		   "duplicate key 'serial'");
}

static void test_config_ramdisk(void)
{
	struct kxl_config cfg;

	expect_good("\"ramdisk\":\"initrd.img\"", &cfg);
	CU_ASSERT_STRING_EQUAL(cfg.ramdisk, "/tmp/initrd.img");
	kxl_config_free(&cfg);
	expect_good("\"ramdisk\":\"/boot/initrd\"", &cfg);
	CU_ASSERT_STRING_EQUAL(cfg.ramdisk, "/boot/initrd");
	kxl_config_free(&cfg);
	expect_bad("\"ramdisk\":\"\"", "key 'ramdisk' must be a file name");
	expect_bad("\"ramdisk\":[]", "key 'ramdisk' must be a string");
}

static void test_config_cpuid(void)
{
	const struct kxl_cpuid_leaf *l;
	struct kxl_config cfg;

	expect_good("\"cpuid\":\"host,cx16=0,popcnt=0,x2apic=1,nx=k\"", &cfg);
	CU_ASSERT(cfg.cpuid.present && cfg.cpuid.host);
	l = kxl_cpuid_find(&cfg.cpuid, 1, KXL_CPUID_ANY);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->clear[KXL_CPUID_ECX], 1u << 13 | 1u << 23);
	CU_ASSERT_EQUAL(l->set[KXL_CPUID_ECX], 1u << 21);
	l = kxl_cpuid_find(&cfg.cpuid, 0x80000001u, KXL_CPUID_ANY);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->host[KXL_CPUID_EDX], 1u << 20);
	kxl_config_free(&cfg);
	expect_good("\"cpuid\":[\"0x00000001:ecx=xxxxxxxxxxxxxxxxxx0xxxxxxxxx"
		    "xxx1\",\"7,0:ebx=xxxxxxxxxxx0xxxxxxxxxxxxxxxxxxxx\"]",
		    &cfg);
	CU_ASSERT_FALSE(cfg.cpuid.host);
	l = kxl_cpuid_find(&cfg.cpuid, 1, KXL_CPUID_ANY);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->clear[KXL_CPUID_ECX], 1u << 13);
	CU_ASSERT_EQUAL(l->set[KXL_CPUID_ECX], 1u);
	l = kxl_cpuid_find(&cfg.cpuid, 7, 0);
	CU_ASSERT_FATAL(l != NULL);
	CU_ASSERT_EQUAL(l->clear[KXL_CPUID_EBX], 1u << 20); /* smap */
	kxl_config_free(&cfg);
	expect_bad("\"cpuid\":\"host,cx17=0\"", "unknown CPUID flag 'cx17'");
	expect_bad("\"cpuid\":\"host,cx16=2\"",
		   "CPUID flag 'cx16' must be 0, 1, x, k or s, got '2'");
	expect_bad("\"cpuid\":\"host,,cx16=0\"", "empty item");
	expect_bad("\"cpuid\":\"host,cx16\"", "'cx16' is not NAME=VALUE");
	expect_bad("\"cpuid\":[\"1:ecx=xx\"]", "element 0 is invalid");
	expect_bad("\"cpuid\":[\"1:esi=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]",
		   "expected eax=, ebx=, ecx= or edx=");
	expect_bad("\"cpuid\":[\"zz:eax=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]",
		   "does not start with LEAF[,SUBLEAF]:");
	expect_bad("\"cpuid\":[1]", "element 0 must be a string");
	expect_bad("\"cpuid\":7", "key 'cpuid' must be a string or");
}

/* --- boots through kxl create (KVM) --- */

/* Write data to k->dir/name; returns the path (malloc'd). */
static char *write_file(struct harness_kxend *k, const char *name,
			const char *data)
{
	char *path = NULL;
	FILE *f;

	if (asprintf(&path, "%s/%s", k->dir, name) < 0)
		return NULL;
	f = fopen(path, "w");
	if (!f || fputs(data, f) < 0) {
		if (f)
			fclose(f);
		free(path);
		return NULL;
	}
	fclose(f);
	return path;
}

/* Boot guest with a ramdisk; wait for done; expect every needle. */
static void boot_and_check(const char *name, const char *guest,
			   const char *cmdline, const char *rd,
			   const char *const *needles, const char *done)
{
	struct harness_kxend *k = harness_kxend_start();
	char json[1024], *img = harness_guest(guest), *cfg, *rdpath,
			 *out = NULL;
	size_t i;

	CU_ASSERT_FATAL(k != NULL);
	/* kxl create starts kxen-dm, which logs there. */
	setenv("KXEN_LOGDIR", k->logdir, 1);
	rdpath = write_file(k, "initrd.img", rd);
	CU_ASSERT_FATAL(rdpath != NULL && img != NULL);
	snprintf(json, sizeof(json),
		 "{\"name\":\"%s\",\"memory\":32,\"vcpus\":1,\"kernel\":\"%s\","
		 "\"ramdisk\":\"initrd.img\",\"cmdline\":\"%s\"}",
		 name, img, cmdline);
	cfg = harness_write_config(k, name, json);
	CU_ASSERT_FATAL(cfg != NULL);
	CU_ASSERT_EQUAL(harness_kxl(&out, "create", cfg, NULL), 0);
	if (out && !strstr(out, "created"))
		fprintf(stderr, "\nkxl create: %s\n", out);
	free(out);
	CU_ASSERT_EQUAL(harness_wait_dmesg(done, 30000), 0);
	CU_ASSERT_EQUAL(harness_kxl(&out, "dmesg", NULL), 0);
	for (i = 0; needles[i]; i++) {
		if (!out || !strstr(out, needles[i]))
			fprintf(stderr, "\nmissing in dmesg: '%s'\n%s\n",
				needles[i], out ? out : "");
		CU_ASSERT_PTR_NOT_NULL(out ? strstr(out, needles[i]) : NULL);
	}
	free(out);
	harness_kxl(NULL, "destroy", name, NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
	free(cfg);
	free(rdpath);
	free(img);
}

static void test_boot_pvh(void)
{
	static const char *const needles[] = {"pvh: magic=0x336ec578",
					      "pvh: cmdline=[pvh boot test]",
					      "pvh: memmap entries=4",
					      "pvh: rsdp=RSD PTR",
					      "pvh: modules=1",
					      "pvh: module=[pvh-initrd-1234]",
					      NULL};

	KXEN_REQUIRE_KVM();
	boot_and_check("pvh1", "pvh.elf", "pvh boot test", "pvh-initrd-1234",
		       needles, "pvh: done");
}

static void test_boot_multiboot(void)
{
	static const char *const needles[] = {
	    "mb: magic ok", "mb: mem_lower=639 mem_upper=31744",
	    /* The image's path first, as GRUB and QEMU pass it. */
	    "/tests/guests/multiboot.elf mb boot test]",
	    "mb: mmap base=0x0000000000000000 len=0x000000000009fc00 type=1",
	    "mb: mmap base=0x00000000000e0000 len=0x0000000000020000 type=2",
	    "mb: mmap base=0x0000000000100000 len=0x0000000001f00000 type=1",
	    "mb: modules=1", "initrd.img] data=[mb-module-5678]", NULL};

	KXEN_REQUIRE_KVM();
	boot_and_check("mb1", "multiboot.elf", "mb boot test", "mb-module-5678",
		       needles, "mb: done");
}

int kxen_suite_builder(void)
{
	CU_pSuite s = CU_add_suite("builder", NULL, NULL);

	if (!s || !CU_add_test(s, "PVH start info", test_pvh) ||
	    !CU_add_test(s, "PVH images rejected", test_pvh_bad) ||
	    !CU_add_test(s, "ramdisk that does not fit",
			 test_ramdisk_too_big) ||
	    !CU_add_test(s, "overlapping pieces", test_overlap) ||
	    !CU_add_test(s, "bzImage zero page", test_bzimage) ||
	    !CU_add_test(s, "bzImages rejected", test_bzimage_bad) ||
	    !CU_add_test(s, "Multiboot ELF info", test_multiboot_elf) ||
	    !CU_add_test(s, "Multiboot a.out kludge", test_multiboot_aout) ||
	    !CU_add_test(s, "Multiboot images rejected", test_multiboot_bad) ||
	    !CU_add_test(s, "ACPI tables", test_acpi) ||
	    !CU_add_test(s, "DSDT", test_dsdt) ||
	    !CU_add_test(s, "MP table", test_mptable) ||
	    !CU_add_test(s, "e820 map", test_e820) ||
	    !CU_add_test(s, "config on_* and serial", test_config_lifecycle) ||
	    !CU_add_test(s, "config ramdisk", test_config_ramdisk) ||
	    !CU_add_test(s, "config cpuid", test_config_cpuid) ||
	    !CU_add_test(s, "PVH guest boots", test_boot_pvh) ||
	    !CU_add_test(s, "Multiboot guest boots", test_boot_multiboot))
		return -1;
	return 0;
}
