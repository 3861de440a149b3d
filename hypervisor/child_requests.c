/*
 * Request handlers of a domain child. Each gets the validated request
 * (kxen_msg_check_request passed) and fills the reply payload; it
 * returns the payload size or a negative errno, and may hand back a file
 * descriptor to pass along.
 */
#include "child_requests.h"

#include <errno.h>
#include <string.h>

#include "domain.h"
#include "guest_memory.h"
#include "log.h"

static int check_domid(struct domain *d, uint32_t domid)
{
	return domid == d->domid ? 0 : -ESRCH;
}

static int req_domid_only(struct domain *d, const void *p)
{
	const struct kxen_domid_req *r = p;

	if (r->pad)
		return -EINVAL;
	return check_domid(d, r->domid);
}

static int do_getinfo(struct domain *d, const void *p, void *out)
{
	const struct kxen_getinfolist *r = p;
	struct kxen_getinfolist_reply *rep = out;

	if (r->first_domid > d->domid || r->max_domains == 0) {
		rep->count = 0;
		return sizeof(*rep);
	}
	rep->count = 1;
	domain_get_info(d, &rep->info[0]);
	return sizeof(*rep) + sizeof(rep->info[0]);
}

static int do_max_vcpus(struct domain *d, const void *p)
{
	const struct kxen_max_vcpus *r = p;
	int rc = check_domid(d, r->domid);

	/* As Xen 4.17: the count is fixed at creation; only it is accepted. */
	if (rc == 0 && r->max_vcpus != d->max_vcpus)
		rc = -EINVAL;
	return rc;
}

static int do_setmaxmem(struct domain *d, const void *p)
{
	const struct kxen_setmaxmem *r = p;
	int rc = check_domid(d, r->domid);

	if (rc == 0 && r->pad)
		rc = -EINVAL;
	if (rc == 0)
		rc = guest_memory_set_max(&d->mem, r->max_mem_kb /
						       (KXEN_PAGE_SIZE / 1024));
	return rc;
}

static int do_populate(struct domain *d, const void *p, size_t len)
{
	const struct kxen_populate_physmap *r = p;
	int rc = check_domid(d, r->domid);

	if (rc)
		return rc;
	/* The size rule bounded the array; nr_ranges must agree with it. */
	if (r->nr_ranges == 0 ||
	    len != sizeof(*r) + r->nr_ranges * sizeof(r->ranges[0]))
		return -EINVAL;
	return guest_memory_populate(&d->mem, r->ranges, r->nr_ranges);
}

static int do_map_foreign(struct domain *d, const void *p, void *out,
			  int *fd_out)
{
	const struct kxen_map_foreign *r = p;
	struct kxen_map_foreign_reply *rep = out;
	const struct guest_region *g;
	int rc = check_domid(d, r->domid);

	if (rc == 0 && r->pad)
		rc = -EINVAL;
	if (rc)
		return rc;
	g = guest_memory_find(&d->mem, r->gfn);
	if (!g)
		return -ENOENT;
	rep->region_first_gfn = g->first_gfn;
	rep->region_nr_pages = g->nr_pages;
	*fd_out = g->memfd;
	return sizeof(*rep);
}

static int do_setcontext(struct domain *d, const void *p)
{
	const struct kxen_vcpu_setcontext *r = p;
	int rc = check_domid(d, r->domid);

	return rc ? rc : domain_vcpu_setcontext(d, r->vcpu, &r->ctx);
}

static int do_getcontext(struct domain *d, const void *p, void *out)
{
	const struct kxen_vcpu_req *r = p;
	int rc = check_domid(d, r->domid);

	if (rc == 0)
		rc = domain_vcpu_getcontext(d, r->vcpu, out);
	return rc ? rc : (int)sizeof(struct kxen_vcpu_context);
}

static int do_param(struct domain *d, uint16_t op, const void *p, void *out)
{
	const struct kxen_hvm_param *r = p;
	struct kxen_hvm_param *rep = out;
	int rc = check_domid(d, r->domid);

	if (rc)
		return rc;
	if (op == KXEN_OP_HVM_PARAM_SET)
		return domain_set_param(d, r->index, r->value);
	*rep = *r;
	rc = domain_get_param(d, r->index, &rep->value);
	return rc ? rc : (int)sizeof(*rep);
}

static int do_io_stats(struct domain *d, const void *p, void *out)
{
	struct kxen_io_stats_reply *rep = out;
	int rc = req_domid_only(d, p);

	if (rc)
		return rc;
	domain_io_stats(d, rep, KXEN_IO_STATS_MAX);
	return sizeof(*rep) + rep->count * sizeof(rep->stat[0]);
}

int child_handle_request(struct domain *d, uint16_t op, const void *payload,
			 size_t len, void *out, int *fd_out)
{
	int rc;

	*fd_out = -1;
	switch (op) {
	case KXEN_OP_DOMAIN_PAUSE:
		rc = req_domid_only(d, payload);
		return rc ? rc : domain_pause(d);
	case KXEN_OP_DOMAIN_UNPAUSE:
		rc = req_domid_only(d, payload);
		return rc ? rc : domain_unpause(d);
	case KXEN_OP_DOMAIN_DESTROY:
		return req_domid_only(d, payload);
	case KXEN_OP_DOMAIN_GETINFOLIST:
		return do_getinfo(d, payload, out);
	case KXEN_OP_DOMAIN_MAX_VCPUS:
		return do_max_vcpus(d, payload);
	case KXEN_OP_DOMAIN_SETMAXMEM:
		return do_setmaxmem(d, payload);
	case KXEN_OP_POPULATE_PHYSMAP:
		return do_populate(d, payload, len);
	case KXEN_OP_MAP_FOREIGN:
		return do_map_foreign(d, payload, out, fd_out);
	case KXEN_OP_VCPU_SETCONTEXT:
		return do_setcontext(d, payload);
	case KXEN_OP_VCPU_GETCONTEXT:
		return do_getcontext(d, payload, out);
	case KXEN_OP_HVM_PARAM_SET:
	case KXEN_OP_HVM_PARAM_GET:
		return do_param(d, op, payload, out);
	case KXEN_OP_DOMAIN_IO_STATS:
		return do_io_stats(d, payload, out);
	case KXEN_OP_CHILD_ATTACH:
		domain_get_info(d, out);
		return sizeof(struct kxen_domain_info);
	default:
		return -EOPNOTSUPP;
	}
}
