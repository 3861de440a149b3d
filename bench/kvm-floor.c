/*
 * kvm-floor: the smallest possible monitor, the floor of bench/run.sh's
 * exit-cost table. It runs a PVH ELF guest (bench/guests/exitbench.elf)
 * on bare /dev/kvm with one vCPU, no in-kernel irqchip and no device
 * emulation: every port or MMIO exit is answered (reads give all-ones
 * for ports, zero for MMIO) and the vCPU re-enters at once. Port 0xE9
 * output goes to stdout; a write to 0xF4 or to PM1a_CNT (0x1f44), a HLT
 * or a 60 s alarm ends the run.
 *
 *   kvm-floor IMAGE [CMDLINE]   run the guest
 *   kvm-floor --tsc-khz         print the guest TSC rate KVM gives a vCPU
 *
 * The PVH entry follows Xen's public/arch-x86/hvm/start_info.h and
 * docs/misc/pvh.pandoc: flat 32-bit protected mode, paging off, EBX =
 * the guest-physical address of struct hvm_start_info.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MEM_SIZE (16u << 20)
#define START_INFO 0x1000
#define CMDLINE 0x2000
#define PVH_MAGIC 0x336ec578u
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define DEBUG_PORT 0xe9
#define DEBUG_EXIT_PORT 0xf4
#define PM1A_CNT 0x1f44
#define TSS_ADDR 0xfffbd000

static const char *me = "kvm-floor";

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", me, what, strerror(errno));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", me, what);
	exit(1);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	if (st.st_size < (off_t)sizeof(Elf64_Ehdr) || st.st_size > MEM_SIZE)
		fail("image is not a small ELF64 file");
	buf = malloc((size_t)st.st_size);
	if (!buf || read(fd, buf, (size_t)st.st_size) != st.st_size)
		die(path);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* The PHYS32_ENTRY note's 32-bit address in a PT_NOTE segment. */
static uint32_t pvh_entry(const uint8_t *img, size_t len, const Elf64_Phdr *ph,
			  unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		size_t off = ph[i].p_offset, end = off + ph[i].p_filesz;

		if (ph[i].p_type != PT_NOTE || end > len || end < off)
			continue;
		while (off + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const void *)(img + off);
			size_t name = off + sizeof(*nh);
			size_t desc = name + ((nh->n_namesz + 3) & ~3u);

			if (desc + nh->n_descsz > end)
				break;
			if (nh->n_type == XEN_ELFNOTE_PHYS32_ENTRY &&
			    nh->n_namesz == 4 &&
			    memcmp(img + name, "Xen", 4) == 0 &&
			    nh->n_descsz >= 4) {
				uint32_t e;

				memcpy(&e, img + desc, 4);
				return e;
			}
			off = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	fail("image has no Xen PHYS32_ENTRY note (not a PVH ELF)");
	return 0;
}

static uint32_t load_elf(uint8_t *mem, const char *path)
{
	size_t len;
	uint8_t *img = read_file(path, &len);
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Phdr *ph;
	uint32_t entry;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len)
		fail("image is not an ELF64 executable");
	ph = (const void *)(img + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_paddr + ph[i].p_memsz > MEM_SIZE ||
		    ph[i].p_filesz > ph[i].p_memsz ||
		    ph[i].p_offset + ph[i].p_filesz > len)
			fail("a PT_LOAD segment does not fit in 16 MiB");
		memcpy(mem + ph[i].p_paddr, img + ph[i].p_offset,
		       ph[i].p_filesz);
	}
	entry = pvh_entry(img, len, ph, eh->e_phnum);
	free(img);
	return entry;
}

static void set_cpuid(int kvm, int vcpu)
{
	struct kvm_cpuid2 *c =
	    calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));

	if (!c)
		fail("out of memory");
	c->nent = 256;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2");
	free(c);
}

/* Flat 32-bit protected mode, paging off (the PVH entry state). */
static void set_pvh_state(int vcpu, uint32_t entry)
{
	struct kvm_sregs s;
	struct kvm_regs r = {.rip = entry, .rbx = START_INFO, .rflags = 2};
	struct kvm_segment code = {.base = 0,
				   .limit = 0xffffffff,
				   .selector = 0x08,
				   .type = 11,
				   .present = 1,
				   .db = 1,
				   .s = 1,
				   .g = 1};
	struct kvm_segment data = code;

	if (ioctl(vcpu, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	data.selector = 0x10;
	data.type = 3;
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.cr0 = 0x11; /* PE, ET */
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	if (ioctl(vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/* Answer one exit; returns 1 when the guest asked to stop. */
static int handle_exit(struct kvm_run *run)
{
	uint8_t *data;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			memset(data, 0xff,
			       (size_t)run->io.size * run->io.count);
			return 0;
		}
		if (run->io.port == DEBUG_PORT)
			fwrite(data, run->io.size, run->io.count, stdout);
		return run->io.port == DEBUG_EXIT_PORT ||
		       run->io.port == PM1A_CNT;
	case KVM_EXIT_MMIO:
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
		return 0;
	case KVM_EXIT_HLT:
		return 1;
	default:
		fprintf(stderr, "%s: unexpected exit reason %u\n", me,
			run->exit_reason);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int kvm, vm, vcpu, run_size;
	uint8_t *mem;
	struct kvm_run *run;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s IMAGE [CMDLINE] | --tsc-khz\n", me);
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR); /* VMX real mode only */
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	if (strcmp(argv[1], "--tsc-khz") == 0) {
		int khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);

		if (khz <= 0)
			die("KVM_GET_TSC_KHZ");
		printf("%d\n", khz);
		return 0;
	}
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory");
	struct kvm_userspace_memory_region region = {.slot = 0,
						     .guest_phys_addr = 0,
						     .memory_size = MEM_SIZE,
						     .userspace_addr =
							 (uintptr_t)mem};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	uint32_t entry = load_elf(mem, argv[1]);
	const char *cmd = argc > 2 ? argv[2] : "";
	uint32_t si[14] = {PVH_MAGIC, 1}; /* magic, version; rest 0 */

	if (strlen(cmd) >= 4096)
		fail("command line longer than 4095 bytes");
	strcpy((char *)mem + CMDLINE, cmd);
	si[6] = CMDLINE; /* cmdline_paddr, offset 24 */
	memcpy(mem + START_INFO, si, sizeof(si));

	set_cpuid(kvm, vcpu);
	set_pvh_state(vcpu, entry);
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size <= 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	alarm(60);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0 && errno != EINTR)
			die("KVM_RUN");
		if (handle_exit(run))
			break;
	}
	fflush(stdout);
	return 0;
}
