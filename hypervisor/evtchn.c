/*
 * Event-channel port table (see evtchn.h).
 */
#include "evtchn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

struct port {
	bool used;
	bool bound;
	bool dm_allocated; /* made by BIND_UNBOUND: freed when closed */
	uint64_t owner;
	int to_dm;   /* eventfd the hypervisor writes */
	int from_dm; /* eventfd the DM writes */
};

struct evtchn_table {
	uint32_t domid;
	pthread_mutex_t lock;		     /* guards ports */
	struct port ports[EVTCHN_MAX_PORTS]; /* port 0 is never used */
};

struct evtchn_table *evtchn_table_create(uint32_t domid)
{
	struct evtchn_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->domid = domid;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

static void release(struct port *p)
{
	if (p->to_dm >= 0)
		close(p->to_dm);
	if (p->from_dm >= 0)
		close(p->from_dm);
	*p = (struct port){.to_dm = -1, .from_dm = -1};
}

void evtchn_table_destroy(struct evtchn_table *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < EVTCHN_MAX_PORTS; i++)
		if (t->ports[i].used)
			release(&t->ports[i]);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Caller holds the lock. */
static int alloc_locked(struct evtchn_table *t, uint32_t *port)
{
	for (uint32_t i = 1; i < EVTCHN_MAX_PORTS; i++) {
		struct port *p = &t->ports[i];

		if (p->used)
			continue;
		p->to_dm = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		p->from_dm = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (p->to_dm < 0 || p->from_dm < 0) {
			int rc = -errno;

			release(p);
			return rc;
		}
		p->used = true;
		*port = i;
		return 0;
	}
	return -ENOSPC;
}

int evtchn_alloc_unbound(struct evtchn_table *t, uint32_t *port)
{
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = alloc_locked(t, port);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Caller holds the lock. */
static int bind_locked(struct evtchn_table *t, uint32_t port, uint64_t owner,
		       int fds[2])
{
	struct port *p;

	if (port == 0 || port >= EVTCHN_MAX_PORTS || !t->ports[port].used)
		return -EINVAL;
	p = &t->ports[port];
	if (p->bound)
		return -EBUSY;
	fds[0] = fcntl(p->to_dm, F_DUPFD_CLOEXEC, 0);
	fds[1] = fcntl(p->from_dm, F_DUPFD_CLOEXEC, 0);
	if (fds[0] < 0 || fds[1] < 0) {
		int rc = -errno;

		if (fds[0] >= 0)
			close(fds[0]);
		if (fds[1] >= 0)
			close(fds[1]);
		return rc;
	}
	p->bound = true;
	p->owner = owner;
	return 0;
}

int evtchn_bind(struct evtchn_table *t, uint32_t port, uint64_t owner,
		int fds[2])
{
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = bind_locked(t, port, owner, fds);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int evtchn_alloc_bound(struct evtchn_table *t, uint64_t owner, uint32_t *port,
		       int fds[2])
{
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = alloc_locked(t, port);
	if (rc == 0) {
		rc = bind_locked(t, *port, owner, fds);
		if (rc)
			release(&t->ports[*port]);
		else
			t->ports[*port].dm_allocated = true;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* Caller holds the lock: a port the hypervisor allocated goes back to
 * unbound (its ioreq server still owns it); one a DM allocated goes. */
static void unbind_locked(struct port *p)
{
	if (p->dm_allocated)
		release(p);
	else
		p->bound = false;
}

int evtchn_close(struct evtchn_table *t, uint32_t port, uint64_t owner)
{
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	if (port == 0 || port >= EVTCHN_MAX_PORTS || !t->ports[port].used ||
	    !t->ports[port].bound)
		rc = -EINVAL;
	else if (owner && t->ports[port].owner != owner)
		rc = -EPERM;
	else
		unbind_locked(&t->ports[port]);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

void evtchn_owner_gone(struct evtchn_table *t, uint64_t owner)
{
	pthread_mutex_lock(&t->lock);
	for (unsigned i = 1; i < EVTCHN_MAX_PORTS; i++)
		if (t->ports[i].used && t->ports[i].bound &&
		    t->ports[i].owner == owner)
			unbind_locked(&t->ports[i]);
	pthread_mutex_unlock(&t->lock);
}

void evtchn_free(struct evtchn_table *t, uint32_t port)
{
	pthread_mutex_lock(&t->lock);
	if (port > 0 && port < EVTCHN_MAX_PORTS && t->ports[port].used)
		release(&t->ports[port]);
	pthread_mutex_unlock(&t->lock);
}

static int port_fd(struct evtchn_table *t, uint32_t port, bool to_dm)
{
	int fd = -1;

	pthread_mutex_lock(&t->lock);
	if (port > 0 && port < EVTCHN_MAX_PORTS && t->ports[port].used)
		fd = to_dm ? t->ports[port].to_dm : t->ports[port].from_dm;
	pthread_mutex_unlock(&t->lock);
	return fd;
}

int evtchn_notify_dm(struct evtchn_table *t, uint32_t port)
{
	uint64_t one = 1;
	int fd = port_fd(t, port, true);

	if (fd < 0)
		return -EINVAL;
	if (write(fd, &one, sizeof(one)) != sizeof(one) && errno != EAGAIN)
		return -errno;
	return 0;
}

int evtchn_from_dm_fd(struct evtchn_table *t, uint32_t port)
{
	return port_fd(t, port, false);
}

bool evtchn_is_bound(struct evtchn_table *t, uint32_t port)
{
	bool b;

	pthread_mutex_lock(&t->lock);
	b = port > 0 && port < EVTCHN_MAX_PORTS && t->ports[port].used &&
	    t->ports[port].bound;
	pthread_mutex_unlock(&t->lock);
	return b;
}
