# The hypervisor core is split in two: libkxencore.a holds what unit
# tests drive directly on the host (dispatch table, clock, timers, wire
# layer, in-core devices); kxend adds the daemon, domains and vCPUs.
noinst_LIBRARIES += hypervisor/libkxencore.a
hypervisor_libkxencore_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
hypervisor_libkxencore_a_SOURCES = \
	hypervisor/log.c hypervisor/log.h \
	hypervisor/io_dispatch.c hypervisor/io_dispatch.h \
	hypervisor/vclock.c hypervisor/vclock.h \
	hypervisor/vtimer.c hypervisor/vtimer.h \
	hypervisor/periodic_timer.c hypervisor/periodic_timer.h \
	hypervisor/irq_types.h \
	hypervisor/irq.c hypervisor/irq.h \
	hypervisor/evtchn.c hypervisor/evtchn.h \
	hypervisor/dev/debugcon.c hypervisor/dev/debugcon.h \
	hypervisor/dev/vpic.c hypervisor/dev/vpic.h \
	hypervisor/dev/vioapic.c hypervisor/dev/vioapic.h \
	hypervisor/dev/vlapic.c hypervisor/dev/vlapic.h \
	hypervisor/dev/vlapic_timer.c hypervisor/dev/vlapic_regs.h \
	hypervisor/dev/vpit.c hypervisor/dev/vpit.h \
	hypervisor/dev/vrtc.c hypervisor/dev/vrtc.h \
	hypervisor/dev/vhpet.c hypervisor/dev/vhpet.h \
	hypervisor/dev/pmtimer.c hypervisor/dev/pmtimer.h \
	hypervisor/cpuid_policy.c hypervisor/cpuid_policy.h \
	hypervisor/dev/debugexit.c hypervisor/dev/debugexit.h \
	hypervisor/dev/testdev.c hypervisor/dev/testdev.h \
	hypervisor/dev/fwcfg.c hypervisor/dev/fwcfg.h

sbin_PROGRAMS += hypervisor/kxend
hypervisor_kxend_SOURCES = \
	hypervisor/main.c hypervisor/kxend.h \
	hypervisor/control.c \
	hypervisor/parent_domains.c \
	hypervisor/host.c hypervisor/host.h \
	hypervisor/child.c hypervisor/child.h \
	hypervisor/child_requests.c hypervisor/child_requests.h \
	hypervisor/domain.c hypervisor/domain.h \
	hypervisor/trigger.c \
	hypervisor/guest_memory.c hypervisor/guest_memory.h \
	hypervisor/vcpu.c hypervisor/vcpu.h hypervisor/vcpu_context.c \
	hypervisor/vcpu_irq.c hypervisor/vcpu_internal.h \
	hypervisor/vcpu_emulate.c \
	hypervisor/pvm_syscall.c hypervisor/pvm_syscall.h \
	hypervisor/platform.c hypervisor/platform.h \
	hypervisor/test_devices.c hypervisor/test_devices.h \
	hypervisor/ioreq.c hypervisor/ioreq.h
hypervisor_kxend_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
hypervisor_kxend_LDADD = hypervisor/libkxencore.a libctl/libkxenmsg.a \
	-lpthread
