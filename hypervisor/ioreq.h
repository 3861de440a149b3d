/*
 * Ioreq servers (issue 4; Xen 4.17's xen/common/ioreq.c and
 * public/hvm/ioreq.h are the reference for the ABI and the state
 * machine): accesses that no in-core device claims go to the device
 * model that registered the port range, MMIO range or PCI device, through
 * a shared page of ioreq_t slots (one per vCPU) and event channels, or,
 * for writes to ranges registered as buffered, through the buffered
 * ring. PCI configuration cycles through 0xcf8/0xcfc are decoded here.
 *
 * Locking: the servers lock guards the table and ranges; a vCPU holds a
 * reference on a server while its request is in flight and never holds
 * the lock while it waits. Lock order: after the domain's irq lock.
 */
#ifndef KXEN_IOREQ_H_
#define KXEN_IOREQ_H_

#include <stdbool.h>
#include <stdint.h>

#include "io_dispatch.h"
#include "kxen/abi.h"

#define IOREQ_MAX_SERVERS 8u
#define IOREQ_MAX_RANGES 256u
/* Guest-physical page per vCPU for string I/O data (data_is_ptr), in
 * the MMIO hole where the guest has no RAM. */
#define IOREQ_BOUNCE_BASE 0xfe000000ull

struct domain;
struct ioreq_servers;

struct ioreq_servers *ioreq_servers_create(struct domain *d);
void ioreq_servers_destroy(struct ioreq_servers *s);
/* Register the 0xcf8/0xcfc PCI configuration mechanism #1 handlers. */
int ioreq_register_pci_config(struct ioreq_servers *s, struct io_table *t);

/* The vCPU the calling thread runs (for handlers without a vCPU). */
void ioreq_set_current_vcpu(unsigned vcpu);

int ioreq_server_create(struct ioreq_servers *s, uint64_t owner,
			uint8_t handle_bufioreq, uint16_t *id);
int ioreq_server_info(struct ioreq_servers *s, uint16_t id,
		      struct kxen_ioreq_server_info *out);
int ioreq_server_map(struct ioreq_servers *s, uint16_t id,
		     const struct kxen_ioreq_server_range *r, bool map);
int ioreq_server_set_state(struct ioreq_servers *s, uint16_t id, bool enabled);
int ioreq_server_destroy(struct ioreq_servers *s, uint16_t id);
/* The memfd (owned by the server) and offset of frames [frame, +nr). */
int ioreq_server_resource(struct ioreq_servers *s, uint16_t id, uint32_t frame,
			  uint32_t nr, int *memfd, uint64_t *offset);
/* A DM's connection closed: its servers go; a domain that was using one
 * crashes (its vCPUs waiting on the DM are released first). */
void ioreq_owner_gone(struct ioreq_servers *s, uint64_t owner);

/*
 * From a vCPU thread, after the core table missed: hand the access to
 * the server that claims it. data: the value (count == 1) or the buffer
 * of count elements (string I/O). Returns 1 when a server handled it,
 * 0 when none claims it, negative when the domain must crash.
 */
int ioreq_send(struct ioreq_servers *s, unsigned vcpu, enum io_space space,
	       uint64_t addr, unsigned size, unsigned count, bool is_write,
	       void *data);

/* `kxl stat`: up to max mapped ranges with their forwarded exits and
 * send-to-completion time (server order, then mapping order). */
unsigned ioreq_range_stats(struct ioreq_servers *s,
			   struct kxen_dm_range_stat *out, unsigned max);

#endif
