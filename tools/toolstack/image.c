/*
 * Image detection and validation. Every field read from the file is
 * range-checked before use: an image is untrusted input that ends up
 * being copied into guest memory at addresses it names.
 */
#include "image.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bzimage.h"
#include "kxen/abi.h"
#include "multiboot.h"
#include "pvh.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t kxl_ram_end(uint64_t ram_bytes)
{
	if (ram_bytes <= KXEN_MMIO_HOLE_START)
		return ram_bytes;
	return KXEN_MMIO_HOLE_END + (ram_bytes - KXEN_MMIO_HOLE_START);
}

bool kxl_ram_contains(uint64_t ram_bytes, uint64_t addr, uint64_t size)
{
	uint64_t low =
	    ram_bytes < KXEN_MMIO_HOLE_START ? ram_bytes : KXEN_MMIO_HOLE_START;
	uint64_t high_end = KXEN_MMIO_HOLE_END + (ram_bytes - low);

	if (addr + size < addr)
		return false;
	if (addr + size <= low)
		return true;
	return addr >= KXEN_MMIO_HOLE_END && addr + size <= high_end;
}

static int parse_flat(size_t len, uint64_t ram_bytes, struct kxl_image *out,
		      char *err, size_t errlen)
{
	uint64_t room = KXL_FLAT_LIMIT_GPA - KXL_FLAT_LOAD_GPA;

	if (len > room)
		return fail(err, errlen,
			    "flat binary of %zu bytes does not fit between "
			    "0x%x and 0x%x (%llu bytes at most)",
			    len, KXL_FLAT_LOAD_GPA, KXL_FLAT_LIMIT_GPA,
			    (unsigned long long)room);
	if (!kxl_ram_contains(ram_bytes, KXL_FLAT_LOAD_GPA, len))
		return fail(err, errlen,
			    "flat binary of %zu bytes at 0x%x does not fit "
			    "in %llu bytes of guest RAM",
			    len, KXL_FLAT_LOAD_GPA,
			    (unsigned long long)ram_bytes);
	out->kind = KXL_IMAGE_FLAT;
	out->entry = KXL_FLAT_LOAD_GPA;
	out->load_end = KXL_FLAT_LOAD_GPA + len;
	out->nr_segs = 1;
	out->segs[0] = (struct kxl_segment){
	    .paddr = KXL_FLAT_LOAD_GPA, .filesz = len, .memsz = len};
	return 0;
}

/* The fields both ELF classes share, widened to 64 bits. */
struct ehdr {
	uint16_t type, machine, phentsize, phnum;
	uint64_t entry, phoff;
};

static int read_ehdr(const unsigned char *buf, size_t len, struct ehdr *h,
		     char *err, size_t errlen)
{
	Elf64_Ehdr e64;
	Elf32_Ehdr e32;

	if (buf[EI_CLASS] == ELFCLASS64) {
		if (len < sizeof(e64))
			return fail(err, errlen, "truncated ELF header");
		memcpy(&e64, buf, sizeof(e64));
		*h = (struct ehdr){e64.e_type,	e64.e_machine, e64.e_phentsize,
				   e64.e_phnum, e64.e_entry,   e64.e_phoff};
		return sizeof(Elf64_Phdr);
	}
	if (buf[EI_CLASS] == ELFCLASS32) {
		if (len < sizeof(e32))
			return fail(err, errlen, "truncated ELF header");
		memcpy(&e32, buf, sizeof(e32));
		*h = (struct ehdr){e32.e_type,	e32.e_machine, e32.e_phentsize,
				   e32.e_phnum, e32.e_entry,   e32.e_phoff};
		return sizeof(Elf32_Phdr);
	}
	return fail(err, errlen, "unsupported ELF class %u",
		    (unsigned)buf[EI_CLASS]);
}

static int check_ehdr(const unsigned char *buf, size_t len, struct ehdr *h,
		      char *err, size_t errlen)
{
	int phsize;

	if (len < EI_NIDENT)
		return fail(err, errlen, "truncated ELF header");
	phsize = read_ehdr(buf, len, h, err, errlen);
	if (phsize < 0)
		return -1;
	if (buf[EI_DATA] != ELFDATA2LSB || buf[EI_VERSION] != EV_CURRENT)
		return fail(err, errlen, "not a little-endian version 1 ELF");
	if (h->type != ET_EXEC)
		return fail(err, errlen,
			    "ELF type %u is not an executable (ET_EXEC)",
			    h->type);
	if (h->machine != EM_386 && h->machine != EM_X86_64)
		return fail(err, errlen, "ELF machine %u is not x86",
			    h->machine);
	if (h->phentsize != phsize || h->phnum == 0)
		return fail(err, errlen,
			    "bad program header table (%u "
			    "entries of %u bytes)",
			    h->phnum, h->phentsize);
	if (h->phoff > len ||
	    (uint64_t)h->phnum * h->phentsize > len - h->phoff)
		return fail(err, errlen,
			    "program header table extends past end of file");
	return 0;
}

static void read_phdr(const unsigned char *buf, const struct ehdr *h,
		      unsigned int i, uint32_t *type, struct kxl_segment *s)
{
	const unsigned char *p = buf + h->phoff + (uint64_t)i * h->phentsize;

	if (h->phentsize == sizeof(Elf64_Phdr)) {
		Elf64_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		*type = ph.p_type;
		*s = (struct kxl_segment){ph.p_paddr, ph.p_offset, ph.p_filesz,
					  ph.p_memsz};
	} else {
		Elf32_Phdr ph;

		memcpy(&ph, p, sizeof(ph));
		*type = ph.p_type;
		*s = (struct kxl_segment){ph.p_paddr, ph.p_offset, ph.p_filesz,
					  ph.p_memsz};
	}
}

int kxl_image_check_segment(const struct kxl_segment *s, const char *what,
			    size_t len, uint64_t ram_bytes, char *err,
			    size_t errlen)
{
	if (s->filesz > s->memsz)
		return fail(err, errlen, "%s: file size exceeds memory size",
			    what);
	if (s->offset > len || s->filesz > len - s->offset)
		return fail(err, errlen, "%s extends past end of file", what);
	if (s->paddr + s->memsz < s->paddr ||
	    !kxl_ram_contains(ram_bytes, s->paddr, s->memsz))
		return fail(err, errlen,
			    "%s: [0x%llx, +0x%llx) is outside guest RAM "
			    "(%llu MiB)",
			    what, (unsigned long long)s->paddr,
			    (unsigned long long)s->memsz,
			    (unsigned long long)(ram_bytes >> 20));
	if (s->paddr < KXL_CMDLINE_GPA + KXEN_PAGE_SIZE &&
	    s->paddr + s->memsz > KXL_CMDLINE_GPA)
		return fail(err, errlen,
			    "%s overlaps the command line page at 0x%x", what,
			    KXL_CMDLINE_GPA);
	return 0;
}

static int check_segment(const struct kxl_segment *s, unsigned int i,
			 size_t len, uint64_t ram_bytes, char *err,
			 size_t errlen)
{
	char what[32];

	snprintf(what, sizeof(what), "program header %u", i);
	return kxl_image_check_segment(s, what, len, ram_bytes, err, errlen);
}

static bool entry_loaded(const struct kxl_image *img)
{
	unsigned int i;

	for (i = 0; i < img->nr_segs; i++)
		if (img->entry >= img->segs[i].paddr &&
		    img->entry - img->segs[i].paddr < img->segs[i].memsz)
			return true;
	return false;
}

/* A PT_NOTE segment with a Xen PHYS32_ENTRY note makes it PVH. */
static int find_pvh(const unsigned char *buf, size_t len, unsigned int i,
		    const struct kxl_segment *s, struct kxl_image *out,
		    char *err, size_t errlen)
{
	char why[160];
	int rc = kxl_pvh_find_entry(buf, len, s->offset, s->filesz, &out->entry,
				    why, sizeof(why));

	if (rc < 0)
		return fail(err, errlen, "program header %u: %s", i, why);
	if (rc > 0)
		out->kind = KXL_IMAGE_PVH;
	return 0;
}

static int load_phdrs(const unsigned char *buf, size_t len,
		      const struct ehdr *h, uint64_t ram_bytes,
		      struct kxl_image *out, char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < h->phnum; i++) {
		struct kxl_segment s;
		uint32_t type;

		read_phdr(buf, h, i, &type, &s);
		if (type == PT_NOTE && out->kind != KXL_IMAGE_PVH &&
		    find_pvh(buf, len, i, &s, out, err, errlen) < 0)
			return -1;
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		if (check_segment(&s, i, len, ram_bytes, err, errlen) < 0)
			return -1;
		if (out->nr_segs == KXL_IMAGE_MAX_SEGS)
			return fail(err, errlen,
				    "more than %u PT_LOAD segments",
				    KXL_IMAGE_MAX_SEGS);
		out->segs[out->nr_segs++] = s;
		if (s.paddr + s.memsz > out->load_end)
			out->load_end = s.paddr + s.memsz;
	}
	return 0;
}

static int parse_elf(const unsigned char *buf, size_t len, uint64_t ram_bytes,
		     struct kxl_image *out, char *err, size_t errlen)
{
	struct ehdr h = {0};
	size_t mb;

	if (check_ehdr(buf, len, &h, err, errlen) < 0)
		return -1;
	out->kind = KXL_IMAGE_ELF;
	out->entry = h.entry;
	out->nr_segs = 0;
	if (load_phdrs(buf, len, &h, ram_bytes, out, err, errlen) < 0)
		return -1;
	if (out->nr_segs == 0)
		return fail(err, errlen, "no loadable (PT_LOAD) segment");
	if (out->kind == KXL_IMAGE_ELF && kxl_multiboot_find(buf, len, &mb) &&
	    kxl_multiboot_parse(buf, len, mb, true, ram_bytes, out, err,
				errlen) < 0)
		return -1;
	/* Entered in 32-bit protected mode: the entry must be reachable. */
	if (out->entry > UINT32_MAX || !entry_loaded(out))
		return fail(err, errlen,
			    "%s 0x%llx is not inside a loaded segment",
			    out->kind == KXL_IMAGE_PVH ? "PVH entry point"
						       : "entry point",
			    (unsigned long long)out->entry);
	return 0;
}

/* Not ELF: a Linux bzImage, a Multiboot a.out-kludge image, or flat. */
static int parse_raw(const unsigned char *buf, size_t len, uint64_t ram_bytes,
		     struct kxl_image *out, char *err, size_t errlen)
{
	size_t mb;

	if (kxl_bzimage_detect(buf, len))
		return kxl_bzimage_parse(buf, len, ram_bytes, out, err, errlen);
	if (kxl_multiboot_find(buf, len, &mb)) {
		if (kxl_multiboot_parse(buf, len, mb, false, ram_bytes, out,
					err, errlen) < 0)
			return -1;
		if (!entry_loaded(out))
			return fail(err, errlen,
				    "Multiboot entry_addr 0x%llx is not inside "
				    "the loaded image",
				    (unsigned long long)out->entry);
		return 0;
	}
	return parse_flat(len, ram_bytes, out, err, errlen);
}

int kxl_image_parse(const void *buf, size_t len, uint64_t ram_bytes,
		    struct kxl_image *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return fail(err, errlen, "image is empty");
	if (len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0)
		return parse_elf(buf, len, ram_bytes, out, err, errlen);
	return parse_raw(buf, len, ram_bytes, out, err, errlen);
}

static int check_size(const char *path, const struct stat *st, size_t max_bytes,
		      char *err, size_t errlen)
{
	if (!S_ISREG(st->st_mode))
		return fail(err, errlen, "%s: not a regular file", path);
	if (st->st_size == 0)
		return fail(err, errlen, "%s: image is empty", path);
	if ((uint64_t)st->st_size > max_bytes)
		return fail(err, errlen,
			    "%s: image of %lld bytes is larger than %zu bytes",
			    path, (long long)st->st_size, max_bytes);
	return 0;
}

/* Read exactly len bytes (regular files may still return short reads). */
static int read_all(int fd, unsigned char *p, size_t len)
{
	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kxl_image_read(const char *path, size_t max_bytes, void **buf, size_t *len,
		   char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(err, errlen, "%s: cannot open image: %s", path,
			    strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return fail(err, errlen, "%s: cannot stat image: %s", path,
			    strerror(errno));
	}
	if (check_size(path, &st, max_bytes, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	*buf = malloc((size_t)st.st_size);
	if (!*buf) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	if (read_all(fd, *buf, (size_t)st.st_size) < 0) {
		close(fd);
		free(*buf);
		return fail(err, errlen, "%s: cannot read the whole image",
			    path);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return 0;
}
