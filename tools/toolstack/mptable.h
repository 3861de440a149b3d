/*
 * Intel MultiProcessor Specification 1.4 tables (chapter 4) for guests
 * that do not read ACPI: the floating pointer structure, then the
 * configuration table with one processor entry per vCPU, the PCI and ISA
 * buses, the IOAPIC and the interrupt assignments of both buses.
 */
#ifndef KXL_MPTABLE_H
#define KXL_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define KXL_MP_FPS_LEN 16u
#define KXL_MP_HDR_LEN 44u
#define KXL_MP_BUS_PCI 0u
#define KXL_MP_BUS_ISA 1u

/*
 * Write the floating pointer at buf[0] and the configuration table
 * right after it; the guest sees buf at gpa (16-byte aligned, in the
 * BIOS area a spec-following OS scans). Returns the bytes used, or 0
 * when they do not fit in size.
 */
size_t kxl_mptable_build(unsigned char *buf, size_t size, uint64_t gpa,
			 unsigned int vcpus);

#endif /* KXL_MPTABLE_H */
