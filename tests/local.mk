# tests/local.mk - the CUnit test binary. Every suite lives in its own
# file and registers itself from tests/main.c (see tests/harness.h).

check_PROGRAMS += tests/kxen-tests
TESTS += tests/kxen-tests

tests_kxen_tests_SOURCES += \
	tests/main.c \
	tests/harness.c \
	tests/harness.h \
	tests/test_abi.c \
	tests/test_config.c \
	tests/test_builder.c \
	tests/test_compat.c \
	tests/test_lifecycle.c \
	tests/test_timers.c \
	tests/test_irq.c \
	tests/test_vpic.c \
	tests/test_vioapic.c \
	tests/test_vlapic.c \
	tests/test_vpit.c \
	tests/test_vrtc.c \
	tests/test_vhpet.c \
	tests/test_pmtimer.c \
	tests/test_platform.c \
	tests/test_evtchn.c \
	tests/test_dm_devices.c \
	tests/test_dm.c \
	tests/test_linux.c \
	tests/test_policy.c \
	tests/test_stat.c \
	tests/test_cpuid.c \
	tests/test_monitor.c \
	tests/test_scratch_mmio.c \
	tests/test_testdev.c \
	tests/test_testdev_boot.c \
	tests/test_testdev_guest.c \
	tests/test_lifecycle_linux.c
tests_kxen_tests_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) $(YAJL_CFLAGS)
tests_kxen_tests_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor \
	-I$(top_srcdir)/dm -I$(top_srcdir)/tools
tests_kxen_tests_LDADD += \
	libctl/libkxenctrl.a \
	libctl/libkxenmsg.a \
	hypervisor/libkxencore.a \
	dm/libkxendev.a \
	$(CUNIT_LIBS) \
	$(YAJL_LIBS) \
	-lpthread

# The lifecycle tests boot the guests, so they must exist before the
# tests run, also under `make check` alone.
check_DATA += $(KXEN_TEST_GUESTS)

# The linux suite also boots Debian's stock cloud kernel: fetch it into
# the cache (not installed; idempotent, no network once fetched). A host
# without apt sources only loses that one test, which then says why.
check_DATA += fetch-debian-kernel
.PHONY: fetch-debian-kernel
fetch-debian-kernel:
	@bash $(abs_top_srcdir)/scripts/fetch-debian-kernel.sh >/dev/null || \
		echo "WARNING: Debian's cloud kernel not fetched; its test will be skipped"
dist_noinst_SCRIPTS += scripts/fetch-debian-kernel.sh
