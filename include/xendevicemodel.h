/*
 * xendevicemodel.h for kxen: what a device model asks of the hypervisor
 * (ioreq servers, interrupt lines, MSIs, shutdown), with the names,
 * argument order and return conventions of Xen 4.17's
 * libxendevicemodel.
 *
 * A handle talks to each domain's child process directly
 * ($KXEN_RUNDIR/domains/DOMID.sock), one connection per domain, opened
 * on first use. An ioreq server belongs to the connection that created
 * it: closing the handle (or the device model dying) destroys its
 * servers, and a domain whose enabled server goes away crashes.
 *
 * The ioreq pages are reached only through
 * xenforeignmemory_map_resource (XENMEM_resource_ioreq_server), as in
 * Xen with legacy gfn-mapped pages turned off.
 *
 * Functions return 0 on success and -1 with errno set on failure. ESRCH:
 * no such domain; EPERM: the handle is restricted to another domain.
 */
#ifndef XENDEVICEMODEL_H
#define XENDEVICEMODEL_H

#include <stdint.h>

#include "xentoollog.h"

#ifndef KXEN_XEN_PFN_T_DEFINED
#define KXEN_XEN_PFN_T_DEFINED
typedef unsigned long xen_pfn_t; /* as Xen's x86 public headers */
#endif
#ifndef KXEN_EVTCHN_PORT_T_DEFINED
#define KXEN_EVTCHN_PORT_T_DEFINED
typedef uint32_t evtchn_port_t; /* as Xen's public/event_channel.h */
#endif
#ifndef KXEN_DOMID_T_DEFINED
#define KXEN_DOMID_T_DEFINED
typedef uint16_t domid_t;
#endif

typedef uint16_t ioservid_t; /* as Xen's public/hvm/dm_op.h */

/* handle_bufioreq of create_ioreq_server (Xen's public/hvm/dm_op.h). */
#define HVM_IOREQSRV_BUFIOREQ_OFF 0
#define HVM_IOREQSRV_BUFIOREQ_LEGACY 1
#define HVM_IOREQSRV_BUFIOREQ_ATOMIC 2

typedef struct xendevicemodel_handle xendevicemodel_handle;

/* Open a handle; logger is unused, open_flags must be 0. NULL + errno. */
xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
					   unsigned int open_flags);

/* Close the handle: its connections, and so its ioreq servers, go. */
int xendevicemodel_close(xendevicemodel_handle *dmod);

/*
 * Create an ioreq server for domain domid, disabled and claiming
 * nothing. handle_bufioreq: HVM_IOREQSRV_BUFIOREQ_*. Its id goes to *id.
 */
int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod,
				       domid_t domid, int handle_bufioreq,
				       ioservid_t *id);

/*
 * The buffered ring's event channel (0 when buffering is off) in
 * *bufioreq_port when not NULL. ioreq_gfn and bufioreq_gfn must be NULL:
 * kxen has no legacy gfn-mapped ioreq pages (EOPNOTSUPP).
 */
int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod,
					 domid_t domid, ioservid_t id,
					 xen_pfn_t *ioreq_gfn,
					 xen_pfn_t *bufioreq_gfn,
					 evtchn_port_t *bufioreq_port);

/*
 * Claim (or release) ports or, with is_mmio, guest-physical addresses
 * start..end inclusive. A range overlapping one any server claims is
 * EEXIST; unmapping needs the exact range that was mapped (ENOENT).
 */
int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod,
						domid_t domid, ioservid_t id,
						int is_mmio, uint64_t start,
						uint64_t end);
int xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod,
						    domid_t domid,
						    ioservid_t id, int is_mmio,
						    uint64_t start,
						    uint64_t end);

/* Claim (or release) the configuration space of one PCI function. */
int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod,
					      domid_t domid, ioservid_t id,
					      uint16_t segment, uint8_t bus,
					      uint8_t device, uint8_t function);
int xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *dmod,
						  domid_t domid, ioservid_t id,
						  uint16_t segment, uint8_t bus,
						  uint8_t device,
						  uint8_t function);

/* Destroy a server; vCPUs waiting on it are released. */
int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod,
					domid_t domid, ioservid_t id);

/* Start (enabled != 0) or stop forwarding the server's ranges to it. */
int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod,
					  domid_t domid, ioservid_t id,
					  int enabled);

/* Drive PCI INTx line intx (0-3: INTA-INTD) of device 0-31 on bus 0. */
int xendevicemodel_set_pci_intx_level(xendevicemodel_handle *dmod,
				      domid_t domid, uint16_t segment,
				      uint8_t bus, uint8_t device, uint8_t intx,
				      unsigned int level);

/* Drive ISA IRQ line irq (0-15) to level 0 or 1. */
int xendevicemodel_set_isa_irq_level(xendevicemodel_handle *dmod, domid_t domid,
				     uint8_t irq, unsigned int level);

/* Drive GSI irq (0-23) to level 0 or 1. */
int xendevicemodel_set_irq_level(xendevicemodel_handle *dmod, domid_t domid,
				 unsigned int irq, unsigned int level);

/* Deliver an MSI (address 0xfeexxxxx and data as the device writes them). */
int xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid,
			      uint64_t msi_addr, uint32_t msi_data);

/* Shut the domain down for reason SHUTDOWN_* (poweroff .. watchdog). */
int xendevicemodel_shutdown(xendevicemodel_handle *dmod, domid_t domid,
			    unsigned int reason);

/*
 * Limit the handle to domain domid, on every connection it has and will
 * have; calls naming another domain fail with EPERM from then on.
 */
int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid);

#endif /* XENDEVICEMODEL_H */
