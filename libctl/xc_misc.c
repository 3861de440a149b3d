/*
 * Handles and host-wide calls: xc_interface_open/close,
 * xc_readconsolering, xc_physinfo and kxc_physinfo.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <string.h>

#include "kxenctrl.h"

xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	/* Xen's XC_OPENFLAG_* only tune its own logging and hypercall
	 * buffers; none changes what kxen does. */
	(void)open_flags;
	return kxc_connect();
}

int xc_interface_close(xc_interface *xch)
{
	kxc_disconnect(xch);
	return 0;
}

int kxc_physinfo(xc_interface *xch, struct kxen_physinfo_reply *out)
{
	return kxc_call(xch, KXEN_OP_PHYSINFO, NULL, 0, out, sizeof(*out), NULL,
			NULL);
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	struct kxen_physinfo_reply r;

	if (kxc_physinfo(xch, &r) < 0)
		return -1;
	memset(info, 0, sizeof(*info));
	info->threads_per_core = r.threads_per_core;
	info->cores_per_socket = r.cores_per_socket;
	info->nr_cpus = r.nr_cpus;
	info->max_cpu_id = r.nr_cpus ? r.nr_cpus - 1 : 0;
	info->nr_nodes = r.nr_nodes;
	info->max_node_id = r.nr_nodes ? r.nr_nodes - 1 : 0;
	info->cpu_khz = r.cpu_khz;
	/* /dev/kvm guests are HVM with hardware-assisted paging. */
	info->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap;
	info->total_pages = r.total_pages;
	info->free_pages = r.free_pages;
	info->max_mfn = r.total_pages ? r.total_pages - 1 : 0;
	return 0;
}

/* Reads are capped by what one reply message can carry. */
#define CONRING_CHUNK                                                          \
	(KXEN_MSG_MAX - sizeof(struct kxen_msg_hdr) -                          \
	 sizeof(struct kxen_readconsolering_reply))

int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars,
		       int clear, int incremental, uint32_t *pindex)
{
	struct kxen_readconsolering req = {0};
	const struct kxen_readconsolering_reply *rep;
	size_t len;

	if (!buffer || !pnr_chars || (incremental && !pindex))
		return kxc_fail(xch, EINVAL, "readconsolering: bad argument");
	req.flags = (clear ? KXEN_CONRING_CLEAR : 0) |
		    (incremental ? KXEN_CONRING_INCREMENTAL : 0);
	req.index = incremental ? *pindex : 0;
	req.max_bytes = *pnr_chars < CONRING_CHUNK ? *pnr_chars : CONRING_CHUNK;
	if (kxc_call(xch, KXEN_OP_READCONSOLERING, &req, sizeof(req), NULL,
		     KXEN_MSG_MAX, &len, NULL) < 0)
		return -1;
	rep = kxc_reply_payload(xch);
	if (rep->nr_bytes > req.max_bytes ||
	    len != sizeof(*rep) + rep->nr_bytes)
		return kxc_fail(xch, EBADMSG, "readconsolering");
	memcpy(buffer, rep->data, rep->nr_bytes);
	*pnr_chars = rep->nr_bytes;
	if (pindex)
		*pindex = rep->next_index;
	return 0;
}

int kxc_domain_log(xc_interface *xch, uint32_t domid, const char *text)
{
	union {
		struct kxen_domain_log hdr;
		uint8_t
		    bytes[sizeof(struct kxen_domain_log) + KXEN_DOMAIN_LOG_MAX];
	} req;
	size_t len = text ? strlen(text) : 0;

	if (len > KXEN_DOMAIN_LOG_MAX) {
		errno = E2BIG;
		return -1;
	}
	req.hdr.domid = domid;
	req.hdr.len = len;
	memcpy(req.hdr.text, text, len);
	return kxc_call(xch, KXEN_OP_DOMAIN_LOG, &req, sizeof(req.hdr) + len,
			NULL, 0, NULL, NULL);
}

int kxc_test_devices(xc_interface *xch, const struct kxen_test_devices *req,
		     const char *cmdline)
{
	union {
		struct kxen_test_devices hdr;
		uint8_t bytes[sizeof(struct kxen_test_devices) +
			      KXEN_TESTDEV_CMDLINE_MAX];
	} msg;
	size_t len = cmdline ? strlen(cmdline) : 0;

	if (len > KXEN_TESTDEV_CMDLINE_MAX) {
		errno = E2BIG;
		return -1;
	}
	msg.hdr = *req;
	msg.hdr.cmdline_len = (uint32_t)len;
	memcpy(msg.hdr.cmdline, cmdline ? cmdline : "", len);
	return kxc_call(xch, KXEN_OP_TEST_DEVICES, &msg, sizeof(msg.hdr) + len,
			NULL, 0, NULL, NULL);
}
