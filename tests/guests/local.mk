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
	tests/guests/spin.bin \
	tests/guests/platform.bin \
	tests/guests/softint.bin

noinst_DATA += $(KXEN_TEST_GUESTS)

KXEN_GUEST_COMMON = \
	$(srcdir)/tests/guests/guest.ld \
	$(srcdir)/tests/guests/guest.h

EXTRA_DIST += $(KXEN_GUEST_COMMON) \
	tests/guests/hello.S \
	tests/guests/crash.S \
	tests/guests/spin.S \
	tests/guests/platform.S \
	tests/guests/softint.S \
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
tests/guests/spin.o: $(srcdir)/tests/guests/spin.S $(KXEN_GUEST_COMMON)
	@$(MKDIR_P) tests/guests
	$(AM_V_CC)$(CC) $(KXEN_GUEST_INCLUDES) $(KXEN_GUEST_CCOPTS) \
		-c -o $@ $(srcdir)/tests/guests/spin.S

tests/guests/hello.elf: tests/guests/hello.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/hello.o
tests/guests/crash.elf: tests/guests/crash.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/crash.o
tests/guests/spin.elf: tests/guests/spin.o $(KXEN_GUEST_COMMON)
	$(AM_V_CCLD)$(LD) $(KXEN_GUEST_LDOPTS) -o $@ tests/guests/spin.o

tests/guests/hello.bin: tests/guests/hello.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/hello.elf $@
tests/guests/crash.bin: tests/guests/crash.elf
	$(AM_V_GEN)$(OBJCOPY) -O binary tests/guests/crash.elf $@
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
