/*
 * Guest memory for string I/O: with data_is_ptr the elements of a `rep
 * ins/outs` are at a guest-physical address (kxend uses a per-vCPU
 * bounce page, but the protocol allows any guest page). Pages are mapped
 * with xenforeignmemory_map on first use and kept in a small cache: the
 * same few pages serve every string request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dm.h"
#include "xenforeignmemory.h"

#define PAGE_SIZE 4096u
#define CACHE_SLOTS 16u

struct cached_page {
	uint64_t gfn;
	unsigned char *p; /* NULL: slot free */
};

struct dm_guest_mem {
	xenforeignmemory_handle *fmem;
	uint32_t domid;
	struct cached_page cache[CACHE_SLOTS];
};

struct dm_guest_mem *dm_guest_mem_create(struct xenforeignmemory_handle *fmem,
					 uint32_t domid)
{
	struct dm_guest_mem *g = calloc(1, sizeof(*g));

	if (g) {
		g->fmem = fmem;
		g->domid = domid;
	}
	return g;
}

void dm_guest_mem_destroy(struct dm_guest_mem *g)
{
	if (!g)
		return;
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		if (g->cache[i].p)
			xenforeignmemory_unmap(g->fmem, g->cache[i].p, 1);
	free(g);
}

static unsigned char *page(struct dm_guest_mem *g, uint64_t gfn)
{
	struct cached_page *c = &g->cache[gfn % CACHE_SLOTS];
	xen_pfn_t pfn = (xen_pfn_t)gfn;

	if (c->p && c->gfn == gfn)
		return c->p;
	if (c->p)
		xenforeignmemory_unmap(g->fmem, c->p, 1);
	c->p = xenforeignmemory_map(g->fmem, g->domid, PROT_READ | PROT_WRITE,
				    1, &pfn, NULL);
	c->gfn = gfn;
	return c->p;
}

/* Copy len bytes at gpa, page by page, in the direction asked. */
static int copy(struct dm_guest_mem *g, uint64_t gpa, unsigned char *buf,
		size_t len, bool to_guest)
{
	while (len) {
		size_t off = gpa % PAGE_SIZE, n = PAGE_SIZE - off;
		unsigned char *p = page(g, gpa / PAGE_SIZE);

		if (!p)
			return errno ? -errno : -EFAULT;
		if (n > len)
			n = len;
		if (to_guest)
			memcpy(p + off, buf, n);
		else
			memcpy(buf, p + off, n);
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int dm_guest_read(struct dm_guest_mem *g, uint64_t gpa, void *buf, size_t len)
{
	return copy(g, gpa, buf, len, false);
}

int dm_guest_write(struct dm_guest_mem *g, uint64_t gpa, const void *buf,
		   size_t len)
{
	return copy(g, gpa, (unsigned char *)buf, len, true);
}
