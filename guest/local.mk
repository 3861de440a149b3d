# guest/local.mk - the default Linux guest (README.md, "Default guest").
#
# Not built by `make`: scripts/build-default-guest.sh builds the kernel once
# per machine into a cache outside the tree (about 14 min on 2 cores) and
# the initramfs into guest/ of the build tree. Only shipped in the tarball.

EXTRA_DIST += guest/linux.config-fragment guest/init guest/getppid.c \
	examples/default.json
dist_noinst_SCRIPTS += guest/build-kernel.sh guest/build-initramfs.sh \
	scripts/build-default-guest.sh

# `make check` boots it (tests/test_linux.c): build it first, in this
# build tree (also under `make distcheck`); the kernel comes from the
# cache after the first time on a machine.
check_DATA += guest/initramfs.cpio
guest/initramfs.cpio: $(srcdir)/guest/init $(srcdir)/guest/getppid.c \
		$(srcdir)/guest/build-initramfs.sh \
		$(srcdir)/guest/build-kernel.sh $(srcdir)/guest/linux.config-fragment
	cd $(abs_top_builddir) && \
		bash $(abs_top_srcdir)/scripts/build-default-guest.sh
CLEANFILES += guest/initramfs.cpio guest/vmlinux
