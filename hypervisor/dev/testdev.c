/*
 * pc-testdev's interrupt lines (see testdev.h). The device keeps the
 * level it last drove on each line so reset and load can bring the
 * wires back in step with its state.
 */
#include "dev/testdev.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "log.h"

#define ALL_LINES ((1u << TESTDEV_IRQ_LINES) - 1)

struct testdev {
	uint32_t domid;
	irq_line_fn isa, gsi;
	void *source;
	/* Serialises writes so the wires see levels in the order the
	 * levels field records them. */
	pthread_mutex_t lock;
	uint32_t levels;
	uint64_t ignored; /* accesses QEMU would refuse, for the log */
};

struct testdev *testdev_create(uint32_t domid, irq_line_fn isa, irq_line_fn gsi,
			       void *source)
{
	struct testdev *t;

	if (!isa || !gsi)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct testdev){
	    .domid = domid, .isa = isa, .gsi = gsi, .source = source};
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

/* Caller holds t->lock. */
static void drive_locked(struct testdev *t, unsigned line, bool high)
{
	enum irq_level level = high ? IRQ_ASSERT : IRQ_DEASSERT;

	if (high)
		t->levels |= 1u << line;
	else
		t->levels &= ~(1u << line);
	if (line < TESTDEV_ISA_LINES)
		t->isa(t->source, line, level);
	else
		t->gsi(t->source, line, level);
}

/* Caller holds t->lock: every line to the level in want. */
static void set_all_locked(struct testdev *t, uint32_t want)
{
	unsigned n;

	for (n = 0; n < TESTDEV_IRQ_LINES; n++)
		if (((t->levels ^ want) >> n) & 1)
			drive_locked(t, n, (want >> n) & 1);
}

void testdev_reset(struct testdev *t)
{
	pthread_mutex_lock(&t->lock);
	set_all_locked(t, 0);
	pthread_mutex_unlock(&t->lock);
}

void testdev_destroy(struct testdev *t)
{
	if (!t)
		return;
	testdev_reset(t);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int testdev_register(struct testdev *t, struct io_table *table)
{
	return io_table_register(table, IO_SPACE_PORT, TESTDEV_IRQ_PORT,
				 TESTDEV_IRQ_LINES, "pc-testdev-irq",
				 testdev_io, t);
}

int testdev_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
	       uint64_t *val)
{
	struct testdev *t = opaque;
	unsigned line = (unsigned)(addr - TESTDEV_IRQ_PORT);

	if (!is_write)
		*val = 0;
	if (!is_write || line >= TESTDEV_IRQ_LINES)
		return 0;
	pthread_mutex_lock(&t->lock);
	if (size == 1) {
		drive_locked(t, line, (*val & 0xff) != 0);
	} else if (t->ignored++ == 0) {
		/* Once per device: a guest probing widths must not flood. */
		log_info(t->domid,
			 "pc-testdev: %u-byte write to port 0x%llx ignored "
			 "(the lines take byte writes only)",
			 size, (unsigned long long)addr);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

void testdev_save(struct testdev *t, struct testdev_save *out)
{
	pthread_mutex_lock(&t->lock);
	*out = (struct testdev_save){.levels = t->levels};
	pthread_mutex_unlock(&t->lock);
}

int testdev_load(struct testdev *t, const struct testdev_save *in)
{
	if (in->levels & ~ALL_LINES || in->pad)
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	set_all_locked(t, in->levels);
	pthread_mutex_unlock(&t->lock);
	return 0;
}
