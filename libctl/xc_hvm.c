/*
 * HVM parameters (xc_hvm_param_set/get, Xen 4.17 signatures) and kxen's
 * per-device I/O statistics (kxc_domain_io_stats). kxend validates the
 * index and value (only HVM_PARAM_TIMER_MODE, 0-3, for now); this side
 * only frames the request and checks the reply's shape.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <string.h>

#include "kxenctrl.h"

int xc_hvm_param_set(xc_interface *handle, uint32_t dom, uint32_t param,
		     uint64_t value)
{
	struct kxen_hvm_param req = {
	    .domid = dom, .index = param, .value = value};

	return kxc_call(handle, KXEN_OP_HVM_PARAM_SET, &req, sizeof(req), NULL,
			0, NULL, NULL);
}

int xc_hvm_param_get(xc_interface *handle, uint32_t dom, uint32_t param,
		     uint64_t *value)
{
	struct kxen_hvm_param req = {.domid = dom, .index = param};
	struct kxen_hvm_param rep;
	size_t len;

	if (!value)
		return kxc_fail(handle, EINVAL, "hvm_param_get: bad argument");
	if (kxc_call(handle, KXEN_OP_HVM_PARAM_GET, &req, sizeof(req), &rep,
		     sizeof(rep), &len, NULL) < 0)
		return -1;
	/* A reply about another parameter would be a kxend bug; say so. */
	if (len != sizeof(rep) || rep.domid != dom || rep.index != param)
		return kxc_fail(handle, EBADMSG, "hvm_param_get");
	*value = rep.value;
	return 0;
}

int kxc_domain_exit_stats(xc_interface *xch, uint32_t domid,
			  struct kxen_exit_stats_reply *out, size_t out_size)
{
	struct kxen_domid_req req = {.domid = domid};
	const struct kxen_exit_stats_reply *rep;
	size_t len;

	if (!out || out_size < sizeof(*out))
		return kxc_fail(xch, EINVAL, "domain_exit_stats: bad argument");
	if (kxc_call(xch, KXEN_OP_DOMAIN_EXIT_STATS, &req, sizeof(req), NULL,
		     KXEN_MSG_MAX, &len, NULL) < 0)
		return -1;
	rep = kxc_reply_payload(xch);
	if (len < sizeof(*rep) || rep->count > KXEN_EXIT_STATS_MAX_RANGES ||
	    rep->nr_vcpus > KXEN_MAX_VCPUS ||
	    len != sizeof(*rep) + rep->count * sizeof(rep->range[0]))
		return kxc_fail(xch, EBADMSG, "domain_exit_stats");
	if (len > out_size)
		return kxc_fail(xch, ENOBUFS, "domain_exit_stats");
	memcpy(out, rep, len);
	return 0;
}

int kxc_domain_io_stats(xc_interface *xch, uint32_t domid,
			struct kxen_io_stats_reply *out, size_t out_size)
{
	struct kxen_domid_req req = {.domid = domid};
	const struct kxen_io_stats_reply *rep;
	size_t len;

	if (!out || out_size < sizeof(*out))
		return kxc_fail(xch, EINVAL, "domain_io_stats: bad argument");
	if (kxc_call(xch, KXEN_OP_DOMAIN_IO_STATS, &req, sizeof(req), NULL,
		     KXEN_MSG_MAX, &len, NULL) < 0)
		return -1;
	rep = kxc_reply_payload(xch);
	if (len < sizeof(*rep) || rep->count > KXEN_IO_STATS_MAX ||
	    len != sizeof(*rep) + rep->count * sizeof(rep->stat[0]))
		return kxc_fail(xch, EBADMSG, "domain_io_stats");
	if (len > out_size)
		return kxc_fail(xch, ENOBUFS, "domain_io_stats");
	memcpy(out, rep, len);
	return 0;
}
