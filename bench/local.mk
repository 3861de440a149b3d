# bench/local.mk - the benchmark's own pieces (bench/run.sh; not part of
# `make check`): the guest every monitor runs and the raw-KVM floor.
# Both are small, so plain `make` builds them.

EXTRA_PROGRAMS = bench/kvm-floor
bench_kvm_floor_SOURCES = bench/kvm-floor.c
noinst_DATA += bench/kvm-floor bench/guests/exitbench.elf
CLEANFILES += bench/kvm-floor bench/guests/exitbench.elf \
	bench/guests/exitbench.o
EXTRA_DIST += bench/guests/exitbench.S bench/install-deps.sh \
	bench/lib.sh bench/boot.sh bench/getppid.sh

# exitbench.elf: a PVH ELF (linked like tests/guests/pvh.elf) so that
# kxl, QEMU's -kernel and kvm-floor all load the same bytes.
bench/guests/exitbench.o: $(srcdir)/bench/guests/exitbench.S \
		$(srcdir)/tests/guests/guest.h
	@$(MKDIR_P) bench/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/bench/guests/exitbench.S
bench/guests/exitbench.elf: bench/guests/exitbench.o \
		$(srcdir)/tests/guests/pvh.ld
	$(AM_V_CCLD)$(LD) -m elf_x86_64 -nostdlib -static \
		$(KXEN_GUEST_LDNOWARN) -T $(srcdir)/tests/guests/pvh.ld \
		-o $@ bench/guests/exitbench.o
