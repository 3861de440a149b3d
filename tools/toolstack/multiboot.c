/*
 * Multiboot 1 loading (Multiboot Specification 0.6.96, §3). Section
 * numbers below are that document's.
 */
#include "multiboot.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
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

/* §3.3: mod_start, mod_end, string, reserved; 16 bytes each. */
static void write_modules(unsigned char *page, const struct kxl_mb_layout *l,
			  uint64_t page_gpa)
{
	unsigned int i;

	for (i = 0; i < l->nr_mods; i++) {
		size_t o = KXL_MBI_MODS_OFF + i * 16u;

		kxl_put32(page, o, (uint32_t)l->mod_start[i]);
		kxl_put32(page, o + 4, (uint32_t)l->mod_end[i]);
		kxl_put32(page, o + 8, (uint32_t)l->mod_string[i]);
		kxl_put32(page, o + 12, 0);
	}
	kxl_put32(page, KXL_MBI_MODS_COUNT, l->nr_mods);
	kxl_put32(page, KXL_MBI_MODS_ADDR,
		  (uint32_t)(page_gpa + KXL_MBI_MODS_OFF));
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
	kxl_put32(page, KXL_MBI_CMDLINE_PTR, (uint32_t)in->layout->cmdline_gpa);
	write_mmap(page, in);
	memcpy(page + KXL_MBI_LOADER_OFF, "kxen", 5);
	kxl_put32(page, KXL_MBI_LOADER_NAME,
		  (uint32_t)(in->page_gpa + KXL_MBI_LOADER_OFF));
	if (in->layout->nr_mods) {
		write_modules(page, in->layout, in->page_gpa);
		flags |= KXL_MBI_MODS;
	}
	kxl_put32(page, KXL_MBI_FLAGS, flags);
}

#define PAGE_UP(x)                                                             \
	(((x) + KXEN_PAGE_SIZE - 1) & ~(uint64_t)(KXEN_PAGE_SIZE - 1))

/* Append "a" or "a b" and its NUL to the blob; the offset it starts at. */
static int append(struct kxl_mb_layout *l, const char *a, const char *b,
		  size_t *at)
{
	size_t la = strlen(a), lb = b && *b ? strlen(b) + 1 : 0;

	if (la + lb + 1 > KXL_MB_STRINGS_MAX - l->strings_len)
		return -1;
	*at = l->strings_len;
	memcpy(l->strings + l->strings_len, a, la);
	if (lb) {
		l->strings[l->strings_len + la] = ' ';
		memcpy(l->strings + l->strings_len + la + 1, b, lb - 1);
	}
	l->strings_len += la + lb + 1; /* the NUL is already there */
	return 0;
}

static int build_strings(struct kxl_mb_layout *l,
			 const struct kxl_mb_module *mods, unsigned int nr,
			 const char *kernel_path, const char *cmdline,
			 size_t *offs, char *err, size_t errlen)
{
	size_t at;
	unsigned int i;

	l->strings = calloc(1, KXL_MB_STRINGS_MAX);
	if (!l->strings)
		return fail(err, errlen, "out of memory");
	if (kernel_path ? append(l, kernel_path, cmdline, &at)
			: append(l, cmdline, NULL, &at))
		return fail(err, errlen, "command line too long");
	for (i = 0; i < nr; i++)
		if (append(l, mods[i].path, mods[i].string, &offs[i]) < 0)
			return fail(err, errlen,
				    "Multiboot command line and module strings "
				    "take more than %u bytes",
				    KXL_MB_STRINGS_MAX);
	return 0;
}

int kxl_multiboot_place(struct kxl_boot *b, const struct kxl_mb_module *mods,
			unsigned int nr, const char *kernel_path,
			const char *cmdline, uint64_t floor, uint64_t top,
			struct kxl_mb_layout *l, char *err, size_t errlen)
{
	size_t offs[KXL_MB_MAX_MODS];
	uint64_t at = PAGE_UP(floor);
	unsigned int i;

	memset(l, 0, sizeof(*l));
	if (nr > KXL_MB_MAX_MODS)
		return fail(err, errlen, "%u Multiboot modules, at most %u", nr,
			    KXL_MB_MAX_MODS);
	if (build_strings(l, mods, nr, kernel_path, cmdline, offs, err,
			  errlen) < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		if (at > top || mods[i].len > top - at)
			return fail(
			    err, errlen,
			    "module %u (%s) of %llu bytes does not fit "
			    "in guest RAM between 0x%llx and 0x%llx",
			    i, mods[i].path, (unsigned long long)mods[i].len,
			    (unsigned long long)at, (unsigned long long)top);
		l->mod_start[i] = at;
		l->mod_end[i] = at + mods[i].len;
		if (kxl_boot_add(b, "Multiboot module", at, mods[i].data,
				 mods[i].len, PAGE_UP(mods[i].len)) < 0)
			return fail(err, errlen, "too many pieces to load");
		at = PAGE_UP(at + mods[i].len);
	}
	if (at > top || l->strings_len > top - at)
		return fail(
		    err, errlen,
		    "Multiboot strings of %zu bytes do not fit in guest "
		    "RAM between 0x%llx and 0x%llx",
		    l->strings_len, (unsigned long long)at,
		    (unsigned long long)top);
	l->nr_mods = nr;
	l->strings_gpa = l->cmdline_gpa = at;
	for (i = 0; i < nr; i++)
		l->mod_string[i] = at + offs[i];
	if (kxl_boot_add(b, "Multiboot strings", at, l->strings, l->strings_len,
			 PAGE_UP(l->strings_len)) < 0)
		return fail(err, errlen, "too many pieces to load");
	return 0;
}

void kxl_multiboot_layout_free(struct kxl_mb_layout *l)
{
	free(l->strings);
	memset(l, 0, sizeof(*l));
}
