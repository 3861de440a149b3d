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
#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>
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
typedef xenforeignmemory_handle *(*fmem_open_fn)(struct xentoollog_logger *,
						 unsigned);
typedef int (*fmem_close_fn)(xenforeignmemory_handle *);
typedef void *(*fmem_map_fn)(xenforeignmemory_handle *, uint32_t, int, size_t,
			     const xen_pfn_t[], int[]);
typedef int (*fmem_unmap_fn)(xenforeignmemory_handle *, void *, size_t);

static const open_fn p_open = xc_interface_open;
static const close_fn p_close = xc_interface_close;
static const create_fn p_create = xc_domain_create;
static const domid_fn p_pause = xc_domain_pause;
static const domid_fn p_unpause = xc_domain_unpause;
static const domid_fn p_destroy = xc_domain_destroy;
static const getinfolist_fn p_getinfolist = xc_domain_getinfolist;
static const max_vcpus_fn p_max_vcpus = xc_domain_max_vcpus;
static const setmaxmem_fn p_setmaxmem = xc_domain_setmaxmem;
static const populate_fn p_populate = xc_domain_populate_physmap_exact;
static const conring_fn p_conring = xc_readconsolering;
static const physinfo_fn p_physinfo = xc_physinfo;
static const fmem_open_fn p_fmem_open = xenforeignmemory_open;
static const fmem_close_fn p_fmem_close = xenforeignmemory_close;
static const fmem_map_fn p_fmem_map = xenforeignmemory_map;
static const fmem_unmap_fn p_fmem_unmap = xenforeignmemory_unmap;

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
	return err + p_destroy(xch, domid) + p_fmem_close(fmem) + p_close(xch) +
	       (p_fmem_open(NULL, 0) != NULL) + (p_open(NULL, NULL, 0) != NULL);
}
