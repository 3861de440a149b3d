# tools: the kxl toolstack CLI (included by Makefile.am).
#
# The sources live in tools/toolstack/, not tools/kxl/: the program is
# tools/kxl in the build tree (where tests and scripts run it), and a
# directory of objects cannot have the same path as the program.

# Config parsing and image validation need no hypervisor: the tests link
# them directly.
noinst_LIBRARIES += tools/libkxlconfig.a
tools_libkxlconfig_a_SOURCES = \
	tools/toolstack/config.c \
	tools/toolstack/config.h \
	tools/toolstack/image.c \
	tools/toolstack/image.h \
	tools/toolstack/config_ext.c \
	tools/toolstack/config_ext.h \
	tools/toolstack/config_testdev.c \
	tools/toolstack/config_testdev.h \
	tools/toolstack/cpuid.c \
	tools/toolstack/cpuid.h \
	tools/toolstack/boot.c \
	tools/toolstack/boot.h \
	tools/toolstack/bytes.h \
	tools/toolstack/e820.c \
	tools/toolstack/e820.h \
	tools/toolstack/acpi.c \
	tools/toolstack/acpi.h \
	tools/toolstack/mptable.c \
	tools/toolstack/mptable.h \
	tools/toolstack/pvh.c \
	tools/toolstack/pvh.h \
	tools/toolstack/bzimage.c \
	tools/toolstack/bzimage.h \
	tools/toolstack/multiboot.c \
	tools/toolstack/multiboot.h
nodist_tools_libkxlconfig_a_SOURCES = tools/toolstack/acpi/dsdt_aml.c
tools_libkxlconfig_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)

# The domain builder, apart from the CLI so that tests can drive it.
noinst_LIBRARIES += tools/libkxlbuild.a
tools_libkxlbuild_a_SOURCES = \
	tools/toolstack/builder.c \
	tools/toolstack/builder.h \
	tools/toolstack/pvm_policy.c \
	tools/toolstack/pvm_policy.h

sbin_PROGRAMS += tools/kxl
tools_kxl_SOURCES = \
	tools/toolstack/main.c \
	tools/toolstack/commands.c \
	tools/toolstack/create.c \
	tools/toolstack/monitor.c \
	tools/toolstack/monitor.h \
	tools/toolstack/power.c \
	tools/toolstack/dm_spawn.c \
	tools/toolstack/dm_spawn.h \
	tools/toolstack/console.c \
	tools/toolstack/stat.c \
	tools/toolstack/kxl.h
tools_kxl_LDADD = \
	tools/libkxlbuild.a \
	tools/libkxlconfig.a \
	libctl/libkxenctrl.a \
	$(YAJL_LIBS)

# The DSDT: acpi/dsdt.asl compiled by iasl (checked by configure), its
# AML turned into a C array named kxl_dsdt_aml (acpi.h). iasl names the
# array after the output file, so it is renamed here.
KXL_DSDT_OUT = tools/toolstack/acpi/dsdt
tools/toolstack/acpi/dsdt_aml.c: $(srcdir)/tools/toolstack/acpi/dsdt.asl
	@$(MKDIR_P) tools/toolstack/acpi
	$(AM_V_GEN)$(IASL) -tc -p $(KXL_DSDT_OUT) \
		$(srcdir)/tools/toolstack/acpi/dsdt.asl >$(KXL_DSDT_OUT).log 2>&1 \
		|| { cat $(KXL_DSDT_OUT).log; exit 1; }; \
	{ echo '/* Generated from dsdt.asl by iasl: do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  sed -n '/^unsigned char/,/^};/p' $(KXL_DSDT_OUT).hex | \
	  sed 's/^unsigned char [A-Za-z0-9_]*\[\]/const unsigned char kxl_dsdt_aml[]/'; \
	  echo 'const size_t kxl_dsdt_aml_len = sizeof(kxl_dsdt_aml);'; \
	} >$@.tmp && mv $@.tmp $@
CLEANFILES += tools/toolstack/acpi/dsdt_aml.c $(KXL_DSDT_OUT).aml \
	$(KXL_DSDT_OUT).hex $(KXL_DSDT_OUT).log
EXTRA_DIST += tools/toolstack/acpi/dsdt.asl

# Ahead of libctl in the test binary's link line: they depend on it.
tests_kxen_tests_LDADD += tools/libkxlbuild.a tools/libkxlconfig.a

# The compat suite compiles this file itself; golden configs are read
# from the source tree.
EXTRA_DIST += \
	tests/compat/xen_api_compat.c \
	tests/configs/good.json \
	tests/configs/bad-cmdline-long.json \
	tests/configs/bad-cmdline-type.json \
	tests/configs/bad-duplicate-key.json \
	tests/configs/bad-empty.json \
	tests/configs/bad-json-comma.json \
	tests/configs/bad-kernel-empty.json \
	tests/configs/bad-kernel-type.json \
	tests/configs/bad-memory-float.json \
	tests/configs/bad-memory-huge.json \
	tests/configs/bad-memory-string.json \
	tests/configs/bad-memory-zero.json \
	tests/configs/bad-missing-kernel.json \
	tests/configs/bad-missing-memory.json \
	tests/configs/bad-missing-name.json \
	tests/configs/bad-name-chars.json \
	tests/configs/bad-name-empty.json \
	tests/configs/bad-not-object.json \
	tests/configs/bad-unknown-key.json \
	tests/configs/bad-vcpus-bool.json \
	tests/configs/bad-vcpus-range.json
