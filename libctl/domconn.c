/*
 * Per-domain connections for xendevicemodel and xenevtchn (see
 * libctl_priv.h). The hot paths of a device model never pass through
 * kxend's parent: each handle keeps one connection to each domain
 * child it uses, opened lazily so that a handle costs nothing for
 * domains it never touches.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kxen/msg.h"
#include "kxenctrl.h"

void kxc_domconns_init(struct kxc_domconns *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

void kxc_domconns_fini(struct kxc_domconns *s)
{
	for (unsigned int i = 0; i < s->nr; i++)
		kxc_disconnect(s->conn[i].xch);
	free(s->conn);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

/* Fail with err, keeping text as the reason; returns -1. */
static int fail(struct kxc_domconns *s, int err, const char *text)
{
	snprintf(s->err, sizeof(s->err), "%s", text);
	errno = err;
	return -1;
}

static int restrict_conn(xc_interface *xch, uint32_t domid)
{
	struct kxen_domid_req req = {.domid = domid};

	return kxc_call(xch, KXEN_OP_RESTRICT, &req, sizeof(req), NULL, 0, NULL,
			NULL);
}

static int grow(struct kxc_domconns *s)
{
	unsigned int cap = s->cap ? s->cap * 2 : 4;
	struct kxc_domconn *v = realloc(s->conn, cap * sizeof(*v));

	if (!v)
		return -1;
	s->conn = v;
	s->cap = cap;
	return 0;
}

/*
 * Connect to domid's child. A missing or dead socket means the domain
 * does not exist (any more): ESRCH, as Xen says for a bad domid.
 */
static xc_interface *open_conn(struct kxc_domconns *s, uint32_t domid)
{
	char path[108];
	xc_interface *xch;

	if (kxc_domain_socket_path(domid, path, sizeof(path)) < 0)
		return NULL;
	xch = kxc_connect_path(path);
	if (!xch) {
		int err = errno;

		snprintf(s->err, sizeof(s->err), "%s", kxc_last_error(NULL));
		errno = (err == ENOENT || err == ECONNREFUSED) ? ESRCH : err;
		return NULL;
	}
	if (s->restricted && restrict_conn(xch, s->restrict_domid) < 0) {
		int err = errno;

		kxc_disconnect(xch);
		errno = err;
		return NULL;
	}
	return xch;
}

/* Caller holds the lock. */
static xc_interface *get_conn(struct kxc_domconns *s, uint32_t domid)
{
	xc_interface *xch;

	for (unsigned int i = 0; i < s->nr; i++)
		if (s->conn[i].domid == domid)
			return s->conn[i].xch;
	if (s->nr == s->cap && grow(s) < 0)
		return NULL;
	xch = open_conn(s, domid);
	if (xch)
		s->conn[s->nr++] = (struct kxc_domconn){domid, xch};
	return xch;
}

int kxc_domconns_call(struct kxc_domconns *s, uint32_t domid, uint16_t op,
		      const void *req, size_t req_len, void *reply,
		      size_t reply_max, int *fds_out)
{
	xc_interface *xch;
	int rc = -1, err;

	pthread_mutex_lock(&s->lock);
	if (s->restricted && domid != s->restrict_domid) {
		snprintf(s->err, sizeof(s->err),
			 "%s on domain %u: handle is restricted to domain %u",
			 kxen_op_name(op), domid, s->restrict_domid);
		errno = EPERM;
	} else if ((xch = get_conn(s, domid)) != NULL) {
		rc = kxc_call_fds(xch, op, req, req_len, reply, reply_max, NULL,
				  fds_out);
		if (rc < 0)
			snprintf(s->err, sizeof(s->err), "%s", xch->err);
	}
	err = errno;
	pthread_mutex_unlock(&s->lock);
	errno = err;
	return rc;
}

int kxc_domconns_restrict(struct kxc_domconns *s, uint32_t domid)
{
	int rc = 0, err = 0;

	pthread_mutex_lock(&s->lock);
	if (s->restricted) {
		if (domid != s->restrict_domid)
			rc = fail(s, EPERM, "already restricted elsewhere");
		err = errno;
		pthread_mutex_unlock(&s->lock);
		errno = err;
		return rc;
	}
	/* Fail closed: even if one connection refuses, the handle is
	 * restricted from now on. */
	s->restricted = true;
	s->restrict_domid = domid;
	for (unsigned int i = 0; i < s->nr; i++)
		if (restrict_conn(s->conn[i].xch, domid) < 0 && rc == 0) {
			err = errno;
			rc = fail(s, err, s->conn[i].xch->err);
		}
	pthread_mutex_unlock(&s->lock);
	errno = err;
	return rc;
}
