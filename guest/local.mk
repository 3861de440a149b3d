# guest/local.mk - the default Linux guest (README.md, "Default guest").
#
# Not built by `make`: scripts/build-default-guest.sh builds the kernel once
# per machine into a cache outside the tree (about 14 min on 2 cores) and
# the initramfs into guest/ of the build tree. Only shipped in the tarball.

EXTRA_DIST += guest/linux.config-fragment guest/init examples/default.json
dist_noinst_SCRIPTS += guest/build-kernel.sh guest/build-initramfs.sh \
	scripts/build-default-guest.sh
