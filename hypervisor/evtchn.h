/*
 * Event channels between a domain and its device models (issue 4).
 * An HVM guest here has no event-channel interface of its own: ports
 * connect the hypervisor's side of the domain (ioreq servers) with a DM.
 * Each port is a pair of eventfds: "to DM" (the hypervisor writes, the DM
 * polls) and "from DM" (the DM writes, the hypervisor polls); the DM gets
 * both over SCM_RIGHTS when it binds.
 *
 * Ports are allocated unbound by the hypervisor (an ioreq server's
 * per-vCPU ports) or on a DM's request, and belong to an owner (the id
 * of the connection that bound them) so that a dead DM's ports close.
 * Locking: an internal lock guards the table; notify/wait take no lock
 * beyond a lookup.
 */
#ifndef KXEN_EVTCHN_H
#define KXEN_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

#define EVTCHN_MAX_PORTS 1024u

struct evtchn_table;

struct evtchn_table *evtchn_table_create(uint32_t domid);
void evtchn_table_destroy(struct evtchn_table *t);

/* Allocate an unbound port (the hypervisor's end); returns 0 or -errno. */
int evtchn_alloc_unbound(struct evtchn_table *t, uint32_t *port);
/*
 * A DM binds port (xenevtchn_bind_interdomain): fds[0] becomes readable
 * on notifications to it, fds[1] is written to notify the domain. The
 * fds are new descriptors for the caller to pass on and close.
 * -EINVAL: no such port; -EBUSY: already bound.
 */
int evtchn_bind(struct evtchn_table *t, uint32_t port, uint64_t owner,
		int fds[2]);
/* Allocate and bind at once (xenevtchn_bind_unbound_port). */
int evtchn_alloc_bound(struct evtchn_table *t, uint64_t owner, uint32_t *port,
		       int fds[2]);
/* Close a port the owner bound (or any port, owner 0). */
int evtchn_close(struct evtchn_table *t, uint32_t port, uint64_t owner);
/* Unbind every port an owner bound (its connection closed). */
void evtchn_owner_gone(struct evtchn_table *t, uint64_t owner);
/* Free a port the hypervisor allocated (server destroyed). */
void evtchn_free(struct evtchn_table *t, uint32_t port);

/* Hypervisor side: notify the DM; the fd to poll for its answers. */
int evtchn_notify_dm(struct evtchn_table *t, uint32_t port);
int evtchn_from_dm_fd(struct evtchn_table *t, uint32_t port);
bool evtchn_is_bound(struct evtchn_table *t, uint32_t port);

#endif
