/*
 * kxen control-plane ABI ("hypercalls").
 *
 * Every message on kxend's control socket (SOCK_SEQPACKET, one request ->
 * one reply) and on a domain child's socket starts with struct
 * kxen_msg_hdr, followed by the op's fixed payload and, for a few ops, a
 * variable-length array. All integers are host-endian (the socket is
 * local). File descriptors (guest-RAM memfds) travel as SCM_RIGHTS.
 *
 * The same format is used between the kxend parent and each domain's
 * child process, so that a new parent can adopt running children.
 *
 * Compatibility rule: any change to a struct or op number bumps
 * KXEN_ABI_VERSION. Every request carries the version; a mismatch gets an
 * -EPROTO reply.
 */
#ifndef KXEN_ABI_H
#define KXEN_ABI_H

#include <stddef.h>
#include <stdint.h>

#define KXEN_ABI_MAGIC 0x4e45584bu /* "KXEN" little-endian */
#define KXEN_ABI_VERSION 2u

/* Largest message, header included, in either direction. */
#define KXEN_MSG_MAX 65536u
#define KXEN_NAME_MAX 64u /* domain name, NUL included */
#define KXEN_MAX_VCPUS 128u
#define KXEN_MAX_DOMID 0x7fefu /* DOMID_FIRST_RESERVED - 1, as Xen */
#define KXEN_PAGE_SHIFT 12u
#define KXEN_PAGE_SIZE 4096u

/*
 * Guest-physical layout the hypervisor enforces: RAM may be populated
 * below KXEN_MMIO_HOLE_START and from 4 GiB up, never inside the hole
 * (LAPIC, IOAPIC, HPET, PCI MMIO live there).
 */
#define KXEN_MMIO_HOLE_START 0xe0000000ull
#define KXEN_MMIO_HOLE_END 0x100000000ull
#define KXEN_MAX_GUEST_PHYS (1ull << 40) /* 1 TiB of guest-physical space */

enum kxen_op {
	KXEN_OP_HANDSHAKE = 1,
	KXEN_OP_DOMAIN_CREATE = 2,
	KXEN_OP_DOMAIN_DESTROY = 3,
	KXEN_OP_DOMAIN_PAUSE = 4,
	KXEN_OP_DOMAIN_UNPAUSE = 5,
	KXEN_OP_DOMAIN_GETINFOLIST = 6,
	KXEN_OP_DOMAIN_MAX_VCPUS = 7,
	KXEN_OP_DOMAIN_SETMAXMEM = 8,
	KXEN_OP_POPULATE_PHYSMAP = 9,
	KXEN_OP_MAP_FOREIGN = 10,
	KXEN_OP_VCPU_SETCONTEXT = 11,
	KXEN_OP_VCPU_GETCONTEXT = 12,
	KXEN_OP_READCONSOLERING = 13,
	KXEN_OP_PHYSINFO = 14,
	KXEN_OP_HVM_PARAM_SET = 15,
	KXEN_OP_HVM_PARAM_GET = 16,
	KXEN_OP_DOMAIN_IO_STATS = 17,
	/* Issue 4: ioreq servers, event channels, device-model ops. */
	KXEN_OP_IOREQ_SERVER_CREATE = 18,
	KXEN_OP_IOREQ_SERVER_GET_INFO = 19,
	KXEN_OP_IOREQ_SERVER_MAP_RANGE = 20,
	KXEN_OP_IOREQ_SERVER_UNMAP_RANGE = 21,
	KXEN_OP_IOREQ_SERVER_SET_STATE = 22,
	KXEN_OP_IOREQ_SERVER_DESTROY = 23,
	KXEN_OP_MAP_RESOURCE = 24,
	KXEN_OP_EVTCHN_BIND_INTERDOMAIN = 25,
	KXEN_OP_EVTCHN_BIND_UNBOUND = 26,
	KXEN_OP_EVTCHN_CLOSE = 27,
	KXEN_OP_DM_SET_ISA_IRQ_LEVEL = 28,
	KXEN_OP_DM_SET_PCI_INTX_LEVEL = 29,
	KXEN_OP_DM_SET_IRQ_LEVEL = 30,
	KXEN_OP_DM_INJECT_MSI = 31,
	KXEN_OP_DM_REMOTE_SHUTDOWN = 32,
	KXEN_OP_RESTRICT = 33,
	KXEN_OP_DOMAIN_LOG = 34,
	KXEN_OP_DOMAIN_SEND_TRIGGER = 35,
	/* Reserved for this batch's work so parallel changes do not collide:
	 * 39 test devices (issue 9), 41 statistics (issue 6). */
	KXEN_OP_DOMAIN_SET_CPUID = 36,
	KXEN_OP_HOST_CPUID_POLICY = 37,
	KXEN_OP_TEST_DEVICES = 38,	/* issue 9: QEMU's test devices */
	KXEN_OP_DOMAIN_EXIT_STATS = 40, /* kxl stat: DM and vCPU counters */
	/* parent <-> domain child only; refused on the public socket */
	KXEN_OP_CHILD_ATTACH = 64, /* a parent takes the child's events */
	KXEN_OP_EVENT_LOG = 65,	   /* child -> parent: one log line */
	KXEN_OP_EVENT_STATE = 66,  /* child -> parent: state changed */
	KXEN_OP_MAX = 67,
	/* Ops are only ever added; an added op keeps the version. */
};

/* hdr.flags */
#define KXEN_MSG_REPLY 0x1u
#define KXEN_MSG_EVENT 0x2u

struct kxen_msg_hdr {
	uint32_t magic;	  /* KXEN_ABI_MAGIC */
	uint16_t version; /* KXEN_ABI_VERSION */
	uint16_t op;	  /* enum kxen_op */
	uint32_t size;	  /* whole message, header included */
	uint32_t seq;	  /* chosen by the requester, echoed in the reply */
	int32_t status;	  /* reply: 0 or a negative errno; request: 0 */
	uint32_t flags;	  /* KXEN_MSG_* */
};
_Static_assert(sizeof(struct kxen_msg_hdr) == 24, "hdr layout");

/* KXEN_OP_HANDSHAKE: first request on every connection. */
struct kxen_handshake {
	uint32_t abi_version; /* request: client's; reply: server's */
	uint32_t server_pid;  /* reply only */
};

/* KXEN_OP_DOMAIN_CREATE */
#define KXEN_CREATE_HVM 0x1u /* always set by libctl; the only kind */
struct kxen_domain_create {
	char name[KXEN_NAME_MAX]; /* NUL-terminated, [A-Za-z0-9_.-]+ */
	uint32_t max_vcpus;	  /* 1..KXEN_MAX_VCPUS */
	uint32_t flags;		  /* KXEN_CREATE_* */
	uint64_t max_mem_kb;	  /* 0: none populated until setmaxmem */
};
struct kxen_domain_create_reply {
	uint32_t domid;
	uint32_t pad;
};

/* DESTROY, PAUSE, UNPAUSE, GETCONTEXT-less ops naming just a domain */
struct kxen_domid_req {
	uint32_t domid;
	uint32_t pad; /* must be 0 */
};

/* KXEN_OP_DOMAIN_GETINFOLIST */
struct kxen_getinfolist {
	uint32_t first_domid;
	uint32_t max_domains; /* reply holds at most this many */
};

enum kxen_domain_state {
	KXEN_STATE_RUNNING = 1, /* at least one vCPU running */
	KXEN_STATE_BLOCKED = 2, /* every online vCPU halted */
	KXEN_STATE_PAUSED = 3,
	KXEN_STATE_SHUTDOWN = 4,
	KXEN_STATE_CRASHED = 5,
	KXEN_STATE_DYING = 6,
};

struct kxen_domain_info {
	uint32_t domid;
	uint32_t state; /* enum kxen_domain_state */
	uint32_t max_vcpus;
	uint32_t online_vcpus;
	uint64_t tot_pages; /* populated guest RAM, in 4 KiB pages */
	uint64_t max_pages;
	uint64_t cpu_time_ns; /* sum over the vCPU threads */
	uint32_t child_pid;
	uint32_t shutdown_reason; /* KXEN_SHUTDOWN_*, valid in SHUTDOWN */
	char name[KXEN_NAME_MAX];
	char crash_reason[128]; /* NUL-terminated; empty unless crashed */
	/* Status a guest asked its domain to end with (an exit device, issue
	 * 9), valid when KXEN_INFO_EXIT_STATUS is set in flags. */
	uint32_t exit_status;
	uint32_t flags; /* KXEN_INFO_* */
};
#define KXEN_INFO_EXIT_STATUS 1u
_Static_assert(sizeof(struct kxen_domain_info) == 248, "info layout");

struct kxen_getinfolist_reply {
	uint32_t count;
	uint32_t pad;
	struct kxen_domain_info info[]; /* count entries */
};

/* KXEN_OP_DOMAIN_MAX_VCPUS: may only lower/raise up to the created max */
struct kxen_max_vcpus {
	uint32_t domid;
	uint32_t max_vcpus;
};

/* KXEN_OP_DOMAIN_SETMAXMEM */
struct kxen_setmaxmem {
	uint32_t domid;
	uint32_t pad;
	uint64_t max_mem_kb;
};

/*
 * KXEN_OP_POPULATE_PHYSMAP: back these guest frames with RAM. Ranges must
 * not overlap each other, existing RAM or the MMIO hole, and the total
 * must stay within max_mem.
 */
struct kxen_gfn_range {
	uint64_t first_gfn;
	uint64_t nr_pages;
};
#define KXEN_POPULATE_MAX_RANGES 256u
struct kxen_populate_physmap {
	uint32_t domid;
	uint32_t nr_ranges; /* 1..KXEN_POPULATE_MAX_RANGES */
	struct kxen_gfn_range ranges[];
};

/*
 * KXEN_OP_MAP_FOREIGN: find the RAM region holding gfn. The reply carries
 * the region's memfd (SCM_RIGHTS); gfn's page is at file offset
 * (gfn - region_first_gfn) << 12.
 */
struct kxen_map_foreign {
	uint32_t domid;
	uint32_t pad;
	uint64_t gfn;
};
struct kxen_map_foreign_reply {
	uint64_t region_first_gfn;
	uint64_t region_nr_pages;
};

/*
 * vCPU register state, a superset of what KVM_SET_REGS/SREGS take, so a
 * vCPU can start in real, protected or long mode. Segment attributes use
 * the VMX access-rights layout (Xen's hvm_hw_cpu "arbytes"): type[3:0],
 * S[4], DPL[6:5], P[7], AVL[12], L[13], D/B[14], G[15].
 */
struct kxen_segment {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint16_t attr;
};
struct kxen_dtable {
	uint64_t base;
	uint32_t limit;
	uint32_t pad;
};
struct kxen_vcpu_context {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	struct kxen_segment cs, ds, es, fs, gs, ss, tr, ldtr;
	struct kxen_dtable gdtr, idtr;
};
_Static_assert(sizeof(struct kxen_vcpu_context) == 344, "ctx layout");

/* KXEN_OP_VCPU_SETCONTEXT: sets the registers and brings the vCPU up. */
struct kxen_vcpu_setcontext {
	uint32_t domid;
	uint32_t vcpu;
	struct kxen_vcpu_context ctx;
};
/* KXEN_OP_VCPU_GETCONTEXT: request kxen_vcpu_req, reply kxen_vcpu_context */
struct kxen_vcpu_req {
	uint32_t domid;
	uint32_t vcpu;
};

/*
 * KXEN_OP_READCONSOLERING: Xen's semantics. Without KXEN_CONRING_
 * INCREMENTAL the read starts at the oldest byte still held; with it, at
 * index. The reply's next_index continues an incremental read.
 */
#define KXEN_CONRING_CLEAR 0x1u
#define KXEN_CONRING_INCREMENTAL 0x2u
struct kxen_readconsolering {
	uint32_t flags;
	uint32_t index;
	uint32_t max_bytes; /* reply holds at most this many */
	uint32_t pad;
};
struct kxen_readconsolering_reply {
	uint32_t nr_bytes;
	uint32_t next_index;
	char data[];
};

/* KXEN_OP_PHYSINFO */
#define KXEN_HOST_PVM 0x1u /* /dev/kvm is backed by PVM (see DESIGN.md) */
struct kxen_physinfo_reply {
	uint32_t nr_cpus;
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t nr_nodes;
	uint32_t cpu_khz;
	uint32_t max_vcpus; /* KVM_CAP_MAX_VCPUS, capped at KXEN_MAX_VCPUS */
	uint64_t total_pages;
	uint64_t free_pages;
	uint32_t host_flags; /* KXEN_HOST_* */
	uint32_t kvm_api_version;
	uint32_t nr_domains;
	uint32_t pad;
};

/*
 * KXEN_OP_HVM_PARAM_SET / _GET: Xen's HVM parameters (index as in Xen's
 * public/hvm/params.h). Supported: HVM_PARAM_TIMER_MODE (10), values
 * 0-3; anything else is -EINVAL. GET replies with struct kxen_hvm_param.
 */
#define KXEN_HVM_PARAM_TIMER_MODE 10u
struct kxen_hvm_param {
	uint32_t domid;
	uint32_t index;
	uint64_t value;
};

/*
 * KXEN_OP_DOMAIN_IO_STATS (request: kxen_domid_req): per in-core device
 * exit counts and time spent in its handler, plus the exits nobody
 * claimed, per address space.
 */
struct kxen_io_stat {
	char name[16];
	uint32_t space; /* 0 port, 1 MMIO */
	uint32_t pad;
	uint64_t base;
	uint64_t len;
	uint64_t exits;
	uint64_t time_ns;
};
#define KXEN_IO_STATS_MAX 64u
struct kxen_io_stats_reply {
	uint64_t unclaimed_port;
	uint64_t unclaimed_mmio;
	uint32_t count;
	uint32_t pad;
	struct kxen_io_stat stat[]; /* count entries */
};

/*
 * KXEN_OP_DOMAIN_EXIT_STATS (request: kxen_domid_req): what op 17 does
 * not cover, for `kxl stat`. Per ioreq server range currently mapped:
 * the exits forwarded to the device model and the time from sending
 * each to its completion (buffered writes complete when queued). Per
 * domain: SYSCALLs kxend completed and genuine #PFs it stepped over on
 * PVM hosts (issue 8), emulation failures and software interrupts
 * delivered by kxend, and each vCPU's KVM_RUN exits.
 */
struct kxen_dm_range_stat {
	uint16_t server; /* ioreq server id */
	uint16_t type;	 /* KXEN_IOREQ_RANGE_* */
	uint32_t pad;
	uint64_t start, end; /* inclusive; PCI: the SBDF */
	uint64_t exits;
	uint64_t time_ns;
};
#define KXEN_EXIT_STATS_MAX_RANGES 1024u
struct kxen_exit_stats_reply {
	uint64_t pvm_syscalls;	     /* SYSCALLs completed by kxend */
	uint64_t pvm_faults_stepped; /* genuine #PFs stepped over */
	uint64_t emulation_failures;
	uint64_t emulated_softints;
	uint64_t vcpu_exits[KXEN_MAX_VCPUS]; /* nr_vcpus valid */
	uint32_t nr_vcpus;
	uint32_t count; /* range entries that follow */
	struct kxen_dm_range_stat range[];
};

/*
 * Issue 4: the device-model interface (Xen 4.17's dm_op, evtchn and
 * resource-mapping semantics). A device model talks to the domain's
 * child directly (RUNDIR/domains/DOMID.sock): an ioreq server belongs to
 * the connection that created it, and when that connection closes (the
 * DM died) the server goes away, vCPUs waiting on it are released and
 * the domain crashes. The parent forwards these ops too, but a server
 * created through the parent lives until destroyed.
 *
 * Ioreq pages: struct ioreq / shared_iopage / buffered_iopage exactly as
 * Xen's public/hvm/ioreq.h (include/kxen/ioreq.h). They are mapped with
 * KXEN_OP_MAP_RESOURCE (Xen's XENMEM_resource_ioreq_server, type 0):
 * frame 0 is the buffered page, frame 1 the synchronous page.
 */
struct kxen_ioreq_server_create {
	uint32_t domid;
	uint8_t handle_bufioreq; /* HVM_IOREQSRV_BUFIOREQ_OFF/LEGACY/ATOMIC */
	uint8_t pad[3];
};
struct kxen_ioreq_server_id {
	uint32_t domid;
	uint16_t id;
	uint16_t pad;
};
/* Reply to GET_INFO (and to CREATE, with only id meaningful). */
struct kxen_ioreq_server_info {
	uint16_t id;
	uint16_t pad;
	uint32_t bufioreq_port; /* 0 when buffering is off */
};
#define KXEN_IOREQ_RANGE_PORT 0u /* XEN_DMOP_IO_RANGE_PORT */
#define KXEN_IOREQ_RANGE_MMIO 1u /* XEN_DMOP_IO_RANGE_MEMORY */
#define KXEN_IOREQ_RANGE_PCI 2u	 /* XEN_DMOP_IO_RANGE_PCI */
/* kxen extension: writes to this range need no reply and go through the
 * buffered ring (when the server has one). */
#define KXEN_IOREQ_RANGE_BUFFERED 0x1u
struct kxen_ioreq_server_range {
	uint32_t domid;
	uint16_t id;
	uint16_t type;	/* KXEN_IOREQ_RANGE_* */
	uint32_t flags; /* KXEN_IOREQ_RANGE_BUFFERED */
	uint32_t pad;
	uint64_t start; /* inclusive; PCI: XEN_DMOP_PCI_SBDF */
	uint64_t end;	/* inclusive */
};
struct kxen_ioreq_server_state {
	uint32_t domid;
	uint16_t id;
	uint8_t enabled;
	uint8_t pad;
};
#define KXEN_RESOURCE_IOREQ_SERVER 0u
struct kxen_map_resource {
	uint32_t domid;
	uint16_t type; /* KXEN_RESOURCE_IOREQ_SERVER */
	uint16_t pad;
	uint32_t id; /* ioreq server id */
	uint32_t frame;
	uint32_t nr_frames;
	uint32_t pad2;
};
/* Reply; the memfd comes with it: frame f is at offset + (f - frame) * 4K. */
struct kxen_map_resource_reply {
	uint64_t offset;
};
/*
 * Event channels between a domain and its device model. Binding returns
 * the port and two eventfds (SCM_RIGHTS, in this order): the first
 * becomes readable when the domain notifies the port, the DM writes the
 * second to notify the domain.
 */
struct kxen_evtchn_bind {
	uint32_t domid;
	uint32_t remote_port; /* BIND_INTERDOMAIN; 0 for BIND_UNBOUND */
};
struct kxen_evtchn_port {
	uint32_t domid;
	uint32_t port;
};
/* DMOPs, as Xen's XEN_DMOP_* of the same names. */
struct kxen_dm_isa_irq {
	uint32_t domid;
	uint8_t isa_irq; /* 0-15 */
	uint8_t level;	 /* 0/1 */
	uint16_t pad;
};
struct kxen_dm_pci_intx {
	uint32_t domid;
	uint16_t segment;
	uint8_t bus;
	uint8_t device; /* 0-31 */
	uint8_t intx;	/* 0-3: INTA-INTD */
	uint8_t level;
	uint16_t pad;
};
struct kxen_dm_irq_level {
	uint32_t domid;
	uint32_t irq; /* GSI */
	uint32_t level;
	uint32_t pad;
};
struct kxen_dm_msi {
	uint32_t domid;
	uint32_t data;
	uint64_t addr;
};
#define KXEN_SHUTDOWN_POWEROFF 0u /* Xen's SHUTDOWN_* codes */
#define KXEN_SHUTDOWN_REBOOT 1u
#define KXEN_SHUTDOWN_SUSPEND 2u
#define KXEN_SHUTDOWN_CRASH 3u
#define KXEN_SHUTDOWN_WATCHDOG 4u
struct kxen_dm_shutdown {
	uint32_t domid;
	uint32_t reason; /* KXEN_SHUTDOWN_* */
};
/*
 * KXEN_OP_DOMAIN_SEND_TRIGGER (xc_domain_send_trigger): the trigger
 * numbers are Xen's XEN_DOMCTL_SENDTRIGGER_*. POWER presses the ACPI
 * fixed power button (PM1_STS.PWRBTN_STS and SCI); NMI sends an NMI to
 * vCPU `vcpu`. RESET, INIT and SLEEP (our FADT has no fixed sleep
 * button) are -EOPNOTSUPP as on Xen HVM; other numbers -EINVAL. A paused
 * domain gets -EBUSY (the guest could not answer), one that has shut
 * down or crashed -ESHUTDOWN.
 */
#define KXEN_TRIGGER_NMI 0u
#define KXEN_TRIGGER_RESET 1u
#define KXEN_TRIGGER_INIT 2u
#define KXEN_TRIGGER_POWER 3u
#define KXEN_TRIGGER_SLEEP 4u
/* flags: with POWER, the guest's next power-off counts as a reboot
 * (kxl reboot: a PC has no reboot button). */
#define KXEN_TRIGGER_F_REBOOT 0x1u
struct kxen_send_trigger {
	uint32_t domid;
	uint32_t trigger; /* KXEN_TRIGGER_* */
	uint32_t vcpu;	  /* NMI: the target; others: must be < max_vcpus */
	uint32_t flags;	  /* KXEN_TRIGGER_F_* */
};

/* KXEN_OP_RESTRICT: request kxen_domid_req. From then on this
 * connection may act on that domain only (xendevicemodel_restrict). */

/*
 * KXEN_OP_DOMAIN_LOG: the toolstack writes one line into the domain's
 * log (what it decided for the domain, e.g. kernel parameters it added).
 * Printable ASCII only.
 */
#define KXEN_DOMAIN_LOG_MAX 512u
struct kxen_domain_log {
	uint32_t domid;
	uint32_t len; /* bytes of text, no NUL */
	char text[];
};

/*
 * CPUID policy (xl.cfg(5) `cpuid`). kxend's policy for a domain starts
 * from KVM_GET_SUPPORTED_CPUID (the "host" policy here) minus what kxend
 * cannot give a guest (the "masked" bits, each with its reason): that is
 * both the default and the maximum policy, as Xen's.
 *
 * KXEN_OP_DOMAIN_SET_CPUID: per leaf/subleaf masks applied over the
 * domain's current policy, per bit as xl's characters: set '1', clear
 * '0', host 'k'/'s' (KVM's bit, before kxend's masks), neither 'x'
 * (keep). Subleaf KXEN_CPUID_NO_SUBLEAF matches every subleaf of the
 * leaf. Refused with -EINVAL (and a domain log line naming the bit): a
 * leaf the policy lacks, a repeated (leaf, subleaf), a bit in two masks,
 * pad not 0, nr not matching the payload, or a result that sets a
 * feature bit, or raises a max-leaf count, beyond the maximum policy
 * (Xen refuses those too, rather than masking them). Refused with
 * -EBUSY once the domain was first unpaused: KVM fixes CPUID once a vCPU
 * has run.
 */
#define KXEN_CPUID_NO_SUBLEAF 0xffffffffu /* XEN_CPUID_NO_SUBLEAF */
#define KXEN_CPUID_MAX_MASKS 64u
enum kxen_cpuid_reg {
	KXEN_CPUID_EAX = 0,
	KXEN_CPUID_EBX = 1,
	KXEN_CPUID_ECX = 2,
	KXEN_CPUID_EDX = 3,
};
struct kxen_cpuid_mask {
	uint32_t leaf;
	uint32_t subleaf; /* or KXEN_CPUID_NO_SUBLEAF */
	uint32_t set[4];  /* by enum kxen_cpuid_reg */
	uint32_t clear[4];
	uint32_t host[4];
};
struct kxen_cpuid_set {
	uint32_t domid;
	uint32_t nr; /* masks that follow */
	struct kxen_cpuid_mask mask[];
};

/*
 * KXEN_OP_HOST_CPUID_POLICY (no request): the policy a new domain gets
 * (leaves in Xen's xen_cpuid_leaf_t shape, subleaf NO_SUBLEAF for leaves
 * without one) and the host bits kxend masked, with why.
 */
#define KXEN_CPUID_POLICY_MAX_LEAVES 512u
#define KXEN_CPUID_MASKED_MAX 8u
struct kxen_cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t a, b, c, d;
};
struct kxen_cpuid_masked {
	uint32_t leaf, subleaf;
	uint8_t reg; /* enum kxen_cpuid_reg */
	uint8_t bit;
	uint8_t pad[2];
	char why[52]; /* NUL-terminated */
};
struct kxen_host_cpuid_reply {
	uint32_t nr_leaves;
	uint32_t nr_masked;
	struct kxen_cpuid_masked masked[KXEN_CPUID_MASKED_MAX];
	struct kxen_cpuid_leaf leaves[];
};

/*
 * KXEN_OP_TEST_DEVICES: give a domain that has never run QEMU's small
 * test devices (README.md "Test devices"), once. Request only, no reply
 * payload. Refused with EBUSY after the first unpause (the exit dispatch
 * table is read-only once vCPUs run), EEXIST the second time, EINVAL on
 * unknown flags, a non-zero pad, an exit port range past 0xffff or a
 * width outside 1-4, a fw_cfg without RAM or a command line holding a
 * NUL; EADDRINUSE when a port is already taken.
 */
#define KXEN_TESTDEV_DEBUG_EXIT 0x1u /* isa-debug-exit at exit_port */
#define KXEN_TESTDEV_IRQ_LINES 0x2u  /* pc-testdev lines, ports 0x2000+n */
#define KXEN_TESTDEV_FW_CFG 0x4u     /* fw_cfg legacy, ports 0x510-0x511 */
#define KXEN_TESTDEV_ALL 0x7u
#define KXEN_TESTDEV_CMDLINE_MAX 4095u
struct kxen_test_devices {
	uint32_t domid;
	uint32_t flags;	      /* KXEN_TESTDEV_* */
	uint16_t exit_port;   /* DEBUG_EXIT: first port */
	uint8_t exit_width;   /* DEBUG_EXIT: ports covered, 1-4 */
	uint8_t pad;	      /* must be 0 */
	uint32_t cmdline_len; /* FW_CFG: bytes of cmdline[], no NUL */
	uint64_t ram_bytes;   /* FW_CFG: FW_CFG_RAM_SIZE */
	char cmdline[];	      /* FW_CFG: FW_CFG_CMDLINE_DATA, NUL added */
};
_Static_assert(sizeof(struct kxen_test_devices) == 24, "testdev layout");

/* KXEN_OP_EVENT_LOG: child -> parent, no reply */
enum kxen_log_level {
	KXEN_LOG_ERROR = 0,
	KXEN_LOG_WARN = 1,
	KXEN_LOG_INFO = 2,
	KXEN_LOG_DEBUG = 3,
};
struct kxen_event_log {
	uint32_t level; /* enum kxen_log_level */
	uint32_t len;	/* bytes of text, no NUL */
	char text[];
};

/* KXEN_OP_EVENT_STATE: child -> parent, no reply; carries the full info */
/* payload: struct kxen_domain_info */

/* KXEN_OP_CHILD_ATTACH: parent -> child; reply: struct kxen_domain_info */

#endif /* KXEN_ABI_H */
