/*
 * Facts about the host for the physinfo hypercall and `kxl info`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "cpuid_policy.h"
#include "host.h"
#include "kxend.h"

static uint32_t cpu_khz(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];
	double mhz = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			break;
	fclose(f);
	return (uint32_t)(mhz * 1000.0);
}

/*
 * PVM (see DESIGN.md "Hosts") is a KVM vendor module of its own; when it
 * provides /dev/kvm, its module is loaded as kvm_pvm.
 */
bool host_kvm_is_pvm(void)
{
	struct stat st;

	return stat("/sys/module/kvm_pvm", &st) == 0;
}

static void kvm_facts(struct kxen_physinfo_reply *out)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int n;

	out->max_vcpus = 0;
	if (fd < 0)
		return;
	n = ioctl(fd, KVM_GET_API_VERSION, 0);
	out->kvm_api_version = n > 0 ? n : 0;
	n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (n <= 0)
		n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	out->max_vcpus = n > (int)KXEN_MAX_VCPUS ? KXEN_MAX_VCPUS
			 : n > 0		 ? n
						 : 1;
	close(fd);
}

void host_physinfo(struct kxen_physinfo_reply *out, unsigned nr_domains)
{
	struct sysinfo si;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(out, 0, sizeof(*out));
	out->nr_cpus = cpus > 0 ? cpus : 1;
	out->threads_per_core = 1;
	out->cores_per_socket = out->nr_cpus;
	out->nr_nodes = 1;
	out->cpu_khz = cpu_khz();
	if (sysinfo(&si) == 0) {
		out->total_pages =
		    (uint64_t)si.totalram * si.mem_unit / KXEN_PAGE_SIZE;
		out->free_pages =
		    (uint64_t)si.freeram * si.mem_unit / KXEN_PAGE_SIZE;
	}
	kvm_facts(out);
	out->host_flags = host_kvm_is_pvm() ? KXEN_HOST_PVM : 0;
	out->nr_domains = nr_domains;
}

int host_cpuid_policy(struct kxen_host_cpuid_reply *out, size_t room)
{
	unsigned max_leaves =
	    (unsigned)((room - sizeof(*out)) / sizeof(out->leaves[0]));
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	struct kvm_cpuid2 *c;

	if (fd < 0)
		return -errno;
	c = cpuid_policy_supported(fd);
	close(fd);
	if (!c)
		return errno ? -errno : -ENOMEM;
	memset(out, 0, sizeof(*out));
	/* What a domain gets by default: the same steps as domain.c. */
	out->nr_masked = cpuid_policy_mask_host(
	    c, host_kvm_is_pvm(), out->masked, KXEN_CPUID_MASKED_MAX);
	if (out->nr_masked > KXEN_CPUID_MASKED_MAX)
		out->nr_masked = KXEN_CPUID_MASKED_MAX;
	if (max_leaves > KXEN_CPUID_POLICY_MAX_LEAVES)
		max_leaves = KXEN_CPUID_POLICY_MAX_LEAVES;
	out->nr_leaves = cpuid_policy_export(c, out->leaves, max_leaves);
	free(c);
	return (int)(sizeof(*out) + out->nr_leaves * sizeof(out->leaves[0]));
}
