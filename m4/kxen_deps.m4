# kxen_deps.m4 - dependency checks for kxen.
#
# Each check stops configure with a single line naming the Debian package
# that provides the missing piece, so a fresh machine needs exactly one
# `apt-get install` (scripts/install-deps.sh installs all of them).

# KXEN_CHECK_KVM_H: the KVM ioctl ABI comes from the kernel's UAPI headers.
AC_DEFUN([KXEN_CHECK_KVM_H], [
	AC_CHECK_HEADER([linux/kvm.h], [],
		[AC_MSG_ERROR([linux/kvm.h not found: install the Debian package linux-libc-dev])])
])

# KXEN_CHECK_PKG(VAR, MODULE, DEBIAN-PACKAGE): a pkg-config module that
# must exist; sets and substitutes VAR_CFLAGS and VAR_LIBS.
AC_DEFUN([KXEN_CHECK_PKG], [
	PKG_CHECK_MODULES([$1], [$2], [],
		[AC_MSG_ERROR([$2 not found: install the Debian package $3])])
])

# KXEN_CHECK_CUNIT: Debian's libcunit1-dev ships cunit.pc, but older or
# hand-built installs may not; fall back to the header and -lcunit.
AC_DEFUN([KXEN_CHECK_CUNIT], [
	PKG_CHECK_MODULES([CUNIT], [cunit], [], [
		AC_CHECK_HEADER([CUnit/Basic.h], [],
			[AC_MSG_ERROR([CUnit not found: install the Debian package libcunit1-dev])])
		AC_CHECK_LIB([cunit], [CU_initialize_registry], [],
			[AC_MSG_ERROR([libcunit not found: install the Debian package libcunit1-dev])])
		CUNIT_CFLAGS=
		CUNIT_LIBS=-lcunit
	])
	AC_SUBST([CUNIT_CFLAGS])
	AC_SUBST([CUNIT_LIBS])
])

# KXEN_CHECK_GUEST_TOOLS: test guests are flat binaries cut out of a
# linked image with objcopy; both tools come from binutils.
AC_DEFUN([KXEN_CHECK_GUEST_TOOLS], [
	AC_CHECK_TOOL([OBJCOPY], [objcopy], [no])
	AS_IF([test "x$OBJCOPY" = xno],
		[AC_MSG_ERROR([objcopy not found: install the Debian package binutils])])
	AC_CHECK_TOOL([LD], [ld], [no])
	AS_IF([test "x$LD" = xno],
		[AC_MSG_ERROR([ld not found: install the Debian package binutils])])
	# A flat guest image is one writable, executable segment on purpose;
	# binutils >= 2.39 warns about that unless told not to.
	AC_MSG_CHECKING([whether $LD accepts --no-warn-rwx-segments])
	AS_IF([$LD --no-warn-rwx-segments --version >/dev/null 2>&1],
		[KXEN_GUEST_LDNOWARN=--no-warn-rwx-segments
		 AC_MSG_RESULT([yes])],
		[KXEN_GUEST_LDNOWARN=
		 AC_MSG_RESULT([no])])
	AC_SUBST([KXEN_GUEST_LDNOWARN])
])
