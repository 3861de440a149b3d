/*
 * kxl commands that act on existing domains or the host: list, destroy,
 * pause, unpause, dmesg, info. Each takes argv with argv[0] the command.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cpuid.h"
#include "dm_spawn.h"
#include "kxl.h"

#define LIST_MAX 1024u

int kxl_lookup(xc_interface *xch, const char *arg, uint32_t *domid)
{
	if (kxc_domain_lookup(xch, arg, domid) == 0)
		return 0;
	if (errno == ESRCH)
		kxl_err("no domain named '%s' (see 'kxl list')", arg);
	else
		kxl_err("cannot look up domain '%s': %s", arg,
			kxc_last_error(xch));
	return -1;
}

/* Shared body of destroy/pause/unpause. */
static int domain_op(int argc, char **argv, int (*op)(xc_interface *, uint32_t),
		     const char *verb)
{
	xc_interface *xch;
	uint32_t domid;
	int rc = KXL_EXIT_FAIL;

	if (argc != 2) {
		kxl_err("usage: kxl %s NAME|ID", argv[0]);
		return KXL_EXIT_USAGE;
	}
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	if (kxl_lookup(xch, argv[1], &domid) == 0) {
		if (op(xch, domid) == 0)
			rc = 0;
		else
			kxl_err("cannot %s domain '%s': %s", verb, argv[1],
				kxc_last_error(xch));
	}
	xc_interface_close(xch);
	return rc;
}

/* Destroy, then make sure the domain's device model is gone too. */
static int destroy_with_dm(xc_interface *xch, uint32_t domid)
{
	if (xc_domain_destroy(xch, domid) < 0)
		return -1;
	kxl_dm_reap(domid);
	return 0;
}

int kxl_cmd_destroy(int argc, char **argv)
{
	return domain_op(argc, argv, destroy_with_dm, "destroy");
}

int kxl_cmd_pause(int argc, char **argv)
{
	return domain_op(argc, argv, xc_domain_pause, "pause");
}

int kxl_cmd_unpause(int argc, char **argv)
{
	return domain_op(argc, argv, xc_domain_unpause, "unpause");
}

/* xl's six state columns: running blocked paused shutdown crashed dying */
static void state_string(uint32_t state, char out[7])
{
	static const char letters[] = "rbpscd";
	int i;

	for (i = 0; i < 6; i++)
		out[i] = (uint32_t)(i + 1) == state ? letters[i] : '-';
	out[6] = '\0';
}

static void print_domain(const struct kxen_domain_info *d)
{
	char state[7];

	state_string(d->state, state);
	printf("%-40s %5u %5llu %5u     %s  %8.1f\n", d->name, d->domid,
	       (unsigned long long)(d->tot_pages >> (20 - KXEN_PAGE_SHIFT)),
	       d->online_vcpus, state, (double)d->cpu_time_ns / 1e9);
}

static int list_all(xc_interface *xch, const char *only)
{
	static struct kxen_domain_info info[LIST_MAX];
	uint32_t want = 0;
	int n, i;

	if (only && kxl_lookup(xch, only, &want) < 0)
		return KXL_EXIT_FAIL;
	n = kxc_domain_list(xch, want, only ? 1 : LIST_MAX, info);
	if (n < 0) {
		kxl_err("cannot list domains: %s", kxc_last_error(xch));
		return KXL_EXIT_FAIL;
	}
	printf("Name                                        ID   Mem "
	       "VCPUs\tState\tTime(s)\n");
	for (i = 0; i < n; i++)
		print_domain(&info[i]);
	return 0;
}

int kxl_cmd_list(int argc, char **argv)
{
	xc_interface *xch;
	int rc;

	if (argc > 2) {
		kxl_err("usage: kxl list [NAME|ID]");
		return KXL_EXIT_USAGE;
	}
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	rc = list_all(xch, argc == 2 ? argv[1] : NULL);
	xc_interface_close(xch);
	return rc;
}

/* Read the whole ring in order; clear it with the last read when asked. */
static int dump_ring(xc_interface *xch, int clear)
{
	static char buf[65536];
	uint32_t index = 0;
	int incremental = 0;

	for (;;) {
		unsigned int n = sizeof(buf);

		if (xc_readconsolering(xch, buf, &n, 0, incremental, &index) <
		    0)
			return -1;
		if (n == 0)
			break;
		fwrite(buf, 1, n, stdout);
		incremental = 1;
	}
	if (clear) {
		unsigned int n = sizeof(buf);

		/* Bytes logged since the loop ended are shown, not lost. */
		if (xc_readconsolering(xch, buf, &n, 1, incremental, &index) <
		    0)
			return -1;
		fwrite(buf, 1, n, stdout);
	}
	return 0;
}

int kxl_cmd_dmesg(int argc, char **argv)
{
	xc_interface *xch;
	int clear = argc == 2 && strcmp(argv[1], "-c") == 0;
	int rc = 0;

	if (argc > 2 || (argc == 2 && !clear)) {
		kxl_err("usage: kxl dmesg [-c]");
		return KXL_EXIT_USAGE;
	}
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	if (dump_ring(xch, clear) < 0) {
		kxl_err("cannot read kxend's log: %s", kxc_last_error(xch));
		rc = KXL_EXIT_FAIL;
	}
	xc_interface_close(xch);
	return rc;
}

/* One register's named feature flags, xl info style. */
static void print_flags(const char *label, const struct kxen_cpuid_leaf *l,
			enum kxl_cpuid_reg r)
{
	const uint32_t regs[4] = {l->a, l->b, l->c, l->d};
	char names[1024];

	kxl_cpuid_names(l->leaf, l->subleaf, r, regs[r], names, sizeof(names));
	printf("%-23s: %s\n", label, names[0] ? names : "(none)");
}

static const struct kxen_cpuid_leaf *
find_leaf(const struct kxen_host_cpuid_reply *h, uint32_t leaf, uint32_t sub)
{
	for (unsigned i = 0; i < h->nr_leaves; i++)
		if (h->leaves[i].leaf == leaf &&
		    (h->leaves[i].subleaf == sub ||
		     h->leaves[i].subleaf == KXEN_CPUID_NO_SUBLEAF))
			return &h->leaves[i];
	return NULL;
}

/*
 * The CPUID policy a new domain gets: the named feature flags of leaves
 * 1, 7.0 and 0x80000001, then what kxend masked from the host and why.
 */
static int print_cpuid(xc_interface *xch)
{
	static const struct {
		const char *label;
		uint32_t leaf, subleaf;
		enum kxl_cpuid_reg reg;
	} rows[] = {{"cpuid_1_ecx", 1, 0, KXL_CPUID_ECX},
		    {"cpuid_1_edx", 1, 0, KXL_CPUID_EDX},
		    {"cpuid_7_0_ebx", 7, 0, KXL_CPUID_EBX},
		    {"cpuid_7_0_ecx", 7, 0, KXL_CPUID_ECX},
		    {"cpuid_80000001_ecx", 0x80000001u, 0, KXL_CPUID_ECX},
		    {"cpuid_80000001_edx", 0x80000001u, 0, KXL_CPUID_EDX}};
	struct kxen_host_cpuid_reply *h = malloc(KXEN_MSG_MAX);
	char masked[512] = "";
	size_t used = 0;

	if (!h || kxc_host_cpuid_policy(xch, h, KXEN_MSG_MAX) < 0) {
		kxl_err("cannot get the host's CPUID policy: %s",
			h ? kxc_last_error(xch) : "out of memory");
		free(h);
		return -1;
	}
	printf("%-23s: %u\n", "cpuid_leaves", h->nr_leaves);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct kxen_cpuid_leaf *l =
		    find_leaf(h, rows[i].leaf, rows[i].subleaf);

		if (l)
			print_flags(rows[i].label, l, rows[i].reg);
	}
	for (unsigned i = 0; i < h->nr_masked && used < sizeof(masked); i++) {
		int n =
		    snprintf(masked + used, sizeof(masked) - used, "%s%.*s",
			     used ? ", " : "", (int)sizeof(h->masked[i].why),
			     h->masked[i].why);

		used += n > 0 ? (size_t)n : 0;
	}
	printf("%-23s: %s\n", "cpuid_masked", masked[0] ? masked : "(none)");
	free(h);
	return 0;
}

static void print_info(xc_interface *xch, const struct kxen_physinfo_reply *p)
{
	struct utsname u;

	if (uname(&u) == 0) {
		printf("%-23s: %s\n", "host", u.nodename);
		printf("%-23s: %s\n", "release", u.release);
		printf("%-23s: %s\n", "machine", u.machine);
	}
	printf("%-23s: %u\n", "nr_cpus", p->nr_cpus);
	printf("%-23s: %u\n", "max_vcpus", p->max_vcpus);
	printf("%-23s: %u\n", "nr_nodes", p->nr_nodes);
	printf("%-23s: %u\n", "cores_per_socket", p->cores_per_socket);
	printf("%-23s: %u\n", "threads_per_core", p->threads_per_core);
	printf("%-23s: %u\n", "cpu_mhz", p->cpu_khz / 1000);
	printf("%-23s: %llu\n", "total_memory",
	       (unsigned long long)(p->total_pages >> (20 - KXEN_PAGE_SHIFT)));
	printf("%-23s: %llu\n", "free_memory",
	       (unsigned long long)(p->free_pages >> (20 - KXEN_PAGE_SHIFT)));
	printf("%-23s: %u\n", "kvm_api_version", p->kvm_api_version);
	printf("%-23s: %s\n", "host_virtualization",
	       (p->host_flags & KXEN_HOST_PVM) ? "PVM" : "VT-x/AMD-V");
	printf("%-23s: %u\n", "kxend_abi_version", kxc_abi_version(xch));
	printf("%-23s: %u\n", "nr_domains", p->nr_domains);
}

int kxl_cmd_info(int argc, char **argv)
{
	struct kxen_physinfo_reply p;
	xc_interface *xch;
	int rc = 0;

	(void)argv;
	if (argc != 1) {
		kxl_err("usage: kxl info");
		return KXL_EXIT_USAGE;
	}
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	if (kxc_physinfo(xch, &p) == 0) {
		print_info(xch, &p);
		if (print_cpuid(xch) < 0)
			rc = KXL_EXIT_FAIL;
	} else {
		kxl_err("cannot get host information: %s", kxc_last_error(xch));
		rc = KXL_EXIT_FAIL;
	}
	xc_interface_close(xch);
	return rc;
}
