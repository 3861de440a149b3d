sbin_PROGRAMS += hypervisor/kxend
hypervisor_kxend_SOURCES = \
	hypervisor/main.c hypervisor/kxend.h \
	hypervisor/control.c \
	hypervisor/parent_domains.c \
	hypervisor/host.c \
	hypervisor/log.c hypervisor/log.h \
	hypervisor/child.c hypervisor/child.h \
	hypervisor/child_requests.c hypervisor/child_requests.h \
	hypervisor/domain.c hypervisor/domain.h \
	hypervisor/guest_memory.c hypervisor/guest_memory.h \
	hypervisor/vcpu.c hypervisor/vcpu.h hypervisor/vcpu_context.c \
	hypervisor/io_dispatch.c hypervisor/io_dispatch.h \
	hypervisor/dev/debugcon.c hypervisor/dev/debugcon.h
hypervisor_kxend_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/hypervisor
hypervisor_kxend_LDADD = libctl/libkxenmsg.a -lpthread
