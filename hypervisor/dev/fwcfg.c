/*
 * fw_cfg legacy interface (see fwcfg.h). The items are built once from
 * the facts the toolstack gave and never change, so only the selector
 * and the read offset are state.
 */
#include "dev/fwcfg.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define NR_ITEMS 7

struct item {
	uint16_t key;
	uint32_t len;
	unsigned char *data;
};

struct fwcfg {
	uint32_t domid;
	struct item items[NR_ITEMS];
	pthread_mutex_t lock; /* guards selector, cur and offset */
	uint16_t selector;
	const struct item *cur; /* NULL: nothing selected reads zeroes */
	uint32_t offset;
};

static int add(struct fwcfg *c, unsigned i, uint16_t key, const void *data,
	       size_t len)
{
	c->items[i].key = key;
	c->items[i].len = (uint32_t)len;
	c->items[i].data = malloc(len);
	if (!c->items[i].data)
		return -ENOMEM;
	memcpy(c->items[i].data, data, len);
	return 0;
}

static void put_le(unsigned char *p, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int add_le(struct fwcfg *c, unsigned i, uint16_t key, uint64_t v,
		  unsigned n)
{
	unsigned char b[8];

	put_le(b, v, n);
	return add(c, i, key, b, n);
}

static int build(struct fwcfg *c, const struct fwcfg_facts *f)
{
	const char *line = f->cmdline ? f->cmdline : "";
	size_t len = strlen(line) + 1;

	if (add(c, 0, FW_CFG_SIGNATURE, "QEMU", 4) ||
	    add_le(c, 1, FW_CFG_ID, 1, 4) ||
	    add_le(c, 2, FW_CFG_RAM_SIZE, f->ram_bytes, 8) ||
	    add_le(c, 3, FW_CFG_NB_CPUS, f->nb_cpus, 2) ||
	    add_le(c, 4, FW_CFG_MAX_CPUS, f->max_cpus, 2) ||
	    add_le(c, 5, FW_CFG_CMDLINE_SIZE, len, 4) ||
	    add(c, 6, FW_CFG_CMDLINE_DATA, line, len))
		return -ENOMEM;
	return 0;
}

struct fwcfg *fwcfg_create(uint32_t domid, const struct fwcfg_facts *f)
{
	struct fwcfg *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->domid = domid;
	pthread_mutex_init(&c->lock, NULL);
	if (build(c, f) < 0) {
		fwcfg_destroy(c);
		return NULL;
	}
	fwcfg_reset(c);
	return c;
}

void fwcfg_destroy(struct fwcfg *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < NR_ITEMS; i++)
		free(c->items[i].data);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/*
 * fw_cfg.rst: bit 14 of a selector asks for writing (ignored for
 * reading) and bit 15 names the architecture's own items, of which
 * kxen has none.
 */
static const struct item *find(const struct fwcfg *c, uint16_t key)
{
	unsigned i;

	if (key & FW_CFG_ARCH_LOCAL)
		return NULL;
	for (i = 0; i < NR_ITEMS; i++)
		if (c->items[i].key == (key & FW_CFG_ENTRY_MASK))
			return &c->items[i];
	return NULL;
}

/* Caller holds c->lock. */
static void select_locked(struct fwcfg *c, uint16_t key)
{
	c->selector = key;
	c->cur = find(c, key);
	c->offset = 0;
}

void fwcfg_reset(struct fwcfg *c)
{
	pthread_mutex_lock(&c->lock);
	select_locked(c, FW_CFG_SIGNATURE);
	pthread_mutex_unlock(&c->lock);
}

int fwcfg_register(struct fwcfg *c, struct io_table *t)
{
	return io_table_register(t, IO_SPACE_PORT, FWCFG_PORT, FWCFG_PORTS,
				 "fw_cfg", fwcfg_io, c);
}

/* Caller holds c->lock. */
static uint8_t next_byte_locked(struct fwcfg *c)
{
	if (!c->cur || c->offset >= c->cur->len)
		return 0;
	return c->cur->data[c->offset++];
}

/*
 * QEMU's combined port region accepts byte accesses and 16-bit writes
 * at either port; the rest never reaches the device.
 */
int fwcfg_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
	     uint64_t *val)
{
	struct fwcfg *c = opaque;

	(void)addr;
	if (!is_write)
		*val = 0;
	if (size != 1 && !(is_write && size == 2))
		return 0;
	pthread_mutex_lock(&c->lock);
	if (!is_write)
		*val = next_byte_locked(c);
	else if (size == 2)
		select_locked(c, (uint16_t)*val);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

void fwcfg_save(struct fwcfg *c, struct fwcfg_save *out)
{
	pthread_mutex_lock(&c->lock);
	*out =
	    (struct fwcfg_save){.selector = c->selector, .offset = c->offset};
	pthread_mutex_unlock(&c->lock);
}

int fwcfg_load(struct fwcfg *c, const struct fwcfg_save *in)
{
	const struct item *it;

	if (in->pad)
		return -EINVAL;
	it = find(c, in->selector);
	/* An offset inside (or just past) the item, or 0 for no item. */
	if (in->offset > (it ? it->len : 0))
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	select_locked(c, in->selector);
	c->offset = in->offset;
	pthread_mutex_unlock(&c->lock);
	return 0;
}
