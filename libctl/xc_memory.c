/*
 * Guest memory: xc_domain_setmaxmem and xc_domain_populate_physmap_exact.
 * Xen populates extent by extent; kxend takes ranges of frames, so
 * consecutive extents are merged before they are sent.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kxenctrl.h"

#define MAX_GFN_END (KXEN_MAX_GUEST_PHYS >> KXEN_PAGE_SHIFT)

int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb)
{
	struct kxen_setmaxmem req = {.domid = domid, .max_mem_kb = max_memkb};

	return kxc_call(xch, KXEN_OP_DOMAIN_SETMAXMEM, &req, sizeof(req), NULL,
			0, NULL, NULL);
}

#define BATCH_SIZE                                                             \
	(sizeof(struct kxen_populate_physmap) +                                \
	 KXEN_POPULATE_MAX_RANGES * sizeof(struct kxen_gfn_range))

static int flush(xc_interface *xch, struct kxen_populate_physmap *b)
{
	size_t len;

	if (b->nr_ranges == 0)
		return 0;
	len = sizeof(*b) + b->nr_ranges * sizeof(b->ranges[0]);
	if (kxc_call(xch, KXEN_OP_POPULATE_PHYSMAP, b, len, NULL, 0, NULL,
		     NULL) < 0)
		return -1;
	b->nr_ranges = 0;
	return 0;
}

/* Append [gfn, gfn + pages), merging with the previous range if adjacent. */
static int add_range(xc_interface *xch, struct kxen_populate_physmap *b,
		     uint64_t gfn, uint64_t pages)
{
	struct kxen_gfn_range *last;

	if (b->nr_ranges) {
		last = &b->ranges[b->nr_ranges - 1];
		if (last->first_gfn + last->nr_pages == gfn) {
			last->nr_pages += pages;
			return 0;
		}
	}
	if (b->nr_ranges == KXEN_POPULATE_MAX_RANGES && flush(xch, b) < 0)
		return -1;
	b->ranges[b->nr_ranges].first_gfn = gfn;
	b->ranges[b->nr_ranges].nr_pages = pages;
	b->nr_ranges++;
	return 0;
}

/*
 * Ranges already sent stay populated when a later batch fails: kxend
 * has no "undo", and a failed build destroys the domain anyway.
 */
int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
				     unsigned long nr_extents,
				     unsigned int extent_order,
				     unsigned int mem_flags,
				     xen_pfn_t *extent_start)
{
	struct kxen_populate_physmap *b;
	uint64_t pages;
	unsigned long i;
	int rc = 0;

	if (nr_extents == 0)
		return 0;
	if (mem_flags != 0 || !extent_start || extent_order >= 28)
		return kxc_fail(xch, EINVAL, "populate_physmap: bad argument");
	pages = 1ull << extent_order;
	b = calloc(1, BATCH_SIZE);
	if (!b)
		return kxc_fail(xch, ENOMEM, "populate_physmap");
	b->domid = domid;
	for (i = 0; i < nr_extents && rc == 0; i++) {
		uint64_t gfn = extent_start[i];

		if (gfn >= MAX_GFN_END || pages > MAX_GFN_END - gfn ||
		    (gfn & (pages - 1)))
			rc = kxc_fail(xch, EINVAL,
				      "populate_physmap: extent out of range");
		else
			rc = add_range(xch, b, gfn, pages);
	}
	if (rc == 0)
		rc = flush(xch, b);
	free(b);
	return rc;
}
