/*
 * ACPI table construction (ACPI 6.x, chapter 5). Section numbers below
 * refer to ACPI 6.4; every table is written at the offsets of its
 * layout table, little-endian, and checksummed last.
 */
#include "acpi.h"

#include <string.h>

#include "bytes.h"

#define HDR_LEN 36u /* System Description Table Header, §5.2.6 */
#define RSDP_LEN 36u
#define FACS_LEN 64u
#define HPET_LEN 56u
#define MADT_LAPIC_LEN 8u
#define MADT_IOAPIC_LEN 12u
#define MADT_ISO_LEN 10u
#define MADT_NMI_LEN 6u

/* GAS address spaces and access sizes (§5.2.3.2). */
#define GAS_MEMORY 0u
#define GAS_IO 1u
#define GAS_BYTE 1u
#define GAS_WORD 2u
#define GAS_DWORD 3u

/* MPS INTI flags (§5.2.12.5, table 5.50). */
#define INTI_ACTIVE_HIGH 0x1u
#define INTI_LEVEL 0xcu

struct arena {
	unsigned char *buf;
	size_t size, used;
	uint64_t gpa;
};

/* Take len bytes aligned to align; returns the offset or SIZE_MAX. */
static size_t take(struct arena *a, size_t len, size_t align)
{
	size_t off = (a->used + align - 1) & ~(align - 1);

	if (off > a->size || len > a->size - off)
		return SIZE_MAX;
	a->used = off + len;
	memset(a->buf + off, 0, len);
	return off;
}

static void header(unsigned char *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	kxl_put32(t, 4, len);
	kxl_put8(t, 8, rev);
	memcpy(t + 10, "KXEN  ", 6);
	memcpy(t + 16, "KXEN", 4);
	memcpy(t + 20, sig, 4); /* OEM table id: "KXEN" + signature */
	kxl_put32(t, 24, 1);	/* OEM revision */
	memcpy(t + 28, "KXEN", 4);
	kxl_put32(t, 32, 1); /* creator revision */
}

static void gas(unsigned char *p, size_t off, uint8_t space, uint8_t bits,
		uint8_t access, uint64_t addr)
{
	kxl_put8(p, off, space);
	kxl_put8(p, off + 1, bits);
	kxl_put8(p, off + 2, 0);
	kxl_put8(p, off + 3, access);
	kxl_put64(p, off + 4, addr);
}

/* FACS (§5.2.10): required unless HW-reduced; no checksum of its own. */
static void build_facs(unsigned char *t)
{
	memcpy(t, "FACS", 4);
	kxl_put32(t, 4, FACS_LEN);
	kxl_put8(t, 32, 2); /* version */
}

/* The fixed PM registers of the FADT, 32-bit and GAS forms alike. */
static void fadt_pm_blocks(unsigned char *t)
{
	kxl_put32(t, KXL_FADT_PM1A_EVT, KXL_ACPI_PM1A_EVT);
	kxl_put32(t, KXL_FADT_PM1A_CNT, KXL_ACPI_PM1A_CNT);
	kxl_put32(t, KXL_FADT_PM_TMR, KXL_ACPI_PM_TMR);
	kxl_put8(t, KXL_FADT_PM1_EVT_LEN, 4);
	kxl_put8(t, KXL_FADT_PM1_CNT_LEN, 2);
	kxl_put8(t, KXL_FADT_PM_TMR_LEN, 4);
	gas(t, 148, GAS_IO, 32, GAS_WORD, KXL_ACPI_PM1A_EVT);
	gas(t, 172, GAS_IO, 16, GAS_WORD, KXL_ACPI_PM1A_CNT);
	gas(t, KXL_FADT_X_PM_TMR, GAS_IO, 32, GAS_DWORD, KXL_ACPI_PM_TMR);
}

/*
 * FADT (§5.2.9, revision 6). SMI_CMD is 0: the platform is always in
 * ACPI mode. PWR_BUTTON is clear, so the power button is the fixed
 * feature in PM1a (what `kxl shutdown` presses). C2/C3 latencies above
 * their limits say those states do not exist.
 */
static void build_fadt(unsigned char *t, uint64_t facs, uint64_t dsdt)
{
	header(t, "FACP", KXL_FADT_LEN, 6);
	kxl_put32(t, KXL_FADT_FACS, (uint32_t)facs);
	kxl_put32(t, KXL_FADT_DSDT, (uint32_t)dsdt);
	kxl_put16(t, KXL_FADT_SCI_INT, KXL_ACPI_SCI_IRQ);
	fadt_pm_blocks(t);
	kxl_put16(t, 96, 101);	/* P_LVL2_LAT: no C2 */
	kxl_put16(t, 98, 1001); /* P_LVL3_LAT: no C3 */
	kxl_put8(t, KXL_FADT_CENTURY, KXL_ACPI_CENTURY);
	/* IA-PC boot arch (table 5.11): legacy devices, 8042, no VGA. */
	kxl_put16(t, KXL_FADT_BOOT_ARCH, 0x7);
	kxl_put32(t, KXL_FADT_FLAGS,
		  KXL_FADT_WBINVD | KXL_FADT_PROC_C1 | KXL_FADT_SLP_BUTTON |
		      KXL_FADT_FIX_RTC | KXL_FADT_TMR_VAL_EXT |
		      KXL_FADT_RESET_REG_SUP);
	gas(t, KXL_FADT_RESET_REG, GAS_IO, 8, GAS_BYTE, KXL_ACPI_RESET_PORT);
	kxl_put8(t, KXL_FADT_RESET_VALUE, KXL_ACPI_RESET_VALUE);
	kxl_put64(t, 132, facs); /* X_FIRMWARE_CTRL */
	kxl_put64(t, KXL_FADT_X_DSDT, dsdt);
	kxl_fix_sum8(t, KXL_FADT_LEN, 9);
}

static size_t madt_len(unsigned int vcpus)
{
	return HDR_LEN + 8 + vcpus * MADT_LAPIC_LEN + MADT_IOAPIC_LEN +
	       2 * MADT_ISO_LEN + MADT_NMI_LEN;
}

/* Interrupt Source Override (§5.2.12.5): ISA irq -> gsi. */
static size_t madt_iso(unsigned char *t, size_t off, uint8_t irq, uint32_t gsi,
		       uint16_t flags)
{
	kxl_put8(t, off, 2);
	kxl_put8(t, off + 1, MADT_ISO_LEN);
	kxl_put8(t, off + 2, 0); /* bus: ISA */
	kxl_put8(t, off + 3, irq);
	kxl_put32(t, off + 4, gsi);
	kxl_put16(t, off + 8, flags);
	return off + MADT_ISO_LEN;
}

/*
 * MADT (§5.2.12, revision 5): one enabled Processor Local APIC per vCPU
 * (UID = APIC ID = vCPU index, as kxend numbers its vLAPICs), the
 * IOAPIC, the two ISA overrides every PC has (the PIT on GSI 2, the
 * level-triggered SCI on 9) and LINT1 as NMI on every processor.
 */
static void build_madt(unsigned char *t, unsigned int vcpus)
{
	size_t len = madt_len(vcpus), off = HDR_LEN + 8;
	unsigned int i;

	header(t, "APIC", (uint32_t)len, 5);
	kxl_put32(t, HDR_LEN, KXL_LAPIC_BASE);
	kxl_put32(t, HDR_LEN + 4, 1); /* PCAT_COMPAT: there are 8259s */
	for (i = 0; i < vcpus; i++, off += MADT_LAPIC_LEN) {
		kxl_put8(t, off, 0);
		kxl_put8(t, off + 1, MADT_LAPIC_LEN);
		kxl_put8(t, off + 2, (uint8_t)i);
		kxl_put8(t, off + 3, (uint8_t)i);
		kxl_put32(t, off + 4, 1); /* enabled */
	}
	kxl_put8(t, off, 1);
	kxl_put8(t, off + 1, MADT_IOAPIC_LEN);
	kxl_put8(t, off + 2, KXL_IOAPIC_ID);
	kxl_put32(t, off + 4, KXL_IOAPIC_BASE);
	kxl_put32(t, off + 8, 0); /* GSI base */
	off += MADT_IOAPIC_LEN;
	off = madt_iso(t, off, 0, 2, 0);
	off = madt_iso(t, off, KXL_ACPI_SCI_IRQ, KXL_ACPI_SCI_IRQ,
		       INTI_ACTIVE_HIGH | INTI_LEVEL);
	kxl_put8(t, off, 4); /* Local APIC NMI (§5.2.12.7) */
	kxl_put8(t, off + 1, MADT_NMI_LEN);
	kxl_put8(t, off + 2, 0xff); /* all processors */
	kxl_put16(t, off + 3, 0);
	kxl_put8(t, off + 5, 1); /* LINT1 */
	kxl_fix_sum8(t, len, 9);
}

/* HPET description table (IA-PC HPET 1.0a §3.2.4). */
static void build_hpet(unsigned char *t)
{
	header(t, "HPET", HPET_LEN, 1);
	kxl_put32(t, 36, KXL_HPET_BLOCK_ID);
	gas(t, 40, GAS_MEMORY, 64, 0, KXL_HPET_BASE);
	kxl_put8(t, 52, 0);	/* HPET number */
	kxl_put16(t, 53, 0x80); /* minimum clock tick in periodic mode */
	kxl_put8(t, 55, 0);	/* no page protection */
	kxl_fix_sum8(t, HPET_LEN, 9);
}

/* RSDT (§5.2.7, 32-bit pointers) or XSDT (§5.2.8, 64-bit). */
static void build_sdt(unsigned char *t, const char *sig, const uint64_t *tabs,
		      unsigned int n, unsigned int width)
{
	uint32_t len = HDR_LEN + n * width;
	unsigned int i;

	header(t, sig, len, 1);
	for (i = 0; i < n; i++) {
		if (width == 8)
			kxl_put64(t, HDR_LEN + i * 8, tabs[i]);
		else
			kxl_put32(t, HDR_LEN + i * 4, (uint32_t)tabs[i]);
	}
	kxl_fix_sum8(t, len, 9);
}

/* RSDP (§5.2.5.3, revision 2): both checksums. */
static void build_rsdp(unsigned char *t, uint64_t rsdt, uint64_t xsdt)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, "KXEN  ", 6);
	kxl_put8(t, 15, 2);
	kxl_put32(t, 16, (uint32_t)rsdt);
	kxl_put32(t, 20, RSDP_LEN);
	kxl_put64(t, 24, xsdt);
	kxl_fix_sum8(t, 20, 8);
	kxl_fix_sum8(t, RSDP_LEN, 32);
}

/* Offsets of every table, in the order they are laid out. */
struct offs {
	size_t rsdp, rsdt, xsdt, facs, fadt, madt, hpet, dsdt;
};

static int place(struct arena *a, unsigned int vcpus, struct offs *o)
{
	o->rsdp = take(a, RSDP_LEN, 16);
	o->rsdt = take(a, HDR_LEN + 3 * 4, 16);
	o->xsdt = take(a, HDR_LEN + 3 * 8, 16);
	o->facs = take(a, FACS_LEN, 64);
	o->fadt = take(a, KXL_FADT_LEN, 16);
	o->madt = take(a, madt_len(vcpus), 16);
	o->hpet = take(a, HPET_LEN, 16);
	o->dsdt = take(a, kxl_dsdt_aml_len, 16);
	if (o->rsdp == SIZE_MAX || o->rsdt == SIZE_MAX || o->xsdt == SIZE_MAX ||
	    o->facs == SIZE_MAX || o->fadt == SIZE_MAX || o->madt == SIZE_MAX ||
	    o->hpet == SIZE_MAX || o->dsdt == SIZE_MAX)
		return -1;
	return 0;
}

int kxl_acpi_build(unsigned char *buf, size_t size, uint64_t gpa,
		   unsigned int vcpus, struct kxl_acpi_layout *out)
{
	struct arena a = {.buf = buf, .size = size, .gpa = gpa};
	uint64_t tabs[3];
	struct offs o;

	if (vcpus == 0 || vcpus > 255 || place(&a, vcpus, &o) < 0)
		return -1;
	memcpy(buf + o.dsdt, kxl_dsdt_aml, kxl_dsdt_aml_len);
	build_facs(buf + o.facs);
	build_fadt(buf + o.fadt, gpa + o.facs, gpa + o.dsdt);
	build_madt(buf + o.madt, vcpus);
	build_hpet(buf + o.hpet);
	tabs[0] = gpa + o.fadt;
	tabs[1] = gpa + o.madt;
	tabs[2] = gpa + o.hpet;
	build_sdt(buf + o.rsdt, "RSDT", tabs, 3, 4);
	build_sdt(buf + o.xsdt, "XSDT", tabs, 3, 8);
	build_rsdp(buf + o.rsdp, gpa + o.rsdt, gpa + o.xsdt);
	*out = (struct kxl_acpi_layout){.rsdp = gpa + o.rsdp,
					.rsdt = gpa + o.rsdt,
					.xsdt = gpa + o.xsdt,
					.facs = gpa + o.facs,
					.fadt = gpa + o.fadt,
					.madt = gpa + o.madt,
					.hpet = gpa + o.hpet,
					.dsdt = gpa + o.dsdt,
					.used = a.used};
	return 0;
}
