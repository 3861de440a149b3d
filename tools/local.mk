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
	tools/toolstack/image.h
tools_libkxlconfig_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)

# The domain builder, apart from the CLI so that tests can drive it.
noinst_LIBRARIES += tools/libkxlbuild.a
tools_libkxlbuild_a_SOURCES = \
	tools/toolstack/builder.c \
	tools/toolstack/builder.h

sbin_PROGRAMS += tools/kxl
tools_kxl_SOURCES = \
	tools/toolstack/main.c \
	tools/toolstack/commands.c \
	tools/toolstack/create.c \
	tools/toolstack/kxl.h
tools_kxl_LDADD = \
	tools/libkxlbuild.a \
	tools/libkxlconfig.a \
	libctl/libkxenctrl.a \
	$(YAJL_LIBS)

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
