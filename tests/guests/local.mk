# tests/guests/local.mk - tiny freestanding test guests.
#
# Each guest is one GNU-as source (.S, run through the C preprocessor),
# linked at 0x8000 by guest.ld and cut into a flat binary with objcopy:
# the toolstack loads flat images at guest-physical 0x8000 and enters them
# in real mode (see README.md, "Guest image conventions"). They are built
# by plain `make` so that scripts/boot-default-guest.sh can use them.

KXEN_TEST_GUESTS = \
	tests/guests/hello.bin \
	tests/guests/crash.bin \
	tests/guests/power.bin \
	tests/guests/spin.bin \
	tests/guests/platform.bin \
	tests/guests/softint.bin \
	tests/guests/syscall.bin \
	tests/guests/cpuid.bin \
	tests/guests/mxcsr.bin

noinst_DATA += $(KXEN_TEST_GUESTS)

KXEN_GUEST_COMMON = \
	$(srcdir)/tests/guests/guest.ld \
	$(srcdir)/tests/guests/guest.h

EXTRA_DIST += $(KXEN_GUEST_COMMON) \
	tests/guests/hello.S \
	tests/guests/crash.S \
	tests/guests/power.S \
	tests/guests/spin.S \
	tests/guests/platform.S \
	tests/guests/softint.S \
	tests/guests/syscall.S \
	tests/guests/cpuid.S \
	tests/guests/mxcsr.S \
	tests/guests/lm.h

CLEANFILES += $(KXEN_TEST_GUESTS) \
	$(KXEN_TEST_GUESTS:.bin=.o) \
	$(KXEN_TEST_GUESTS:.bin=.elf)

# Guest code is not host code: no host warnings/flags beyond what the
# assembler needs. -m64 lets one ELF64 object hold .code16/.code32/.code64
# sections; -fno-pic because everything sits at fixed guest addresses.
KXEN_GUEST_INCLUDES = -I$(srcdir)/tests/guests
KXEN_GUEST_CCOPTS = -m64 -fno-pic -ffreestanding -nostdinc
KXEN_GUEST_LDOPTS = -m elf_x86_64 -nostdlib -static $(KXEN_GUEST_LDNOWARN) \
	-T $(srcdir)/tests/guests/guest.ld

# One explicit rule set per guest keeps the Makefile
# portable (no GNU pattern rules, which automake -Wall refuses).
tests/guests/hello.o: $(srcdir)/tests/guests/hello.S $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/hello.S
tests/guests/crash.o: $(srcdir)/tests/guests/crash.S $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/crash.S
tests/guests/power.o: $(srcdir)/tests/guests/power.S $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/power.S
tests/guests/spin.o: $(srcdir)/tests/guests/spin.S $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/spin.S

tests/guests/hello.elf: tests/guests/hello.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/hello.o
tests/guests/crash.elf: tests/guests/crash.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/crash.o
tests/guests/power.elf: tests/guests/power.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/power.o
tests/guests/spin.elf: tests/guests/spin.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/spin.o

tests/guests/hello.bin: tests/guests/hello.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/hello.elf $@
tests/guests/crash.bin: tests/guests/crash.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/crash.elf $@
tests/guests/power.bin: tests/guests/power.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/power.elf $@
tests/guests/spin.bin: tests/guests/spin.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/spin.elf $@

# platform.bin: the interrupt and timer tests (tests/test_platform.c),
# in long mode on the runtime in lm.h.
tests/guests/platform.o: $(srcdir)/tests/guests/platform.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/platform.S
tests/guests/platform.elf: tests/guests/platform.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/platform.o
tests/guests/platform.bin: tests/guests/platform.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/platform.elf $@

# softint.bin: INT3 / INT n at CPL0, which kxend delivers itself on PVM
# hosts (issue 5, emulation-failure fallback).
tests/guests/softint.o: $(srcdir)/tests/guests/softint.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/softint.S
tests/guests/softint.elf: tests/guests/softint.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/softint.o
tests/guests/softint.bin: tests/guests/softint.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/softint.elf $@

# Boot-protocol test guests (tests/test_builder.c): kept as ELF images,
# not cut to flat binaries. pvh.elf is an ELF64 with a Xen PHYS32_ENTRY
# note, multiboot.elf an ELF32 i386 image with a Multiboot header; both
# run 32-bit code only and print through pm32.h.
KXEN_BOOT_GUESTS = tests/guests/pvh.elf tests/guests/multiboot.elf \
	tests/guests/testdev.elf tests/guests/testdev-x64.elf \
	tests/guests/testdev-aout.bin
noinst_DATA += $(KXEN_BOOT_GUESTS)
check_DATA += $(KXEN_BOOT_GUESTS)
EXTRA_DIST += tests/guests/pvh.S tests/guests/pvh.ld \
	tests/guests/multiboot.S tests/guests/multiboot.ld \
	tests/guests/testdev.S tests/guests/pm32.h
CLEANFILES += $(KXEN_BOOT_GUESTS) tests/guests/pvh.o tests/guests/multiboot.o \
	tests/guests/testdev.o tests/guests/testdev-aout.o \
	tests/guests/testdev-aout.elf
KXEN_BOOT_GUEST_DEPS = $(srcdir)/tests/guests/guest.h \
	$(srcdir)/tests/guests/pm32.h
tests/guests/pvh.o: $(srcdir)/tests/guests/pvh.S $(KXEN_BOOT_GUEST_DEPS)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/pvh.S
tests/guests/pvh.elf: tests/guests/pvh.o $(srcdir)/tests/guests/pvh.ld
	$(AM_V_CCLD)$(LD) -m elf_x86_64 -nostdlib -static \
		$(KXEN_GUEST_LDNOWARN) -T $(srcdir)/tests/guests/pvh.ld \
		-o $@ tests/guests/pvh.o
tests/guests/multiboot.o: $(srcdir)/tests/guests/multiboot.S \
		$(KXEN_BOOT_GUEST_DEPS)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) -m32 -fno-pic -ffreestanding \
		-nostdinc -c -o $@ $(srcdir)/tests/guests/multiboot.S
tests/guests/multiboot.elf: tests/guests/multiboot.o \
		$(srcdir)/tests/guests/multiboot.ld
	$(AM_V_CCLD)$(LD) -m elf_i386 -nostdlib -static \
		$(KXEN_GUEST_LDNOWARN) -T $(srcdir)/tests/guests/multiboot.ld \
		-o $@ tests/guests/multiboot.o
# testdev.elf: a Multiboot kernel using QEMU's test devices
# (tests/test_testdev.c), linked like multiboot.elf.
tests/guests/testdev.o: $(srcdir)/tests/guests/testdev.S \
		$(KXEN_BOOT_GUEST_DEPS)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) -m32 -fno-pic -ffreestanding \
		-nostdinc -c -o $@ $(srcdir)/tests/guests/testdev.S
tests/guests/testdev.elf: tests/guests/testdev.o \
		$(srcdir)/tests/guests/multiboot.ld
	$(AM_V_CCLD)$(LD) -m elf_i386 -nostdlib -static \
		$(KXEN_GUEST_LDNOWARN) -T $(srcdir)/tests/guests/multiboot.ld \
		-o $@ tests/guests/testdev.o
# The same kernel as ELF32 with e_machine EM_X86_64 (how 64-bit kernels
# wrap themselves for Multiboot), and as an a.out-kludge flat file.
tests/guests/testdev-x64.elf: tests/guests/testdev.elf
	$(AM_V_GEN)$(OBJCOPY) -O elf32-x86-64 tests/guests/testdev.elf $@
tests/guests/testdev-aout.o: $(srcdir)/tests/guests/testdev.S \
		$(KXEN_BOOT_GUEST_DEPS)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) -m32 -fno-pic -ffreestanding \
		-nostdinc -DAOUT_KLUDGE -c -o $@ $(srcdir)/tests/guests/testdev.S
tests/guests/testdev-aout.elf: tests/guests/testdev-aout.o \
		$(srcdir)/tests/guests/multiboot.ld
	$(AM_V_CCLD)$(LD) -m elf_i386 -nostdlib -static \
		$(KXEN_GUEST_LDNOWARN) -T $(srcdir)/tests/guests/multiboot.ld \
		-o $@ tests/guests/testdev-aout.o
tests/guests/testdev-aout.bin: tests/guests/testdev-aout.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/testdev-aout.elf $@

# syscall.bin: user mode, SYSCALL and page faults (issue 8).
tests/guests/syscall.o: $(srcdir)/tests/guests/syscall.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/syscall.S
tests/guests/syscall.elf: tests/guests/syscall.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/syscall.o
tests/guests/syscall.bin: tests/guests/syscall.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/syscall.elf $@

# cpuid.bin: prints the CPUID feature registers it sees (tests/test_cpuid.c).
tests/guests/cpuid.o: $(srcdir)/tests/guests/cpuid.S $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/cpuid.S
tests/guests/cpuid.elf: tests/guests/cpuid.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/cpuid.o
tests/guests/cpuid.bin: tests/guests/cpuid.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/cpuid.elf $@

# mxcsr.bin: LDMXCSR at CPL0, which kxend completes on PVM hosts.
tests/guests/mxcsr.o: $(srcdir)/tests/guests/mxcsr.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/mxcsr.S
tests/guests/mxcsr.elf: tests/guests/mxcsr.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/mxcsr.o
tests/guests/mxcsr.bin: tests/guests/mxcsr.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/mxcsr.elf $@

# syscall_smp.bin: the same on two vCPUs at once (issue 8).
KXEN_TEST_GUESTS += tests/guests/syscall_smp.bin
EXTRA_DIST += tests/guests/syscall_smp.S
tests/guests/syscall_smp.o: $(srcdir)/tests/guests/syscall_smp.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/syscall_smp.S
tests/guests/syscall_smp.elf: tests/guests/syscall_smp.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/syscall_smp.o
tests/guests/syscall_smp.bin: tests/guests/syscall_smp.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/syscall_smp.elf $@

# serial.bin: the device-model guest (tests/test_dm.c): COM1 echo with
# interrupts, sequence checks through kxen-dm, a UART polling loop.
KXEN_TEST_GUESTS += tests/guests/serial.bin
EXTRA_DIST += tests/guests/serial.S
tests/guests/serial.o: $(srcdir)/tests/guests/serial.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/serial.S
tests/guests/serial.elf: tests/guests/serial.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/serial.o
tests/guests/serial.bin: tests/guests/serial.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/serial.elf $@

# stat.bin: known numbers of in-core, device-model and unclaimed exits
# for `kxl stat` (tests/test_stat.c, issue 6).
KXEN_TEST_GUESTS += tests/guests/stat.bin
EXTRA_DIST += tests/guests/stat.S
tests/guests/stat.o: $(srcdir)/tests/guests/stat.S \
		$(srcdir)/tests/guests/lm.h $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/stat.S
tests/guests/stat.elf: tests/guests/stat.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/stat.o
tests/guests/stat.bin: tests/guests/stat.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/stat.elf $@
