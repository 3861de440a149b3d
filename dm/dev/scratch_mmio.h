/*
 * A benchmark scratch page (kxen-dm `--devices benchmmio`): 4 KiB of
 * guest-physical MMIO at SCRATCH_MMIO_BASE whose every access is served
 * by the device model, so bench/run.sh can time the forwarded MMIO path
 * (the default platform has no DM-side MMIO). Byte-addressed storage:
 * a read returns the bytes last written at those offsets (zero at
 * first). Off unless asked for; no guest driver knows it.
 *
 * Not thread-safe: the DM's event loop owns it.
 */
#ifndef KXEN_DM_SCRATCH_MMIO_H
#define KXEN_DM_SCRATCH_MMIO_H

#include <stdbool.h>
#include <stdint.h>

/* Below the IOAPIC/HPET/LAPIC pages, above any RAM a bench guest has,
 * and under the 3-4 GiB identity map of bench/guests/exitbench.S. */
#define SCRATCH_MMIO_BASE 0xd0000000ull
#define SCRATCH_MMIO_SIZE 0x1000u

struct scratch_mmio;

struct scratch_mmio *scratch_mmio_create(void);
void scratch_mmio_destroy(struct scratch_mmio *s);
/* off relative to SCRATCH_MMIO_BASE; size 1-8. Accesses that do not
 * fit in the page are ignored, reads of them give all ones. */
int scratch_mmio_io(void *opaque, uint64_t off, unsigned size, bool is_write,
		    uint64_t *val);

#endif
