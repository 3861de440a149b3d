/*
 * The guest's physical memory map as BIOS INT 15h/E820 reports it (ACPI
 * 6.x §15, "System Address Map Interfaces"): RAM below 640 KiB, the EBDA
 * and BIOS area reserved (the ACPI and MP tables live there), RAM from
 * 1 MiB up to the MMIO hole, and the rest of RAM from 4 GiB. The hole
 * itself is left out of the map: PCI BARs go there.
 */
#ifndef KXL_E820_H
#define KXL_E820_H

#include <stdint.h>

#define KXL_E820_RAM 1u
#define KXL_E820_RESERVED 2u
#define KXL_E820_ACPI 3u
#define KXL_E820_MAX 8u

#define KXL_E820_EBDA 0x9fc00u	     /* 639 KiB of conventional RAM */
#define KXL_E820_BIOS_START 0xe0000u /* reserved up to 1 MiB */
#define KXL_E820_HIGH_START 0x100000u

struct kxl_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/* Fill map (KXL_E820_MAX entries) for ram_bytes of RAM; returns count. */
unsigned int kxl_e820_build(uint64_t ram_bytes, struct kxl_e820 *map);

#endif /* KXL_E820_H */
