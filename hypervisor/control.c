/*
 * kxend's public control socket: accept clients (SO_PEERCRED: root or
 * kxend's own user), require the version handshake, validate every
 * request, answer host-wide ops here and forward domain ops to the
 * domain's child. Every bad request gets an error reply and a log line.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kxen/msg.h"
#include "kxend.h"
#include "log.h"

#define MAX_CLIENTS 256
#define LISTEN_BACKLOG 32

static int socket_path(struct kxend *k, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/kxend.sock", k->rundir);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int control_open(struct kxend *k)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	sigset_t mask;
	int rc = socket_path(k, addr.sun_path, sizeof(addr.sun_path));

	if (rc)
		return rc;
	k->listen_fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (k->listen_fd < 0)
		return -errno;
	/* A socket that still answers belongs to a running kxend. */
	if (connect(k->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return -EADDRINUSE;
	close(k->listen_fd);
	k->listen_fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (k->listen_fd < 0)
		return -errno;
	unlink(addr.sun_path);
	if (bind(k->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(addr.sun_path, 0600) < 0 ||
	    listen(k->listen_fd, LISTEN_BACKLOG) < 0)
		return -errno;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	k->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return k->signal_fd < 0 ? -errno : 0;
}

void control_close(struct kxend *k)
{
	char path[108];
	unsigned i;

	for (i = 0; i < k->nr_clients; i++)
		close(k->clients[i].fd);
	k->nr_clients = 0;
	if (k->listen_fd >= 0) {
		close(k->listen_fd);
		if (socket_path(k, path, sizeof(path)) == 0)
			unlink(path);
	}
	if (k->signal_fd >= 0)
		close(k->signal_fd);
	k->listen_fd = k->signal_fd = -1;
}

static void accept_client(struct kxend *k)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(k->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warn(LOG_NO_DOMID,
			 "refused a connection from uid %u pid %d",
			 (unsigned)cred.uid, (int)cred.pid);
		close(fd);
		return;
	}
	if (k->nr_clients == MAX_CLIENTS) {
		log_warn(LOG_NO_DOMID, "too many clients; refused pid %d",
			 (int)cred.pid);
		close(fd);
		return;
	}
	if (k->nr_clients == k->cap_clients) {
		unsigned cap = k->cap_clients ? k->cap_clients * 2 : 16;
		struct client *n = realloc(k->clients, cap * sizeof(*n));

		if (!n) {
			close(fd);
			return;
		}
		k->clients = n;
		k->cap_clients = cap;
	}
	k->clients[k->nr_clients++] =
	    (struct client){.fd = fd, .uid = cred.uid};
}

static void drop_client(struct kxend *k, unsigned i)
{
	close(k->clients[i].fd);
	k->clients[i] = k->clients[--k->nr_clients];
}

/* Send our reply (payload already in k->out after the header), passing
 * the descriptors in fds (KXEN_MSG_MAX_FDS entries, -1 unused) or none. */
static void reply(struct kxend *k, int fd, uint16_t op, uint32_t seq,
		  int status, size_t payload, const int *fds)
{
	struct kxen_msg_hdr *h = (struct kxen_msg_hdr *)k->out;
	unsigned n = 0;

	if (status < 0)
		payload = 0;
	kxen_msg_init(h, op, sizeof(*h) + payload, seq, KXEN_MSG_REPLY);
	h->status = status < 0 ? status : 0;
	while (status >= 0 && fds && n < KXEN_MSG_MAX_FDS && fds[n] >= 0)
		n++;
	if (kxen_msg_send_fds(fd, h, fds, n) < 0)
		log_debug(LOG_NO_DOMID, "could not send a reply to a client");
}

static int op_getinfolist(struct kxend *k, const void *payload)
{
	const struct kxen_getinfolist *r = payload;
	struct kxen_getinfolist_reply *rep =
	    (void *)(k->out + sizeof(struct kxen_msg_hdr));
	unsigned i, max = r->max_domains;
	const unsigned cap =
	    (KXEN_MSG_MAX - sizeof(struct kxen_msg_hdr) - sizeof(*rep)) /
	    sizeof(rep->info[0]);

	if (max > cap)
		max = cap;
	rep->count = 0;
	rep->pad = 0;
	for (i = 0; i < k->nr_doms && rep->count < max; i++) {
		struct dom_record *d = &k->doms[i];
		struct kxen_domain_info *info = &rep->info[rep->count];

		if (d->domid < r->first_domid)
			continue;
		if (d->fd >= 0) {
			struct {
				struct kxen_msg_hdr hdr;
				struct kxen_getinfolist body;
			} q;
			const struct kxen_msg_hdr *h = (const void *)k->tmp;
			int fds[KXEN_MSG_MAX_FDS];
			ssize_t n;

			kxen_msg_init(&q.hdr, KXEN_OP_DOMAIN_GETINFOLIST,
				      sizeof(q), 0, 0);
			q.body = (struct kxen_getinfolist){d->domid, 1};
			n = doms_call(k, d, &q, sizeof(q), fds);
			kxen_msg_close_fds(fds);
			if (n == sizeof(*h) + sizeof(*rep) + sizeof(*info) &&
			    h->status == 0) {
				memcpy(info, k->tmp + sizeof(*h) + sizeof(*rep),
				       sizeof(*info));
				if (info->domid == d->domid) {
					rep->count++;
					continue;
				}
			}
		}
		/* The child is gone: show what we know, as crashed. */
		memset(info, 0, sizeof(*info));
		info->domid = d->domid;
		info->state = KXEN_STATE_CRASHED;
		memcpy(info->name, d->name, sizeof(info->name));
		snprintf(info->crash_reason, sizeof(info->crash_reason), "%s",
			 d->gone_reason[0] ? d->gone_reason
					   : "its kxend process is gone");
		rep->count++;
	}
	return sizeof(*rep) + rep->count * sizeof(rep->info[0]);
}

static int op_create(struct kxend *k, const void *payload)
{
	const struct kxen_domain_create *r = payload;
	struct kxen_domain_create_reply *rep =
	    (void *)(k->out + sizeof(struct kxen_msg_hdr));
	uint32_t domid;
	int rc = doms_create(k, r, &domid);

	if (rc)
		return rc;
	rep->domid = domid;
	rep->pad = 0;
	return sizeof(*rep);
}

static int op_readconsolering(struct kxend *k, const void *payload)
{
	const struct kxen_readconsolering *r = payload;
	struct kxen_readconsolering_reply *rep =
	    (void *)(k->out + sizeof(struct kxen_msg_hdr));
	uint32_t max =
	    KXEN_MSG_MAX - sizeof(struct kxen_msg_hdr) - sizeof(*rep);

	if (r->flags & ~(KXEN_CONRING_CLEAR | KXEN_CONRING_INCREMENTAL) ||
	    r->pad)
		return -EINVAL;
	if (r->max_bytes < max)
		max = r->max_bytes;
	rep->nr_bytes = kxlog_ring_read(rep->data, max, r->flags, r->index,
					&rep->next_index);
	return sizeof(*rep) + rep->nr_bytes;
}

/* Forward a domain op to its child and relay the reply. */
static void op_forward(struct kxend *k, int cfd, const struct kxen_msg_hdr *req,
		       size_t len)
{
	uint32_t domid;
	struct dom_record *r;
	const struct kxen_msg_hdr *h = (const void *)k->tmp;
	int fds[KXEN_MSG_MAX_FDS];
	ssize_t n;

	/* Every domain op's payload starts with the uint32_t domid. */
	memcpy(&domid, req + 1, sizeof(domid));
	r = doms_find(k, domid);
	if (!r) {
		reply(k, cfd, req->op, req->seq, -ESRCH, 0, NULL);
		return;
	}
	if (req->op == KXEN_OP_DOMAIN_DESTROY) {
		reply(k, cfd, req->op, req->seq, doms_destroy(k, r), 0, NULL);
		return;
	}
	n = doms_call(k, r, req, len, fds);
	if (n < 0) {
		reply(k, cfd, req->op, req->seq, n, 0, NULL);
		return;
	}
	memcpy(k->out, k->tmp, n);
	reply(k, cfd, req->op, req->seq, h->status, n - sizeof(*h), fds);
	kxen_msg_close_fds(fds);
}

static int op_local(struct kxend *k, const struct kxen_msg_hdr *req,
		    struct client *c)
{
	void *out = k->out + sizeof(struct kxen_msg_hdr);

	switch (req->op) {
	case KXEN_OP_HANDSHAKE: {
		const struct kxen_handshake *hs = (const void *)(req + 1);
		struct kxen_handshake *rep = out;

		if (hs->abi_version != KXEN_ABI_VERSION)
			return -EPROTO;
		c->handshaken = true;
		rep->abi_version = KXEN_ABI_VERSION;
		rep->server_pid = getpid();
		return sizeof(*rep);
	}
	case KXEN_OP_PHYSINFO:
		host_physinfo(out, k->nr_doms);
		return sizeof(struct kxen_physinfo_reply);
	case KXEN_OP_HOST_CPUID_POLICY:
		return host_cpuid_policy(out, KXEN_MSG_MAX -
						  sizeof(struct kxen_msg_hdr));
	case KXEN_OP_READCONSOLERING:
		return op_readconsolering(k, req + 1);
	case KXEN_OP_DOMAIN_CREATE:
		return op_create(k, req + 1);
	case KXEN_OP_DOMAIN_GETINFOLIST:
		return op_getinfolist(k, req + 1);
	default:
		return -EOPNOTSUPP;
	}
}

/*
 * xendevicemodel_restrict / xenforeignmemory_restrict: a restricted
 * connection may act on its one domain only. Returns 1 when the request
 * was the restriction itself, 0 to go on, -EPERM (logged) to refuse.
 */
static int check_restriction(struct client *c, const struct kxen_msg_hdr *req,
			     size_t len)
{
	const struct kxen_domid_req *r = (const void *)(req + 1);
	uint32_t domid;

	if (req->op == KXEN_OP_RESTRICT) {
		if (r->pad || (c->restricted && r->domid != c->restrict_domid))
			return -EPERM;
		c->restricted = true;
		c->restrict_domid = r->domid;
		return 1;
	}
	if (!c->restricted || req->op == KXEN_OP_HANDSHAKE)
		return 0;
	/* Host-wide ops carry no domain: a restricted handle has none. */
	if (req->op == KXEN_OP_PHYSINFO || req->op == KXEN_OP_READCONSOLERING ||
	    req->op == KXEN_OP_HOST_CPUID_POLICY ||
	    req->op == KXEN_OP_DOMAIN_CREATE ||
	    req->op == KXEN_OP_DOMAIN_GETINFOLIST ||
	    len < sizeof(*req) + sizeof(domid)) {
		log_warn(LOG_NO_DOMID,
			 "restricted connection (domain %u) "
			 "tried host-wide %s: refused",
			 c->restrict_domid, kxen_op_name(req->op));
		return -EPERM;
	}
	memcpy(&domid, req + 1, sizeof(domid));
	if (domid != c->restrict_domid) {
		log_warn(LOG_NO_DOMID,
			 "connection restricted to domain %u "
			 "tried %s on domain %u: refused",
			 c->restrict_domid, kxen_op_name(req->op), domid);
		return -EPERM;
	}
	return 0;
}

/* Serve one message; returns false when the client must be dropped. */
static bool serve(struct kxend *k, struct client *c, ssize_t len)
{
	const struct kxen_msg_hdr *req = (const void *)k->in;
	uint16_t op = len >= (ssize_t)sizeof(*req) ? req->op : 0;
	uint32_t seq = len >= (ssize_t)sizeof(*req) ? req->seq : 0;
	int rc = len < 0 ? (int)len : kxen_msg_check_request(k->in, len);

	if (rc) {
		log_warn(LOG_NO_DOMID,
			 "bad request from a client (op %u, %zd "
			 "bytes): %s",
			 op, len, strerror(-rc));
		reply(k, c->fd, op, seq, rc, 0, NULL);
		return true;
	}
	if (!c->handshaken && op != KXEN_OP_HANDSHAKE) {
		log_warn(LOG_NO_DOMID, "%s before the handshake; closing",
			 kxen_op_name(op));
		reply(k, c->fd, op, seq, -EPERM, 0, NULL);
		return false;
	}
	if (kxen_op_child_only(op)) {
		log_warn(LOG_NO_DOMID, "client sent internal op %s",
			 kxen_op_name(op));
		reply(k, c->fd, op, seq, -EPERM, 0, NULL);
		return true;
	}
	rc = check_restriction(c, req, len);
	if (rc) {
		reply(k, c->fd, op, seq, rc > 0 ? 0 : rc, 0, NULL);
		return true;
	}
	if (op == KXEN_OP_HANDSHAKE || op == KXEN_OP_PHYSINFO ||
	    op == KXEN_OP_HOST_CPUID_POLICY || op == KXEN_OP_READCONSOLERING ||
	    op == KXEN_OP_DOMAIN_CREATE || op == KXEN_OP_DOMAIN_GETINFOLIST) {
		rc = op_local(k, req, c);
		if (rc < 0 && op != KXEN_OP_DOMAIN_GETINFOLIST)
			log_info(LOG_NO_DOMID, "%s failed: %s",
				 kxen_op_name(op), strerror(-rc));
		reply(k, c->fd, op, seq, rc, rc > 0 ? rc : 0, NULL);
		return true;
	}
	op_forward(k, c->fd, req, len);
	return true;
}

static void handle_signals(struct kxend *k)
{
	struct signalfd_siginfo si;

	while (read(k->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			doms_reap(k);
		else
			k->stop = true;
	}
}

static void handle_clients(struct kxend *k, struct pollfd *pfd, unsigned n)
{
	unsigned i;

	for (i = n; i-- > 0;) {
		ssize_t len;

		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		len =
		    kxen_msg_recv(k->clients[i].fd, k->in, KXEN_MSG_MAX, NULL);
		if (len == 0 || (len < 0 && len != -EMSGSIZE)) {
			drop_client(k, i);
			continue;
		}
		if (!serve(k, &k->clients[i], len))
			drop_client(k, i);
	}
}

int control_run(struct kxend *k)
{
	struct pollfd *pfd = NULL;

	while (!k->stop) {
		unsigned i, n = 0, nc = k->nr_clients, nd = k->nr_doms;
		struct pollfd *np = realloc(pfd, (nc + nd + 2) * sizeof(*pfd));

		if (!np)
			break;
		pfd = np;
		for (i = 0; i < nc; i++)
			pfd[n++] = (struct pollfd){k->clients[i].fd, POLLIN, 0};
		for (i = 0; i < nd; i++)
			pfd[n++] = (struct pollfd){k->doms[i].fd, POLLIN, 0};
		pfd[n++] = (struct pollfd){k->listen_fd, POLLIN, 0};
		pfd[n++] = (struct pollfd){k->signal_fd, POLLIN, 0};
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		if (pfd[n - 1].revents)
			handle_signals(k);
		/* Child events first: a client request may change k->doms. */
		for (i = 0; i < nd && i < k->nr_doms; i++)
			if (pfd[nc + i].revents &&
			    k->doms[i].fd == pfd[nc + i].fd)
				doms_handle_event(k, &k->doms[i]);
		handle_clients(k, pfd, nc);
		if (pfd[n - 2].revents & POLLIN)
			accept_client(k);
	}
	free(pfd);
	return 0;
}
