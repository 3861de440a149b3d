/*
 * Linux bzImage loading (Documentation/arch/x86/boot.rst). Only the
 * 64-bit entry is used ("64-bit Boot Protocol"), so the real-mode setup
 * code is never run: the zero page is built here from the image's setup
 * header, as boot.rst describes for a boot loader that skips it.
 */
#include "bzimage.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "image.h"
#include "kxen/abi.h"

#define MIN_VERSION 0x020cu /* 2.12: xloadflags, 64-bit entry */
#define HDR_MAX_END 0x290u  /* the setup header ends before this */

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

bool kxl_bzimage_detect(const unsigned char *buf, size_t len)
{
	return len >= KXL_BP_HEADER + 4 &&
	       kxl_get16(buf, KXL_BP_BOOT_FLAG) == 0xaa55 &&
	       memcmp(buf + KXL_BP_HEADER, "HdrS", 4) == 0;
}

/* boot.rst: "The Real-Mode Kernel Header", checked field by field. */
static int read_header(const unsigned char *buf, size_t len,
		       struct kxl_bzimage_hdr *h, char *err, size_t errlen)
{
	unsigned int sects =
	    buf[KXL_BP_SETUP_SECTS] ? buf[KXL_BP_SETUP_SECTS] : 4;

	if (len < HDR_MAX_END)
		return fail(err, errlen, "truncated Linux boot header");
	h->version = kxl_get16(buf, KXL_BP_VERSION);
	if (h->version < MIN_VERSION)
		return fail(err, errlen,
			    "Linux boot protocol %u.%02u is older than 2.12 "
			    "(no 64-bit entry point)",
			    h->version >> 8, h->version & 0xff);
	if (!(buf[KXL_BP_LOADFLAGS] & KXL_BZ_LOADED_HIGH))
		return fail(err, errlen,
			    "zImage (kernel not loaded high) is not supported");
	if (!(kxl_get16(buf, KXL_BP_XLOADFLAGS) & KXL_BZ_XLF_KERNEL_64))
		return fail(err, errlen,
			    "kernel has no 64-bit entry point (xloadflags "
			    "XLF_KERNEL_64 clear)");
	h->setup_len = (sects + 1) * 512;
	if (h->setup_len >= len)
		return fail(err, errlen,
			    "setup of %u sectors extends past end of file",
			    sects);
	h->hdr_end = KXL_BP_HEADER + buf[KXL_BP_HEADER - 1];
	if (h->hdr_end > HDR_MAX_END)
		h->hdr_end = HDR_MAX_END;
	h->init_size = kxl_get32(buf, KXL_BP_INIT_SIZE);
	h->initrd_addr_max = kxl_get32(buf, KXL_BP_INITRD_ADDR_MAX);
	h->cmdline_size = kxl_get32(buf, KXL_BP_CMDLINE_SIZE);
	return 0;
}

/*
 * The kernel goes to pref_address (its LOAD_PHYSICAL_ADDR, where a
 * relocatable kernel decompresses itself anyway), else to 1 MiB; it
 * needs init_size bytes of RAM from there.
 */
static int place(const unsigned char *buf, size_t len, uint64_t ram_bytes,
		 struct kxl_image *out, char *err, size_t errlen)
{
	uint64_t load = kxl_get64(buf, KXL_BP_PREF_ADDRESS);
	uint64_t file = len - out->bz.setup_len, need;
	uint64_t low =
	    ram_bytes < KXEN_MMIO_HOLE_START ? ram_bytes : KXEN_MMIO_HOLE_START;

	if (load < KXL_BZ_DEFAULT_LOAD || load > UINT32_MAX)
		load = KXL_BZ_DEFAULT_LOAD;
	need = file > out->bz.init_size ? file : out->bz.init_size;
	if (load + need > low)
		return fail(err, errlen,
			    "kernel needs %llu KiB from 0x%llx (init_size) "
			    "but guest RAM below 4 GiB ends at 0x%llx",
			    (unsigned long long)(need >> 10),
			    (unsigned long long)load, (unsigned long long)low);
	out->kind = KXL_IMAGE_BZIMAGE;
	out->entry = load + KXL_BZ_ENTRY64_OFF;
	out->nr_segs = 1;
	out->segs[0] = (struct kxl_segment){.paddr = load,
					    .offset = out->bz.setup_len,
					    .filesz = file,
					    .memsz = file};
	out->load_end = load + need;
	return 0;
}

int kxl_bzimage_parse(const unsigned char *buf, size_t len, uint64_t ram_bytes,
		      struct kxl_image *out, char *err, size_t errlen)
{
	if (read_header(buf, len, &out->bz, err, errlen) < 0)
		return -1;
	return place(buf, len, ram_bytes, out, err, errlen);
}

static void zero_page_e820(unsigned char *zp, const struct kxl_bzimage_boot *in)
{
	unsigned int i;

	for (i = 0; i < in->nr_map && i < KXL_BP_E820_MAX; i++) {
		size_t off = KXL_BP_E820_TABLE + i * 20u;

		kxl_put64(zp, off, in->map[i].addr);
		kxl_put64(zp, off + 8, in->map[i].size);
		kxl_put32(zp, off + 16, in->map[i].type);
	}
	kxl_put8(zp, KXL_BP_E820_ENTRIES, (uint8_t)i);
}

/*
 * boot.rst "Details of Header Fields" (the "write" ones), and
 * zero-page.rst for the fields outside the header.
 */
void kxl_bzimage_zero_page(unsigned char *zp, const unsigned char *image,
			   const struct kxl_image *img,
			   const struct kxl_bzimage_boot *in)
{
	uint64_t low = in->ram_bytes < KXEN_MMIO_HOLE_START
			   ? in->ram_bytes
			   : KXEN_MMIO_HOLE_START;

	memset(zp, 0, KXL_BP_SIZE);
	memcpy(zp + KXL_BP_SETUP_SECTS, image + KXL_BP_SETUP_SECTS,
	       img->bz.hdr_end - KXL_BP_SETUP_SECTS);
	kxl_put8(zp, KXL_BP_TYPE_OF_LOADER, 0xff); /* undefined loader */
	kxl_put32(zp, KXL_BP_CMD_LINE_PTR, (uint32_t)in->cmdline_gpa);
	kxl_put32(zp, KXL_BP_EXT_CMD_LINE, (uint32_t)(in->cmdline_gpa >> 32));
	kxl_put32(zp, KXL_BP_RAMDISK_IMAGE, (uint32_t)in->ramdisk_gpa);
	kxl_put32(zp, KXL_BP_RAMDISK_SIZE, (uint32_t)in->ramdisk_len);
	kxl_put32(zp, KXL_BP_EXT_RAMDISK_IMAGE,
		  (uint32_t)(in->ramdisk_gpa >> 32));
	kxl_put32(zp, KXL_BP_EXT_RAMDISK_SIZE,
		  (uint32_t)(in->ramdisk_len >> 32));
	kxl_put64(zp, KXL_BP_ACPI_RSDP, in->rsdp_gpa); /* protocol 2.14 */
	kxl_put32(zp, KXL_BP_ALT_MEM_K,
		  low > 0x100000 ? (uint32_t)((low - 0x100000) >> 10) : 0);
	zero_page_e820(zp, in);
}
