/*
 * The DM's side of an ioreq server (Xen 4.17's public/hvm/ioreq.h and
 * QEMU's xen-hvm are the reference for the protocol): one server per
 * DM, its two shared pages mapped with xenforeignmemory_map_resource,
 * every vCPU's event channel and the buffered ring's bound in one
 * xenevtchn handle whose descriptor the event loop watches.
 */
#ifndef KXEN_DM_IOREQ_CLIENT_H
#define KXEN_DM_IOREQ_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "dm.h"

struct xendevicemodel_handle;
struct xenevtchn_handle;
struct xenforeignmemory_handle;

struct dm_ioreq_env {
	struct xendevicemodel_handle *dmod;
	struct xenevtchn_handle *xce;
	struct xenforeignmemory_handle *fmem;
	uint32_t domid;
	unsigned nr_vcpus;
	struct dm_registry *reg;
	struct dm_guest_mem *mem;
};

struct dm_ioreq;

/* Create the server, map its pages, bind its ports. NULL + one line in
 * err. */
struct dm_ioreq *dm_ioreq_open(const struct dm_ioreq_env *env, char *err,
			       size_t errlen);
/* Claim every range of the registry, then enable the server. */
int dm_ioreq_start(struct dm_ioreq *q, char *err, size_t errlen);
void dm_ioreq_close(struct dm_ioreq *q);

/* The descriptor to watch (readable: a port has a notification). */
int dm_ioreq_fd(struct dm_ioreq *q);
/* Handle every pending notification. */
void dm_ioreq_handle_events(struct dm_ioreq *q);
/* Whether the hypervisor still knows our server (the domain exists);
 * -errno when not. */
int dm_ioreq_check_alive(struct dm_ioreq *q);

/* Totals since start, for the log. */
void dm_ioreq_stats(struct dm_ioreq *q, uint64_t *sync, uint64_t *buffered);

#endif
