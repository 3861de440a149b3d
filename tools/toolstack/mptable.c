/*
 * MP configuration tables (Intel MultiProcessor Specification 1.4,
 * chapter 4). Entries appear sorted by type, as §4.3 requires.
 */
#include "mptable.h"

#include <string.h>

#include "acpi.h"
#include "bytes.h"

#define ENTRY_CPU_LEN 20u
#define ENTRY_LEN 8u /* bus, IOAPIC, interrupt assignments */
#define PCI_DEVS 32u
#define ISA_IRQS 16u

/* Interrupt types and INTI flags (§4.3.4, tables 4-9 and 4-10). */
#define INT_INT 0u
#define INT_NMI 1u
#define INT_EXTINT 3u
#define PO_HIGH 0x1u
#define EL_LEVEL 0xcu

static size_t cpu_entry(unsigned char *p, size_t off, unsigned int id)
{
	kxl_put8(p, off, 0);
	kxl_put8(p, off + 1, (uint8_t)id);
	kxl_put8(p, off + 2, 0x14);		   /* LAPIC version */
	kxl_put8(p, off + 3, id == 0 ? 0x3 : 0x1); /* EN, BP */
	kxl_put32(p, off + 4, 0x600);		   /* family 6 */
	kxl_put32(p, off + 8, 0x201);		   /* FPU, APIC */
	return off + ENTRY_CPU_LEN;
}

static size_t bus_entry(unsigned char *p, size_t off, uint8_t id,
			const char *type)
{
	kxl_put8(p, off, 1);
	kxl_put8(p, off + 1, id);
	memcpy(p + off + 2, type, 6);
	return off + ENTRY_LEN;
}

/* I/O (type 3) or local (type 4) interrupt assignment. */
static size_t int_entry(unsigned char *p, size_t off, uint8_t type,
			uint8_t itype, uint16_t flags, uint8_t bus, uint8_t irq,
			uint8_t dst, uint8_t pin)
{
	kxl_put8(p, off, type);
	kxl_put8(p, off + 1, itype);
	kxl_put16(p, off + 2, flags);
	kxl_put8(p, off + 4, bus);
	kxl_put8(p, off + 5, irq);
	kxl_put8(p, off + 6, dst);
	kxl_put8(p, off + 7, pin);
	return off + ENTRY_LEN;
}

/*
 * ISA IRQs on the IOAPIC as the MADT describes them: IRQ 0 on pin 2,
 * the SCI (IRQ 9) level and active high, the others identity-mapped;
 * the 8259's ExtINT on pin 0. PCI device d, pin p is on pin 16 +
 * ((d + p) & 7), as in the DSDT's _PRT.
 */
static size_t io_ints(unsigned char *p, size_t off, unsigned int *count)
{
	unsigned int i;

	off = int_entry(p, off, 3, INT_EXTINT, 0, KXL_MP_BUS_ISA, 0,
			KXL_IOAPIC_ID, 0);
	(*count)++;
	for (i = 0; i < ISA_IRQS; i++) {
		if (i == 2) /* the cascade: IRQ 0 takes its pin */
			continue;
		(*count)++;
		off = int_entry(p, off, 3, INT_INT,
				i == KXL_ACPI_SCI_IRQ ? PO_HIGH | EL_LEVEL : 0,
				KXL_MP_BUS_ISA, (uint8_t)i, KXL_IOAPIC_ID,
				(uint8_t)(i == 0 ? 2 : i));
	}
	for (i = 0; i < PCI_DEVS * 4; i++, (*count)++)
		off = int_entry(p, off, 3, INT_INT, PO_HIGH | EL_LEVEL,
				KXL_MP_BUS_PCI, (uint8_t)i, KXL_IOAPIC_ID,
				(uint8_t)(16 + (((i >> 2) + (i & 3)) & 7)));
	return off;
}

static size_t entries(unsigned char *t, unsigned int vcpus, unsigned int *count)
{
	size_t off = KXL_MP_HDR_LEN;
	unsigned int i;

	for (i = 0; i < vcpus; i++)
		off = cpu_entry(t, off, i);
	off = bus_entry(t, off, KXL_MP_BUS_PCI, "PCI   ");
	off = bus_entry(t, off, KXL_MP_BUS_ISA, "ISA   ");
	kxl_put8(t, off, 2); /* IOAPIC */
	kxl_put8(t, off + 1, KXL_IOAPIC_ID);
	kxl_put8(t, off + 2, 0x11);
	kxl_put8(t, off + 3, 1); /* enabled */
	kxl_put32(t, off + 4, KXL_IOAPIC_BASE);
	off += ENTRY_LEN;
	*count = vcpus + 3;
	off = io_ints(t, off, count);
	off = int_entry(t, off, 4, INT_EXTINT, 0, KXL_MP_BUS_ISA, 0, 0xff, 0);
	off = int_entry(t, off, 4, INT_NMI, 0, KXL_MP_BUS_ISA, 0, 0xff, 1);
	*count += 2;
	return off;
}

static size_t table_len(unsigned int vcpus)
{
	return KXL_MP_HDR_LEN + vcpus * ENTRY_CPU_LEN +
	       (3 + 1 + ISA_IRQS - 1 + PCI_DEVS * 4 + 2) * ENTRY_LEN;
}

size_t kxl_mptable_build(unsigned char *buf, size_t size, uint64_t gpa,
			 unsigned int vcpus)
{
	unsigned char *fps = buf, *t = buf + KXL_MP_FPS_LEN;
	size_t len = table_len(vcpus);
	unsigned int count = 0;

	if (vcpus == 0 || vcpus > 255 || KXL_MP_FPS_LEN + len > size)
		return 0;
	memset(buf, 0, KXL_MP_FPS_LEN + len);
	len = entries(t, vcpus, &count);
	memcpy(t, "PCMP", 4); /* configuration table header, §4.2 */
	kxl_put16(t, 4, (uint16_t)len);
	kxl_put8(t, 6, 4); /* spec revision 1.4 */
	memcpy(t + 8, "KXEN    ", 8);
	memcpy(t + 16, "KXEN VM     ", 12);
	kxl_put16(t, 34, (uint16_t)count);
	kxl_put32(t, 36, KXL_LAPIC_BASE);
	kxl_fix_sum8(t, len, 7);
	memcpy(fps, "_MP_", 4); /* floating pointer, §4.1 */
	kxl_put32(fps, 4, (uint32_t)(gpa + KXL_MP_FPS_LEN));
	kxl_put8(fps, 8, 1); /* length in 16-byte units */
	kxl_put8(fps, 9, 4);
	kxl_fix_sum8(fps, KXL_MP_FPS_LEN, 10);
	return KXL_MP_FPS_LEN + len;
}
