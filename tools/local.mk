# tools: the kxl toolstack CLI (included by Makefile.am).

# Config parsing and image validation need no hypervisor: the tests link
# them directly.
noinst_LIBRARIES += tools/libkxlconfig.a
tools_libkxlconfig_a_SOURCES = \
	tools/kxl/config.c \
	tools/kxl/config.h \
	tools/kxl/image.c \
	tools/kxl/image.h
tools_libkxlconfig_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)

# The domain builder, apart from the CLI so that tests can drive it.
noinst_LIBRARIES += tools/libkxlbuild.a
tools_libkxlbuild_a_SOURCES = \
	tools/kxl/builder.c \
	tools/kxl/builder.h

sbin_PROGRAMS += tools/kxl
tools_kxl_SOURCES = \
	tools/kxl/main.c \
	tools/kxl/commands.c \
	tools/kxl/create.c \
	tools/kxl/kxl.h
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
