/*
 * PVH: find the entry note, write hvm_start_info (see pvh.h). Note
 * parsing follows the ELF gABI's note layout: namesz, descsz, type, then
 * the name and the descriptor, each padded to 4 bytes.
 */
#include "pvh.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint64_t pad4(uint64_t n)
{
	return (n + 3) & ~3ull;
}

/* The PHYS32_ENTRY descriptor: a 4- or 8-byte address below 4 GiB. */
static int read_entry(const unsigned char *desc, uint32_t descsz,
		      uint64_t *entry, char *err, size_t errlen)
{
	if (descsz != 4 && descsz != 8)
		return fail(err, errlen,
			    "Xen PHYS32_ENTRY note has a %u-byte "
			    "descriptor (4 or 8 expected)",
			    descsz);
	*entry = descsz == 4 ? kxl_get32(desc, 0) : kxl_get64(desc, 0);
	if (*entry > UINT32_MAX)
		return fail(err, errlen,
			    "Xen PHYS32_ENTRY 0x%llx is not a 32-bit address",
			    (unsigned long long)*entry);
	return 1;
}

int kxl_pvh_find_entry(const unsigned char *buf, size_t len, uint64_t off,
		       uint64_t size, uint64_t *entry, char *err, size_t errlen)
{
	uint64_t pos = 0;

	if (off > len || size > len - off)
		return fail(err, errlen,
			    "PT_NOTE segment extends past end "
			    "of file");
	buf += off;
	while (size - pos >= 12) {
		uint32_t namesz = kxl_get32(buf, pos);
		uint32_t descsz = kxl_get32(buf, pos + 4);
		uint32_t type = kxl_get32(buf, pos + 8);
		uint64_t name = pos + 12, desc = name + pad4(namesz);

		if (desc > size || pad4(descsz) > size - desc)
			return fail(err, errlen,
				    "ELF note at file offset 0x%llx extends "
				    "past its PT_NOTE segment",
				    (unsigned long long)(off + pos));
		if (namesz == 4 && memcmp(buf + name, "Xen", 4) == 0 &&
		    type == KXL_ELFNOTE_PHYS32_ENTRY)
			return read_entry(buf + desc, descsz, entry, err,
					  errlen);
		pos = desc + pad4(descsz);
	}
	return 0;
}

void kxl_pvh_write_info(unsigned char *page, const struct kxl_pvh_info *in)
{
	struct hvm_start_info si = {.magic = KXL_PVH_MAGIC,
				    .version = KXL_PVH_VERSION,
				    .cmdline_paddr = in->cmdline_gpa,
				    .rsdp_paddr = in->rsdp_gpa,
				    .memmap_paddr =
					in->page_gpa + KXL_PVH_MEMMAP_OFF,
				    .memmap_entries = in->nr_map};
	unsigned int i;

	for (i = 0; i < in->nr_map; i++) {
		struct hvm_memmap_table_entry e = {.addr = in->map[i].addr,
						   .size = in->map[i].size,
						   .type = in->map[i].type};

		memcpy(page + KXL_PVH_MEMMAP_OFF + i * sizeof(e), &e,
		       sizeof(e));
	}
	if (in->module_len) {
		struct hvm_modlist_entry m = {.paddr = in->module_gpa,
					      .size = in->module_len};

		si.nr_modules = 1;
		si.modlist_paddr = in->page_gpa + KXL_PVH_MODLIST_OFF;
		memcpy(page + KXL_PVH_MODLIST_OFF, &m, sizeof(m));
	}
	memcpy(page, &si, sizeof(si));
}
