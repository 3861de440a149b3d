/*
 * Suite "evtchn": libctl's device-model APIs (xendevicemodel, xenevtchn,
 * xenforeignmemory_map_resource) against a private kxend. Covers ioreq
 * servers and their ranges, the shared pages, event-channel binding and
 * notification, DMOP argument checks, restriction, the lifetime of a
 * server (it dies with its connection), remote shutdown, and one full
 * round trip: a tiny guest's port I/O answered by the test acting as
 * the device model.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "kxen/ioreq.h"
#include "kxenctrl.h"
#include "xendevicemodel.h"
#include "xenevtchn.h"
#include "xenforeignmemory.h"

#define NR_VCPUS 2
#define GUEST_PORT 0x510     /* synchronous port of the round trip */
#define GUEST_BUF_PORT 0x520 /* buffered port of the round trip */
#define NO_SUCH_PORT 999

/* A private kxend with one paused domain of NR_VCPUS vCPUs and 1 MiB. */
struct fixture {
	struct harness_kxend *k;
	xc_interface *xch;
	uint32_t domid;
};

static int make_domain(xc_interface *xch, const char *name, uint32_t *domid)
{
	struct xen_domctl_createdomain cfg = {.max_vcpus = NR_VCPUS};
	xen_pfn_t gfn = 0;

	*domid = 0;
	if (kxc_domain_create_named(xch, name, domid, &cfg) < 0 ||
	    xc_domain_setmaxmem(xch, *domid, 1024) < 0)
		return -1;
	/* One extent of 2^8 pages: guest-physical 0 to 1 MiB. */
	return xc_domain_populate_physmap_exact(xch, *domid, 1, 8, 0, &gfn);
}

static bool setup(struct fixture *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL(f->k);
	if (!f->k)
		return false;
	f->xch = xc_interface_open(NULL, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL(f->xch);
	if (f->xch && make_domain(f->xch, name, &f->domid) == 0)
		return true;
	CU_FAIL("cannot create the test domain");
	if (f->xch)
		xc_interface_close(f->xch);
	harness_kxend_stop(f->k);
	return false;
}

static void teardown(struct fixture *f)
{
	xc_domain_destroy(f->xch, f->domid);
	xc_interface_close(f->xch);
	CU_ASSERT_EQUAL(harness_kxend_stop(f->k), 0);
}

/* -1 with errno err: the usual shape of a refused call. */
#define CHECK_ERR(call, err)                                                   \
	do {                                                                   \
		errno = 0;                                                     \
		CU_ASSERT_EQUAL((call), -1);                                   \
		CU_ASSERT_EQUAL(errno, (err));                                 \
	} while (0)

static void test_ioreq_server_ranges(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;
	xen_pfn_t gfn;
	evtchn_port_t bufport = 0;
	ioservid_t id = 0xffff, id2 = 0xffff;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "ranges"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(
			    dm, f.domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &id),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(
			    dm, f.domid, HVM_IOREQSRV_BUFIOREQ_OFF, &id2),
			0);
	CU_ASSERT_NOT_EQUAL(id, id2);
	CHECK_ERR(xendevicemodel_create_ioreq_server(dm, f.domid, 3, &id2),
		  EINVAL);
	CHECK_ERR(xendevicemodel_create_ioreq_server(dm, f.domid + 1, 0, &id2),
		  ESRCH);
	/* The pages have no guest frame: only map_resource reaches them. */
	CHECK_ERR(xendevicemodel_get_ioreq_server_info(dm, f.domid, id, &gfn,
						       NULL, &bufport),
		  EOPNOTSUPP);
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(
			    dm, f.domid, id, NULL, NULL, &bufport),
			0);
	CU_ASSERT_NOT_EQUAL(bufport, 0);
	CHECK_ERR(xendevicemodel_get_ioreq_server_info(dm, f.domid, 7, NULL,
						       NULL, NULL),
		  ENOENT);

	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(
			    dm, f.domid, id, 0, 0x3f8, 0x3ff),
			0);
	/* Overlap with any server's range is refused, even another's. */
	CHECK_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, f.domid, id2,
							      0, 0x3ff, 0x400),
		  EEXIST);
	CHECK_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, f.domid, id,
							      0, 0x3f0, 0x3f8),
		  EEXIST);
	/* Ports and MMIO are separate spaces. */
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(
			    dm, f.domid, id2, 1, 0x3f8, 0x3ff),
			0);
	CHECK_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, f.domid, id,
							      0, 0x10, 0x0f),
		  EINVAL);
	CHECK_ERR(xendevicemodel_map_io_range_to_ioreq_server(
		      dm, f.domid, id, 0, 0xfff0, 0x10000),
		  EINVAL);
	CU_ASSERT_EQUAL(kxc_dm_map_io_range_buffered(dm, f.domid, id, 1,
						     0xfebf0000, 0xfebf0fff),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_map_pcidev_to_ioreq_server(
			    dm, f.domid, id, 0, 0, 3, 0),
			0);
	CHECK_ERR(xendevicemodel_map_pcidev_to_ioreq_server(dm, f.domid, id2, 0,
							    0, 3, 0),
		  EEXIST);
	CHECK_ERR(xendevicemodel_map_pcidev_to_ioreq_server(dm, f.domid, id, 0,
							    0, 32, 0),
		  EINVAL);
	CHECK_ERR(xendevicemodel_map_pcidev_to_ioreq_server(dm, f.domid, id, 0,
							    0, 3, 8),
		  EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_unmap_pcidev_from_ioreq_server(
			    dm, f.domid, id, 0, 0, 3, 0),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_map_pcidev_to_ioreq_server(
			    dm, f.domid, id2, 0, 0, 3, 0),
			0);
	/* Unmapping needs the exact range. */
	CHECK_ERR(xendevicemodel_unmap_io_range_from_ioreq_server(
		      dm, f.domid, id, 0, 0x3f8, 0x3f9),
		  ENOENT);
	CU_ASSERT_EQUAL(xendevicemodel_unmap_io_range_from_ioreq_server(
			    dm, f.domid, id, 0, 0x3f8, 0x3ff),
			0);
	CHECK_ERR(xendevicemodel_unmap_io_range_from_ioreq_server(
		      dm, f.domid, id, 0, 0x3f8, 0x3ff),
		  ENOENT);
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_ioreq_server_state(dm, f.domid, id, 1), 0);
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_ioreq_server_state(dm, f.domid, id, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, f.domid, id),
			0);
	CHECK_ERR(xendevicemodel_destroy_ioreq_server(dm, f.domid, id), ENOENT);
	CHECK_ERR(xendevicemodel_set_ioreq_server_state(dm, f.domid, id, 1),
		  ENOENT);
	xendevicemodel_close(dm);
	teardown(&f);
}

/* The synchronous page of server id (frame 1), or NULL. */
static xenforeignmemory_resource_handle *
map_ioreq_page(xenforeignmemory_handle *fmem, uint32_t domid, ioservid_t id,
	       shared_iopage_t **page)
{
	void *addr = NULL;
	xenforeignmemory_resource_handle *res = xenforeignmemory_map_resource(
	    fmem, domid, XENMEM_resource_ioreq_server, id,
	    XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &addr,
	    PROT_READ | PROT_WRITE, 0);

	*page = res ? addr : NULL;
	return res;
}

static void test_map_resource(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	xenforeignmemory_resource_handle *res;
	evtchn_port_t bufport = 0, p0, p1;
	ioservid_t id = 0, id_nobuf = 0;
	void *addr = NULL;
	shared_iopage_t *sp;
	buffered_iopage_t *bp;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "resource"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	CU_ASSERT_FATAL(dm && fmem);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(
			    dm, f.domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &id),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(
			    dm, f.domid, HVM_IOREQSRV_BUFIOREQ_OFF, &id_nobuf),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(
			    dm, f.domid, id, NULL, NULL, &bufport),
			0);
	/* Both pages at once: buffered first, then synchronous. */
	res = xenforeignmemory_map_resource(
	    fmem, f.domid, XENMEM_resource_ioreq_server, id, 0, 2, &addr,
	    PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	bp = addr;
	sp = (shared_iopage_t *)((char *)addr + 4096);
	CU_ASSERT_EQUAL(bp->read_pointer, bp->write_pointer);
	p0 = sp->vcpu_ioreq[0].vp_eport;
	p1 = sp->vcpu_ioreq[1].vp_eport;
	CU_ASSERT_NOT_EQUAL(p0, 0);
	CU_ASSERT_NOT_EQUAL(p1, 0);
	CU_ASSERT_NOT_EQUAL(p0, p1);
	CU_ASSERT_NOT_EQUAL(p0, bufport);
	CU_ASSERT_NOT_EQUAL(p1, bufport);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].state, STATE_IOREQ_NONE);
	CU_ASSERT_EQUAL(xenforeignmemory_unmap_resource(fmem, res), 0);
	/* The synchronous page alone is the same memory. */
	res = map_ioreq_page(fmem, f.domid, id, &sp);
	CU_ASSERT_PTR_NOT_NULL(res);
	if (res) {
		CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].vp_eport, p0);
		CU_ASSERT_EQUAL(sp->vcpu_ioreq[1].vp_eport, p1);
		xenforeignmemory_unmap_resource(fmem, res);
	}
	addr = NULL;
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(
	    fmem, f.domid, XENMEM_resource_ioreq_server, id, 2, 1, &addr,
	    PROT_READ, 0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	/* No buffered page without buffering. */
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(
	    fmem, f.domid, XENMEM_resource_ioreq_server, id_nobuf, 0, 1, &addr,
	    PROT_READ, 0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(
	    fmem, f.domid, 1, id, 1, 1, &addr, PROT_READ, 0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(
	    fmem, f.domid, XENMEM_resource_ioreq_server, 7, 1, 1, &addr,
	    PROT_READ, 0));
	CU_ASSERT_EQUAL(errno, ENOENT);
	xenforeignmemory_close(fmem);
	xendevicemodel_close(dm);
	teardown(&f);
}

/* Whether fd becomes readable within ms. */
static bool readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* The per-vCPU ports of server id, read from its synchronous page. */
static int vcpu_ports(xenforeignmemory_handle *fmem, uint32_t domid,
		      ioservid_t id, evtchn_port_t *ports)
{
	shared_iopage_t *sp;
	xenforeignmemory_resource_handle *res =
	    map_ioreq_page(fmem, domid, id, &sp);

	if (!res)
		return -1;
	for (unsigned i = 0; i < NR_VCPUS; i++)
		ports[i] = sp->vcpu_ioreq[i].vp_eport;
	return xenforeignmemory_unmap_resource(fmem, res);
}

static void check_bad_ports(xenevtchn_handle *xce, uint32_t domid)
{
	CHECK_ERR(xenevtchn_bind_interdomain(xce, domid, NO_SUCH_PORT), EINVAL);
	CHECK_ERR(xenevtchn_bind_interdomain(xce, domid, 0), EINVAL);
	CHECK_ERR(xenevtchn_notify(xce, NO_SUCH_PORT), EINVAL);
	CHECK_ERR(xenevtchn_unmask(xce, NO_SUCH_PORT), EINVAL);
	CHECK_ERR(xenevtchn_unbind(xce, NO_SUCH_PORT), EINVAL);
	CHECK_ERR(xenevtchn_bind_unbound_port(xce, domid + 1), ESRCH);
}

/* bind_interdomain, retried while the port is still busy. */
static int bind_retry(xenevtchn_handle *xce, uint32_t domid, evtchn_port_t port,
		      int ms)
{
	int rc = -1;

	for (int t = 0; t < ms; t += 10) {
		rc = xenevtchn_bind_interdomain(xce, domid, port);
		if (rc >= 0 || errno != EBUSY)
			break;
		usleep(10000);
	}
	return rc;
}

static void test_evtchn_bind_notify(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce, *xce2;
	evtchn_port_t ports[NR_VCPUS] = {0};
	xenevtchn_port_or_error_t loop;
	ioservid_t id = 0;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "evtchn"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	xce2 = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(dm && fmem && xce && xce2);
	CU_ASSERT(xenevtchn_fd(xce) >= 0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, f.domid, 0, &id),
			0);
	CU_ASSERT_EQUAL_FATAL(vcpu_ports(fmem, f.domid, id, ports), 0);
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		CU_ASSERT_EQUAL(
		    xenevtchn_bind_interdomain(xce, f.domid, ports[i]),
		    (int)ports[i]);
		CU_ASSERT_EQUAL(xenevtchn_unmask(xce, ports[i]), 0);
	}
	/* Bound here already, and bound in kxend for another handle. */
	CHECK_ERR(xenevtchn_bind_interdomain(xce, f.domid, ports[0]), EBUSY);
	CHECK_ERR(xenevtchn_bind_interdomain(xce2, f.domid, ports[0]), EBUSY);
	check_bad_ports(xce, f.domid);

	/* Our own notification goes to the domain, never back to us. */
	CHECK_ERR(xenevtchn_pending(xce), EAGAIN);
	CU_ASSERT_EQUAL(xenevtchn_notify(xce, ports[0]), 0);
	CU_ASSERT_FALSE(readable(xenevtchn_fd(xce), 50));
	CHECK_ERR(xenevtchn_pending(xce), EAGAIN);
	loop = xenevtchn_bind_unbound_port(xce, f.domid);
	CU_ASSERT(loop > 0);
	CU_ASSERT(loop != (int)ports[0] && loop != (int)ports[1]);
	CU_ASSERT_EQUAL(xenevtchn_notify(xce, (evtchn_port_t)loop), 0);
	CU_ASSERT_FALSE(readable(xenevtchn_fd(xce), 50));
	CU_ASSERT_EQUAL(xenevtchn_unbind(xce, (evtchn_port_t)loop), 0);
	CHECK_ERR(xenevtchn_notify(xce, (evtchn_port_t)loop), EINVAL);

	/* Unbinding gives the port back: another handle may take it. */
	CU_ASSERT_EQUAL(xenevtchn_unbind(xce, ports[0]), 0);
	CHECK_ERR(xenevtchn_unbind(xce, ports[0]), EINVAL);
	CU_ASSERT_EQUAL(xenevtchn_bind_interdomain(xce2, f.domid, ports[0]),
			(int)ports[0]);
	/* Closing a handle unbinds its ports in kxend (once it has seen the
	 * hangup, which it does asynchronously). */
	CU_ASSERT_EQUAL(xenevtchn_close(xce), 0);
	CU_ASSERT_EQUAL(bind_retry(xce2, f.domid, ports[1], 5000),
			(int)ports[1]);
	xenevtchn_close(xce2);
	xenforeignmemory_close(fmem);
	xendevicemodel_close(dm);
	teardown(&f);
}

/*
 * Local port = the domain's port, so equal numbers of two domains cannot
 * share a handle; the refused bind leaves the port free in kxend.
 */
static void test_evtchn_port_clash(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce, *xce2;
	evtchn_port_t a[NR_VCPUS] = {0}, b[NR_VCPUS] = {0};
	uint32_t other = 0;
	ioservid_t ida = 0, idb = 0;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "clash"))
		return;
	CU_ASSERT_EQUAL_FATAL(make_domain(f.xch, "clash2", &other), 0);
	dm = xendevicemodel_open(NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	xce2 = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(dm && fmem && xce && xce2);
	CU_ASSERT_EQUAL(
	    xendevicemodel_create_ioreq_server(dm, f.domid, 0, &ida), 0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, other, 0, &idb),
			0);
	CU_ASSERT_EQUAL(vcpu_ports(fmem, f.domid, ida, a), 0);
	CU_ASSERT_EQUAL(vcpu_ports(fmem, other, idb, b), 0);
	/* Fresh domains number their ports alike. */
	CU_ASSERT_EQUAL_FATAL(a[0], b[0]);
	CU_ASSERT_EQUAL(xenevtchn_bind_interdomain(xce, f.domid, a[0]),
			(int)a[0]);
	CHECK_ERR(xenevtchn_bind_interdomain(xce, other, b[0]), EBUSY);
	CU_ASSERT_EQUAL(xenevtchn_bind_interdomain(xce, other, b[1]),
			(int)b[1]);
	CU_ASSERT_EQUAL(xenevtchn_bind_interdomain(xce2, other, b[0]),
			(int)b[0]);
	xenevtchn_close(xce2);
	xenevtchn_close(xce);
	xenforeignmemory_close(fmem);
	xendevicemodel_close(dm);
	xc_domain_destroy(f.xch, other);
	teardown(&f);
}

static void test_dmop_arguments(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "dmops"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
	CU_ASSERT_EQUAL(xendevicemodel_set_isa_irq_level(dm, f.domid, 4, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_isa_irq_level(dm, f.domid, 4, 0), 0);
	CHECK_ERR(xendevicemodel_set_isa_irq_level(dm, f.domid, 16, 1), EINVAL);
	CHECK_ERR(xendevicemodel_set_isa_irq_level(dm, f.domid, 4, 2), EINVAL);
	CHECK_ERR(xendevicemodel_set_isa_irq_level(dm, f.domid, 4, 257),
		  EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_set_irq_level(dm, f.domid, 20, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_irq_level(dm, f.domid, 20, 0), 0);
	CHECK_ERR(xendevicemodel_set_irq_level(dm, f.domid, 24, 1), EINVAL);
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_pci_intx_level(dm, f.domid, 0, 0, 3, 0, 1), 0);
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_pci_intx_level(dm, f.domid, 0, 0, 3, 0, 0), 0);
	CHECK_ERR(
	    xendevicemodel_set_pci_intx_level(dm, f.domid, 0, 0, 32, 0, 1),
	    EINVAL);
	CHECK_ERR(xendevicemodel_set_pci_intx_level(dm, f.domid, 0, 0, 3, 4, 1),
		  EINVAL);
	CHECK_ERR(xendevicemodel_set_pci_intx_level(dm, f.domid, 0, 1, 3, 0, 1),
		  EINVAL);
	CHECK_ERR(xendevicemodel_set_pci_intx_level(dm, f.domid, 1, 0, 3, 0, 1),
		  EINVAL);
	CU_ASSERT_EQUAL(
	    xendevicemodel_inject_msi(dm, f.domid, 0xfee00000, 0x0030), 0);
	CHECK_ERR(xendevicemodel_inject_msi(dm, f.domid, 0x12345678, 0x30),
		  EINVAL);
	CHECK_ERR(xendevicemodel_shutdown(dm, f.domid, 5), EINVAL);
	CHECK_ERR(xendevicemodel_set_isa_irq_level(dm, f.domid + 1, 4, 1),
		  ESRCH);
	xendevicemodel_close(dm);
	teardown(&f);
}

static void test_restrict(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce;
	uint32_t other = 0;
	xen_pfn_t gfn = 0x10;
	void *addr = NULL, *p;
	ioservid_t id;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "restrict"))
		return;
	CU_ASSERT_EQUAL_FATAL(make_domain(f.xch, "other", &other), 0);
	dm = xendevicemodel_open(NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(dm && fmem && xce);
	/* A connection open before the restriction is restricted too. */
	CU_ASSERT_EQUAL(xendevicemodel_set_irq_level(dm, other, 5, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_restrict(dm, f.domid), 0);
	CU_ASSERT_EQUAL(xendevicemodel_restrict(dm, f.domid), 0);
	CHECK_ERR(xendevicemodel_restrict(dm, other), EPERM);
	CHECK_ERR(xendevicemodel_set_irq_level(dm, other, 5, 0), EPERM);
	CHECK_ERR(xendevicemodel_create_ioreq_server(dm, other, 0, &id), EPERM);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, f.domid, 0, &id),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_irq_level(dm, f.domid, 5, 0), 0);

	CU_ASSERT_EQUAL(xenevtchn_restrict(xce, f.domid), 0);
	CHECK_ERR(xenevtchn_bind_unbound_port(xce, other), EPERM);
	CU_ASSERT(xenevtchn_bind_unbound_port(xce, f.domid) > 0);

	/* xenforeignmemory goes through kxend's parent: it refuses too. */
	CU_ASSERT_EQUAL(xenforeignmemory_restrict(fmem, f.domid), 0);
	errno = 0;
	CU_ASSERT_PTR_NULL(
	    xenforeignmemory_map(fmem, other, PROT_READ, 1, &gfn, NULL));
	CU_ASSERT_EQUAL(errno, EPERM);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(
	    fmem, other, XENMEM_resource_ioreq_server, 0, 1, 1, &addr,
	    PROT_READ, 0));
	CU_ASSERT_EQUAL(errno, EPERM);
	p = xenforeignmemory_map(fmem, f.domid, PROT_READ, 1, &gfn, NULL);
	CU_ASSERT_PTR_NOT_NULL(p);
	if (p)
		xenforeignmemory_unmap(fmem, p, 1);
	CU_ASSERT_EQUAL(harness_wait_dmesg("restricted to domain", 5000), 0);
	xenevtchn_close(xce);
	xenforeignmemory_close(fmem);
	xendevicemodel_close(dm);
	xc_domain_destroy(f.xch, other);
	teardown(&f);
}

/* Poll until server id of domid is gone (ENOENT); 0, or -1 on timeout. */
static int wait_server_gone(xendevicemodel_handle *dm, uint32_t domid,
			    ioservid_t id, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		if (xendevicemodel_get_ioreq_server_info(dm, domid, id, NULL,
							 NULL, NULL) < 0)
			return errno == ENOENT ? 0 : -1;
		usleep(10000);
	}
	return -1;
}

static void test_server_dies_with_connection(void)
{
	struct fixture f;
	xendevicemodel_handle *dm, *dm2;
	ioservid_t id = 0;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "lifetime"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, f.domid, 1, &id),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(
			    dm, f.domid, id, 0, 0x3f8, 0x3ff),
			0);
	dm2 = xendevicemodel_open(NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dm2);
	/* Servers are the domain's: another connection sees this one. */
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(dm2, f.domid, id,
							     NULL, NULL, NULL),
			0);
	xendevicemodel_close(dm);
	/* kxend sees the hangup asynchronously: give it a moment. */
	CU_ASSERT_EQUAL(wait_server_gone(dm2, f.domid, id, 5000), 0);
	CHECK_ERR(xendevicemodel_get_ioreq_server_info(dm2, f.domid, id, NULL,
						       NULL, NULL),
		  ENOENT);
	/* Its range went with it. */
	CU_ASSERT_EQUAL(
	    xendevicemodel_create_ioreq_server(dm2, f.domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(
			    dm2, f.domid, id, 0, 0x3f8, 0x3ff),
			0);
	xendevicemodel_close(dm2);
	teardown(&f);
}

/* Poll `kxl list NAME` until its state column shows state. */
static int wait_kxl_state(const char *name, const char *state, int ms)
{
	for (int t = 0; t < ms; t += 50) {
		char *out = NULL;
		bool found;

		harness_kxl(&out, "list", name, NULL);
		found = out && strstr(out, name) && strstr(out, state);
		free(out);
		if (found)
			return 0;
		usleep(50000);
	}
	return -1;
}

static void test_remote_shutdown(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "poweroff"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
	CU_ASSERT_EQUAL(xendevicemodel_shutdown(dm, f.domid, SHUTDOWN_poweroff),
			0);
	CU_ASSERT_EQUAL(wait_kxl_state("poweroff", "---s--", 5000), 0);
	xendevicemodel_close(dm);
	teardown(&f);
}

/*
 * Real-mode guest at 0x8000: out 0x42 to GUEST_PORT, read it back, print
 * what it read on the debug console, write it to GUEST_BUF_PORT, end
 * the line, halt.
 */
static const unsigned char io_guest[] = {
    0xba, 0x10, 0x05, /* mov dx, GUEST_PORT */
    0xb0, 0x42,	      /* mov al, 0x42 */
    0xee,	      /* out dx, al */
    0xec,	      /* in al, dx */
    0xe6, 0xe9,	      /* out 0xe9, al */
    0xba, 0x20, 0x05, /* mov dx, GUEST_BUF_PORT */
    0xee,	      /* out dx, al */
    0xb0, 0x0a,	      /* mov al, '\n' */
    0xe6, 0xe9,	      /* out 0xe9, al */
    0xf4,	      /* hlt */
    0xeb, 0xfd,	      /* jmp hlt */
};

static int load_io_guest(struct fixture *f)
{
	xenforeignmemory_handle *fmem = xenforeignmemory_open(NULL, 0);
	xen_pfn_t gfn = 8;
	unsigned char *p;

	if (!fmem)
		return -1;
	p = xenforeignmemory_map(fmem, f->domid, PROT_READ | PROT_WRITE, 1,
				 &gfn, NULL);
	if (p) {
		memcpy(p, io_guest, sizeof(io_guest));
		xenforeignmemory_unmap(fmem, p, 1);
	}
	xenforeignmemory_close(fmem);
	return p ? 0 : -1;
}

/* vCPU 0 in real mode at 0x8000, as the toolstack starts flat images. */
static int start_io_guest(struct fixture *f)
{
	struct kxen_vcpu_context c = {0};
	struct kxen_segment data = {.limit = 0xffff, .attr = 0x93};

	c.cs = (struct kxen_segment){.limit = 0xffff, .attr = 0x9b};
	c.ds = c.es = c.fs = c.gs = c.ss = data;
	c.tr = (struct kxen_segment){.limit = 0xffff, .attr = 0x8b};
	c.ldtr = (struct kxen_segment){.limit = 0xffff, .attr = 0x82};
	c.gdtr.limit = c.idtr.limit = 0xffff;
	c.rip = 0x8000;
	c.rsp = 0x7c00;
	c.rflags = 0x2;
	c.cr0 = 0x10;
	if (kxc_vcpu_setcontext(f->xch, f->domid, 0, &c) < 0)
		return -1;
	return xc_domain_unpause(f->xch, f->domid);
}

/* Wait for the next notification; returns its port or -1. */
static int next_event(xenevtchn_handle *xce)
{
	if (!readable(xenevtchn_fd(xce), 10000))
		return -1;
	return xenevtchn_pending(xce);
}

/* Answer vCPU 0's request as a device model does. */
static void answer(xenevtchn_handle *xce, ioreq_t *r, evtchn_port_t port,
		   uint64_t data)
{
	r->state = STATE_IOREQ_INPROCESS;
	if (r->dir == IOREQ_READ)
		r->data = data;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->state = STATE_IORESP_READY;
	CU_ASSERT_EQUAL(xenevtchn_notify(xce, port), 0);
}

static void check_request(const ioreq_t *r, int dir, uint64_t data)
{
	CU_ASSERT_EQUAL(r->state, STATE_IOREQ_READY);
	CU_ASSERT_EQUAL(r->type, IOREQ_TYPE_PIO);
	CU_ASSERT_EQUAL(r->addr, GUEST_PORT);
	CU_ASSERT_EQUAL(r->size, 1);
	CU_ASSERT_EQUAL(r->count, 1);
	CU_ASSERT_EQUAL(r->dir, dir);
	CU_ASSERT_EQUAL(r->data_is_ptr, 0);
	if (dir == IOREQ_WRITE)
		CU_ASSERT_EQUAL(r->data, data);
}

static void test_ioreq_round_trip(void)
{
	struct fixture f;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fmem;
	xenforeignmemory_resource_handle *res;
	xenevtchn_handle *xce;
	evtchn_port_t bufport = 0, vp0;
	buffered_iopage_t *bp;
	shared_iopage_t *sp;
	void *pages = NULL;
	ioservid_t id = 0;
	int port;

	KXEN_REQUIRE_KVM();
	if (!setup(&f, "roundtrip"))
		return;
	dm = xendevicemodel_open(NULL, 0);
	fmem = xenforeignmemory_open(NULL, 0);
	xce = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(dm && fmem && xce);
	CU_ASSERT_EQUAL(load_io_guest(&f), 0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(
			    dm, f.domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &id),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(
			    dm, f.domid, id, NULL, NULL, &bufport),
			0);
	res = xenforeignmemory_map_resource(
	    fmem, f.domid, XENMEM_resource_ioreq_server, id, 0, 2, &pages,
	    PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res);
	bp = pages;
	sp = (shared_iopage_t *)((char *)pages + 4096);
	vp0 = sp->vcpu_ioreq[0].vp_eport;
	CU_ASSERT_EQUAL(xenevtchn_bind_interdomain(xce, f.domid, vp0),
			(int)vp0);
	CU_ASSERT_EQUAL(xenevtchn_bind_interdomain(xce, f.domid, bufport),
			(int)bufport);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(
			    dm, f.domid, id, 0, GUEST_PORT, GUEST_PORT),
			0);
	CU_ASSERT_EQUAL(kxc_dm_map_io_range_buffered(
			    dm, f.domid, id, 0, GUEST_BUF_PORT, GUEST_BUF_PORT),
			0);
	CU_ASSERT_EQUAL(
	    xendevicemodel_set_ioreq_server_state(dm, f.domid, id, 1), 0);
	/* Nothing happens before the guest runs. */
	CU_ASSERT_FALSE(readable(xenevtchn_fd(xce), 50));
	CU_ASSERT_EQUAL_FATAL(start_io_guest(&f), 0);

	port = next_event(xce);
	CU_ASSERT_EQUAL(port, (int)vp0);
	check_request(&sp->vcpu_ioreq[0], IOREQ_WRITE, 0x42);
	answer(xce, &sp->vcpu_ioreq[0], vp0, 0);
	port = next_event(xce);
	CU_ASSERT_EQUAL(port, (int)vp0);
	check_request(&sp->vcpu_ioreq[0], IOREQ_READ, 0);
	answer(xce, &sp->vcpu_ioreq[0], vp0, 'K');
	CU_ASSERT_EQUAL(harness_wait_dmesg("guest: K", 10000), 0);

	/* The buffered write needs no answer: it waits in the ring. */
	port = next_event(xce);
	CU_ASSERT_EQUAL(port, (int)bufport);
	CU_ASSERT_EQUAL(bp->write_pointer - bp->read_pointer, 1);
	CU_ASSERT_EQUAL(bp->buf_ioreq[0].dir, IOREQ_WRITE);
	CU_ASSERT_EQUAL(bp->buf_ioreq[0].type, IOREQ_TYPE_PIO);
	CU_ASSERT_EQUAL(bp->buf_ioreq[0].size, 0);
	CU_ASSERT_EQUAL(bp->buf_ioreq[0].addr, GUEST_BUF_PORT);
	CU_ASSERT_EQUAL(bp->buf_ioreq[0].data, 'K');
	bp->read_pointer = bp->write_pointer;

	/* Off before closing: losing an enabled server crashes the domain. */
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, f.domid, id),
			0);
	xenforeignmemory_unmap_resource(fmem, res);
	xenevtchn_close(xce);
	xenforeignmemory_close(fmem);
	xendevicemodel_close(dm);
	teardown(&f);
}

int kxen_suite_evtchn(void)
{
	CU_pSuite s = CU_add_suite("evtchn", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "ioreq servers and their ranges",
			 test_ioreq_server_ranges) ||
	    !CU_add_test(s, "map_resource: buffered and synchronous pages",
			 test_map_resource) ||
	    !CU_add_test(s, "event channels: bind, notify, pending, unbind",
			 test_evtchn_bind_notify) ||
	    !CU_add_test(s, "two domains' equal port numbers clash: EBUSY",
			 test_evtchn_port_clash) ||
	    !CU_add_test(s, "DMOP argument checks", test_dmop_arguments) ||
	    !CU_add_test(s, "restricted handles", test_restrict) ||
	    !CU_add_test(s, "a server dies with its connection",
			 test_server_dies_with_connection) ||
	    !CU_add_test(s, "remote shutdown: poweroff",
			 test_remote_shutdown) ||
	    !CU_add_test(s, "port I/O round trip through an ioreq server",
			 test_ioreq_round_trip))
		return -1;
	return 0;
}
