/*
 * kxen extensions to xenctrl.h (kxc_ prefix). Xen's API has no place for
 * what kxen adds or does differently: named domains, a vCPU context that
 * can express real-mode segments (Xen's vcpu_guest_context is PV-shaped),
 * and a readable reason for the last failure. Same conventions as
 * xenctrl.h: 0 (or a count) on success, -1 with errno set on failure.
 */
#ifndef KXENCTRL_H
#define KXENCTRL_H

#include <stdint.h>

#include "kxen/abi.h"
#include "xendevicemodel.h"
#include "xenctrl.h"

/*
 * xc_domain_create with a domain name (kxen_name_valid). EEXIST when the
 * name is taken.
 */
int kxc_domain_create_named(xc_interface *xch, const char *name,
			    uint32_t *pdomid,
			    struct xen_domctl_createdomain *config);

/*
 * kxen's own view of up to max domains with id >= first_domid, names and
 * crash reasons included. Returns the count, or -1 + errno.
 */
int kxc_domain_list(xc_interface *xch, uint32_t first_domid, unsigned int max,
		    struct kxen_domain_info *info);

/*
 * Resolve a domain named on a command line: a decimal string is an id
 * when such a domain exists, otherwise a name. ESRCH when neither.
 */
int kxc_domain_lookup(xc_interface *xch, const char *name_or_id,
		      uint32_t *domid);

/*
 * Set vCPU vcpu's registers and bring it up (it runs once the domain is
 * unpaused). Shaped like Xen's xc_vcpu_setcontext.
 */
int kxc_vcpu_setcontext(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			const struct kxen_vcpu_context *ctx);
int kxc_vcpu_getcontext(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			struct kxen_vcpu_context *ctx);

/* kxend's host information, with the kxen-only fields xc_physinfo drops. */
int kxc_physinfo(xc_interface *xch, struct kxen_physinfo_reply *out);

/*
 * Per-device exit counts of a domain's in-core devices and the exits no
 * device claimed. out must hold out_size bytes: sizeof(*out) plus room
 * for the entries (KXEN_IO_STATS_MAX of them always fit); ENOBUFS when
 * the reply does not fit. Returns 0, or -1 + errno.
 */
int kxc_domain_io_stats(xc_interface *xch, uint32_t domid,
			struct kxen_io_stats_reply *out, size_t out_size);

/*
 * The rest of `kxl stat`'s figures: exits forwarded per ioreq server
 * range, PVM syscall completions, per-vCPU exits. out_size as above
 * (KXEN_EXIT_STATS_MAX_RANGES entries always fit).
 */
int kxc_domain_exit_stats(xc_interface *xch, uint32_t domid,
			  struct kxen_exit_stats_reply *out, size_t out_size);

/*
 * xendevicemodel_map_io_range_to_ioreq_server for a range whose writes
 * need no answer: kxend queues them on the server's buffered ring (when
 * it has one) and the vCPU goes on without waiting for the device model.
 * Reads of the range still go through the synchronous page.
 */
int kxc_dm_map_io_range_buffered(xendevicemodel_handle *dmod, uint32_t domid,
				 ioservid_t id, int is_mmio, uint64_t start,
				 uint64_t end);

/* ABI version the connected kxend reported in the handshake. */
uint32_t kxc_abi_version(xc_interface *xch);

/*
 * One line naming what failed last on xch, e.g. "cannot connect to kxend
 * at /run/kxen/kxend.sock: No such file or directory — is kxend
 * running?". With xch NULL, the reason the last xc_interface_open (or
 * xenforeignmemory_open) in this thread failed. Never NULL; "" if
 * nothing failed.
 */
const char *kxc_last_error(xc_interface *xch);

/* Write one line (printable ASCII, at most KXEN_DOMAIN_LOG_MAX bytes)
 * into the domain's log, as "toolstack: TEXT". */
int kxc_domain_log(xc_interface *xch, uint32_t domid, const char *text);

/*
 * KXEN_OP_HOST_CPUID_POLICY: the CPUID policy a new domain gets and the
 * bits kxend masked, with why. out holds out_size bytes (KXEN_MSG_MAX
 * always fits); ENOBUFS when the reply does not fit.
 */
int kxc_host_cpuid_policy(xc_interface *xch, struct kxen_host_cpuid_reply *out,
			  size_t out_size);

/*
 * KXEN_OP_DOMAIN_SET_CPUID: apply masks (abi.h) to a domain's CPUID
 * before its first unpause. Checked against the host policy first, so a
 * refusal's kxc_last_error names the leaf, register and bit (EINVAL);
 * EBUSY once the domain has run.
 */
int kxc_domain_set_cpuid(xc_interface *xch, uint32_t domid,
			 const struct kxen_cpuid_mask *masks, unsigned int nr);

/*
 * Press the ACPI power button of domid (xc_domain_send_trigger's POWER);
 * with reboot set, kxend also records that the guest's next power-off
 * is a reboot (shutdown reason KXEN_SHUTDOWN_REBOOT): a PC has no reboot
 * button, so this is how `kxl reboot` asks the guest.
 */
int kxc_domain_power_button(xc_interface *xch, uint32_t domid, int reboot);

/*
 * Give a domain that has never run QEMU's test devices
 * (KXEN_OP_TEST_DEVICES): req's fields, with cmdline (NULL: "") as
 * fw_cfg's kernel command line. -1 with errno as the op says.
 */
int kxc_test_devices(xc_interface *xch, const struct kxen_test_devices *req,
		     const char *cmdline);

#endif /* KXENCTRL_H */
