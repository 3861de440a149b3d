/*
 * xenevtchn over kxend (see include/xenevtchn.h). Binding a port goes to
 * the domain's child, which answers with two eventfds: fd_in becomes
 * readable when the domain notifies the port, fd_out is written to
 * notify the domain. The handle keeps them in a table indexed by port
 * number and one epoll descriptor over every fd_in, so an event loop
 * polls a single descriptor as it would Xen's /dev/xen/evtchn.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "kxen/msg.h"
#include "xenevtchn.h"

struct evport {
	bool bound;
	uint32_t domid;
	int fd_in;  /* readable: the domain notified us */
	int fd_out; /* written: we notify the domain */
};

struct xenevtchn_handle {
	struct kxc_domconns conns;
	pthread_mutex_t lock; /* guards port[] and nr_ports */
	int epfd;
	bool cloexec;
	struct evport *port; /* indexed by port number */
	unsigned int nr_ports;
};

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
				 unsigned int flags)
{
	xenevtchn_handle *xce;

	(void)logger;
	if (flags & ~(unsigned int)XENEVTCHN_NO_CLOEXEC) {
		errno = EINVAL;
		return NULL;
	}
	xce = calloc(1, sizeof(*xce));
	if (!xce)
		return NULL;
	xce->cloexec = !(flags & XENEVTCHN_NO_CLOEXEC);
	xce->epfd = epoll_create1(xce->cloexec ? EPOLL_CLOEXEC : 0);
	if (xce->epfd < 0) {
		int err = errno;

		free(xce);
		errno = err;
		return NULL;
	}
	kxc_domconns_init(&xce->conns);
	pthread_mutex_init(&xce->lock, NULL);
	return xce;
}

static void close_port(struct evport *p)
{
	close(p->fd_in);
	close(p->fd_out);
	*p = (struct evport){.bound = false, .fd_in = -1, .fd_out = -1};
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	/* Closing the connections unbinds the ports in kxend. */
	kxc_domconns_fini(&xce->conns);
	for (unsigned int i = 0; i < xce->nr_ports; i++)
		if (xce->port[i].bound)
			close_port(&xce->port[i]);
	free(xce->port);
	close(xce->epfd);
	pthread_mutex_destroy(&xce->lock);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->epfd;
}

/* Caller holds the lock: the bound port, or NULL + EINVAL. */
static struct evport *find_port(xenevtchn_handle *xce, evtchn_port_t port)
{
	if (port >= xce->nr_ports || !xce->port[port].bound) {
		errno = EINVAL;
		return NULL;
	}
	return &xce->port[port];
}

/* Caller holds the lock: room for port in the table. */
static int reserve(xenevtchn_handle *xce, evtchn_port_t port)
{
	unsigned int n = xce->nr_ports ? xce->nr_ports : 64;
	struct evport *v;

	if (port < xce->nr_ports)
		return 0;
	while (n <= port)
		n *= 2;
	v = realloc(xce->port, n * sizeof(*v));
	if (!v)
		return -1;
	for (unsigned int i = xce->nr_ports; i < n; i++)
		v[i] =
		    (struct evport){.bound = false, .fd_in = -1, .fd_out = -1};
	xce->port = v;
	xce->nr_ports = n;
	return 0;
}

static int set_inherit(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl < 0 ? -1 : fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
}

/* Caller holds the lock: enter a bound port and watch its fd_in. */
static int add_port(xenevtchn_handle *xce, uint32_t domid, uint32_t port,
		    const int *fds)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = port};

	if (port >= xce->nr_ports || !xce->port[port].bound) {
		if (reserve(xce, port) < 0)
			return -1;
	} else {
		/* Another domain's port of the same number is bound here. */
		errno = EBUSY;
		return -1;
	}
	if (!xce->cloexec &&
	    (set_inherit(fds[0]) < 0 || set_inherit(fds[1]) < 0))
		return -1;
	if (epoll_ctl(xce->epfd, EPOLL_CTL_ADD, fds[0], &ev) < 0)
		return -1;
	xce->port[port] = (struct evport){
	    .bound = true, .domid = domid, .fd_in = fds[0], .fd_out = fds[1]};
	return 0;
}

/* Give a port back to kxend (a bind we cannot keep, or an unbind). */
static int close_remote(xenevtchn_handle *xce, uint32_t domid, uint32_t port)
{
	struct kxen_evtchn_port req = {.domid = domid, .port = port};

	return kxc_domconns_call(&xce->conns, domid, KXEN_OP_EVTCHN_CLOSE, &req,
				 sizeof(req), NULL, 0, NULL);
}

static void close_fds(int *fds)
{
	for (unsigned int i = 0; i < KXEN_MSG_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* Send a bind op; on success the port is in the table and returned. */
static xenevtchn_port_or_error_t bind_op(xenevtchn_handle *xce, uint16_t op,
					 uint32_t domid, uint32_t remote_port)
{
	struct kxen_evtchn_bind req = {.domid = domid,
				       .remote_port = remote_port};
	struct kxen_evtchn_port rep = {0};
	int fds[KXEN_MSG_MAX_FDS], rc, err;

	if (kxc_domconns_call(&xce->conns, domid, op, &req, sizeof(req), &rep,
			      sizeof(rep), fds) < 0)
		return -1;
	if (fds[0] < 0 || fds[1] < 0 || rep.domid != domid ||
	    rep.port > (uint32_t)INT32_MAX ||
	    (op == KXEN_OP_EVTCHN_BIND_INTERDOMAIN && rep.port != remote_port))
		rc = -1, err = EBADMSG;
	else {
		pthread_mutex_lock(&xce->lock);
		rc = add_port(xce, domid, rep.port, fds);
		err = errno;
		pthread_mutex_unlock(&xce->lock);
	}
	if (rc == 0)
		return (xenevtchn_port_or_error_t)rep.port;
	close_fds(fds);
	close_remote(xce, domid, rep.port);
	errno = err;
	return -1;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce,
						      uint32_t domid)
{
	return bind_op(xce, KXEN_OP_EVTCHN_BIND_UNBOUND, domid, 0);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote_port)
{
	bool taken;

	/* Refuse a clash before kxend binds the port for us. */
	pthread_mutex_lock(&xce->lock);
	taken = remote_port < xce->nr_ports && xce->port[remote_port].bound;
	pthread_mutex_unlock(&xce->lock);
	if (taken) {
		errno = EBUSY;
		return -1;
	}
	return bind_op(xce, KXEN_OP_EVTCHN_BIND_INTERDOMAIN, domid,
		       remote_port);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct evport *p, copy;

	pthread_mutex_lock(&xce->lock);
	p = find_port(xce, port);
	if (p) {
		copy = *p;
		epoll_ctl(xce->epfd, EPOLL_CTL_DEL, p->fd_in, NULL);
		close_port(p);
	}
	pthread_mutex_unlock(&xce->lock);
	if (!p)
		return -1;
	return close_remote(xce, copy.domid, port);
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	uint64_t one = 1;
	struct evport *p;
	int rc = -1;

	pthread_mutex_lock(&xce->lock);
	p = find_port(xce, port);
	/* EAGAIN: the counter is saturated, so a wakeup is pending anyway. */
	if (p && (write(p->fd_out, &one, sizeof(one)) == sizeof(one) ||
		  errno == EAGAIN))
		rc = 0;
	pthread_mutex_unlock(&xce->lock);
	return rc;
}

/* Caller holds the lock: consume port's notification; whether it had one. */
static bool consume(xenevtchn_handle *xce, uint32_t port)
{
	uint64_t count;

	return port < xce->nr_ports && xce->port[port].bound &&
	       read(xce->port[port].fd_in, &count, sizeof(count)) ==
		   sizeof(count);
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	struct epoll_event ev;
	int n = 0, rc = -1;

	pthread_mutex_lock(&xce->lock);
	/* Level-triggered epoll rotates ready ports, so none starves; a
	 * port another thread drained meanwhile is skipped. */
	while (rc < 0 && (n = epoll_wait(xce->epfd, &ev, 1, 0)) == 1)
		if (consume(xce, ev.data.u32))
			rc = (int)ev.data.u32;
	if (rc < 0 && n == 0)
		errno = EAGAIN;
	pthread_mutex_unlock(&xce->lock);
	return rc;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	int rc;

	pthread_mutex_lock(&xce->lock);
	rc = find_port(xce, port) ? 0 : -1;
	pthread_mutex_unlock(&xce->lock);
	return rc;
}

int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	return kxc_domconns_restrict(&xce->conns, domid);
}
