/*
 * Multiboot 1 loading (Multiboot Specification 0.6.96, §3). Section
 * numbers below are that document's.
 */
#include "multiboot.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "image.h"
#include "kxen/abi.h"

/* Requirement bits (0-15) kxen meets: page-aligned modules, memory. */
#define MB_KNOWN_REQUIRED (KXL_MB_PAGE_ALIGN | KXL_MB_MEMORY_INFO)

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int kxl_multiboot_find(const unsigned char *buf, size_t len, size_t *off)
{
	size_t end = len < KXL_MB_SEARCH ? len : KXL_MB_SEARCH, o;

	for (o = 0; o + 12 <= end; o += 4) {
		uint32_t magic = kxl_get32(buf, o);

		if (magic == KXL_MB_MAGIC &&
		    (uint32_t)(magic + kxl_get32(buf, o + 4) +
			       kxl_get32(buf, o + 8)) == 0) {
			*off = o;
			return 1;
		}
	}
	return 0;
}

/*
 * §3.1.3 a.out kludge: header_addr, load_addr, load_end_addr,
 * bss_end_addr, entry_addr follow the checksum. The header's own file
 * offset ties file offsets to addresses.
 */
static int aout(const unsigned char *buf, size_t len, size_t off,
		uint64_t ram_bytes, struct kxl_image *out, char *err,
		size_t errlen)
{
	uint32_t hdr, load, load_end, bss_end;
	struct kxl_segment s;

	if (off + 32 > len)
		return fail(err, errlen, "Multiboot a.out header is truncated");
	hdr = kxl_get32(buf, off + 12);
	load = kxl_get32(buf, off + 16);
	load_end = kxl_get32(buf, off + 20);
	bss_end = kxl_get32(buf, off + 24);
	if (hdr < load || hdr - load > off)
		return fail(err, errlen,
			    "Multiboot header_addr 0x%x and load_addr 0x%x "
			    "do not match the header's file offset 0x%zx",
			    hdr, load, off);
	s.paddr = load;
	s.offset = off - (hdr - load);
	s.filesz = load_end ? (uint64_t)load_end - load : len - s.offset;
	s.memsz = bss_end ? (uint64_t)bss_end - load : s.filesz;
	if (load_end && load_end < load)
		return fail(err, errlen,
			    "Multiboot load_end_addr 0x%x is below "
			    "load_addr 0x%x",
			    load_end, load);
	if (kxl_image_check_segment(&s, "Multiboot a.out segment", len,
				    ram_bytes, err, errlen) < 0)
		return -1;
	out->nr_segs = 1;
	out->segs[0] = s;
	out->entry = kxl_get32(buf, off + 28);
	out->load_end = s.paddr + s.memsz;
	return 0;
}

int kxl_multiboot_parse(const unsigned char *buf, size_t len, size_t off,
			bool elf, uint64_t ram_bytes, struct kxl_image *out,
			char *err, size_t errlen)
{
	uint32_t flags = kxl_get32(buf, off + 4);

	if (flags & KXL_MB_VIDEO_MODE)
		return fail(err, errlen,
			    "Multiboot header requires video mode "
			    "information (flag 2), which kxen cannot give");
	if (flags & 0xffffu & ~MB_KNOWN_REQUIRED)
		return fail(err, errlen,
			    "Multiboot header requires unknown features "
			    "(flags 0x%04x)",
			    flags & 0xffffu & ~MB_KNOWN_REQUIRED);
	out->kind = KXL_IMAGE_MULTIBOOT;
	out->mb_flags = flags;
	if (elf)
		return 0; /* ELF program headers win over the kludge */
	if (!(flags & KXL_MB_AOUT_KLUDGE))
		return fail(err, errlen,
			    "Multiboot image is not ELF and has no a.out "
			    "kludge (flag 16) saying where to load it");
	return aout(buf, len, off, ram_bytes, out, err, errlen);
}

static void write_mmap(unsigned char *page, const struct kxl_multiboot_boot *in)
{
	unsigned int i;

	for (i = 0; i < in->nr_map; i++) {
		size_t o = KXL_MBI_MMAP_OFF + i * 24u;

		kxl_put32(page, o, 20); /* size of the rest of the entry */
		kxl_put64(page, o + 4, in->map[i].addr);
		kxl_put64(page, o + 12, in->map[i].size);
		kxl_put32(page, o + 20, in->map[i].type);
	}
	kxl_put32(page, KXL_MBI_MMAP_LENGTH, in->nr_map * 24u);
	kxl_put32(page, KXL_MBI_MMAP_ADDR,
		  (uint32_t)(in->page_gpa + KXL_MBI_MMAP_OFF));
}

static void write_module(unsigned char *page,
			 const struct kxl_multiboot_boot *in)
{
	size_t n = strlen(in->module_name);

	if (n > KXL_MBI_MODSTR_MAX)
		n = KXL_MBI_MODSTR_MAX;
	memcpy(page + KXL_MBI_MODSTR_OFF, in->module_name, n);
	page[KXL_MBI_MODSTR_OFF + n] = '\0';
	kxl_put32(page, KXL_MBI_MODS_OFF, (uint32_t)in->module_gpa);
	kxl_put32(page, KXL_MBI_MODS_OFF + 4,
		  (uint32_t)(in->module_gpa + in->module_len));
	kxl_put32(page, KXL_MBI_MODS_OFF + 8,
		  (uint32_t)(in->page_gpa + KXL_MBI_MODSTR_OFF));
	kxl_put32(page, KXL_MBI_MODS_COUNT, 1);
	kxl_put32(page, KXL_MBI_MODS_ADDR,
		  (uint32_t)(in->page_gpa + KXL_MBI_MODS_OFF));
}

/* §3.3 "Boot information format". */
void kxl_multiboot_write_info(unsigned char *page,
			      const struct kxl_multiboot_boot *in)
{
	uint64_t low = in->ram_bytes < KXEN_MMIO_HOLE_START
			   ? in->ram_bytes
			   : KXEN_MMIO_HOLE_START;
	uint32_t flags =
	    KXL_MBI_MEM | KXL_MBI_CMDLINE | KXL_MBI_MMAP | KXL_MBI_LOADER;

	kxl_put32(page, KXL_MBI_MEM_LOWER, KXL_E820_EBDA >> 10);
	kxl_put32(page, KXL_MBI_MEM_UPPER,
		  low > 0x100000 ? (uint32_t)((low - 0x100000) >> 10) : 0);
	kxl_put32(page, KXL_MBI_CMDLINE_PTR, (uint32_t)in->cmdline_gpa);
	write_mmap(page, in);
	memcpy(page + KXL_MBI_LOADER_OFF, "kxen", 5);
	kxl_put32(page, KXL_MBI_LOADER_NAME,
		  (uint32_t)(in->page_gpa + KXL_MBI_LOADER_OFF));
	if (in->module_len) {
		write_module(page, in);
		flags |= KXL_MBI_MODS;
	}
	kxl_put32(page, KXL_MBI_FLAGS, flags);
}
