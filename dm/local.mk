# dm: kxen-dm, the device model (issue 4). The device register models
# (dm/dev/) are a library of their own so unit tests drive them without
# libevent or a hypervisor.
noinst_LIBRARIES += dm/libkxendev.a
dm_libkxendev_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dm
dm_libkxendev_a_SOURCES = \
	dm/dev/uart16550.c dm/dev/uart16550.h \
	dm/dev/pci_host.c dm/dev/pci_host.h \
	dm/dev/i8042.c dm/dev/i8042.h \
	dm/dev/pm_control.c dm/dev/pm_control.h \
	dm/dev/scratch_mmio.c dm/dev/scratch_mmio.h

sbin_PROGRAMS += dm/kxen-dm
dm_kxen_dm_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/dm
dm_kxen_dm_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS)
dm_kxen_dm_SOURCES = \
	dm/main.c dm/dm.h \
	dm/log.c \
	dm/registry.c \
	dm/guest_mem.c \
	dm/ioreq_client.c dm/ioreq_client.h \
	dm/console.c dm/console.h \
	dm/serial.c dm/serial.h \
	dm/devices.c dm/devices.h
dm_kxen_dm_LDADD = dm/libkxendev.a libctl/libkxenctrl.a \
	$(LIBEVENT_LIBS) -lpthread
