/*
 * isa-debug-exit (see debugexit.h). The status is computed from the
 * access's own width: an outb of 0x10 gives 0x21, an outl of
 * 0x12345678 gives 0x2468acf1 (32 bits; a host process exit code keeps
 * the low 8 bits, as QEMU's exit() does).
 */
#include "dev/debugexit.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "log.h"

struct debugexit {
	uint32_t domid;
	uint16_t port;
	unsigned width;
	debugexit_fn fn;
	void *ctx;
	pthread_mutex_t lock; /* guards fired and status */
	bool fired;
	uint32_t status;
};

struct debugexit *debugexit_create(uint32_t domid, uint16_t port,
				   unsigned width, debugexit_fn fn, void *ctx)
{
	struct debugexit *e;

	if (width < 1 || width > 4 || (uint32_t)port + width > 0x10000 || !fn)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	*e = (struct debugexit){
	    .domid = domid, .port = port, .width = width, .fn = fn, .ctx = ctx};
	pthread_mutex_init(&e->lock, NULL);
	return e;
}

void debugexit_destroy(struct debugexit *e)
{
	if (!e)
		return;
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void debugexit_reset(struct debugexit *e)
{
	pthread_mutex_lock(&e->lock);
	e->fired = false;
	e->status = 0;
	pthread_mutex_unlock(&e->lock);
}

int debugexit_register(struct debugexit *e, struct io_table *t)
{
	return io_table_register(t, IO_SPACE_PORT, e->port, e->width,
				 "debug-exit", debugexit_io, e);
}

static uint64_t width_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/*
 * Only the first write counts: vCPUs racing to exit (or one repeating
 * the write before it stops) must not change the recorded status.
 */
int debugexit_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
		 uint64_t *val)
{
	struct debugexit *e = opaque;
	uint32_t status;
	bool first;

	(void)addr;
	if (!is_write) {
		*val = 0;
		return 0;
	}
	status = (uint32_t)(((*val & width_mask(size)) << 1) | 1);
	pthread_mutex_lock(&e->lock);
	first = !e->fired;
	if (first) {
		e->fired = true;
		e->status = status;
	}
	pthread_mutex_unlock(&e->lock);
	if (!first)
		return 0;
	log_info(e->domid,
		 "debug-exit: guest wrote 0x%llx (%u bytes) at "
		 "port 0x%llx: exit status %u",
		 (unsigned long long)(*val & width_mask(size)), size,
		 (unsigned long long)addr, status);
	e->fn(e->ctx, status);
	return 0;
}

void debugexit_save(struct debugexit *e, struct debugexit_save *out)
{
	pthread_mutex_lock(&e->lock);
	*out = (struct debugexit_save){.status = e->status, .fired = e->fired};
	pthread_mutex_unlock(&e->lock);
}

int debugexit_load(struct debugexit *e, const struct debugexit_save *in)
{
	if (in->fired > 1 || in->pad[0] || in->pad[1] || in->pad[2])
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	e->fired = in->fired;
	e->status = in->fired ? in->status : 0;
	pthread_mutex_unlock(&e->lock);
	return 0;
}
