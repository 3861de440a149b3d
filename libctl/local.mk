# libctl: the Xen-compatible control library (included by Makefile.am).

# Message framing alone, for kxend and the tests.
noinst_LIBRARIES += libctl/libkxenmsg.a
libctl_libkxenmsg_a_SOURCES = libctl/kxen_msg.c

lib_LIBRARIES += libctl/libkxenctrl.a
libctl_libkxenctrl_a_SOURCES = \
	libctl/libctl_priv.h \
	libctl/transport.c \
	libctl/xc_domain.c \
	libctl/xc_memory.c \
	libctl/xc_vcpu.c \
	libctl/xc_misc.c \
	libctl/xc_hvm.c \
	libctl/xc_cpuid.c \
	hypervisor/cpuid_policy.c hypervisor/cpuid_policy.h \
	libctl/foreignmemory.c \
	libctl/domconn.c \
	libctl/evtchn.c \
	libctl/devicemodel.c \
	libctl/kxen_msg.c

include_HEADERS += \
	include/xenctrl.h \
	include/xenforeignmemory.h \
	include/xenevtchn.h \
	include/xendevicemodel.h \
	include/xentoollog.h \
	include/kxenctrl.h

kxenincludedir = $(includedir)/kxen
kxeninclude_HEADERS = include/kxen/abi.h include/kxen/msg.h include/kxen/ioreq.h
