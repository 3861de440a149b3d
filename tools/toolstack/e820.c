/* The guest's E820 memory map (see e820.h). */
#include "e820.h"

#include "kxen/abi.h"

static unsigned int add(struct kxl_e820 *map, unsigned int n, uint64_t addr,
			uint64_t end, uint32_t type)
{
	if (end <= addr)
		return n;
	map[n] =
	    (struct kxl_e820){.addr = addr, .size = end - addr, .type = type};
	return n + 1;
}

unsigned int kxl_e820_build(uint64_t ram_bytes, struct kxl_e820 *map)
{
	uint64_t low =
	    ram_bytes < KXEN_MMIO_HOLE_START ? ram_bytes : KXEN_MMIO_HOLE_START;
	uint64_t conv = low < KXL_E820_EBDA ? low : KXL_E820_EBDA;
	unsigned int n = 0;

	n = add(map, n, 0, conv, KXL_E820_RAM);
	n = add(map, n, KXL_E820_EBDA, 0xa0000, KXL_E820_RESERVED);
	n = add(map, n, KXL_E820_BIOS_START, KXL_E820_HIGH_START,
		KXL_E820_RESERVED);
	n = add(map, n, KXL_E820_HIGH_START, low, KXL_E820_RAM);
	n = add(map, n, KXEN_MMIO_HOLE_END,
		KXEN_MMIO_HOLE_END + (ram_bytes - low), KXL_E820_RAM);
	return n;
}
