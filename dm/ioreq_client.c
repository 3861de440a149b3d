/*
 * Ioreq client (see ioreq_client.h). The hypervisor fills a vCPU's slot,
 * sets STATE_IOREQ_READY and notifies that vCPU's port; we move the slot
 * to INPROCESS, perform the access on the registry, write the result
 * for reads, and only then (write barrier) set IORESP_READY and notify
 * back. Buffered writes are drained first on every notification, so a
 * synchronous request never overtakes a buffered one the guest issued
 * before it (Xen's rule: the ring is ordered before the slot).
 */
#include "ioreq_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kxen/ioreq.h"
#include "kxenctrl.h"
#include "xendevicemodel.h"
#include "xenevtchn.h"
#include "xenforeignmemory.h"

#ifndef XENMEM_resource_ioreq_server
#define XENMEM_resource_ioreq_server 0
#endif

#define PAGE_SIZE 4096u

struct dm_ioreq {
	struct dm_ioreq_env env;
	ioservid_t id;
	bool created;
	xenforeignmemory_resource_handle *res;
	buffered_iopage_t *bp;
	shared_iopage_t *sp;
	evtchn_port_t buf_port; /* local; 0 when unbound */
	evtchn_port_t *port;	/* local port of each vCPU */
	uint64_t nr_sync, nr_buffered;
};

__attribute__((format(printf, 3, 4))) static void fail(char *err, size_t len,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int create_server(struct dm_ioreq *q, char *err, size_t len)
{
	struct dm_ioreq_env *e = &q->env;
	void *addr = NULL;

	if (xendevicemodel_create_ioreq_server(
		e->dmod, e->domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &q->id) < 0) {
		fail(err, len,
		     "cannot create an ioreq server for domain %u: %s",
		     e->domid, strerror(errno));
		return -1;
	}
	q->created = true;
	/* Frame 0 is the buffered page, frame 1 the vCPUs' slots. */
	q->res = xenforeignmemory_map_resource(
	    e->fmem, e->domid, XENMEM_resource_ioreq_server, q->id, 0, 2, &addr,
	    PROT_READ | PROT_WRITE, 0);
	if (!q->res) {
		fail(err, len, "cannot map ioreq server %u's pages: %s", q->id,
		     strerror(errno));
		return -1;
	}
	q->bp = addr;
	q->sp = (shared_iopage_t *)((char *)addr + PAGE_SIZE);
	return 0;
}

static int bind_ports(struct dm_ioreq *q, char *err, size_t len)
{
	struct dm_ioreq_env *e = &q->env;
	evtchn_port_t remote = 0;
	int p;

	for (unsigned v = 0; v < e->nr_vcpus; v++) {
		remote = q->sp->vcpu_ioreq[v].vp_eport;
		p = xenevtchn_bind_interdomain(e->xce, e->domid, remote);
		if (p < 0) {
			fail(err, len,
			     "cannot bind vCPU %u's ioreq port %u of domain "
			     "%u: %s",
			     v, remote, e->domid, strerror(errno));
			return -1;
		}
		q->port[v] = (evtchn_port_t)p;
	}
	if (xendevicemodel_get_ioreq_server_info(e->dmod, e->domid, q->id, NULL,
						 NULL, &remote) < 0) {
		fail(err, len, "cannot query ioreq server %u: %s", q->id,
		     strerror(errno));
		return -1;
	}
	p = xenevtchn_bind_interdomain(e->xce, e->domid, remote);
	if (p < 0) {
		fail(err, len, "cannot bind the buffered ioreq port %u: %s",
		     remote, strerror(errno));
		return -1;
	}
	q->buf_port = (evtchn_port_t)p;
	return 0;
}

struct dm_ioreq *dm_ioreq_open(const struct dm_ioreq_env *env, char *err,
			       size_t errlen)
{
	struct dm_ioreq *q = calloc(1, sizeof(*q));

	if (q)
		q->port =
		    calloc(env->nr_vcpus ? env->nr_vcpus : 1, sizeof(*q->port));
	if (!q || !q->port) {
		fail(err, errlen, "out of memory");
		if (q)
			free(q);
		return NULL;
	}
	q->env = *env;
	if (create_server(q, err, errlen) < 0 ||
	    bind_ports(q, err, errlen) < 0) {
		dm_ioreq_close(q);
		return NULL;
	}
	dm_log("ioreq server %u: %u vCPU port(s), buffered port %u", q->id,
	       env->nr_vcpus, q->buf_port);
	return q;
}

static int map_range(struct dm_ioreq *q, const struct dm_range *r)
{
	struct dm_ioreq_env *e = &q->env;
	uint32_t sbdf;

	switch (r->space) {
	case DM_SPACE_PCI:
		for (sbdf = (uint32_t)r->start; sbdf <= r->end; sbdf++)
			if (xendevicemodel_map_pcidev_to_ioreq_server(
				e->dmod, e->domid, q->id, sbdf >> 16,
				(sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f,
				sbdf & 7) < 0)
				return -1;
		return 0;
	case DM_SPACE_MMIO:
	case DM_SPACE_PORT:
		if (r->flags & DM_RANGE_BUFFERED)
			return kxc_dm_map_io_range_buffered(
			    e->dmod, e->domid, q->id, r->space == DM_SPACE_MMIO,
			    r->start, r->end);
		return xendevicemodel_map_io_range_to_ioreq_server(
		    e->dmod, e->domid, q->id, r->space == DM_SPACE_MMIO,
		    r->start, r->end);
	}
	errno = EINVAL;
	return -1;
}

int dm_ioreq_start(struct dm_ioreq *q, char *err, size_t errlen)
{
	struct dm_ioreq_env *e = &q->env;

	for (unsigned i = 0; i < dm_registry_count(e->reg); i++) {
		const struct dm_range *r = dm_registry_at(e->reg, i);

		if (map_range(q, r) < 0) {
			fail(err, errlen,
			     "cannot claim %s's range %#llx-%#llx from the "
			     "hypervisor: %s",
			     r->name, (unsigned long long)r->start,
			     (unsigned long long)r->end, strerror(errno));
			return -1;
		}
	}
	if (xendevicemodel_set_ioreq_server_state(e->dmod, e->domid, q->id, 1) <
	    0) {
		fail(err, errlen, "cannot enable ioreq server %u: %s", q->id,
		     strerror(errno));
		return -1;
	}
	return 0;
}

void dm_ioreq_close(struct dm_ioreq *q)
{
	if (!q)
		return;
	/* Destroying first tells kxend this exit is orderly. */
	if (q->created)
		xendevicemodel_destroy_ioreq_server(q->env.dmod, q->env.domid,
						    q->id);
	if (q->res)
		xenforeignmemory_unmap_resource(q->env.fmem, q->res);
	free(q->port);
	free(q);
}

int dm_ioreq_fd(struct dm_ioreq *q)
{
	return xenevtchn_fd(q->env.xce);
}

int dm_ioreq_check_alive(struct dm_ioreq *q)
{
	evtchn_port_t port;

	if (xendevicemodel_get_ioreq_server_info(q->env.dmod, q->env.domid,
						 q->id, NULL, NULL, &port) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

void dm_ioreq_stats(struct dm_ioreq *q, uint64_t *sync, uint64_t *buffered)
{
	*sync = q->nr_sync;
	*buffered = q->nr_buffered;
}

/* ---- buffered ring ---- */

static void drain_buffered(struct dm_ioreq *q)
{
	buffered_iopage_t *bp = q->bp;
	uint32_t rd = bp->read_pointer;
	uint32_t wr = __atomic_load_n(&bp->write_pointer, __ATOMIC_ACQUIRE);

	while (rd != wr) {
		buf_ioreq_t b = bp->buf_ioreq[rd % IOREQ_BUFFER_SLOT_NUM];
		uint64_t val = b.data;
		unsigned size = 1u << b.size, used = 1;

		if (size == 8) {
			/* The high half travels in the next slot. */
			val |= (uint64_t)bp
				   ->buf_ioreq[(rd + 1) % IOREQ_BUFFER_SLOT_NUM]
				   .data
			       << 32;
			used = 2;
		}
		dm_registry_io(q->env.reg,
			       b.type == IOREQ_TYPE_COPY ? DM_SPACE_MMIO
							 : DM_SPACE_PORT,
			       b.addr, size, true, &val);
		rd += used;
		q->nr_buffered++;
		/* Hand the slots back at once: the vCPU may be waiting for
		 * room. */
		__atomic_store_n(&bp->read_pointer, rd, __ATOMIC_RELEASE);
		wr = __atomic_load_n(&bp->write_pointer, __ATOMIC_ACQUIRE);
	}
}

/* ---- synchronous slots ---- */

static enum dm_space space_of(const ioreq_t *r)
{
	if (r->type == IOREQ_TYPE_PCI_CONFIG)
		return DM_SPACE_PCI;
	return r->type == IOREQ_TYPE_COPY ? DM_SPACE_MMIO : DM_SPACE_PORT;
}

/* One element of a string request: the device side and the guest-memory
 * side step by size, downwards when df is set (Xen's convention). */
static int string_element(struct dm_ioreq *q, const ioreq_t *r, uint32_t i)
{
	int64_t step = r->df ? -(int64_t)r->size : (int64_t)r->size;
	uint64_t gpa = r->data + (uint64_t)(step * i), val = 0;
	uint64_t addr = r->addr;
	int rc = 0;

	if (r->type == IOREQ_TYPE_COPY)
		addr += (uint64_t)(step * i);
	if (r->dir == IOREQ_WRITE)
		rc = dm_guest_read(q->env.mem, gpa, &val, r->size);
	if (rc == 0)
		dm_registry_io(q->env.reg, space_of(r), addr, r->size,
			       r->dir == IOREQ_WRITE, &val);
	if (rc == 0 && r->dir == IOREQ_READ)
		rc = dm_guest_write(q->env.mem, gpa, &val, r->size);
	return rc;
}

static void perform(struct dm_ioreq *q, ioreq_t *r)
{
	uint64_t val = r->data;

	if (r->size == 0 || r->size > 8) {
		dm_log("ioreq: bad size %u at %#llx: ignored", r->size,
		       (unsigned long long)r->addr);
		return;
	}
	if (r->data_is_ptr) {
		for (uint32_t i = 0; i < r->count; i++)
			if (string_element(q, r, i) < 0) {
				dm_log("ioreq: string I/O at %#llx: guest "
				       "memory %#llx unreachable",
				       (unsigned long long)r->addr,
				       (unsigned long long)r->data);
				return;
			}
		return;
	}
	/* A rep with the value in data (rep stos to MMIO): count writes. */
	for (uint32_t i = 0; i < (r->count ? r->count : 1); i++) {
		uint64_t addr = r->addr;

		if (r->type == IOREQ_TYPE_COPY)
			addr += (r->df ? -(uint64_t)i : (uint64_t)i) * r->size;
		dm_registry_io(q->env.reg, space_of(r), addr, r->size,
			       r->dir == IOREQ_WRITE, &val);
	}
	if (r->dir == IOREQ_READ)
		r->data = val;
}

static uint8_t slot_state(ioreq_t *r)
{
	/* state is the low nibble of byte 30 (include/kxen/ioreq.h). */
	return __atomic_load_n((uint8_t *)r + 30, __ATOMIC_ACQUIRE) & 0xf;
}

static void handle_slot(struct dm_ioreq *q, unsigned v)
{
	ioreq_t *r = &q->sp->vcpu_ioreq[v];

	if (slot_state(r) != STATE_IOREQ_READY)
		return; /* a stale notification: nothing was sent */
	r->state = STATE_IOREQ_INPROCESS;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	perform(q, r);
	q->nr_sync++;
	/* The data before the state (Xen: wmb before IORESP_READY). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->state = STATE_IORESP_READY;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (xenevtchn_notify(q->env.xce, q->port[v]) < 0)
		dm_log("ioreq: cannot notify vCPU %u (port %u): %s", v,
		       q->port[v], strerror(errno));
}

static int vcpu_of(struct dm_ioreq *q, evtchn_port_t port)
{
	for (unsigned v = 0; v < q->env.nr_vcpus; v++)
		if (q->port[v] == port)
			return (int)v;
	return -1;
}

void dm_ioreq_handle_events(struct dm_ioreq *q)
{
	int port, v;

	while ((port = xenevtchn_pending(q->env.xce)) >= 0) {
		xenevtchn_unmask(q->env.xce, (evtchn_port_t)port);
		drain_buffered(q);
		v = vcpu_of(q, (evtchn_port_t)port);
		if (v >= 0)
			handle_slot(q, (unsigned)v);
		else if ((evtchn_port_t)port != q->buf_port)
			dm_log("ioreq: notification on unknown port %d", port);
	}
}
