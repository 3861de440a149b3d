/*
 * Guest RAM of one domain: regions of memfd-backed memory, each one KVM
 * memory slot. The toolstack decides which frames to populate (as Xen's
 * populate_physmap); the core enforces max_pages, refuses the MMIO hole
 * below 4 GiB and overlaps. Memfds are sealed against resizing so a
 * toolstack or DM that maps one cannot shrink it under the guest.
 */
#ifndef KXEN_GUEST_MEMORY_H
#define KXEN_GUEST_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include "kxen/abi.h"

#define GUEST_MEMORY_MAX_REGIONS 64u

struct guest_region {
	uint64_t first_gfn;
	uint64_t nr_pages;
	int memfd;
	void *host; /* mapping of the whole region in this process */
	uint32_t slot;
};

/* Owned by the domain's control thread; vCPU threads only read host/gfn. */
struct guest_memory {
	uint32_t domid;
	int vm_fd;
	uint64_t max_pages;
	uint64_t tot_pages;
	unsigned nr_regions;
	struct guest_region regions[GUEST_MEMORY_MAX_REGIONS];
};

void guest_memory_init(struct guest_memory *m, uint32_t domid, int vm_fd,
		       uint64_t max_pages);
void guest_memory_release(struct guest_memory *m);

/* Validate every range first, then back them all; returns 0 or -errno. */
int guest_memory_populate(struct guest_memory *m,
			  const struct kxen_gfn_range *ranges, unsigned nr);

/* Region holding gfn, or NULL. */
/* RAM the hypervisor itself places (ioreq bounce pages), anywhere below
 * the guest-physical limit, not counted against max_pages. */
int guest_memory_add_internal(struct guest_memory *m, uint64_t first_gfn,
			      uint64_t nr_pages);

const struct guest_region *guest_memory_find(const struct guest_memory *m,
					     uint64_t gfn);

/* Copy len bytes at guest-physical gpa (RAM only, may cross regions
 * page by page); -EFAULT where there is no RAM. */
int guest_memory_read(const struct guest_memory *m, uint64_t gpa, void *buf,
		      size_t len);

int guest_memory_set_max(struct guest_memory *m, uint64_t max_pages);

#endif
