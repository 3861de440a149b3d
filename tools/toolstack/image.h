/*
 * Guest image detection and validation (ELF with a PVH note, Linux
 * bzImage, Multiboot 1, plain ELF or flat binary), pure: it
 * only looks at bytes, so tests can feed it crafted images without a
 * hypervisor. The builder copies what it describes into guest memory.
 */
#ifndef KXL_IMAGE_H
#define KXL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KXL_CMDLINE_GPA 0x6000u	    /* one page, NUL-terminated */
#define KXL_FLAT_LOAD_GPA 0x8000u   /* flat binaries, entered in real mode */
#define KXL_FLAT_LIMIT_GPA 0xa0000u /* legacy VGA window above */
#define KXL_FLAT_STACK 0x7c00u
#define KXL_IMAGE_MAX_SEGS 16u
#define KXL_IMAGE_MAX_BYTES (512u << 20) /* refuse larger files */

/*
 * FLAT and ELF are kxen's own conventions (README.md); the others are
 * the boot protocols of pvh.h, bzimage.h and multiboot.h.
 */
enum kxl_image_kind {
	KXL_IMAGE_FLAT,
	KXL_IMAGE_ELF,
	KXL_IMAGE_PVH,
	KXL_IMAGE_BZIMAGE,
	KXL_IMAGE_MULTIBOOT
};

/* Copy file[offset, offset + filesz) to paddr, zero up to paddr + memsz. */
struct kxl_segment {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

/* What the bzImage's setup header says (bzimage.h). */
struct kxl_bzimage_hdr {
	uint16_t version;	  /* boot protocol, 0x020c = 2.12 */
	uint32_t setup_len;	  /* file bytes before the kernel proper */
	uint32_t hdr_end;	  /* end of the setup header in the file */
	uint32_t init_size;	  /* bytes the kernel needs from its load */
	uint32_t initrd_addr_max; /* highest byte an initrd may occupy */
	uint32_t cmdline_size;	  /* longest command line, NUL excluded */
};

struct kxl_image {
	enum kxl_image_kind kind;
	uint64_t entry;
	unsigned int nr_segs;
	struct kxl_segment segs[KXL_IMAGE_MAX_SEGS];
	uint64_t load_end;	   /* first byte above every segment */
	uint32_t mb_flags;	   /* Multiboot header flags */
	struct kxl_bzimage_hdr bz; /* KXL_IMAGE_BZIMAGE only */
};

/*
 * Whether [addr, addr + size) lies in the RAM a domain of ram_bytes gets:
 * [0, min(ram, KXEN_MMIO_HOLE_START)) and the rest from 4 GiB up.
 * kxl_ram_end: the guest-physical address just past that RAM.
 */
uint64_t kxl_ram_end(uint64_t ram_bytes);
bool kxl_ram_contains(uint64_t ram_bytes, uint64_t addr, uint64_t size);

/*
 * Detect and validate the image in buf[0, len) for a domain with
 * ram_bytes of RAM. Returns 0, or -1 with one line in err saying what is
 * wrong (without the file name, which the caller adds), e.g. "program
 * header 2 extends past end of file".
 */
int kxl_image_parse(const void *buf, size_t len, uint64_t ram_bytes,
		    struct kxl_image *out, char *err, size_t errlen);

/*
 * Check one segment named what (e.g. "program header 2") of an image of
 * len bytes: inside the file, inside guest RAM, clear of the command
 * line page. Returns 0 or -1 with err.
 */
int kxl_image_check_segment(const struct kxl_segment *s, const char *what,
			    size_t len, uint64_t ram_bytes, char *err,
			    size_t errlen);

/*
 * Read an image file (regular, non-empty, at most max_bytes). Returns 0
 * with a malloc'd *buf, or -1 with err naming the file and the problem.
 */
int kxl_image_read(const char *path, size_t max_bytes, void **buf, size_t *len,
		   char *err, size_t errlen);

#endif /* KXL_IMAGE_H */
