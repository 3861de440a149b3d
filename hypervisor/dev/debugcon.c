/*
 * Port 0xE9 debug console. A read returns 0xE9, the value by which guests
 * (Bochs convention, also honoured by QEMU) detect that the port exists.
 * Only the low byte of a wider write is output, as on QEMU's debugcon.
 * Bytes outside printable ASCII are logged as \xNN so a guest cannot send
 * terminal control sequences to whoever reads the log.
 */
#include "dev/debugcon.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

#define LINE_BYTES 256

struct debugcon {
	uint32_t domid;
	pthread_mutex_t lock; /* guards line, len and bytes */
	char line[LINE_BYTES * 4 + 1];
	unsigned len;
	uint64_t bytes;
};

struct debugcon *debugcon_create(uint32_t domid)
{
	struct debugcon *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->domid = domid;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

/* Caller holds c->lock. */
static void flush_locked(struct debugcon *c)
{
	c->line[c->len] = '\0';
	log_info(c->domid, "guest: %s", c->line);
	c->len = 0;
}

void debugcon_destroy(struct debugcon *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->len)
		flush_locked(c);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static void put_byte(struct debugcon *c, uint8_t b)
{
	pthread_mutex_lock(&c->lock);
	c->bytes++;
	if (b == '\n') {
		flush_locked(c);
	} else if (b >= 0x20 && b < 0x7f) {
		c->line[c->len++] = (char)b;
	} else if (b != '\r') {
		c->len += snprintf(c->line + c->len, 5, "\\x%02x", b);
	}
	/* A line longer than LINE_BYTES characters is logged in pieces. */
	if (c->len >= LINE_BYTES * 4 - 4 || c->len >= LINE_BYTES)
		flush_locked(c);
	pthread_mutex_unlock(&c->lock);
}

int debugcon_io(void *opaque, uint64_t addr, unsigned size, bool is_write,
		uint64_t *val)
{
	struct debugcon *c = opaque;

	(void)addr;
	(void)size;
	if (is_write)
		put_byte(c, (uint8_t)*val);
	else
		*val = DEBUGCON_PORT;
	return 0;
}

int debugcon_register(struct debugcon *c, struct io_table *t)
{
	return io_table_register(t, IO_SPACE_PORT, DEBUGCON_PORT, 1, "debugcon",
				 debugcon_io, c);
}

uint64_t debugcon_bytes(struct debugcon *c)
{
	uint64_t n;

	pthread_mutex_lock(&c->lock);
	n = c->bytes;
	pthread_mutex_unlock(&c->lock);
	return n;
}
