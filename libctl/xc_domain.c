/*
 * Domain lifecycle and information: xc_domain_* from Xen's xenctrl.h and
 * the kxc_ extensions that deal with names.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kxen/msg.h"
#include "kxenctrl.h"

/* Domains per GETINFOLIST request: what fits in one reply message. */
#define LIST_CHUNK                                                             \
	((KXEN_MSG_MAX - sizeof(struct kxen_msg_hdr) -                         \
	  sizeof(struct kxen_getinfolist_reply)) /                             \
	 sizeof(struct kxen_domain_info))

int kxc_domain_create_named(xc_interface *xch, const char *name,
			    uint32_t *pdomid,
			    struct xen_domctl_createdomain *config)
{
	struct kxen_domain_create req = {.flags = KXEN_CREATE_HVM};
	struct kxen_domain_create_reply rep;

	if (!name || !pdomid || !config ||
	    !kxen_name_valid(name, strnlen(name, KXEN_NAME_MAX) + 1))
		return kxc_fail(xch, EINVAL, "domain_create: bad argument");
	/* kxend always picks the id; a caller asking for one must get it. */
	if (*pdomid != 0)
		return kxc_fail(xch, EINVAL,
				"domain_create: chosen domain ids");
	memcpy(req.name, name, strlen(name) + 1);
	req.max_vcpus = config->max_vcpus;
	if (kxc_call(xch, KXEN_OP_DOMAIN_CREATE, &req, sizeof(req), &rep,
		     sizeof(rep), NULL, NULL) < 0)
		return -1;
	*pdomid = rep.domid;
	return 0;
}

/*
 * Xen's callers have no name to give; kxend requires one. "d<pid>-<n>"
 * is unique per process and connection, and readable in `kxl list`.
 */
int xc_domain_create(xc_interface *xch, uint32_t *pdomid,
		     struct xen_domctl_createdomain *config)
{
	char name[KXEN_NAME_MAX];

	snprintf(name, sizeof(name), "d%ld-%u", (long)getpid(),
		 xch->create_count++);
	return kxc_domain_create_named(xch, name, pdomid, config);
}

static int domid_op(xc_interface *xch, uint16_t op, uint32_t domid)
{
	struct kxen_domid_req req = {.domid = domid};

	return kxc_call(xch, op, &req, sizeof(req), NULL, 0, NULL, NULL);
}

int xc_domain_pause(xc_interface *xch, uint32_t domid)
{
	return domid_op(xch, KXEN_OP_DOMAIN_PAUSE, domid);
}

int xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
	return domid_op(xch, KXEN_OP_DOMAIN_UNPAUSE, domid);
}

int xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
	return domid_op(xch, KXEN_OP_DOMAIN_DESTROY, domid);
}

static int send_trigger(xc_interface *xch, uint32_t domid, uint32_t trigger,
			uint32_t vcpu, uint32_t flags)
{
	struct kxen_send_trigger req = {
	    .domid = domid, .trigger = trigger, .vcpu = vcpu, .flags = flags};

	return kxc_call(xch, KXEN_OP_DOMAIN_SEND_TRIGGER, &req, sizeof(req),
			NULL, 0, NULL, NULL);
}

int xc_domain_send_trigger(xc_interface *xch, uint32_t domid, uint32_t trigger,
			   uint32_t vcpu)
{
	return send_trigger(xch, domid, trigger, vcpu, 0);
}

int kxc_domain_power_button(xc_interface *xch, uint32_t domid, int reboot)
{
	return send_trigger(xch, domid, KXEN_TRIGGER_POWER, 0,
			    reboot ? KXEN_TRIGGER_F_REBOOT : 0);
}

int xc_domain_max_vcpus(xc_interface *xch, uint32_t domid, unsigned int max)
{
	struct kxen_max_vcpus req = {.domid = domid, .max_vcpus = max};

	return kxc_call(xch, KXEN_OP_DOMAIN_MAX_VCPUS, &req, sizeof(req), NULL,
			0, NULL, NULL);
}

/*
 * One GETINFOLIST round trip for at most `max` (<= LIST_CHUNK) domains.
 * Returns the count, or -1 + errno; a reply whose count disagrees with
 * its size or that goes backwards in ids is EBADMSG.
 */
static int list_chunk(xc_interface *xch, uint32_t first, unsigned int max,
		      struct kxen_domain_info *info)
{
	struct kxen_getinfolist req = {.first_domid = first,
				       .max_domains = max};
	const struct kxen_getinfolist_reply *rep;
	size_t len, i;

	if (kxc_call(xch, KXEN_OP_DOMAIN_GETINFOLIST, &req, sizeof(req), NULL,
		     KXEN_MSG_MAX, &len, NULL) < 0)
		return -1;
	rep = kxc_reply_payload(xch);
	if (rep->count > max ||
	    len != sizeof(*rep) + rep->count * sizeof(rep->info[0]))
		return kxc_fail(xch, EBADMSG, "domain_getinfolist");
	for (i = 0; i < rep->count; i++) {
		if (rep->info[i].domid < first ||
		    (i && rep->info[i].domid <= rep->info[i - 1].domid))
			return kxc_fail(xch, EBADMSG, "domain_getinfolist");
	}
	memcpy(info, rep->info, rep->count * sizeof(rep->info[0]));
	return (int)rep->count;
}

int kxc_domain_list(xc_interface *xch, uint32_t first_domid, unsigned int max,
		    struct kxen_domain_info *info)
{
	unsigned int got = 0;

	if (max > (unsigned int)KXEN_MAX_DOMID + 1)
		max = KXEN_MAX_DOMID + 1;
	while (got < max && first_domid <= KXEN_MAX_DOMID) {
		unsigned int want = max - got;
		int n;

		if (want > LIST_CHUNK)
			want = LIST_CHUNK;
		n = list_chunk(xch, first_domid, want, info + got);
		if (n < 0)
			return -1;
		got += (unsigned int)n;
		if ((unsigned int)n < want)
			break;
		first_domid = info[got - 1].domid + 1;
	}
	return (int)got;
}

/* Xen's flags word for a kxen state; a crash is a shutdown for "crash". */
static uint32_t dominf_flags(uint32_t state, uint32_t reason)
{
	uint32_t f = XEN_DOMINF_hvm_guest;

	switch (state) {
	case KXEN_STATE_RUNNING:
		return f | XEN_DOMINF_running;
	case KXEN_STATE_BLOCKED:
		return f | XEN_DOMINF_blocked;
	case KXEN_STATE_PAUSED:
		return f | XEN_DOMINF_paused;
	case KXEN_STATE_SHUTDOWN:
		return f | XEN_DOMINF_shutdown |
		       ((reason & XEN_DOMINF_shutdownmask)
			<< XEN_DOMINF_shutdownshift);
	case KXEN_STATE_CRASHED:
		return f | XEN_DOMINF_shutdown |
		       (SHUTDOWN_crash << XEN_DOMINF_shutdownshift);
	case KXEN_STATE_DYING:
		return f | XEN_DOMINF_dying;
	default:
		return f;
	}
}

static void to_xen_info(const struct kxen_domain_info *in, xc_domaininfo_t *out)
{
	memset(out, 0, sizeof(*out));
	out->domain = (domid_t)in->domid;
	out->flags = dominf_flags(in->state, in->shutdown_reason);
	out->tot_pages = in->tot_pages;
	out->max_pages = in->max_pages;
	out->cpu_time = in->cpu_time_ns;
	out->nr_online_vcpus = in->online_vcpus;
	out->max_vcpu_id =
	    in->max_vcpus ? in->max_vcpus - 1 : XEN_INVALID_MAX_VCPU_ID;
	out->gpaddr_bits = 40; /* KXEN_MAX_GUEST_PHYS */
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
			  unsigned int max_domains, xc_domaininfo_t *info)
{
	struct kxen_domain_info *tmp;
	int n, i;

	if (max_domains > (unsigned int)KXEN_MAX_DOMID + 1)
		max_domains = KXEN_MAX_DOMID + 1;
	if (max_domains == 0)
		return 0;
	tmp = calloc(max_domains, sizeof(*tmp));
	if (!tmp)
		return kxc_fail(xch, ENOMEM, "domain_getinfolist");
	n = kxc_domain_list(xch, first_domain, max_domains, tmp);
	for (i = 0; i < n; i++)
		to_xen_info(&tmp[i], &info[i]);
	free(tmp);
	return n;
}

/* A whole decimal number within the domid range, or -1. */
static long parse_domid(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > (long)KXEN_MAX_DOMID)
			return -1;
	}
	return v;
}

static int lookup_id(xc_interface *xch, uint32_t id, uint32_t *domid)
{
	struct kxen_domain_info info;
	int n = kxc_domain_list(xch, id, 1, &info);

	if (n < 0)
		return -1;
	if (n == 1 && info.domid == id) {
		*domid = id;
		return 0;
	}
	return 1;
}

static int lookup_name(xc_interface *xch, const char *name, uint32_t *domid)
{
	struct kxen_domain_info *info = calloc(LIST_CHUNK, sizeof(*info));
	uint32_t first = 0;
	int n, i, rc = 1;

	if (!info)
		return kxc_fail(xch, ENOMEM, "domain lookup");
	do {
		n = kxc_domain_list(xch, first, LIST_CHUNK, info);
		for (i = 0; i < n && rc == 1; i++) {
			if (strncmp(info[i].name, name, KXEN_NAME_MAX) == 0) {
				*domid = info[i].domid;
				rc = 0;
			}
		}
		if (n > 0)
			first = info[n - 1].domid + 1;
	} while (rc == 1 && n == (int)LIST_CHUNK);
	free(info);
	return n < 0 ? -1 : rc;
}

int kxc_domain_lookup(xc_interface *xch, const char *name_or_id,
		      uint32_t *domid)
{
	long id = parse_domid(name_or_id);
	int rc = 1;

	if (id >= 0)
		rc = lookup_id(xch, (uint32_t)id, domid);
	if (rc == 1)
		rc = lookup_name(xch, name_or_id, domid);
	if (rc == 1) {
		kxc_set_error(xch, "no domain named '%s'", name_or_id);
		errno = ESRCH;
		return -1;
	}
	return rc;
}
