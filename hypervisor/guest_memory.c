/*
 * Guest RAM regions (see guest_memory.h).
 */
#include "guest_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

#define MAX_GFN (KXEN_MAX_GUEST_PHYS >> KXEN_PAGE_SHIFT)
#define HOLE_FIRST_GFN (KXEN_MMIO_HOLE_START >> KXEN_PAGE_SHIFT)
#define HOLE_END_GFN (KXEN_MMIO_HOLE_END >> KXEN_PAGE_SHIFT)

void guest_memory_init(struct guest_memory *m, uint32_t domid, int vm_fd,
		       uint64_t max_pages)
{
	memset(m, 0, sizeof(*m));
	m->domid = domid;
	m->vm_fd = vm_fd;
	m->max_pages = max_pages;
}

void guest_memory_release(struct guest_memory *m)
{
	unsigned i;

	for (i = 0; i < m->nr_regions; i++) {
		struct guest_region *r = &m->regions[i];

		munmap(r->host, r->nr_pages << KXEN_PAGE_SHIFT);
		close(r->memfd);
	}
	m->nr_regions = 0;
	m->tot_pages = 0;
}

static int ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* Checks one range against the layout and what is already populated. */
static int check_range(const struct guest_memory *m,
		       const struct kxen_gfn_range *r)
{
	unsigned i;

	if (r->nr_pages == 0 || r->first_gfn >= MAX_GFN ||
	    r->nr_pages > MAX_GFN - r->first_gfn)
		return -EINVAL;
	if (ranges_overlap(r->first_gfn, r->nr_pages, HOLE_FIRST_GFN,
			   HOLE_END_GFN - HOLE_FIRST_GFN))
		return -EINVAL;
	for (i = 0; i < m->nr_regions; i++)
		if (ranges_overlap(r->first_gfn, r->nr_pages,
				   m->regions[i].first_gfn,
				   m->regions[i].nr_pages))
			return -EEXIST;
	return 0;
}

static int validate_ranges(const struct guest_memory *m,
			   const struct kxen_gfn_range *ranges, unsigned nr)
{
	uint64_t total = 0;
	unsigned i, j;
	int rc;

	if (nr == 0 || nr > GUEST_MEMORY_MAX_REGIONS - m->nr_regions)
		return nr == 0 ? -EINVAL : -ENOSPC;
	for (i = 0; i < nr; i++) {
		rc = check_range(m, &ranges[i]);
		if (rc)
			return rc;
		for (j = 0; j < i; j++)
			if (ranges_overlap(
				ranges[i].first_gfn, ranges[i].nr_pages,
				ranges[j].first_gfn, ranges[j].nr_pages))
				return -EINVAL;
		total += ranges[i].nr_pages; /* each < 2^28: no overflow */
	}
	if (total > m->max_pages - m->tot_pages)
		return -ENOMEM;
	return 0;
}

static int add_region(struct guest_memory *m, const struct kxen_gfn_range *r)
{
	struct guest_region *g = &m->regions[m->nr_regions];
	uint64_t bytes = r->nr_pages << KXEN_PAGE_SHIFT;
	struct kvm_userspace_memory_region kr;
	char name[48];
	int rc;

	snprintf(name, sizeof(name), "kxen-d%u-gfn%llx", m->domid,
		 (unsigned long long)r->first_gfn);
	g->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (g->memfd < 0)
		return -errno;
	if (ftruncate(g->memfd, bytes) < 0 ||
	    fcntl(g->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0) {
		rc = -errno;
		close(g->memfd);
		return rc;
	}
	g->host = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, g->memfd, 0);
	if (g->host == MAP_FAILED) {
		rc = -errno;
		close(g->memfd);
		return rc;
	}
	/* Slot numbers are never reused while the domain lives. */
	g->slot = m->nr_regions;
	kr = (struct kvm_userspace_memory_region){
	    .slot = g->slot,
	    .guest_phys_addr = r->first_gfn << KXEN_PAGE_SHIFT,
	    .memory_size = bytes,
	    .userspace_addr = (uintptr_t)g->host};
	if (ioctl(m->vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0) {
		rc = -errno;
		munmap(g->host, bytes);
		close(g->memfd);
		return rc;
	}
	g->first_gfn = r->first_gfn;
	g->nr_pages = r->nr_pages;
	m->nr_regions++;
	m->tot_pages += r->nr_pages;
	return 0;
}

int guest_memory_populate(struct guest_memory *m,
			  const struct kxen_gfn_range *ranges, unsigned nr)
{
	unsigned i;
	int rc = validate_ranges(m, ranges, nr);

	if (rc)
		return rc;
	for (i = 0; i < nr; i++) {
		rc = add_region(m, &ranges[i]);
		if (rc) {
			log_error(m->domid,
				  "cannot back gfn %#llx+%llu pages: %s",
				  (unsigned long long)ranges[i].first_gfn,
				  (unsigned long long)ranges[i].nr_pages,
				  strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int guest_memory_add_internal(struct guest_memory *m, uint64_t first_gfn,
			      uint64_t nr_pages)
{
	struct kxen_gfn_range r = {first_gfn, nr_pages};
	int rc;

	if (m->nr_regions == GUEST_MEMORY_MAX_REGIONS)
		return -ENOSPC;
	for (unsigned i = 0; i < m->nr_regions; i++)
		if (ranges_overlap(first_gfn, nr_pages, m->regions[i].first_gfn,
				   m->regions[i].nr_pages))
			return -EEXIST;
	rc = add_region(m, &r);
	if (rc == 0)
		m->tot_pages -= nr_pages; /* not the guest's RAM */
	return rc;
}

const struct guest_region *guest_memory_find(const struct guest_memory *m,
					     uint64_t gfn)
{
	unsigned i;

	for (i = 0; i < m->nr_regions; i++)
		if (gfn >= m->regions[i].first_gfn &&
		    gfn - m->regions[i].first_gfn < m->regions[i].nr_pages)
			return &m->regions[i];
	return NULL;
}

int guest_memory_set_max(struct guest_memory *m, uint64_t max_pages)
{
	if (max_pages < m->tot_pages || max_pages > MAX_GFN)
		return -EINVAL;
	m->max_pages = max_pages;
	return 0;
}

int guest_memory_read(const struct guest_memory *m, uint64_t gpa, void *buf,
		      size_t len)
{
	uint8_t *out = buf;

	while (len) {
		uint64_t gfn = gpa >> KXEN_PAGE_SHIFT;
		size_t off = gpa & (KXEN_PAGE_SIZE - 1);
		size_t n =
		    KXEN_PAGE_SIZE - off < len ? KXEN_PAGE_SIZE - off : len;
		const struct guest_region *g = guest_memory_find(m, gfn);

		if (!g)
			return -EFAULT;
		memcpy(out,
		       (const uint8_t *)g->host +
			   ((gfn - g->first_gfn) << KXEN_PAGE_SHIFT) + off,
		       n);
		out += n;
		gpa += n;
		len -= n;
	}
	return 0;
}
