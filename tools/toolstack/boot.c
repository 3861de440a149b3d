/*
 * The boot plan (boot.h): what goes where in a new domain's RAM for each
 * image kind, and the entry state that goes with it.
 */
#include "boot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "bytes.h"
#include "bzimage.h"
#include "config.h"
#include "e820.h"
#include "mptable.h"
#include "multiboot.h"
#include "pvh.h"

#define PAGE KXEN_PAGE_SIZE
#define PAGE_ALIGN(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))

/* Page-table entry bits, accessed and dirty preset (SDM vol. 3 §4.5). */
#define PTE_TABLE 0x23u /* present, writable, accessed */
#define PTE_LARGE 0xe3u /* ... dirty, 2 MiB page */
#define GDT_CODE32 0x00cf9b000000ffffull
#define GDT_CODE64 0x00af9b000000ffffull
#define GDT_DATA 0x00cf93000000ffffull

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int kxl_boot_add(struct kxl_boot *b, const char *what, uint64_t gpa,
		 const void *data, uint64_t len, uint64_t size)
{
	if (b->nr_blobs == KXL_BOOT_MAX_BLOBS)
		return -1;
	b->blobs[b->nr_blobs++] = (struct kxl_blob){
	    .what = what, .gpa = gpa, .len = len, .size = size, .data = data};
	return 0;
}

int kxl_boot_check(const struct kxl_boot *b, uint64_t ram_bytes, char *err,
		   size_t errlen)
{
	unsigned int i, j;

	for (i = 0; i < b->nr_blobs; i++) {
		const struct kxl_blob *x = &b->blobs[i];

		if (!kxl_ram_contains(ram_bytes, x->gpa, x->size))
			return fail(err, errlen,
				    "%s [0x%llx, 0x%llx) is outside guest RAM "
				    "(%llu MiB)",
				    x->what, (unsigned long long)x->gpa,
				    (unsigned long long)(x->gpa + x->size),
				    (unsigned long long)(ram_bytes >> 20));
		for (j = 0; j < i; j++) {
			const struct kxl_blob *y = &b->blobs[j];

			if (x->gpa < y->gpa + y->size &&
			    y->gpa < x->gpa + x->size)
				return fail(
				    err, errlen,
				    "%s at 0x%llx overlaps %s at "
				    "[0x%llx, 0x%llx)",
				    x->what, (unsigned long long)x->gpa,
				    y->what, (unsigned long long)y->gpa,
				    (unsigned long long)(y->gpa + y->size));
		}
	}
	return 0;
}

void kxl_boot_free(struct kxl_boot *b)
{
	free(b->ramdisk_file);
	free(b->cmdline_page);
	free(b->info_page);
	free(b->gdt_page);
	free(b->pagetables);
	free(b->acpi);
	free(b->mptable);
	for (unsigned int i = 0; i < b->nr_module_files; i++)
		free(b->module_files[i]);
	free(b->module_files);
	if (b->mb)
		kxl_multiboot_layout_free(b->mb);
	free(b->mb);
	memset(b, 0, sizeof(*b));
}

/* Identity map of the first 4 GiB in 2 MiB pages. */
static void build_pagetables(unsigned char *pt)
{
	uint64_t pml4 = KXL_PAGETABLE_GPA, pdpt = pml4 + PAGE;
	unsigned int i;

	kxl_put64(pt, 0, pdpt | PTE_TABLE);
	for (i = 0; i < 4; i++)
		kxl_put64(pt, PAGE + i * 8,
			  (pdpt + PAGE * (1 + i)) | PTE_TABLE);
	for (i = 0; i < 4 * 512; i++)
		kxl_put64(pt, 2 * PAGE + i * 8,
			  ((uint64_t)i << 21) | PTE_LARGE);
}

/* 0x5000: null, 0x08 code32, 0x10 data; 0x5100: 0x10 code64, 0x18 data. */
static void build_gdts(unsigned char *g)
{
	kxl_put64(g, 0x08, GDT_CODE32);
	kxl_put64(g, 0x10, GDT_DATA);
	kxl_put64(g, KXL_GDT64_GPA - KXL_GDT_GPA + 0x10, GDT_CODE64);
	kxl_put64(g, KXL_GDT64_GPA - KXL_GDT_GPA + 0x18, GDT_DATA);
}

struct plan {
	struct kxl_boot *b;
	const struct kxl_image *img;
	const unsigned char *image;
	const struct kxl_boot_args *args;
	struct kxl_e820 map[KXL_E820_MAX];
	unsigned int nr_map;
	char *err;
	size_t errlen;
};

static unsigned char *page_buf(size_t pages)
{
	return calloc(pages, PAGE);
}

static int add(struct plan *p, const char *what, uint64_t gpa, const void *data,
	       uint64_t len, uint64_t size)
{
	if (kxl_boot_add(p->b, what, gpa, data, len, size) < 0)
		return fail(p->err, p->errlen, "too many pieces to load");
	return 0;
}

static int add_segments(struct plan *p)
{
	static const char *const names[] = {
	    "kernel segment 0",	 "kernel segment 1",  "kernel segment 2",
	    "kernel segment 3",	 "kernel segment 4",  "kernel segment 5",
	    "kernel segment 6",	 "kernel segment 7",  "kernel segment 8",
	    "kernel segment 9",	 "kernel segment 10", "kernel segment 11",
	    "kernel segment 12", "kernel segment 13", "kernel segment 14",
	    "kernel segment 15"};
	unsigned int i;

	_Static_assert(sizeof(names) / sizeof(names[0]) == KXL_IMAGE_MAX_SEGS,
		       "one name per segment");
	for (i = 0; i < p->img->nr_segs; i++) {
		const struct kxl_segment *s = &p->img->segs[i];

		if (add(p, names[i], s->paddr, p->image + s->offset, s->filesz,
			s->memsz) < 0)
			return -1;
	}
	return 0;
}

/* ACPI and MP tables, written for every kind: they cost nothing. */
static int add_firmware(struct plan *p)
{
	struct kxl_acpi_layout l;
	struct kxl_boot *b = p->b;

	b->acpi = page_buf(KXL_ACPI_SIZE / PAGE);
	b->mptable = page_buf(KXL_MPTABLE_SIZE / PAGE);
	if (!b->acpi || !b->mptable)
		return fail(p->err, p->errlen, "out of memory");
	if (kxl_acpi_build(b->acpi, KXL_ACPI_SIZE, KXL_ACPI_GPA, p->args->vcpus,
			   &l) < 0 ||
	    kxl_mptable_build(b->mptable, KXL_MPTABLE_SIZE, KXL_MPTABLE_GPA,
			      p->args->vcpus) == 0)
		return fail(p->err, p->errlen,
			    "firmware tables for %u vCPUs do not fit",
			    p->args->vcpus);
	b->rsdp_gpa = l.rsdp;
	if (add(p, "ACPI tables", KXL_ACPI_GPA, b->acpi, KXL_ACPI_SIZE,
		KXL_ACPI_SIZE) < 0)
		return -1;
	return add(p, "MP table", KXL_MPTABLE_GPA, b->mptable, KXL_MPTABLE_SIZE,
		   KXL_MPTABLE_SIZE);
}

static int add_cmdline(struct plan *p)
{
	size_t len = strlen(p->args->cmdline) + 1;

	if (len > PAGE)
		return fail(p->err, p->errlen,
			    "command line longer than %u bytes", PAGE - 1);
	if (p->img->kind == KXL_IMAGE_BZIMAGE &&
	    len - 1 > p->img->bz.cmdline_size)
		return fail(p->err, p->errlen,
			    "command line of %zu bytes is longer than the "
			    "kernel accepts (cmdline_size %u)",
			    len - 1, p->img->bz.cmdline_size);
	p->b->cmdline_page = page_buf(1);
	if (!p->b->cmdline_page)
		return fail(p->err, p->errlen, "out of memory");
	memcpy(p->b->cmdline_page, p->args->cmdline, len);
	return add(p, "command line", KXL_CMDLINE_GPA, p->b->cmdline_page, PAGE,
		   PAGE);
}

static uint64_t low_ram_end(uint64_t ram_bytes)
{
	return ram_bytes < KXEN_MMIO_HOLE_START ? ram_bytes
						: KXEN_MMIO_HOLE_START;
}

/*
 * PVH and Multiboot: the module page-aligned right above the kernel.
 * bzImage: the initrd as high as RAM and initrd_addr_max allow, clear
 * of the init_size bytes the kernel decompresses into (boot.rst,
 * "initrd_addr_max").
 */
static int place_ramdisk(struct plan *p, uint64_t *gpa)
{
	uint64_t len = p->args->ramdisk_len,
		 top = low_ram_end(p->args->ram_bytes);
	uint64_t floor = PAGE_ALIGN(p->img->load_end);

	if (p->img->kind == KXL_IMAGE_BZIMAGE) {
		if ((uint64_t)p->img->bz.initrd_addr_max + 1 < top)
			top = (uint64_t)p->img->bz.initrd_addr_max + 1;
		*gpa = top >= len ? (top - len) & ~(uint64_t)(PAGE - 1) : 0;
		if (top >= len && *gpa >= floor)
			return 0;
	} else {
		*gpa = floor;
		if (floor <= top && len <= top - floor)
			return 0;
	}
	return fail(p->err, p->errlen,
		    "ramdisk of %llu bytes does not fit in guest RAM between "
		    "the kernel's end at 0x%llx and 0x%llx",
		    (unsigned long long)len, (unsigned long long)floor,
		    (unsigned long long)top);
}

static int add_ramdisk(struct plan *p)
{
	uint64_t gpa;

	if (!p->args->ramdisk || p->args->ramdisk_len == 0 ||
	    p->img->kind == KXL_IMAGE_MULTIBOOT) /* add_multiboot's */
		return 0;
	if (p->img->kind == KXL_IMAGE_FLAT || p->img->kind == KXL_IMAGE_ELF)
		return fail(p->err, p->errlen,
			    "a ramdisk needs a PVH, bzImage or Multiboot "
			    "kernel; this image has no boot protocol to "
			    "pass it");
	if (place_ramdisk(p, &gpa) < 0)
		return -1;
	p->b->ramdisk_gpa = gpa;
	return add(p, "ramdisk", gpa, p->args->ramdisk, p->args->ramdisk_len,
		   PAGE_ALIGN(p->args->ramdisk_len));
}

/*
 * Multiboot: the ramdisk (if any) as module 0, then the config's
 * modules, page-aligned above the kernel, then their strings.
 */
static int add_multiboot(struct plan *p)
{
	const struct kxl_boot_args *a = p->args;
	struct kxl_mb_module mods[KXL_MB_MAX_MODS];
	unsigned int n = 0, i;

	if (p->img->kind != KXL_IMAGE_MULTIBOOT)
		return a->nr_modules ? fail(p->err, p->errlen,
					    "modules need a Multiboot kernel")
				     : 0;
	if (a->ramdisk && a->ramdisk_len)
		mods[n++] = (struct kxl_mb_module){
		    a->ramdisk, a->ramdisk_len,
		    a->ramdisk_name ? a->ramdisk_name : "ramdisk", NULL};
	if (a->nr_modules > KXL_MB_MAX_MODS - n)
		return fail(p->err, p->errlen,
			    "%u Multiboot modules, at most %u",
			    a->nr_modules + n, KXL_MB_MAX_MODS);
	for (i = 0; i < a->nr_modules; i++)
		mods[n++] = a->modules[i];
	p->b->mb = calloc(1, sizeof(*p->b->mb));
	if (!p->b->mb)
		return fail(p->err, p->errlen, "out of memory");
	return kxl_multiboot_place(p->b, mods, n, a->kernel_path, a->cmdline,
				   p->img->load_end, low_ram_end(a->ram_bytes),
				   p->b->mb, p->err, p->errlen);
}

/* The boot information page for the kind (PVH, zero page, MBI). */
static void write_info(struct plan *p)
{
	const struct kxl_boot_args *a = p->args;
	struct kxl_boot *b = p->b;
	uint64_t rd_len = b->ramdisk_gpa ? a->ramdisk_len : 0;

	if (p->img->kind == KXL_IMAGE_PVH) {
		struct kxl_pvh_info in = {KXL_BOOTINFO_GPA, KXL_CMDLINE_GPA,
					  b->rsdp_gpa,	    b->ramdisk_gpa,
					  rd_len,	    p->map,
					  p->nr_map};

		kxl_pvh_write_info(b->info_page, &in);
	} else if (p->img->kind == KXL_IMAGE_BZIMAGE) {
		struct kxl_bzimage_boot in = {
		    KXL_CMDLINE_GPA, b->ramdisk_gpa, rd_len,   b->rsdp_gpa,
		    a->ram_bytes,    p->map,	     p->nr_map};

		kxl_bzimage_zero_page(b->info_page, p->image, p->img, &in);
	} else {
		struct kxl_multiboot_boot in = {
		    KXL_BOOTINFO_GPA, b->mb, a->ram_bytes, p->map, p->nr_map};

		kxl_multiboot_write_info(b->info_page, &in);
	}
}

/* Boot information, GDTs and (bzImage) page tables for kernels. */
static int add_kernel_boot(struct plan *p)
{
	struct kxl_boot *b = p->b;

	if (p->img->kind == KXL_IMAGE_FLAT || p->img->kind == KXL_IMAGE_ELF)
		return 0;
	b->info_page = page_buf(1);
	b->gdt_page = page_buf(1);
	if (!b->info_page || !b->gdt_page)
		return fail(p->err, p->errlen, "out of memory");
	build_gdts(b->gdt_page);
	write_info(p);
	if (add(p, "GDT", KXL_GDT_GPA, b->gdt_page, PAGE, PAGE) < 0 ||
	    add(p, "boot information", KXL_BOOTINFO_GPA, b->info_page, PAGE,
		PAGE) < 0)
		return -1;
	if (p->img->kind != KXL_IMAGE_BZIMAGE)
		return 0;
	b->pagetables = page_buf(KXL_PAGETABLE_PAGES);
	if (!b->pagetables)
		return fail(p->err, p->errlen, "out of memory");
	build_pagetables(b->pagetables);
	return add(p, "page tables", KXL_PAGETABLE_GPA, b->pagetables,
		   KXL_PAGETABLE_PAGES * PAGE, KXL_PAGETABLE_PAGES * PAGE);
}

int kxl_boot_prepare(const struct kxl_image *img, const void *image,
		     const struct kxl_boot_args *args, struct kxl_boot *out,
		     char *err, size_t errlen)
{
	struct plan p = {.b = out,
			 .img = img,
			 .image = image,
			 .args = args,
			 .err = err,
			 .errlen = errlen};

	memset(out, 0, sizeof(*out));
	p.nr_map = kxl_e820_build(args->ram_bytes, p.map);
	if (add_segments(&p) < 0 || add_cmdline(&p) < 0 ||
	    add_firmware(&p) < 0 || add_ramdisk(&p) < 0 ||
	    add_multiboot(&p) < 0 || add_kernel_boot(&p) < 0 ||
	    kxl_boot_check(out, args->ram_bytes, err, errlen) < 0) {
		kxl_boot_free(out);
		return -1;
	}
	return 0;
}

static void set_seg(struct kxen_segment *s, uint16_t sel, uint16_t attr)
{
	*s = (struct kxen_segment){
	    .base = 0, .limit = 0xffffffff, .selector = sel, .attr = attr};
}

/*
 * boot.rst "64-bit Boot Protocol": long mode, paging on with the range
 * the kernel uses identity-mapped, __BOOT_CS 0x10 and __BOOT_DS 0x18
 * flat, interrupts off, RSI = boot_params.
 */
static void long_mode(const struct kxl_image *img, struct kxen_vcpu_context *c)
{
	set_seg(&c->cs, 0x10, 0xa09b);
	set_seg(&c->ds, 0x18, 0xc093);
	c->es = c->fs = c->gs = c->ss = c->ds;
	c->gdtr = (struct kxen_dtable){.base = KXL_GDT64_GPA, .limit = 31};
	c->cr0 = 0x80000011; /* PG | ET | PE */
	c->cr3 = KXL_PAGETABLE_GPA;
	c->cr4 = 0x20;	 /* PAE */
	c->efer = 0x500; /* LMA | LME */
	c->rip = img->entry;
	c->rsi = KXL_BOOTINFO_GPA;
}

/*
 * PVH (Xen docs/misc/pvh.pandoc) and Multiboot 0.6.96 §3.2 agree: flat
 * 32-bit code and data segments, CR0.PE, paging and interrupts off.
 */
static void flat32(const struct kxl_image *img, struct kxen_vcpu_context *c)
{
	set_seg(&c->cs, 0x08, 0xc09b);
	set_seg(&c->ds, 0x10, 0xc093);
	c->es = c->fs = c->gs = c->ss = c->ds;
	c->gdtr = (struct kxen_dtable){.base = KXL_GDT_GPA, .limit = 23};
	c->cr0 = 0x11; /* PE | ET */
	c->rip = img->entry;
	c->rbx = KXL_BOOTINFO_GPA;
	if (img->kind == KXL_IMAGE_MULTIBOOT)
		c->rax = KXL_MB_BOOT_MAGIC;
}

void kxl_boot_context_kernel(const struct kxl_image *img,
			     struct kxen_vcpu_context *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	if (img->kind == KXL_IMAGE_BZIMAGE)
		long_mode(img, ctx);
	else
		flat32(img, ctx);
	ctx->rflags = 0x2;
	ctx->tr = (struct kxen_segment){.limit = 0x67, .attr = 0x8b};
	ctx->ldtr = (struct kxen_segment){.limit = 0xffff, .attr = 0x82};
}

static void free_files(void **files, unsigned int n)
{
	unsigned int i;

	for (i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

/* Read the config's Multiboot modules into files[] and mods[]. */
static int read_modules(const struct kxl_config *cfg, void ***files,
			struct kxl_mb_module **mods, char *err, size_t errlen)
{
	unsigned int i;
	size_t len;

	*files = calloc(cfg->nr_modules + 1u, sizeof(**files));
	*mods = calloc(cfg->nr_modules + 1u, sizeof(**mods));
	if (!*files || !*mods)
		return fail(err, errlen, "%s: out of memory", cfg->path);
	for (i = 0; i < cfg->nr_modules; i++) {
		if (kxl_image_read(cfg->modules[i].path, KXL_IMAGE_MAX_BYTES,
				   &(*files)[i], &len, err, errlen) < 0)
			return -1;
		(*mods)[i] = (struct kxl_mb_module){(*files)[i], len,
						    cfg->modules[i].path,
						    cfg->modules[i].string};
	}
	return 0;
}

int kxl_boot_plan_config(const struct kxl_config *cfg,
			 const struct kxl_image *img, const void *image,
			 struct kxl_boot *out, char *err, size_t errlen)
{
	struct kxl_boot_args a = {.ram_bytes = cfg->memory_mib << 20,
				  .vcpus = cfg->vcpus,
				  .cmdline = cfg->cmdline,
				  .ramdisk_name = cfg->ramdisk,
				  .kernel_path = cfg->kernel,
				  .nr_modules = cfg->nr_modules};
	struct kxl_mb_module *mods = NULL;
	void *rd = NULL, **files = NULL;
	char why[256];
	int rc;

	if (cfg->ramdisk &&
	    kxl_image_read(cfg->ramdisk, KXL_IMAGE_MAX_BYTES, &rd,
			   &a.ramdisk_len, err, errlen) < 0)
		return -1;
	a.ramdisk = rd;
	rc = read_modules(cfg, &files, &mods, err, errlen);
	a.modules = mods;
	if (rc == 0 &&
	    kxl_boot_prepare(img, image, &a, out, why, sizeof(why)) < 0)
		rc = fail(err, errlen, "%s: %s", cfg->kernel, why);
	free(mods);
	if (rc < 0) {
		free(rd);
		free_files(files, cfg->nr_modules);
		return -1;
	}
	out->ramdisk_file = rd;
	out->module_files = files;
	out->nr_module_files = cfg->nr_modules;
	return 0;
}
