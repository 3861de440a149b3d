/*
 * One translation unit compiled twice by the "compat" suite: against
 * kxen's include/ and against Debian's libxen-dev headers. It only
 * compiles (-fsyntax-only -Werror), and it compiles in both cases only if
 * every function has exactly the type written here and every struct field
 * used exists with a compatible type. A pointer initialised with a
 * function of any other type is an incompatible-pointer error.
 *
 * The layout checks pin sizes and offsets to Xen 4.17's x86-64 values,
 * so a program built against Xen's header agrees with ours on memory.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoollog.h>

typedef xc_interface *(*open_fn)(xentoollog_logger *, xentoollog_logger *,
				 unsigned);
typedef int (*close_fn)(xc_interface *);
typedef int (*create_fn)(xc_interface *, uint32_t *,
			 struct xen_domctl_createdomain *);
typedef int (*domid_fn)(xc_interface *, uint32_t);
typedef int (*getinfolist_fn)(xc_interface *, uint32_t, unsigned int,
			      xc_domaininfo_t *);
typedef int (*max_vcpus_fn)(xc_interface *, uint32_t, unsigned int);
typedef int (*setmaxmem_fn)(xc_interface *, uint32_t, uint64_t);
typedef int (*populate_fn)(xc_interface *, uint32_t, unsigned long,
			   unsigned int, unsigned int, xen_pfn_t *);
typedef int (*conring_fn)(xc_interface *, char *, unsigned int *, int, int,
			  uint32_t *);
typedef int (*physinfo_fn)(xc_interface *, xc_physinfo_t *);
typedef int (*cpuid_apply_fn)(xc_interface *, uint32_t, bool, const uint32_t *,
			      unsigned int, bool, bool, bool,
			      const struct xc_xend_cpuid *,
			      const struct xc_msr *);
typedef xenforeignmemory_handle *(*fmem_open_fn)(struct xentoollog_logger *,
						 unsigned);
typedef int (*fmem_close_fn)(xenforeignmemory_handle *);
typedef void *(*fmem_map_fn)(xenforeignmemory_handle *, uint32_t, int, size_t,
			     const xen_pfn_t[], int[]);
typedef int (*fmem_unmap_fn)(xenforeignmemory_handle *, void *, size_t);

typedef int (*fmem_restrict_fn)(xenforeignmemory_handle *, domid_t);
typedef xenforeignmemory_resource_handle *(*fmem_map_res_fn)(
    xenforeignmemory_handle *, domid_t, unsigned int, unsigned int,
    unsigned long, unsigned long, void **, int, int);
typedef int (*fmem_unmap_res_fn)(xenforeignmemory_handle *,
				 xenforeignmemory_resource_handle *);

/* libxenevtchn */
typedef xenevtchn_handle *(*evt_open_fn)(struct xentoollog_logger *,
					 unsigned int);
typedef int (*evt_handle_fn)(xenevtchn_handle *);
typedef int (*evt_port_fn)(xenevtchn_handle *, evtchn_port_t);
typedef xenevtchn_port_or_error_t (*evt_unbound_fn)(xenevtchn_handle *,
						    uint32_t);
typedef xenevtchn_port_or_error_t (*evt_interdomain_fn)(xenevtchn_handle *,
							uint32_t,
							evtchn_port_t);
typedef xenevtchn_port_or_error_t (*evt_pending_fn)(xenevtchn_handle *);
typedef int (*evt_restrict_fn)(xenevtchn_handle *, domid_t);

/* libxendevicemodel */
typedef xendevicemodel_handle *(*dm_open_fn)(struct xentoollog_logger *,
					     unsigned int);
typedef int (*dm_close_fn)(xendevicemodel_handle *);
typedef int (*dm_create_fn)(xendevicemodel_handle *, domid_t, int,
			    ioservid_t *);
typedef int (*dm_info_fn)(xendevicemodel_handle *, domid_t, ioservid_t,
			  xen_pfn_t *, xen_pfn_t *, evtchn_port_t *);
typedef int (*dm_range_fn)(xendevicemodel_handle *, domid_t, ioservid_t, int,
			   uint64_t, uint64_t);
typedef int (*dm_pcidev_fn)(xendevicemodel_handle *, domid_t, ioservid_t,
			    uint16_t, uint8_t, uint8_t, uint8_t);
typedef int (*dm_server_fn)(xendevicemodel_handle *, domid_t, ioservid_t);
typedef int (*dm_state_fn)(xendevicemodel_handle *, domid_t, ioservid_t, int);
typedef int (*dm_intx_fn)(xendevicemodel_handle *, domid_t, uint16_t, uint8_t,
			  uint8_t, uint8_t, unsigned int);
typedef int (*dm_isa_fn)(xendevicemodel_handle *, domid_t, uint8_t,
			 unsigned int);
typedef int (*dm_gsi_fn)(xendevicemodel_handle *, domid_t, unsigned int,
			 unsigned int);
typedef int (*dm_msi_fn)(xendevicemodel_handle *, domid_t, uint64_t, uint32_t);
typedef int (*dm_shutdown_fn)(xendevicemodel_handle *, domid_t, unsigned int);
typedef int (*dm_restrict_fn)(xendevicemodel_handle *, domid_t);
typedef int (*trigger_fn)(xc_interface *, uint32_t, uint32_t, uint32_t);

static const open_fn p_open = xc_interface_open;
static const close_fn p_close = xc_interface_close;
static const create_fn p_create = xc_domain_create;
static const domid_fn p_pause = xc_domain_pause;
static const domid_fn p_unpause = xc_domain_unpause;
static const domid_fn p_destroy = xc_domain_destroy;
static const trigger_fn p_trigger = xc_domain_send_trigger;
static const getinfolist_fn p_getinfolist = xc_domain_getinfolist;
static const max_vcpus_fn p_max_vcpus = xc_domain_max_vcpus;
static const setmaxmem_fn p_setmaxmem = xc_domain_setmaxmem;
static const populate_fn p_populate = xc_domain_populate_physmap_exact;
static const conring_fn p_conring = xc_readconsolering;
static const physinfo_fn p_physinfo = xc_physinfo;
static const cpuid_apply_fn p_cpuid_apply = xc_cpuid_apply_policy;
static const fmem_open_fn p_fmem_open = xenforeignmemory_open;
static const fmem_close_fn p_fmem_close = xenforeignmemory_close;
static const fmem_map_fn p_fmem_map = xenforeignmemory_map;
static const fmem_unmap_fn p_fmem_unmap = xenforeignmemory_unmap;
static const fmem_restrict_fn p_fmem_restrict = xenforeignmemory_restrict;
static const fmem_map_res_fn p_fmem_map_res = xenforeignmemory_map_resource;
static const fmem_unmap_res_fn p_fmem_unmap_res =
    xenforeignmemory_unmap_resource;

static const evt_open_fn p_evt_open = xenevtchn_open;
static const evt_handle_fn p_evt_close = xenevtchn_close;
static const evt_handle_fn p_evt_fd = xenevtchn_fd;
static const evt_port_fn p_evt_notify = xenevtchn_notify;
static const evt_unbound_fn p_evt_unbound = xenevtchn_bind_unbound_port;
static const evt_interdomain_fn p_evt_interdomain = xenevtchn_bind_interdomain;
static const evt_port_fn p_evt_unbind = xenevtchn_unbind;
static const evt_pending_fn p_evt_pending = xenevtchn_pending;
static const evt_port_fn p_evt_unmask = xenevtchn_unmask;
static const evt_restrict_fn p_evt_restrict = xenevtchn_restrict;

static const dm_open_fn p_dm_open = xendevicemodel_open;
static const dm_close_fn p_dm_close = xendevicemodel_close;
static const dm_create_fn p_dm_create = xendevicemodel_create_ioreq_server;
static const dm_info_fn p_dm_info = xendevicemodel_get_ioreq_server_info;
static const dm_range_fn p_dm_map = xendevicemodel_map_io_range_to_ioreq_server;
static const dm_range_fn p_dm_unmap =
    xendevicemodel_unmap_io_range_from_ioreq_server;
static const dm_pcidev_fn p_dm_map_pci =
    xendevicemodel_map_pcidev_to_ioreq_server;
static const dm_pcidev_fn p_dm_unmap_pci =
    xendevicemodel_unmap_pcidev_from_ioreq_server;
static const dm_server_fn p_dm_destroy = xendevicemodel_destroy_ioreq_server;
static const dm_state_fn p_dm_state = xendevicemodel_set_ioreq_server_state;
static const dm_intx_fn p_dm_intx = xendevicemodel_set_pci_intx_level;
static const dm_isa_fn p_dm_isa = xendevicemodel_set_isa_irq_level;
static const dm_gsi_fn p_dm_gsi = xendevicemodel_set_irq_level;
static const dm_msi_fn p_dm_msi = xendevicemodel_inject_msi;
static const dm_shutdown_fn p_dm_shutdown = xendevicemodel_shutdown;
static const dm_restrict_fn p_dm_restrict = xendevicemodel_restrict;

/* The scalar types are exactly Xen's, not merely the same size. */
#define SAME_TYPE(T, U) _Static_assert(_Generic((T)0, U : 1, default : 0), #T)
SAME_TYPE(evtchn_port_t, uint32_t);
SAME_TYPE(ioservid_t, uint16_t);
SAME_TYPE(domid_t, uint16_t);
SAME_TYPE(xenevtchn_port_or_error_t, int);
_Static_assert(XENEVTCHN_NO_CLOEXEC == 1, "XENEVTCHN_NO_CLOEXEC");
_Static_assert(XEN_DOMCTL_SENDTRIGGER_NMI == 0 &&
		   XEN_DOMCTL_SENDTRIGGER_RESET == 1 &&
		   XEN_DOMCTL_SENDTRIGGER_INIT == 2 &&
		   XEN_DOMCTL_SENDTRIGGER_POWER == 3 &&
		   XEN_DOMCTL_SENDTRIGGER_SLEEP == 4,
	       "XEN_DOMCTL_SENDTRIGGER_*");
_Static_assert(HVM_IOREQSRV_BUFIOREQ_OFF == 0 &&
		   HVM_IOREQSRV_BUFIOREQ_LEGACY == 1 &&
		   HVM_IOREQSRV_BUFIOREQ_ATOMIC == 2,
	       "HVM_IOREQSRV_BUFIOREQ_*");

/* xen_pfn_t is unsigned long on x86, in both. */
_Static_assert(sizeof(xen_pfn_t) == sizeof(unsigned long), "xen_pfn_t");

#define AT(T, f, off) _Static_assert(offsetof(T, f) == (off), #T "." #f)

_Static_assert(sizeof(xc_domaininfo_t) == 112, "xc_domaininfo_t size");
AT(xc_domaininfo_t, domain, 0);
AT(xc_domaininfo_t, flags, 4);
AT(xc_domaininfo_t, tot_pages, 8);
AT(xc_domaininfo_t, max_pages, 16);
AT(xc_domaininfo_t, cpu_time, 56);
AT(xc_domaininfo_t, nr_online_vcpus, 64);
AT(xc_domaininfo_t, max_vcpu_id, 68);

_Static_assert(sizeof(struct xen_domctl_createdomain) == 64,
	       "createdomain size");
AT(struct xen_domctl_createdomain, flags, 20);
AT(struct xen_domctl_createdomain, max_vcpus, 28);
AT(struct xen_domctl_createdomain, max_evtchn_port, 32);
AT(struct xen_domctl_createdomain, max_grant_frames, 36);
AT(struct xen_domctl_createdomain, max_maptrack_frames, 40);

_Static_assert(sizeof(xc_physinfo_t) == 112, "xc_physinfo_t size");
AT(xc_physinfo_t, threads_per_core, 0);
AT(xc_physinfo_t, cores_per_socket, 4);
AT(xc_physinfo_t, nr_cpus, 8);
AT(xc_physinfo_t, max_cpu_id, 12);
AT(xc_physinfo_t, nr_nodes, 16);
AT(xc_physinfo_t, cpu_khz, 24);
AT(xc_physinfo_t, capabilities, 28);
AT(xc_physinfo_t, total_pages, 40);
AT(xc_physinfo_t, free_pages, 48);

/* A device model's calls, in the order one makes them. */
int compat_dm_use(xendevicemodel_handle *dmod, xenevtchn_handle *xce,
		  xenforeignmemory_handle *fmem);
int compat_dm_use(xendevicemodel_handle *dmod, xenevtchn_handle *xce,
		  xenforeignmemory_handle *fmem)
{
	xenforeignmemory_resource_handle *res;
	xenevtchn_port_or_error_t port;
	evtchn_port_t bufport = 0;
	ioservid_t id = 0;
	void *addr = NULL;
	int rc = 0;

	if (p_dm_restrict(dmod, 1) || p_fmem_restrict(fmem, 1) ||
	    p_evt_restrict(xce, 1) ||
	    p_dm_create(dmod, 1, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &id) ||
	    p_dm_info(dmod, 1, id, NULL, NULL, &bufport))
		return -1;
	res = p_fmem_map_res(fmem, 1, 0, id, 0, 2, &addr, 3, 0);
	if (res)
		rc += p_fmem_unmap_res(fmem, res);
	rc += p_dm_map(dmod, 1, id, 0, 0x3f8, 0x3ff) +
	      p_dm_unmap(dmod, 1, id, 1, 0xfe000000, 0xfe000fff) +
	      p_dm_map_pci(dmod, 1, id, 0, 0, 3, 0) +
	      p_dm_unmap_pci(dmod, 1, id, 0, 0, 3, 0) +
	      p_dm_state(dmod, 1, id, 1) + p_dm_intx(dmod, 1, 0, 0, 3, 0, 1) +
	      p_dm_isa(dmod, 1, 4, 1) + p_dm_gsi(dmod, 1, 20, 0) +
	      p_dm_msi(dmod, 1, 0xfee00000, 0x4030) +
	      p_dm_shutdown(dmod, 1, 0) + p_dm_destroy(dmod, 1, id);
	port = p_evt_interdomain(xce, 1, bufport);
	if (port >= 0)
		rc += p_evt_notify(xce, (evtchn_port_t)port) +
		      p_evt_unmask(xce, (evtchn_port_t)port) +
		      p_evt_unbind(xce, (evtchn_port_t)port);
	port = p_evt_unbound(xce, 1);
	rc += port + p_evt_pending(xce) + p_evt_fd(xce);
	return rc + p_evt_close(xce) + p_dm_close(dmod) +
	       (p_evt_open(NULL, XENEVTCHN_NO_CLOEXEC) != NULL) +
	       (p_dm_open(NULL, 0) != NULL);
}

_Static_assert(sizeof(struct xc_xend_cpuid) == 40, "xc_xend_cpuid size");
AT(struct xc_xend_cpuid, leaf, 0);
AT(struct xc_xend_cpuid, subleaf, 4);
AT(struct xc_xend_cpuid, policy, 8);
_Static_assert(sizeof(struct xc_msr) == 72, "xc_msr size");

/* libxl's cpuid call for a fresh HVM domain with an xend override. */
int compat_cpuid_use(xc_interface *xch);
int compat_cpuid_use(xc_interface *xch)
{
	char ecx[] = "xxxxxxxxxxxxxxxxxx0xxxxxxxxxxxxx";
	struct xc_xend_cpuid xend[2] = {{.leaf = 1,
					 .subleaf = XEN_CPUID_INPUT_UNUSED,
					 .policy = {NULL, NULL, ecx, NULL}},
					{.leaf = XEN_CPUID_INPUT_UNUSED}};
	struct xc_msr msr = {.index = XC_MSR_INPUT_UNUSED};

	return p_cpuid_apply(xch, 1, false, NULL, 0, true, false, false, xend,
			     &msr) +
	       (int)xend[0].input[0];
}

/* Uses the fields and constants a toolstack reads, as a toolstack would. */
int compat_use(xc_interface *xch, xenforeignmemory_handle *fmem);
int compat_use(xc_interface *xch, xenforeignmemory_handle *fmem)
{
	struct xen_domctl_createdomain config = {0};
	xc_domaininfo_t info;
	xc_physinfo_t physinfo;
	uint32_t domid = 0;
	xen_pfn_t pfn = 0;
	int err = 0;
	void *p;

	config.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	config.max_vcpus = 1;
	config.max_evtchn_port = 0;
	config.max_grant_frames = -1;
	config.max_maptrack_frames = -1;
	if (p_create(xch, &domid, &config) || p_pause(xch, domid) ||
	    p_unpause(xch, domid) || p_max_vcpus(xch, domid, 1) ||
	    p_setmaxmem(xch, domid, 1024) ||
	    p_populate(xch, domid, 1, 0, 0, &pfn))
		return -1;
	if (p_getinfolist(xch, domid, 1, &info) != 1 || info.domain != domid ||
	    !(info.flags & XEN_DOMINF_hvm_guest))
		return -1;
	if ((info.flags & XEN_DOMINF_shutdown) &&
	    ((info.flags >> XEN_DOMINF_shutdownshift) &
	     XEN_DOMINF_shutdownmask) == SHUTDOWN_crash)
		return -1;
	if (info.flags & (XEN_DOMINF_dying | XEN_DOMINF_paused |
			  XEN_DOMINF_blocked | XEN_DOMINF_running))
		err = (int)(info.tot_pages + info.max_pages + info.cpu_time +
			    info.nr_online_vcpus + info.max_vcpu_id);
	if (p_physinfo(xch, &physinfo) ||
	    !(physinfo.capabilities & XEN_SYSCTL_PHYSCAP_hvm))
		return -1;
	err += (int)(physinfo.nr_cpus + physinfo.threads_per_core +
		     physinfo.cores_per_socket + physinfo.nr_nodes +
		     physinfo.cpu_khz + physinfo.total_pages +
		     physinfo.free_pages + physinfo.max_cpu_id);
	{
		char buf[64];
		unsigned int n = sizeof(buf);
		uint32_t index = 0;

		err += p_conring(xch, buf, &n, 0, 1, &index);
	}
	p = p_fmem_map(fmem, domid, 3, 1, &pfn, &err);
	if (p)
		p_fmem_unmap(fmem, p, 1);
	err += p_trigger(xch, domid, XEN_DOMCTL_SENDTRIGGER_POWER, 0);
	return err + p_destroy(xch, domid) + p_fmem_close(fmem) + p_close(xch) +
	       (p_fmem_open(NULL, 0) != NULL) + (p_open(NULL, NULL, 0) != NULL);
}
