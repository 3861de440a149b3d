/*
 * Domain builder. The hypervisor parses no guest images (as in Xen): the
 * toolstack validates the image, writes it into guest RAM through
 * foreign mappings and hands the hypervisor nothing but register state.
 */
#include "builder.h"
#include "pvm_policy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "boot.h"
#include "xenforeignmemory.h"

/* RAM is populated in 1 MiB extents: memory is a whole number of MiB. */
#define EXTENT_ORDER 8u
#define EXTENT_PAGES (1ull << EXTENT_ORDER)

struct build {
	xc_interface *xch;
	const struct kxl_build_hooks *hooks;
	xenforeignmemory_handle *fmem;
	const struct kxl_config *cfg;
	const struct kxl_boot *plan; /* what goes into guest RAM */
	uint32_t domid;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct build *b,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, b->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void set_seg(struct kxen_segment *s, uint16_t sel, uint32_t limit,
		    uint16_t attr)
{
	*s = (struct kxen_segment){
	    .base = 0, .limit = limit, .selector = sel, .attr = attr};
}

/* 16-bit real mode at 0x8000, stack below it (flat binaries). */
static void real_mode_context(struct kxen_vcpu_context *c)
{
	set_seg(&c->cs, 0, 0xffff, 0x9b);
	set_seg(&c->ds, 0, 0xffff, 0x93);
	c->es = c->fs = c->gs = c->ss = c->ds;
	c->gdtr.limit = c->idtr.limit = 0xffff;
	c->rip = KXL_FLAT_LOAD_GPA;
	c->rsp = KXL_FLAT_STACK;
	c->cr0 = 0x10; /* ET */
}

/*
 * 32-bit flat protected mode, paging off (ELF): the state a Multiboot or
 * PVH loader gives, with EBX pointing at the command line.
 */
static void flat32_context(struct kxen_vcpu_context *c, uint64_t entry)
{
	set_seg(&c->cs, 0x08, 0xffffffff, 0xc09b);
	set_seg(&c->ds, 0x10, 0xffffffff, 0xc093);
	c->es = c->fs = c->gs = c->ss = c->ds;
	c->rip = entry;
	c->rbx = KXL_CMDLINE_GPA;
	c->cr0 = 0x11; /* PE | ET */
}

void kxl_boot_context(const struct kxl_image *img,
		      struct kxen_vcpu_context *ctx)
{
	if (img->kind != KXL_IMAGE_FLAT && img->kind != KXL_IMAGE_ELF) {
		kxl_boot_context_kernel(img, ctx); /* boot.c */
		return;
	}
	memset(ctx, 0, sizeof(*ctx));
	if (img->kind == KXL_IMAGE_FLAT)
		real_mode_context(ctx);
	else
		flat32_context(ctx, img->entry);
	ctx->rflags = 0x2; /* bit 1 is reserved, always set */
	set_seg(&ctx->tr, 0, img->kind == KXL_IMAGE_FLAT ? 0xffff : 0x67, 0x8b);
	set_seg(&ctx->ldtr, 0, 0xffff, 0x82);
	ctx->efer = 0;
}

static int libctl_fail(struct build *b, const char *what)
{
	return fail(b, "%s for domain '%s': %s", what, b->cfg->name,
		    kxc_last_error(b->xch));
}

/* Low RAM up to the MMIO hole, the rest from 4 GiB (KXEN_MMIO_HOLE_*). */
static int populate(struct build *b)
{
	uint64_t ext = b->cfg->memory_mib, low_ext, i;
	xen_pfn_t *gfns = calloc(ext, sizeof(*gfns));
	int rc;

	if (!gfns)
		return fail(b, "out of memory");
	low_ext = (KXEN_MMIO_HOLE_START >> KXEN_PAGE_SHIFT) / EXTENT_PAGES;
	for (i = 0; i < ext; i++) {
		uint64_t base = i < low_ext
				    ? 0
				    : (KXEN_MMIO_HOLE_END >> KXEN_PAGE_SHIFT) -
					  low_ext * EXTENT_PAGES;
		gfns[i] = (xen_pfn_t)(base + i * EXTENT_PAGES);
	}
	rc = xc_domain_populate_physmap_exact(b->xch, b->domid, ext,
					      EXTENT_ORDER, 0, gfns);
	free(gfns);
	if (rc < 0)
		return fail(b,
			    "cannot populate %llu MiB of RAM for domain "
			    "'%s': %s",
			    (unsigned long long)ext, b->cfg->name,
			    kxc_last_error(b->xch));
	return 0;
}

/* Map [gpa, gpa + len) of the guest, page-aligned outward. */
static unsigned char *map_guest(struct build *b, uint64_t gpa, uint64_t len,
				size_t *pages_out)
{
	uint64_t first = gpa >> KXEN_PAGE_SHIFT;
	uint64_t last = (gpa + len - 1) >> KXEN_PAGE_SHIFT;
	size_t pages = (size_t)(last - first + 1), i;
	xen_pfn_t *gfns = calloc(pages, sizeof(*gfns));
	unsigned char *p;

	if (!gfns)
		return NULL;
	for (i = 0; i < pages; i++)
		gfns[i] = (xen_pfn_t)(first + i);
	p = xenforeignmemory_map(b->fmem, b->domid, PROT_READ | PROT_WRITE,
				 pages, gfns, NULL);
	free(gfns);
	*pages_out = pages;
	return p ? p + (gpa & (KXEN_PAGE_SIZE - 1)) : NULL;
}

static void unmap_guest(struct build *b, unsigned char *p, size_t pages)
{
	uintptr_t base = (uintptr_t)p & ~(uintptr_t)(KXEN_PAGE_SIZE - 1);

	xenforeignmemory_unmap(b->fmem, (void *)base, pages);
}

/* One blob of the boot plan (boot.h): data, then zeroes up to its size. */
static int copy_blob(struct build *b, const struct kxl_blob *x)
{
	size_t pages;
	unsigned char *p = map_guest(b, x->gpa, x->size, &pages);

	if (!p)
		return fail(b,
			    "cannot map guest memory at 0x%llx for the %s of "
			    "domain '%s': %s",
			    (unsigned long long)x->gpa, x->what, b->cfg->name,
			    strerror(errno));
	if (x->data)
		memcpy(p, x->data, x->len);
	memset(p + x->len, 0, x->size - x->len);
	unmap_guest(b, p, pages);
	return 0;
}

static int load(struct build *b)
{
	unsigned int i;

	b->fmem = xenforeignmemory_open(NULL, 0);
	if (!b->fmem)
		return fail(b, "%s", kxc_last_error(NULL));
	for (i = 0; i < b->plan->nr_blobs; i++)
		if (b->plan->blobs[i].size &&
		    copy_blob(b, &b->plan->blobs[i]) < 0)
			return -1;
	return 0;
}

static int start(struct build *b, const struct kxl_image *img)
{
	struct kxen_vcpu_context ctx;

	/* Only vCPU 0: the others wait for the guest's own INIT/SIPI. */
	kxl_boot_context(img, &ctx);
	if (kxc_vcpu_setcontext(b->xch, b->domid, 0, &ctx) < 0)
		return libctl_fail(b, "cannot set vCPU 0's registers");
	/* The device model must be serving before the guest runs. */
	if (b->hooks && b->hooks->before_unpause &&
	    b->hooks->before_unpause(b->hooks->ctx, b->domid, b->err,
				     b->errlen) < 0)
		return -1;
	if (xc_domain_unpause(b->xch, b->domid) < 0)
		return libctl_fail(b, "cannot unpause");
	return 0;
}

static int create(struct build *b)
{
	struct xen_domctl_createdomain cd = {0};

	cd.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	cd.max_vcpus = b->cfg->vcpus;
	cd.max_grant_frames = -1;
	cd.max_maptrack_frames = -1;
	b->domid = 0;
	if (kxc_domain_create_named(b->xch, b->cfg->name, &b->domid, &cd) < 0) {
		if (errno == EEXIST)
			return fail(b,
				    "a domain named '%s' already exists "
				    "(see 'kxl list')",
				    b->cfg->name);
		return fail(b, "cannot create domain '%s': %s", b->cfg->name,
			    kxc_last_error(b->xch));
	}
	return 0;
}

/*
 * Before anything can run: the periodic timers read the mode when they
 * fall due, and a guest must never see a tick under the wrong policy
 * (libxl sets HVM_PARAM_TIMER_MODE at the same point).
 */
static int set_params(struct build *b)
{
	/* xl's `cpuid`: applied before any vCPU runs (KVM fixes CPUID at
	 * the first KVM_RUN); without the key the host's default stands. */
	if (b->cfg->cpuid.present) {
		struct kxen_cpuid_mask m[KXL_CPUID_MAX_LEAVES];
		unsigned n = kxl_cpuid_masks(&b->cfg->cpuid, m);

		if (kxc_domain_set_cpuid(b->xch, b->domid, m, n) < 0)
			return fail(b, "%s: cpuid: %s", b->cfg->path,
				    kxc_last_error(b->xch));
	}
	if (xc_hvm_param_set(b->xch, b->domid, KXEN_HVM_PARAM_TIMER_MODE,
			     b->cfg->timer_mode) < 0) {
		/* A kxend without HVM params runs every domain in the
		 * default mode: asking for the default is then no error. */
		if (errno == EOPNOTSUPP &&
		    b->cfg->timer_mode == KXL_TIMER_MODE_DELAY_FOR_MISSED_TICKS)
			return 0;
		return fail(b, "cannot set timer_mode %s for domain '%s': %s",
			    kxl_timer_mode_name(b->cfg->timer_mode),
			    b->cfg->name, kxc_last_error(b->xch));
	}
	return 0;
}

/*
 * QEMU's test devices (config_testdev.h), before anything can run: the
 * core only takes them from a domain that has never been unpaused.
 * fw_cfg answers with the config's RAM and command line.
 */
static int set_test_devices(struct build *b)
{
	const struct kxl_test_devices *t = &b->cfg->test_devices;
	struct kxen_test_devices req = {
	    .domid = b->domid,
	    .flags = (t->debug_exit ? KXEN_TESTDEV_DEBUG_EXIT : 0) |
		     (t->irq_lines ? KXEN_TESTDEV_IRQ_LINES : 0) |
		     (t->fw_cfg ? KXEN_TESTDEV_FW_CFG : 0),
	    .exit_port = t->exit_port,
	    .exit_width = t->exit_width,
	    .ram_bytes = t->fw_cfg ? b->cfg->memory_mib << 20 : 0};

	if (!req.flags)
		return 0;
	if (kxc_test_devices(b->xch, &req,
			     t->fw_cfg ? b->cfg->cmdline : NULL) == 0)
		return 0;
	if (errno == EADDRINUSE)
		return fail(b,
			    "%s: isa-debug-exit ports 0x%x-0x%x are taken by "
			    "another device of domain '%s'; choose another "
			    "iobase",
			    b->cfg->path, t->exit_port,
			    t->exit_port + t->exit_width - 1u, b->cfg->name);
	return libctl_fail(b, "cannot add the test devices");
}

static int build_domain(struct build *b, const struct kxl_image *img)
{
	if (create(b) < 0)
		return -1;
	if (set_params(b) < 0 || set_test_devices(b) < 0 ||
	    xc_domain_setmaxmem(b->xch, b->domid, b->cfg->memory_mib * 1024) <
		0 ||
	    populate(b) < 0 || load(b) < 0 || start(b, img) < 0) {
		if (!b->err[0])
			libctl_fail(b, "cannot set the memory limit");
		/* The original error stays in b->err; this one is secondary. */
		xc_domain_destroy(b->xch, b->domid);
		return -1;
	}
	return 0;
}

/*
 * Linux guests (PVH or bzImage) on a PVM host get the kernel parameters
 * that host needs (pvm_policy.h); *out is cfg with the adjusted command
 * line in a buffer the caller frees through out->cmdline (or cfg's own).
 */
/* A bzImage is when its kernel_version says so (pvm_policy.h); a PVH
 * ELF when it carries Linux's banner. */
static bool is_linux(const struct kxl_image *img, const void *image, size_t len)
{
	static const char banner[] = "Linux version ";

	if (img->kind == KXL_IMAGE_BZIMAGE)
		return kxl_bzimage_is_linux(image, len);
	return img->kind == KXL_IMAGE_PVH &&
	       memmem(image, len, banner, sizeof(banner) - 1);
}

static int pvm_policy(xc_interface *xch, const struct kxl_config *cfg,
		      const struct kxl_image *img, const void *image,
		      size_t image_len, struct kxl_config *out, char *added,
		      size_t addlen, char *err, size_t errlen)
{
	struct kxen_physinfo_reply pi;
	size_t len = (cfg->cmdline ? strlen(cfg->cmdline) : 0) + 256;
	char *line;

	*out = *cfg;
	if (!is_linux(img, image, image_len) || kxc_physinfo(xch, &pi) < 0 ||
	    !(pi.host_flags & KXEN_HOST_PVM))
		return 0;
	line = malloc(len);
	if (!line || kxl_pvm_cmdline(cfg->cmdline, pi.cpu_khz, line, len, added,
				     addlen) < 0) {
		free(line);
		snprintf(err, errlen, "%s: cannot build the command line",
			 cfg->path);
		return -1;
	}
	out->cmdline = line;
	return 0;
}

int kxl_build(xc_interface *xch, const struct kxl_config *cfg, uint32_t *domid,
	      char *err, size_t errlen)
{
	return kxl_build_with(xch, cfg, NULL, domid, err, errlen);
}

int kxl_build_with(xc_interface *xch, const struct kxl_config *cfg,
		   const struct kxl_build_hooks *hooks, uint32_t *domid,
		   char *err, size_t errlen)
{
	struct build b = {.xch = xch,
			  .hooks = hooks,
			  .cfg = cfg,
			  .err = err,
			  .errlen = errlen};
	uint64_t ram = cfg->memory_mib << 20;
	struct kxl_image img;
	struct kxl_boot plan;
	struct kxl_config pvm_cfg = *cfg;
	char pvm_added[256] = "";
	void *image;
	size_t len;
	char why[256];
	int rc;

	err[0] = '\0';
	if (kxl_ram_end(ram) > KXEN_MAX_GUEST_PHYS)
		return fail(&b,
			    "%s: memory of %llu MiB does not fit below kxen's "
			    "%llu GiB guest-physical limit (the MMIO hole "
			    "takes %llu MiB)",
			    cfg->path, (unsigned long long)cfg->memory_mib,
			    KXEN_MAX_GUEST_PHYS >> 30,
			    (KXEN_MMIO_HOLE_END - KXEN_MMIO_HOLE_START) >> 20);
	if (kxl_image_read(cfg->kernel, KXL_IMAGE_MAX_BYTES, &image, &len, err,
			   errlen) < 0)
		return -1;
	if (kxl_image_parse(image, len, ram, &img, why, sizeof(why)) < 0) {
		free(image);
		return fail(&b, "%s: %s", cfg->kernel, why);
	}
	rc = pvm_policy(xch, cfg, &img, image, len, &pvm_cfg, pvm_added,
			sizeof(pvm_added), err, errlen);
	if (rc == 0)
		rc = kxl_boot_plan_config(&pvm_cfg, &img, image, &plan, err,
					  errlen);
	if (rc == 0) {
		b.plan = &plan;
		rc = build_domain(&b, &img);
		kxl_boot_free(&plan);
	}
	if (rc == 0 && pvm_added[0]) {
		char line[KXEN_DOMAIN_LOG_MAX];

		snprintf(line, sizeof(line),
			 "PVM host: added to the kernel command line: %s",
			 pvm_added);
		printf("kxl: %s\n", line);
		kxc_domain_log(xch, b.domid, line);
	}
	if (pvm_cfg.cmdline != cfg->cmdline)
		free(pvm_cfg.cmdline);
	free(image);
	if (b.fmem)
		xenforeignmemory_close(b.fmem);
	if (rc == 0)
		*domid = b.domid;
	return rc;
}
