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
#include "test_devices.h"
#include "evtchn.h"
#include "ioreq.h"
#include "irq.h"
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

static int do_set_cpuid(struct domain *d, const void *p, size_t len)
{
	const struct kxen_cpuid_set *r = p;
	int rc = check_domid(d, r->domid);

	if (rc)
		return rc;
	/* The size rule bounded the array; nr must agree with it. An empty
	 * list is valid (xl's "host" alone: the default policy). */
	if (r->nr > KXEN_CPUID_MAX_MASKS ||
	    len != sizeof(*r) + (size_t)r->nr * sizeof(r->mask[0]))
		return -EINVAL;
	return domain_set_cpuid(d, r->mask, r->nr);
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

static int do_exit_stats(struct domain *d, const void *p, void *out)
{
	struct kxen_exit_stats_reply *rep = out;
	int rc = req_domid_only(d, p);

	if (rc)
		return rc;
	domain_exit_stats(d, rep);
	return sizeof(*rep) + rep->count * sizeof(rep->range[0]);
}

/* ---- ioreq servers and event channels (issue 4) ------------------- */

static int do_ioreq_create(struct domain *d, uint64_t owner, const void *p,
			   void *out)
{
	const struct kxen_ioreq_server_create *r = p;
	struct kxen_ioreq_server_info *rep = out;
	uint16_t id;
	int rc = check_domid(d, r->domid);

	if (rc == 0 && (r->pad[0] || r->pad[1] || r->pad[2]))
		rc = -EINVAL;
	if (rc == 0)
		rc = ioreq_server_create(d->ioreq, owner, r->handle_bufioreq,
					 &id);
	if (rc == 0)
		rc = ioreq_server_info(d->ioreq, id, rep);
	return rc ? rc : (int)sizeof(*rep);
}

static int do_ioreq_server(struct domain *d, uint16_t op, const void *p,
			   void *out)
{
	const struct kxen_ioreq_server_id *r = p;
	int rc = check_domid(d, r->domid);

	if (rc == 0 && r->pad)
		rc = -EINVAL;
	if (rc)
		return rc;
	if (op == KXEN_OP_IOREQ_SERVER_DESTROY)
		return ioreq_server_destroy(d->ioreq, r->id);
	rc = ioreq_server_info(d->ioreq, r->id, out);
	return rc ? rc : (int)sizeof(struct kxen_ioreq_server_info);
}

static int do_ioreq_range(struct domain *d, uint16_t op, const void *p)
{
	const struct kxen_ioreq_server_range *r = p;
	int rc = check_domid(d, r->domid);

	return rc ? rc
		  : ioreq_server_map(d->ioreq, r->id, r,
				     op == KXEN_OP_IOREQ_SERVER_MAP_RANGE);
}

static int do_ioreq_state(struct domain *d, const void *p)
{
	const struct kxen_ioreq_server_state *r = p;
	int rc = check_domid(d, r->domid);

	if (rc == 0 && (r->pad || r->enabled > 1))
		rc = -EINVAL;
	return rc ? rc : ioreq_server_set_state(d->ioreq, r->id, r->enabled);
}

static int do_map_resource(struct domain *d, const void *p, void *out, int *fds)
{
	const struct kxen_map_resource *r = p;
	struct kxen_map_resource_reply *rep = out;
	int rc = check_domid(d, r->domid);

	if (rc == 0 && (r->pad || r->pad2 || r->id > 0xffff ||
			r->type != KXEN_RESOURCE_IOREQ_SERVER))
		rc = -EINVAL;
	if (rc == 0)
		rc = ioreq_server_resource(d->ioreq, r->id, r->frame,
					   r->nr_frames, &fds[0], &rep->offset);
	return rc ? rc : (int)sizeof(*rep);
}

static int do_evtchn_bind(struct domain *d, uint64_t owner, uint16_t op,
			  const void *p, void *out, int *fds)
{
	const struct kxen_evtchn_bind *r = p;
	struct kxen_evtchn_port *rep = out;
	int rc = check_domid(d, r->domid);

	if (rc)
		return rc;
	rep->domid = d->domid;
	if (op == KXEN_OP_EVTCHN_BIND_INTERDOMAIN) {
		rep->port = r->remote_port;
		rc = evtchn_bind(d->evtchn, r->remote_port, owner, fds);
	} else {
		rc = r->remote_port ? -EINVAL
				    : evtchn_alloc_bound(d->evtchn, owner,
							 &rep->port, fds);
	}
	return rc ? rc : (int)sizeof(*rep);
}

static int do_evtchn_close(struct domain *d, uint64_t owner, const void *p)
{
	const struct kxen_evtchn_port *r = p;
	int rc = check_domid(d, r->domid);

	return rc ? rc : evtchn_close(d->evtchn, r->port, owner);
}

/* ---- device-model ops ----------------------------------------------- */

static int do_dm_irq(struct domain *d, uint16_t op, const void *p)
{
	if (op == KXEN_OP_DM_SET_ISA_IRQ_LEVEL) {
		const struct kxen_dm_isa_irq *r = p;

		if (check_domid(d, r->domid))
			return -ESRCH;
		if (r->isa_irq > 15 || r->level > 1 || r->pad)
			return -EINVAL;
		irq_isa_line(irq_source(d->irq, IRQ_SRC_DM), r->isa_irq,
			     r->level ? IRQ_ASSERT : IRQ_DEASSERT);
		return 0;
	}
	if (op == KXEN_OP_DM_SET_IRQ_LEVEL) {
		const struct kxen_dm_irq_level *r = p;

		if (check_domid(d, r->domid))
			return -ESRCH;
		if (r->irq >= IRQ_NR_GSIS || r->level > 1 || r->pad)
			return -EINVAL;
		irq_gsi_line(irq_source(d->irq, IRQ_SRC_DM_GSI), r->irq,
			     r->level ? IRQ_ASSERT : IRQ_DEASSERT);
		return 0;
	}
	const struct kxen_dm_pci_intx *r = p;

	if (check_domid(d, r->domid))
		return -ESRCH;
	/* One PCI segment and bus (00) exist. */
	if (r->segment || r->bus || r->level > 1 || r->pad)
		return -EINVAL;
	return irq_pci_intx(d->irq, r->device, r->intx, r->level);
}

static int do_dm_msi(struct domain *d, const void *p)
{
	const struct kxen_dm_msi *r = p;

	return check_domid(d, r->domid) ? -ESRCH
					: irq_msi(d->irq, r->addr, r->data);
}

static int do_dm_shutdown(struct domain *d, const void *p)
{
	const struct kxen_dm_shutdown *r = p;
	static const char *const why[] = {"poweroff", "reboot", "suspend",
					  "crash", "watchdog"};

	if (check_domid(d, r->domid))
		return -ESRCH;
	if (r->reason > KXEN_SHUTDOWN_WATCHDOG)
		return -EINVAL;
	if (r->reason == KXEN_SHUTDOWN_CRASH)
		domain_crash(d, "its device model reported a crash");
	else
		domain_shutdown(d, r->reason, why[r->reason]);
	return 0;
}

static int do_domain_log(struct domain *d, const void *p, size_t len)
{
	const struct kxen_domain_log *r = p;

	if (check_domid(d, r->domid))
		return -ESRCH;
	if (r->len != len - sizeof(*r))
		return -EINVAL;
	for (uint32_t i = 0; i < r->len; i++)
		if (r->text[i] < 0x20 || r->text[i] > 0x7e)
			return -EINVAL;
	log_info(d->domid, "toolstack: %.*s", (int)r->len, r->text);
	return 0;
}

static int do_send_trigger(struct domain *d, const void *p)
{
	const struct kxen_send_trigger *r = p;

	if (check_domid(d, r->domid))
		return -ESRCH;
	return domain_send_trigger(d, r);
}

static int handle_dm(struct domain *d, uint64_t owner, uint16_t op,
		     const void *payload, void *out, int *fds, bool *owned)
{
	switch (op) {
	case KXEN_OP_IOREQ_SERVER_CREATE:
		return do_ioreq_create(d, owner, payload, out);
	case KXEN_OP_IOREQ_SERVER_GET_INFO:
	case KXEN_OP_IOREQ_SERVER_DESTROY:
		return do_ioreq_server(d, op, payload, out);
	case KXEN_OP_IOREQ_SERVER_MAP_RANGE:
	case KXEN_OP_IOREQ_SERVER_UNMAP_RANGE:
		return do_ioreq_range(d, op, payload);
	case KXEN_OP_IOREQ_SERVER_SET_STATE:
		return do_ioreq_state(d, payload);
	case KXEN_OP_MAP_RESOURCE:
		return do_map_resource(d, payload, out, fds);
	case KXEN_OP_EVTCHN_BIND_INTERDOMAIN:
	case KXEN_OP_EVTCHN_BIND_UNBOUND:
		*owned = true;
		return do_evtchn_bind(d, owner, op, payload, out, fds);
	case KXEN_OP_EVTCHN_CLOSE:
		return do_evtchn_close(d, owner, payload);
	case KXEN_OP_DM_SET_ISA_IRQ_LEVEL:
	case KXEN_OP_DM_SET_IRQ_LEVEL:
	case KXEN_OP_DM_SET_PCI_INTX_LEVEL:
		return do_dm_irq(d, op, payload);
	case KXEN_OP_DM_INJECT_MSI:
		return do_dm_msi(d, payload);
	case KXEN_OP_DM_REMOTE_SHUTDOWN:
		return do_dm_shutdown(d, payload);
	default:
		return -EOPNOTSUPP;
	}
}

int child_handle_request(struct domain *d, uint64_t owner, uint16_t op,
			 const void *payload, size_t len, void *out, int *fds,
			 bool *fds_owned)
{
	int rc;

	fds[0] = fds[1] = -1;
	*fds_owned = false;
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
		return do_map_foreign(d, payload, out, &fds[0]);
	case KXEN_OP_VCPU_SETCONTEXT:
		return do_setcontext(d, payload);
	case KXEN_OP_VCPU_GETCONTEXT:
		return do_getcontext(d, payload, out);
	case KXEN_OP_HVM_PARAM_SET:
	case KXEN_OP_HVM_PARAM_GET:
		return do_param(d, op, payload, out);
	case KXEN_OP_DOMAIN_IO_STATS:
		return do_io_stats(d, payload, out);
	case KXEN_OP_DOMAIN_EXIT_STATS:
		return do_exit_stats(d, payload, out);
	case KXEN_OP_DOMAIN_LOG:
		return do_domain_log(d, payload, len);
	case KXEN_OP_DOMAIN_SET_CPUID:
		return do_set_cpuid(d, payload, len);
	case KXEN_OP_DOMAIN_SEND_TRIGGER:
		return do_send_trigger(d, payload);
	case KXEN_OP_TEST_DEVICES:
		if (check_domid(
			d, ((const struct kxen_test_devices *)payload)->domid))
			return -ESRCH;
		return test_devices_setup(d, payload, len);
	case KXEN_OP_CHILD_ATTACH:
		domain_get_info(d, out);
		return sizeof(struct kxen_domain_info);
	default:
		return handle_dm(d, owner, op, payload, out, fds, fds_owned);
	}
}
