/*
 * xendevicemodel over kxend (see include/xendevicemodel.h). Each call is
 * one request on the handle's connection to the domain's child; the
 * connection, not the handle, owns the ioreq servers, so kxend learns
 * that a device model died when its socket closes.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdlib.h>

#include "kxenctrl.h"
#include "xendevicemodel.h"

struct xendevicemodel_handle {
	struct kxc_domconns conns;
};

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
					   unsigned int open_flags)
{
	xendevicemodel_handle *dmod;

	(void)logger;
	if (open_flags != 0) {
		errno = EINVAL;
		return NULL;
	}
	dmod = calloc(1, sizeof(*dmod));
	if (!dmod)
		return NULL;
	kxc_domconns_init(&dmod->conns);
	return dmod;
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
	if (!dmod)
		return 0;
	kxc_domconns_fini(&dmod->conns);
	free(dmod);
	return 0;
}

/* A request with no reply payload. */
static int call(xendevicemodel_handle *dmod, uint32_t domid, uint16_t op,
		const void *req, size_t len)
{
	return kxc_domconns_call(&dmod->conns, domid, op, req, len, NULL, 0,
				 NULL);
}

static int einval(void)
{
	errno = EINVAL;
	return -1;
}

int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod,
				       domid_t domid, int handle_bufioreq,
				       ioservid_t *id)
{
	struct kxen_ioreq_server_create req = {.domid = domid};
	struct kxen_ioreq_server_info rep;

	/* Out of the byte's range would alias a valid mode. */
	if (!id || handle_bufioreq < 0 || handle_bufioreq > UINT8_MAX)
		return einval();
	req.handle_bufioreq = (uint8_t)handle_bufioreq;
	if (kxc_domconns_call(&dmod->conns, domid, KXEN_OP_IOREQ_SERVER_CREATE,
			      &req, sizeof(req), &rep, sizeof(rep), NULL) < 0)
		return -1;
	*id = rep.id;
	return 0;
}

int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod,
					 domid_t domid, ioservid_t id,
					 xen_pfn_t *ioreq_gfn,
					 xen_pfn_t *bufioreq_gfn,
					 evtchn_port_t *bufioreq_port)
{
	struct kxen_ioreq_server_id req = {.domid = domid, .id = id};
	struct kxen_ioreq_server_info rep;

	/* The pages exist only as a resource (map_resource), never at a
	 * guest frame: a caller asking for gfns must learn so. */
	if (ioreq_gfn || bufioreq_gfn) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (kxc_domconns_call(&dmod->conns, domid,
			      KXEN_OP_IOREQ_SERVER_GET_INFO, &req, sizeof(req),
			      &rep, sizeof(rep), NULL) < 0)
		return -1;
	if (bufioreq_port)
		*bufioreq_port = rep.bufioreq_port;
	return 0;
}

static int range_op(xendevicemodel_handle *dmod, uint16_t op, uint32_t domid,
		    ioservid_t id, uint16_t type, uint32_t flags,
		    uint64_t start, uint64_t end)
{
	struct kxen_ioreq_server_range req = {.domid = domid,
					      .id = id,
					      .type = type,
					      .flags = flags,
					      .start = start,
					      .end = end};

	return call(dmod, domid, op, &req, sizeof(req));
}

static uint16_t io_type(int is_mmio)
{
	return is_mmio ? KXEN_IOREQ_RANGE_MMIO : KXEN_IOREQ_RANGE_PORT;
}

int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod,
						domid_t domid, ioservid_t id,
						int is_mmio, uint64_t start,
						uint64_t end)
{
	return range_op(dmod, KXEN_OP_IOREQ_SERVER_MAP_RANGE, domid, id,
			io_type(is_mmio), 0, start, end);
}

int xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod,
						    domid_t domid,
						    ioservid_t id, int is_mmio,
						    uint64_t start,
						    uint64_t end)
{
	return range_op(dmod, KXEN_OP_IOREQ_SERVER_UNMAP_RANGE, domid, id,
			io_type(is_mmio), 0, start, end);
}

int kxc_dm_map_io_range_buffered(xendevicemodel_handle *dmod, uint32_t domid,
				 ioservid_t id, int is_mmio, uint64_t start,
				 uint64_t end)
{
	return range_op(dmod, KXEN_OP_IOREQ_SERVER_MAP_RANGE, domid, id,
			io_type(is_mmio), KXEN_IOREQ_RANGE_BUFFERED, start,
			end);
}

/* One PCI function as a range of one SBDF (Xen's XEN_DMOP_PCI_SBDF). */
static int pcidev_op(xendevicemodel_handle *dmod, uint16_t op, uint32_t domid,
		     ioservid_t id, uint16_t segment, uint8_t bus,
		     uint8_t device, uint8_t function)
{
	uint64_t sbdf;

	/* Wider values would spill into the neighbouring fields. */
	if (device > 31 || function > 7)
		return einval();
	sbdf = (uint64_t)segment << 16 | (uint64_t)bus << 8 |
	       (uint64_t)device << 3 | function;
	return range_op(dmod, op, domid, id, KXEN_IOREQ_RANGE_PCI, 0, sbdf,
			sbdf);
}

int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod,
					      domid_t domid, ioservid_t id,
					      uint16_t segment, uint8_t bus,
					      uint8_t device, uint8_t function)
{
	return pcidev_op(dmod, KXEN_OP_IOREQ_SERVER_MAP_RANGE, domid, id,
			 segment, bus, device, function);
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *dmod,
						  domid_t domid, ioservid_t id,
						  uint16_t segment, uint8_t bus,
						  uint8_t device,
						  uint8_t function)
{
	return pcidev_op(dmod, KXEN_OP_IOREQ_SERVER_UNMAP_RANGE, domid, id,
			 segment, bus, device, function);
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod,
					domid_t domid, ioservid_t id)
{
	struct kxen_ioreq_server_id req = {.domid = domid, .id = id};

	return call(dmod, domid, KXEN_OP_IOREQ_SERVER_DESTROY, &req,
		    sizeof(req));
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod,
					  domid_t domid, ioservid_t id,
					  int enabled)
{
	struct kxen_ioreq_server_state req = {
	    .domid = domid, .id = id, .enabled = enabled != 0};

	return call(dmod, domid, KXEN_OP_IOREQ_SERVER_SET_STATE, &req,
		    sizeof(req));
}

int xendevicemodel_set_pci_intx_level(xendevicemodel_handle *dmod,
				      domid_t domid, uint16_t segment,
				      uint8_t bus, uint8_t device, uint8_t intx,
				      unsigned int level)
{
	struct kxen_dm_pci_intx req = {.domid = domid,
				       .segment = segment,
				       .bus = bus,
				       .device = device,
				       .intx = intx};

	/* The wire carries a byte: 256 must not become 0. */
	if (level > UINT8_MAX)
		return einval();
	req.level = (uint8_t)level;
	return call(dmod, domid, KXEN_OP_DM_SET_PCI_INTX_LEVEL, &req,
		    sizeof(req));
}

int xendevicemodel_set_isa_irq_level(xendevicemodel_handle *dmod, domid_t domid,
				     uint8_t irq, unsigned int level)
{
	struct kxen_dm_isa_irq req = {.domid = domid, .isa_irq = irq};

	if (level > UINT8_MAX)
		return einval();
	req.level = (uint8_t)level;
	return call(dmod, domid, KXEN_OP_DM_SET_ISA_IRQ_LEVEL, &req,
		    sizeof(req));
}

int xendevicemodel_set_irq_level(xendevicemodel_handle *dmod, domid_t domid,
				 unsigned int irq, unsigned int level)
{
	struct kxen_dm_irq_level req = {
	    .domid = domid, .irq = irq, .level = level};

	return call(dmod, domid, KXEN_OP_DM_SET_IRQ_LEVEL, &req, sizeof(req));
}

int xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid,
			      uint64_t msi_addr, uint32_t msi_data)
{
	struct kxen_dm_msi req = {
	    .domid = domid, .data = msi_data, .addr = msi_addr};

	return call(dmod, domid, KXEN_OP_DM_INJECT_MSI, &req, sizeof(req));
}

int xendevicemodel_shutdown(xendevicemodel_handle *dmod, domid_t domid,
			    unsigned int reason)
{
	struct kxen_dm_shutdown req = {.domid = domid, .reason = reason};

	return call(dmod, domid, KXEN_OP_DM_REMOTE_SHUTDOWN, &req, sizeof(req));
}

int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
	return kxc_domconns_restrict(&dmod->conns, domid);
}
