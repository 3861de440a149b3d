/*
 * libctl transport: the connection to kxend's control socket, the
 * handshake, and the single request/reply primitive every API function
 * goes through. The API files never touch the socket themselves.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kxen/msg.h"
#include "kxenctrl.h"

/*
 * Why the last open failed in this thread: there is no handle to keep it
 * in, and callers ask right after the failed call.
 */
static _Thread_local char open_error[KXC_ERR_MAX];

void kxc_set_open_error(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(open_error, sizeof(open_error), fmt, ap);
	va_end(ap);
	errno = saved;
}

void kxc_set_error(xc_interface *xch, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(xch->err, sizeof(xch->err), fmt, ap);
	va_end(ap);
	errno = saved;
}

int kxc_fail(xc_interface *xch, int err, const char *what)
{
	kxc_set_error(xch, "%s: %s", what, strerror(err));
	errno = err;
	return -1;
}

const char *kxc_last_error(xc_interface *xch)
{
	return xch ? xch->err : open_error;
}

uint32_t kxc_abi_version(xc_interface *xch)
{
	return xch->abi_version;
}

/* $KXEN_RUNDIR/NAME, else under the default; ENAMETOOLONG if too long. */
static int rundir_path(char *out, size_t len, const char *name)
{
	const char *dir = getenv("KXEN_RUNDIR");
	int n;

	if (!dir || !*dir)
		dir = KXC_DEFAULT_RUNDIR;
	n = snprintf(out, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len) {
		kxc_set_open_error("kxend socket path under '%s' is too long",
				   dir);
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int kxc_domain_socket_path(uint32_t domid, char *out, size_t len)
{
	char name[32];

	snprintf(name, sizeof(name), "domains/%u.sock", domid);
	return rundir_path(out, len, name);
}

static int connect_socket(xc_interface *xch)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int err;

	xch->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (xch->sock < 0) {
		kxc_set_open_error("cannot create a socket: %s",
				   strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, xch->path, strlen(xch->path) + 1);
	if (connect(xch->sock, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	err = errno;
	kxc_set_open_error("cannot connect to kxend at %s: %s — is kxend "
			   "running?",
			   xch->path, strerror(err));
	close(xch->sock);
	xch->sock = -1;
	errno = err;
	return -1;
}

static int handshake(xc_interface *xch)
{
	struct kxen_handshake req = {.abi_version = KXEN_ABI_VERSION};
	struct kxen_handshake rep;

	if (kxc_call(xch, KXEN_OP_HANDSHAKE, &req, sizeof(req), &rep,
		     sizeof(rep), NULL, NULL) < 0) {
		kxc_set_open_error("handshake with kxend at %s failed: %s",
				   xch->path, xch->err);
		return -1;
	}
	xch->abi_version = rep.abi_version;
	xch->server_pid = rep.server_pid;
	return 0;
}

/* Fill xch->path: path, or kxend's own socket when path is NULL. */
static int set_path(xc_interface *xch, const char *path)
{
	if (!path)
		return rundir_path(xch->path, sizeof(xch->path), KXC_SOCK_NAME);
	if (strlen(path) >= sizeof(xch->path)) {
		kxc_set_open_error("socket path '%s' is too long", path);
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(xch->path, path, strlen(path) + 1);
	return 0;
}

static xc_interface *connect_to(const char *path)
{
	xc_interface *xch = calloc(1, sizeof(*xch));
	int err;

	if (!xch) {
		kxc_set_open_error("out of memory opening a kxend handle");
		errno = ENOMEM;
		return NULL;
	}
	xch->sock = -1;
	if (set_path(xch, path) < 0 || connect_socket(xch) < 0 ||
	    handshake(xch) < 0) {
		err = errno;
		kxc_disconnect(xch);
		errno = err;
		return NULL;
	}
	open_error[0] = '\0';
	return xch;
}

xc_interface *kxc_connect(void)
{
	return connect_to(NULL);
}

xc_interface *kxc_connect_path(const char *path)
{
	return connect_to(path);
}

void kxc_disconnect(xc_interface *xch)
{
	if (!xch)
		return;
	if (xch->sock >= 0)
		close(xch->sock);
	free(xch);
}

/* The connection cannot be trusted any more (lost sync or peer gone). */
static int broken(xc_interface *xch, int err, uint16_t op, const char *why)
{
	if (xch->sock >= 0) {
		close(xch->sock);
		xch->sock = -1;
	}
	kxc_set_error(xch, "%s: %s from kxend at %s", kxen_op_name(op), why,
		      xch->path);
	errno = err;
	return -1;
}

static int send_request(xc_interface *xch, uint16_t op, const void *req,
			size_t req_len)
{
	struct kxen_msg_hdr *hdr = &xch->buf.hdr;
	int rc;

	if (req_len > KXEN_MSG_MAX - sizeof(*hdr)) {
		kxc_set_error(xch, "%s: request too large", kxen_op_name(op));
		errno = EMSGSIZE;
		return -1;
	}
	xch->seq++;
	kxen_msg_init(hdr, op, (uint32_t)(sizeof(*hdr) + req_len), xch->seq, 0);
	if (req_len)
		memcpy(hdr + 1, req, req_len);
	rc = kxen_msg_send(xch->sock, hdr, -1);
	if (rc < 0)
		return broken(xch, -rc, op, "cannot send request");
	return 0;
}

static ssize_t recv_reply(xc_interface *xch, uint16_t op, int *fds)
{
	ssize_t n = kxen_msg_recv_fds_timeout(xch->sock, xch->buf.bytes,
					      sizeof(xch->buf.bytes), fds,
					      KXC_REPLY_TIMEOUT_MS);

	if (n == -ETIMEDOUT)
		return broken(xch, ETIMEDOUT, op, "no reply within 60 s");
	if (n == 0)
		return broken(xch, EPIPE, op, "connection closed");
	if (n < 0)
		return broken(xch, (int)-n, op, strerror((int)-n));
	if (kxen_msg_check_reply(xch->buf.bytes, (size_t)n, op, xch->seq))
		return broken(xch, EBADMSG, op, "malformed reply");
	return n;
}

static void close_fds(int *fds)
{
	for (unsigned i = 0; i < KXEN_MSG_MAX_FDS; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

int kxc_call_fds(xc_interface *xch, uint16_t op, const void *req,
		 size_t req_len, void *reply, size_t reply_max,
		 size_t *reply_len, int *fds_out)
{
	int fds[KXEN_MSG_MAX_FDS] = {-1, -1};
	ssize_t n;
	size_t payload;

	if (fds_out)
		memcpy(fds_out, fds, sizeof(fds));
	if (xch->sock < 0)
		return broken(xch, EPIPE, op, "connection lost earlier");
	if (send_request(xch, op, req, req_len) < 0)
		return -1;
	n = recv_reply(xch, op, fds);
	if (n < 0)
		return -1;
	payload = (size_t)n - sizeof(struct kxen_msg_hdr);
	if (xch->buf.hdr.status < 0 || payload > reply_max) {
		close_fds(fds);
		return kxc_fail(xch,
				xch->buf.hdr.status < 0 ? -xch->buf.hdr.status
							: EBADMSG,
				kxen_op_name(op));
	}
	if (payload && reply)
		memcpy(reply, xch->buf.bytes + sizeof(struct kxen_msg_hdr),
		       payload);
	if (reply_len)
		*reply_len = payload;
	if (fds_out)
		memcpy(fds_out, fds, sizeof(fds));
	else
		close_fds(fds);
	return 0;
}

int kxc_call(xc_interface *xch, uint16_t op, const void *req, size_t req_len,
	     void *reply, size_t reply_max, size_t *reply_len, int *fd_out)
{
	int fds[KXEN_MSG_MAX_FDS];
	int rc = kxc_call_fds(xch, op, req, req_len, reply, reply_max,
			      reply_len, fds);

	if (fd_out)
		*fd_out = rc == 0 ? fds[0] : -1;
	else if (rc == 0 && fds[0] >= 0)
		close(fds[0]);
	/* A second descriptor is more than this caller expects. */
	if (rc == 0 && fds[1] >= 0)
		close(fds[1]);
	return rc;
}
