/*
 * xenforeignmemory over kxend: guest RAM lives in memfds held by the
 * domain's process; KXEN_OP_MAP_FOREIGN hands over the memfd of the RAM
 * region holding a frame, and we mmap the part we need. One request
 * covers every following frame that is consecutive and in the same
 * region, so mapping a kernel image costs one round trip, not one per
 * page.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kxenctrl.h"
#include "xenforeignmemory.h"

struct xenforeignmemory_handle {
	xc_interface *xch;
};

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned open_flags)
{
	xenforeignmemory_handle *fmem;

	(void)logger;
	if (open_flags != 0) {
		kxc_set_open_error("xenforeignmemory_open: unknown flags %#x",
				   open_flags);
		errno = EINVAL;
		return NULL;
	}
	fmem = calloc(1, sizeof(*fmem));
	if (!fmem) {
		kxc_set_open_error("out of memory opening a kxend handle");
		errno = ENOMEM;
		return NULL;
	}
	fmem->xch = kxc_connect();
	if (!fmem->xch) {
		int err = errno;

		free(fmem);
		errno = err;
		return NULL;
	}
	return fmem;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	if (!fmem)
		return 0;
	kxc_disconnect(fmem->xch);
	free(fmem);
	return 0;
}

/* Frames from arr[i] on that continue arr[i] and stay inside the region. */
static size_t run_length(const xen_pfn_t *arr, size_t i, size_t pages,
			 uint64_t region_end)
{
	size_t n = 1;

	while (i + n < pages && arr[i + n] == arr[i] + n &&
	       arr[i + n] < region_end)
		n++;
	return n;
}

/*
 * Map the run starting at arr[i] into base. Returns how many frames it
 * mapped (>= 1), or -1 + errno for frame i alone.
 */
static ssize_t map_run(xc_interface *xch, uint32_t dom, int prot,
		       unsigned char *base, size_t pages, const xen_pfn_t *arr,
		       size_t i)
{
	struct kxen_map_foreign req = {.domid = dom, .gfn = arr[i]};
	struct kxen_map_foreign_reply rep;
	size_t n;
	void *p;
	int fd, err;

	if (kxc_call(xch, KXEN_OP_MAP_FOREIGN, &req, sizeof(req), &rep,
		     sizeof(rep), NULL, &fd) < 0)
		return -1;
	if (fd < 0 || rep.region_nr_pages == 0 ||
	    rep.region_first_gfn > arr[i] ||
	    arr[i] - rep.region_first_gfn >= rep.region_nr_pages ||
	    arr[i] - rep.region_first_gfn > (uint64_t)INT64_MAX >> 12) {
		if (fd >= 0)
			close(fd);
		return kxc_fail(xch, EBADMSG, "map_foreign: bad region");
	}
	n = run_length(arr, i, pages,
		       rep.region_first_gfn + rep.region_nr_pages);
	p = mmap(base + (i << KXEN_PAGE_SHIFT), n << KXEN_PAGE_SHIFT, prot,
		 MAP_SHARED | MAP_FIXED, fd,
		 (off_t)((arr[i] - rep.region_first_gfn) << KXEN_PAGE_SHIFT));
	err = errno;
	close(fd);
	if (p == MAP_FAILED)
		return kxc_fail(xch, err, "map_foreign: mmap");
	return (ssize_t)n;
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom,
			   int prot, size_t pages, const xen_pfn_t arr[],
			   int err[])
{
	unsigned char *base;
	size_t i = 0, j;

	if (!fmem || !arr || pages == 0 ||
	    pages > SIZE_MAX >> KXEN_PAGE_SHIFT) {
		errno = EINVAL;
		return NULL;
	}
	/* Reserve the whole window first so runs land side by side. */
	base = mmap(NULL, pages << KXEN_PAGE_SHIFT, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	while (i < pages) {
		ssize_t n = map_run(fmem->xch, dom, prot, base, pages, arr, i);

		if (n < 0 && !err) {
			int e = errno;

			munmap(base, pages << KXEN_PAGE_SHIFT);
			errno = e;
			return NULL;
		}
		if (n < 0) {
			err[i++] = -errno;
			continue;
		}
		for (j = 0; j < (size_t)n; j++)
			if (err)
				err[i + j] = 0;
		i += (size_t)n;
	}
	return base;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr,
			   size_t pages)
{
	(void)fmem;
	if (!addr || pages == 0 || pages > SIZE_MAX >> KXEN_PAGE_SHIFT) {
		errno = EINVAL;
		return -1;
	}
	return munmap(addr, pages << KXEN_PAGE_SHIFT);
}

int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid)
{
	struct kxen_domid_req req = {.domid = domid};

	return kxc_call(fmem->xch, KXEN_OP_RESTRICT, &req, sizeof(req), NULL, 0,
			NULL, NULL);
}

struct xenforeignmemory_resource_handle {
	void *addr;
	size_t len;
};

/* Frame numbers and counts that fit the request's 32-bit fields. */
static bool resource_args_ok(unsigned long frame, unsigned long nr_frames,
			     void **paddr)
{
	return paddr && nr_frames > 0 && frame <= UINT32_MAX &&
	       nr_frames <= UINT32_MAX &&
	       nr_frames <= SIZE_MAX >> KXEN_PAGE_SHIFT;
}

xenforeignmemory_resource_handle *
xenforeignmemory_map_resource(xenforeignmemory_handle *fmem, domid_t domid,
			      unsigned int type, unsigned int id,
			      unsigned long frame, unsigned long nr_frames,
			      void **paddr, int prot, int flags)
{
	struct kxen_map_resource req = {
	    .domid = domid, .id = id, .frame = (uint32_t)frame};
	struct kxen_map_resource_reply rep;
	xenforeignmemory_resource_handle *fres;
	int fd, err;

	if (!fmem || !resource_args_ok(frame, nr_frames, paddr) ||
	    type > UINT16_MAX) {
		errno = EINVAL;
		return NULL;
	}
	req.type = (uint16_t)type;
	req.nr_frames = (uint32_t)nr_frames;
	fres = calloc(1, sizeof(*fres));
	if (!fres)
		return NULL;
	if (kxc_call(fmem->xch, KXEN_OP_MAP_RESOURCE, &req, sizeof(req), &rep,
		     sizeof(rep), NULL, &fd) < 0)
		goto fail;
	if (fd < 0 || rep.offset > (uint64_t)INT64_MAX) {
		if (fd >= 0)
			close(fd);
		kxc_fail(fmem->xch, EBADMSG, "map_resource: bad reply");
		goto fail;
	}
	fres->len = nr_frames << KXEN_PAGE_SHIFT;
	fres->addr = mmap(*paddr, fres->len, prot, flags | MAP_SHARED, fd,
			  (off_t)rep.offset);
	err = errno;
	close(fd);
	errno = err;
	if (fres->addr == MAP_FAILED)
		goto fail;
	*paddr = fres->addr;
	return fres;
fail:
	err = errno;
	free(fres);
	errno = err;
	return NULL;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				    xenforeignmemory_resource_handle *fres)
{
	int rc;

	(void)fmem;
	if (!fres)
		return 0;
	rc = munmap(fres->addr, fres->len);
	free(fres);
	return rc;
}
