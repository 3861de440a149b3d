/*
 * Domain child main loop. One thread (this one) answers requests; the
 * vCPU threads run the guest. The attached parent connection also
 * carries events (log lines) from any thread: sends on a SOCK_SEQPACKET
 * socket are atomic per message, and events never block (MSG_DONTWAIT),
 * so a stalled parent cannot stall a vCPU.
 */
#include "child.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "child_requests.h"
#include "domain.h"
#include "ioreq.h"
#include "kxen/msg.h"
#include "log.h"
#include "vcpu.h"

#define MAX_CONNS 16

struct conn {
	int fd;
	bool handshaken;
	uint64_t id;		 /* owner of the ioreq servers it creates */
	bool restricted;	 /* xendevicemodel_restrict was called */
	uint32_t restrict_domid; /* ... to this domain */
};

struct child {
	struct domain *d;
	int listen_fd;
	char sock_path[108];
	struct conn conns[MAX_CONNS];
	unsigned nr_conns;
	pthread_mutex_t event_lock; /* guards event_fd */
	int event_fd;		    /* attached parent's connection or -1 */
	bool done;
	uint64_t next_conn_id;
	uint8_t *in, *out;
};

int child_socket_path(char *buf, size_t len, const char *rundir, uint32_t domid)
{
	int n = snprintf(buf, len, "%s/domains/%u.sock", rundir, domid);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int forward_log(void *opaque, int level, const char *line)
{
	struct child *c = opaque;
	size_t len = strnlen(line, 1024);
	union {
		struct kxen_msg_hdr hdr;
		uint8_t bytes[sizeof(struct kxen_msg_hdr) +
			      sizeof(struct kxen_event_log) + 1024];
	} m;
	struct kxen_event_log *ev = (void *)(m.bytes + sizeof(m.hdr));
	int rc = -ENOTCONN;

	kxen_msg_init(&m.hdr, KXEN_OP_EVENT_LOG,
		      sizeof(m.hdr) + sizeof(*ev) + len, 0, KXEN_MSG_EVENT);
	ev->level = level;
	ev->len = len;
	memcpy(ev->text, line, len);
	pthread_mutex_lock(&c->event_lock);
	if (c->event_fd >= 0 &&
	    send(c->event_fd, &m, m.hdr.size, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		(ssize_t)m.hdr.size)
		rc = 0;
	pthread_mutex_unlock(&c->event_lock);
	return rc;
}

static int open_listen_socket(struct child *c, const char *rundir)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int rc = child_socket_path(addr.sun_path, sizeof(addr.sun_path), rundir,
				   c->d->domid);

	if (rc)
		return rc;
	snprintf(c->sock_path, sizeof(c->sock_path), "%s", addr.sun_path);
	c->listen_fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0)
		return -errno;
	unlink(addr.sun_path);
	if (bind(c->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(addr.sun_path, 0600) < 0 || listen(c->listen_fd, 4) < 0)
		return -errno;
	return 0;
}

static void add_conn(struct child *c, int fd, bool handshaken)
{
	if (c->nr_conns == MAX_CONNS) {
		log_warn(c->d->domid, "too many connections; refusing one");
		close(fd);
		return;
	}
	c->conns[c->nr_conns++] = (struct conn){
	    .fd = fd, .handshaken = handshaken, .id = ++c->next_conn_id};
}

static void drop_conn(struct child *c, unsigned i)
{
	/* A device model that disconnects takes its ioreq servers and
	 * event channels with it (issue 4: a DM that dies). */
	if (c->conns[i].id)
		ioreq_owner_gone(c->d->ioreq, c->conns[i].id);
	pthread_mutex_lock(&c->event_lock);
	if (c->event_fd == c->conns[i].fd)
		c->event_fd = -1;
	pthread_mutex_unlock(&c->event_lock);
	close(c->conns[i].fd);
	c->conns[i] = c->conns[--c->nr_conns];
}

static void accept_conn(struct child *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warn(c->d->domid, "refused connection from uid %u",
			 (unsigned)cred.uid);
		close(fd);
		return;
	}
	add_conn(c, fd, false);
}

static void reply_fds(int fd, const struct kxen_msg_hdr *req, int status,
		      uint8_t *out, size_t payload, const int *fds)
{
	struct kxen_msg_hdr *h = (struct kxen_msg_hdr *)out;
	unsigned n = 0;

	if (status < 0)
		payload = 0;
	kxen_msg_init(h, req ? req->op : 0, sizeof(*h) + payload,
		      req ? req->seq : 0, KXEN_MSG_REPLY);
	h->status = status < 0 ? status : 0;
	while (status >= 0 && fds && n < KXEN_MSG_MAX_FDS && fds[n] >= 0)
		n++;
	kxen_msg_send_fds(fd, h, fds, n);
}

static void reply(int fd, const struct kxen_msg_hdr *req, int status,
		  uint8_t *out, size_t payload, int pass_fd)
{
	reply_fds(fd, req, status, out, payload, &pass_fd);
}

/*
 * xendevicemodel_restrict: a restricted connection acts on its one
 * domain only; anything else is refused and logged.
 */
static int check_restriction(struct child *c, struct conn *conn,
			     const struct kxen_msg_hdr *req, size_t len)
{
	uint32_t domid;

	if (req->op == KXEN_OP_RESTRICT) {
		const struct kxen_domid_req *r = (const void *)(req + 1);

		if (r->pad ||
		    (conn->restricted && r->domid != conn->restrict_domid))
			return -EPERM;
		conn->restricted = true;
		conn->restrict_domid = r->domid;
		return 1;
	}
	if (!conn->restricted)
		return 0;
	if (len < sizeof(*req) + sizeof(domid) ||
	    req->op == KXEN_OP_CHILD_ATTACH)
		return -EPERM;
	memcpy(&domid, req + 1, sizeof(domid));
	if (domid != conn->restrict_domid) {
		log_warn(c->d->domid,
			 "connection restricted to domain %u "
			 "tried %s on domain %u: refused",
			 conn->restrict_domid, kxen_op_name(req->op), domid);
		return -EPERM;
	}
	return 0;
}

/* Handles one request; returns false when the connection must close. */
static bool serve(struct child *c, struct conn *conn, size_t len)
{
	const struct kxen_msg_hdr *req = (const void *)c->in;
	uint8_t *payload_out = c->out + sizeof(struct kxen_msg_hdr);
	int rc, fds[KXEN_MSG_MAX_FDS] = {-1, -1};
	bool fds_owned = false;

	rc = kxen_msg_check_request(c->in, len);
	if (rc) {
		log_warn(c->d->domid, "bad request (%zu bytes): %s", len,
			 strerror(-rc));
		reply(conn->fd, len >= sizeof(*req) ? req : NULL, rc, c->out, 0,
		      -1);
		return true;
	}
	if (req->op == KXEN_OP_HANDSHAKE) {
		struct kxen_handshake *hs = (void *)payload_out;

		conn->handshaken = true;
		hs->abi_version = KXEN_ABI_VERSION;
		hs->server_pid = getpid();
		reply(conn->fd, req, 0, c->out, sizeof(*hs), -1);
		return true;
	}
	if (!conn->handshaken) {
		reply(conn->fd, req, -EPERM, c->out, 0, -1);
		return false;
	}
	rc = check_restriction(c, conn, req, len);
	if (rc) {
		reply(conn->fd, req, rc > 0 ? 0 : rc, c->out, 0, -1);
		return true;
	}
	rc = child_handle_request(c->d, conn->id, req->op, req + 1,
				  len - sizeof(*req), payload_out, fds,
				  &fds_owned);
	if (rc >= 0 && req->op == KXEN_OP_CHILD_ATTACH) {
		/* A parent owns nothing: what it forwards lives until
		 * destroyed, whatever happens to kxend. */
		conn->id = 0;
		pthread_mutex_lock(&c->event_lock);
		c->event_fd = conn->fd;
		pthread_mutex_unlock(&c->event_lock);
	}
	if (rc >= 0 && req->op == KXEN_OP_DOMAIN_DESTROY) {
		log_info(c->d->domid, "destroying domain '%s'", c->d->name);
		c->done = true;
		return true; /* replied once torn down, see child_main */
	}
	reply_fds(conn->fd, req, rc, c->out, rc > 0 ? rc : 0, fds);
	for (unsigned i = 0; fds_owned && i < KXEN_MSG_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return true;
}

static void poll_once(struct child *c, int *destroy_fd,
		      struct kxen_msg_hdr *destroy_req)
{
	struct pollfd pfd[MAX_CONNS + 1];
	unsigned i, n = c->nr_conns;

	for (i = 0; i < n; i++)
		pfd[i] =
		    (struct pollfd){.fd = c->conns[i].fd, .events = POLLIN};
	pfd[n] = (struct pollfd){.fd = c->listen_fd, .events = POLLIN};
	if (poll(pfd, n + 1, -1) <= 0)
		return;
	for (i = n; i-- > 0;) {
		ssize_t len;

		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		len = kxen_msg_recv(c->conns[i].fd, c->in, KXEN_MSG_MAX, NULL);
		if (len == 0 || (len < 0 && len != -EMSGSIZE)) {
			drop_conn(c, i);
			continue;
		}
		if (len < 0 || !serve(c, &c->conns[i], len)) {
			if (len < 0)
				reply(c->conns[i].fd, NULL, -EMSGSIZE, c->out,
				      0, -1);
			drop_conn(c, i);
			continue;
		}
		if (c->done) {
			*destroy_fd = c->conns[i].fd;
			memcpy(destroy_req, c->in, sizeof(*destroy_req));
			return;
		}
	}
	if (pfd[n].revents & POLLIN)
		accept_conn(c);
}

static void become_child(const struct child_args *a)
{
	sigset_t none;
	char title[16];

	/* Our own session: a ^C at kxend -F must not reach the domains. */
	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	snprintf(title, sizeof(title), "kxend-d%u", a->domid);
	prctl(PR_SET_NAME, title);
	/* Keep only the parent's socket; reopen the log on our own fd. */
	kxlog_close();
	if (a->parent_sock != 3)
		dup2(a->parent_sock, 3);
	close_range(4, ~0u, 0);
	kxlog_open(a->logdir, a->log_level, 0);
}

int child_main(const struct child_args *a)
{
	struct child c = {.listen_fd = -1, .event_fd = 3};
	struct kxen_msg_hdr destroy_req;
	int rc, destroy_fd = -1;

	become_child(a);
	pthread_mutex_init(&c.event_lock, NULL);
	add_conn(&c, 3, true);
	c.conns[0].id = 0; /* the parent that forked us owns nothing */
	kxlog_set_forward(forward_log, &c);
	c.in = malloc(KXEN_MSG_MAX);
	c.out = malloc(KXEN_MSG_MAX);
	rc = (c.in && c.out) ? vcpu_init_signals() : -ENOMEM;
	if (rc == 0)
		rc = domain_create(&c.d, a->domid, a->name, a->max_vcpus,
				   a->max_pages);
	if (rc == 0)
		rc = open_listen_socket(&c, a->rundir);
	if (rc) {
		/* The parent's first request (attach) gets the error. */
		ssize_t len =
		    kxen_msg_recv_timeout(3, c.out, KXEN_MSG_MAX, NULL, 10000);
		if (len >= (ssize_t)sizeof(struct kxen_msg_hdr))
			reply(3, (void *)c.out, rc, c.in, 0, -1);
		log_error(a->domid, "domain child failed to start: %s",
			  strerror(-rc));
		domain_destroy(c.d);
		return 1;
	}
	log_info(a->domid, "domain '%s' created: %u vCPUs, pid %d", a->name,
		 a->max_vcpus, (int)getpid());
	while (!c.done)
		poll_once(&c, &destroy_fd, &destroy_req);
	domain_destroy(c.d);
	unlink(c.sock_path);
	kxlog_set_forward(NULL, NULL);
	if (destroy_fd >= 0)
		reply(destroy_fd, &destroy_req, 0, c.out, 0, -1);
	return 0;
}
