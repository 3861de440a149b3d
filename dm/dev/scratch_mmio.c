/*
 * The benchmark scratch page (see scratch_mmio.h).
 */
#include "dev/scratch_mmio.h"

#include <errno.h>
#include <stdlib.h>

struct scratch_mmio {
	uint8_t bytes[SCRATCH_MMIO_SIZE];
};

int scratch_mmio_io(void *opaque, uint64_t off, unsigned size, bool is_write,
		    uint64_t *val)
{
	struct scratch_mmio *s = opaque;
	uint64_t v = 0;

	if (!s || !val)
		return -EINVAL;
	if (size == 0 || size > 8 || off >= SCRATCH_MMIO_SIZE ||
	    size > SCRATCH_MMIO_SIZE - off) {
		if (!is_write)
			*val = ~0ull;
		return 0;
	}
	/* Little-endian, as the guest's own view of the bytes. */
	for (unsigned i = 0; i < size; i++) {
		if (is_write)
			s->bytes[off + i] = (uint8_t)(*val >> 8 * i);
		else
			v |= (uint64_t)s->bytes[off + i] << 8 * i;
	}
	if (!is_write)
		*val = v;
	return 0;
}

struct scratch_mmio *scratch_mmio_create(void)
{
	return calloc(1, sizeof(struct scratch_mmio));
}

void scratch_mmio_destroy(struct scratch_mmio *s)
{
	free(s);
}
