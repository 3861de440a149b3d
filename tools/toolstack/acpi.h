/*
 * ACPI tables for a kxen domain (ACPI 6.x, chapter 5): RSDP, RSDT, XSDT,
 * FACS, FADT, MADT, HPET and the DSDT compiled from acpi/dsdt.asl by iasl
 * at build time. They describe what kxend emulates in its core (the
 * LAPICs, the IOAPIC, the HPET, the PM timer and PM1a blocks) so that an
 * unmodified OS finds it without probing.
 */
#ifndef KXL_ACPI_H
#define KXL_ACPI_H

#include <stddef.h>
#include <stdint.h>

/* Fixed hardware, as kxend's in-core devices and kxen-dm implement it. */
#define KXL_ACPI_PM1A_EVT 0x1f40u
#define KXL_ACPI_PM1A_CNT 0x1f44u
#define KXL_ACPI_PM_TMR 0x1f48u
#define KXL_ACPI_SCI_IRQ 9u
#define KXL_ACPI_RESET_PORT 0xcf9u
#define KXL_ACPI_RESET_VALUE 0x06u
#define KXL_ACPI_CENTURY 0x32u
#define KXL_LAPIC_BASE 0xfee00000u
#define KXL_IOAPIC_BASE 0xfec00000u
#define KXL_IOAPIC_ID 0u
#define KXL_IOAPIC_PINS 24u
#define KXL_HPET_BASE 0xfed00000u
#define KXL_HPET_BLOCK_ID 0x8086a201u

/* FADT Flags (ACPI 6.x §5.2.9, table 5.10). */
#define KXL_FADT_WBINVD (1u << 0)
#define KXL_FADT_PROC_C1 (1u << 2)
#define KXL_FADT_PWR_BUTTON (1u << 4)
#define KXL_FADT_SLP_BUTTON (1u << 5)
#define KXL_FADT_FIX_RTC (1u << 6)
#define KXL_FADT_TMR_VAL_EXT (1u << 8)
#define KXL_FADT_RESET_REG_SUP (1u << 10)

/* FADT field offsets tests look at (ACPI 6.x table 5.9). */
#define KXL_FADT_LEN 276u
#define KXL_FADT_FACS 36u
#define KXL_FADT_DSDT 40u
#define KXL_FADT_SCI_INT 46u
#define KXL_FADT_SMI_CMD 48u
#define KXL_FADT_PM1A_EVT 56u
#define KXL_FADT_PM1A_CNT 64u
#define KXL_FADT_PM_TMR 76u
#define KXL_FADT_PM1_EVT_LEN 88u
#define KXL_FADT_PM1_CNT_LEN 89u
#define KXL_FADT_PM_TMR_LEN 91u
#define KXL_FADT_CENTURY 108u
#define KXL_FADT_BOOT_ARCH 109u
#define KXL_FADT_FLAGS 112u
#define KXL_FADT_RESET_REG 116u
#define KXL_FADT_RESET_VALUE 128u
#define KXL_FADT_X_DSDT 140u
#define KXL_FADT_X_PM_TMR 208u

/* Where each table landed, as guest-physical addresses. */
struct kxl_acpi_layout {
	uint64_t rsdp, rsdt, xsdt, facs, fadt, madt, hpet, dsdt;
	size_t used; /* bytes of the buffer taken */
};

/*
 * Write the tables for vcpus vCPUs into buf[0, size), which the guest
 * sees at gpa (16-byte aligned, below 4 GiB). Returns 0, or -1 when
 * they do not fit.
 */
int kxl_acpi_build(unsigned char *buf, size_t size, uint64_t gpa,
		   unsigned int vcpus, struct kxl_acpi_layout *out);

/* The DSDT's AML, generated from acpi/dsdt.asl (dsdt_aml.c). */
extern const unsigned char kxl_dsdt_aml[];
extern const size_t kxl_dsdt_aml_len;

#endif /* KXL_ACPI_H */
