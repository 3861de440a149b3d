/*
 * xenctrl.h for kxen: the subset of Xen 4.17's libxenctrl that a
 * toolstack and a device model use, implemented over kxend's control
 * socket (include/kxen/abi.h). Names, argument order, types and return
 * conventions are Xen's: functions return 0 (or a count) on success and
 * -1 with errno set on failure, so code written against Xen's header
 * builds against this one. The structs below keep Xen's field names and
 * layout; fields kxen has no use for are still present (and zeroed) so
 * that the layout stays the same.
 */
#ifndef XENCTRL_H
#define XENCTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xentoollog.h"

#ifndef KXEN_XEN_PFN_T_DEFINED
#define KXEN_XEN_PFN_T_DEFINED
typedef unsigned long xen_pfn_t; /* as Xen's x86 public headers */
#endif
typedef uint16_t domid_t;
typedef uint8_t xen_domain_handle_t[16];

/* Xen aligns 64-bit fields to 8 bytes on every ABI; say so explicitly. */
#define KXEN_U64_ALIGNED _Alignas(8) uint64_t

typedef struct xc_interface_core xc_interface;

/* --- domain creation (Xen's public/domctl.h) --- */

#define XEN_DOMCTL_CDF_hvm (1U << 0)
#define XEN_DOMCTL_CDF_hap (1U << 1)

struct xen_arch_domainconfig {
	uint32_t emulation_flags; /* ignored: kxen emulates a fixed set */
	uint32_t misc_flags;
};

struct xen_domctl_createdomain {
	uint32_t ssidref;	     /* ignored */
	xen_domain_handle_t handle;  /* ignored */
	uint32_t flags;		     /* XEN_DOMCTL_CDF_*; kxen is HVM only */
	uint32_t iommu_opts;	     /* ignored */
	uint32_t max_vcpus;	     /* 1..128 */
	uint32_t max_evtchn_port;    /* ignored */
	int32_t max_grant_frames;    /* ignored */
	int32_t max_maptrack_frames; /* ignored */
	uint32_t grant_opts;	     /* ignored */
	uint32_t vmtrace_size;	     /* ignored */
	uint32_t cpupool_id;	     /* ignored */
	struct xen_arch_domainconfig arch;
};

/* --- domain info (Xen's xen_domctl_getdomaininfo) --- */

#define XEN_DOMINF_dying (1U << 0)
#define XEN_DOMINF_hvm_guest (1U << 1)
#define XEN_DOMINF_shutdown (1U << 2)
#define XEN_DOMINF_paused (1U << 3)
#define XEN_DOMINF_blocked (1U << 4)
#define XEN_DOMINF_running (1U << 5)
#define XEN_DOMINF_debugged (1U << 6)
/* With XEN_DOMINF_shutdown, the SHUTDOWN_* reason lives in these bits. */
#define XEN_DOMINF_shutdownmask 255
#define XEN_DOMINF_shutdownshift 16

/* Shutdown reasons (Xen's public/sched.h). */
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4

/* xc_domain_send_trigger's triggers (Xen's public/domctl.h). */
#define XEN_DOMCTL_SENDTRIGGER_NMI 0
#define XEN_DOMCTL_SENDTRIGGER_RESET 1
#define XEN_DOMCTL_SENDTRIGGER_INIT 2
#define XEN_DOMCTL_SENDTRIGGER_POWER 3
#define XEN_DOMCTL_SENDTRIGGER_SLEEP 4

#define XEN_INVALID_MAX_VCPU_ID (~0U)

typedef struct xen_domctl_getdomaininfo {
	domid_t domain;
	uint16_t pad1;
	uint32_t flags; /* XEN_DOMINF_* */
	KXEN_U64_ALIGNED tot_pages;
	KXEN_U64_ALIGNED max_pages;
	KXEN_U64_ALIGNED outstanding_pages;
	KXEN_U64_ALIGNED shr_pages;
	KXEN_U64_ALIGNED paged_pages;
	KXEN_U64_ALIGNED shared_info_frame;
	KXEN_U64_ALIGNED cpu_time; /* nanoseconds */
	uint32_t nr_online_vcpus;
	uint32_t max_vcpu_id;
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t cpupool;
	uint8_t gpaddr_bits;
	uint8_t pad2[7];
	struct xen_arch_domainconfig arch_config;
} xen_domctl_getdomaininfo_t;
typedef xen_domctl_getdomaininfo_t xc_domaininfo_t;

/* --- host info (Xen's xen_sysctl_physinfo) --- */

#define XEN_SYSCTL_PHYSCAP_hvm (1u << 0)
#define XEN_SYSCTL_PHYSCAP_pv (1u << 1)
#define XEN_SYSCTL_PHYSCAP_hap (1u << 3)

struct xen_sysctl_physinfo {
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t nr_cpus;
	uint32_t max_cpu_id;
	uint32_t nr_nodes;
	uint32_t max_node_id;
	uint32_t cpu_khz;
	uint32_t capabilities; /* XEN_SYSCTL_PHYSCAP_* */
	uint32_t arch_capabilities;
	uint32_t pad;
	KXEN_U64_ALIGNED total_pages;
	KXEN_U64_ALIGNED free_pages;
	KXEN_U64_ALIGNED scrub_pages;
	KXEN_U64_ALIGNED outstanding_pages;
	KXEN_U64_ALIGNED max_mfn;
	uint32_t hw_cap[8];
};
typedef struct xen_sysctl_physinfo xc_physinfo_t;

/* --- handles --- */

/*
 * Connect to kxend ($KXEN_RUNDIR/kxend.sock, default /run/kxen) and
 * handshake. The loggers are unused. NULL with errno on failure; the
 * reason is also kept for kxc_last_error(NULL).
 */
xc_interface *xc_interface_open(xentoollog_logger *logger,
				xentoollog_logger *dombuild_logger,
				unsigned open_flags);
int xc_interface_close(xc_interface *xch);

/* --- domains --- */

/*
 * Create a paused HVM domain. *pdomid 0 lets kxend choose the id, which
 * is stored back in *pdomid; kxend refuses a requested non-zero id it
 * cannot honour. kxend needs a name: this sends "d<pid>-<n>" (see
 * kxc_domain_create_named to choose one).
 */
int xc_domain_create(xc_interface *xch, uint32_t *pdomid,
		     struct xen_domctl_createdomain *config);
int xc_domain_max_vcpus(xc_interface *xch, uint32_t domid, unsigned int max);
int xc_domain_pause(xc_interface *xch, uint32_t domid);
int xc_domain_unpause(xc_interface *xch, uint32_t domid);
int xc_domain_destroy(xc_interface *xch, uint32_t domid);

/*
 * Send a trigger (XEN_DOMCTL_SENDTRIGGER_*) to a domain: POWER presses
 * the ACPI power button, NMI sends an NMI to vcpu. RESET, INIT and SLEEP
 * fail with EOPNOTSUPP (as on Xen HVM), unknown triggers with EINVAL, a
 * paused domain with EBUSY, one that has shut down with ESHUTDOWN.
 */
int xc_domain_send_trigger(xc_interface *xch, uint32_t domid, uint32_t trigger,
			   uint32_t vcpu);

/*
 * Fill info[] with up to max_domains domains whose id is >= first_domain,
 * in id order. Returns the number filled, or -1 + errno.
 */
int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain,
			  unsigned int max_domains, xc_domaininfo_t *info);

int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb);

/*
 * Back nr_extents extents of 2^extent_order frames, starting at the
 * frames in extent_start[], with RAM. All or nothing as far as kxend
 * allows: -1 + errno if any extent could not be populated. mem_flags
 * must be 0.
 */
int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid,
				     unsigned long nr_extents,
				     unsigned int extent_order,
				     unsigned int mem_flags,
				     xen_pfn_t *extent_start);

/* --- host --- */

/*
 * Read kxend's log ring into buffer (not NUL-terminated). On entry
 * *pnr_chars is the buffer size, on return the bytes read. With
 * incremental, reading starts at *pindex and *pindex is advanced; clear
 * empties the ring after reading.
 */
int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars,
		       int clear, int incremental, uint32_t *pindex);

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info);

/* --- HVM parameters --- */

/*
 * Set / read one of Xen's HVM parameters (indexes as in Xen's
 * public/hvm/params.h). kxend supports HVM_PARAM_TIMER_MODE (10), values
 * 0-3; anything else is -1 with errno EINVAL.
 */
int xc_hvm_param_set(xc_interface *handle, uint32_t dom, uint32_t param,
		     uint64_t value);
int xc_hvm_param_get(xc_interface *handle, uint32_t dom, uint32_t param,
		     uint64_t *value);

/* --- CPUID policy (x86) --- */

#ifndef XEN_CPUID_INPUT_UNUSED
#define XEN_CPUID_INPUT_UNUSED 0xFFFFFFFF
#endif

/*
 * xl's legacy `cpuid` overrides: policy[0..3] for eax..edx, each NULL or
 * 32 characters, bit 31 first: '1' force 1, '0' force 0, 'x' default,
 * 'k' (or 's') the host's bit. Arrays end with leaf ==
 * XEN_CPUID_INPUT_UNUSED; subleaf XEN_CPUID_INPUT_UNUSED means none.
 */
struct xc_xend_cpuid {
	union {
		struct {
			uint32_t leaf, subleaf;
		};
		uint32_t input[2];
	};
	char *policy[4];
};

struct xc_msr {
	uint32_t index;
	char policy[65];
};
#define XC_MSR_INPUT_UNUSED 0xffffffffu

/*
 * Adjust a domain's CPUID before it first runs. kxen supports fresh
 * boots (restore false) without a featureset, nested_virt or MSR policy
 * (EOPNOTSUPP otherwise): pae false clears PAE, itsc passes the host's
 * invariant-TSC bit (else clears it), then the xend overrides apply.
 * Setting a feature the host's policy lacks is refused (EINVAL; the
 * reason, naming the bit, via kxc_last_error), as Xen refuses it.
 */
int xc_cpuid_apply_policy(xc_interface *xch, uint32_t domid, bool restore,
			  const uint32_t *featureset, unsigned int nr_features,
			  bool pae, bool itsc, bool nested_virt,
			  const struct xc_xend_cpuid *xend,
			  const struct xc_msr *msr);

#endif /* XENCTRL_H */
