/*
 * libctl internals shared by the transport and the API files. Nothing
 * here is installed: handles stay opaque to callers.
 */
#ifndef KXEN_LIBCTL_PRIV_H
#define KXEN_LIBCTL_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kxen/abi.h"
#include "xenctrl.h"

#define KXC_DEFAULT_RUNDIR "/run/kxen"
#define KXC_SOCK_NAME "kxend.sock"
#define KXC_REPLY_TIMEOUT_MS 60000
#define KXC_ERR_MAX 256

struct xc_interface_core {
	int sock; /* -1 once the connection is unusable */
	uint32_t seq;
	uint32_t abi_version;
	uint32_t server_pid;
	unsigned int create_count; /* for xc_domain_create's names */
	char path[108];		   /* sun_path of the socket */
	char err[KXC_ERR_MAX];	   /* kxc_last_error */
	union {
		struct kxen_msg_hdr hdr; /* alignment for the header */
		unsigned char bytes[KXEN_MSG_MAX];
	} buf; /* one message in flight at a time */
};

/* Open a connection and handshake; NULL + errno, reason in open error. */
xc_interface *kxc_connect(void);
/* The same on another socket (a domain child's). */
xc_interface *kxc_connect_path(const char *path);
void kxc_disconnect(xc_interface *xch);

/* $KXEN_RUNDIR/domains/DOMID.sock: the domain child's own socket. */
int kxc_domain_socket_path(uint32_t domid, char *out, size_t len);

/*
 * One request -> one reply. The reply's payload (at most reply_max bytes;
 * more is EBADMSG) is copied to reply and its length stored in
 * *reply_len when not NULL. A passed descriptor goes to *fd_out (-1 if
 * none; when fd_out is NULL any is closed). Returns 0, or -1 + errno
 * with the error text set: kxend's own -errno, ETIMEDOUT after 60 s,
 * EBADMSG for a malformed reply, EPIPE when the connection is gone.
 */
int kxc_call(xc_interface *xch, uint16_t op, const void *req, size_t req_len,
	     void *reply, size_t reply_max, size_t *reply_len, int *fd_out);

/*
 * kxc_call, receiving up to KXEN_MSG_MAX_FDS descriptors into fds_out
 * (-1 for missing ones; all closed when fds_out is NULL or on failure).
 */
int kxc_call_fds(xc_interface *xch, uint16_t op, const void *req,
		 size_t req_len, void *reply, size_t reply_max,
		 size_t *reply_len, int *fds_out);

/*
 * Connections to domain children (libctl/domconn.c), one per domain,
 * opened on first use. xendevicemodel and xenevtchn talk to the child
 * directly: what they create belongs to the connection and goes away
 * when it closes, which is how kxend notices a dead device model. A
 * restriction covers every connection, present and future.
 */
struct kxc_domconn {
	uint32_t domid;
	xc_interface *xch;
};
struct kxc_domconns {
	pthread_mutex_t lock; /* one request in flight per set */
	struct kxc_domconn *conn;
	unsigned int nr, cap;
	bool restricted;
	uint32_t restrict_domid;
	char err[KXC_ERR_MAX]; /* why the last call failed */
};

void kxc_domconns_init(struct kxc_domconns *s);
/* Close every connection (what they own dies with them). */
void kxc_domconns_fini(struct kxc_domconns *s);
/*
 * kxc_call_fds on domid's connection. Besides kxend's errors: EPERM when
 * the set is restricted to another domain, ESRCH when the domain has no
 * child socket (no such domain).
 */
int kxc_domconns_call(struct kxc_domconns *s, uint32_t domid, uint16_t op,
		      const void *req, size_t req_len, void *reply,
		      size_t reply_max, int *fds_out);
/* Restrict every connection to domid (EPERM if restricted elsewhere). */
int kxc_domconns_restrict(struct kxc_domconns *s, uint32_t domid);

/* The last reply's payload, in xch->buf. */
static inline const void *kxc_reply_payload(const xc_interface *xch)
{
	return xch->buf.bytes + sizeof(struct kxen_msg_hdr);
}

/* Set the handle's error text (printf-style); keeps errno unchanged. */
void kxc_set_error(xc_interface *xch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Remember why an open failed, for kxc_last_error(NULL). */
void kxc_set_open_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Fail with errno = err and a text naming what; returns -1. */
int kxc_fail(xc_interface *xch, int err, const char *what);

#endif /* KXEN_LIBCTL_PRIV_H */
