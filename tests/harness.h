/*
 * Test harness shared by the CUnit suites in tests/: suite registration,
 * skipping, and helpers that run kxend, kxl and the test guests from the
 * build tree. Binaries are found through $KXEN_BUILDDIR (set by
 * `make check`, see Makefile.am), never through relative paths, so the
 * tests also run in `make distcheck`'s VPATH build.
 *
 * Every helper is bounded in time: a hung daemon or tool fails the test
 * that used it instead of hanging the whole run.
 */
#ifndef KXEN_TESTS_HARNESS_H
#define KXEN_TESTS_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

#include <CUnit/CUnit.h>

/*
 * Suite registration, called in this order by tests/main.c; each adds
 * one CUnit suite and returns 0, or -1 when the registry refused it.
 */
int kxen_suite_abi(void);	/* tests/test_abi.c */
int kxen_suite_config(void);	/* tests/test_config.c */
int kxen_suite_builder(void);	/* tests/test_builder.c: boot, tables */
int kxen_suite_compat(void);	/* tests/test_compat.c */
int kxen_suite_lifecycle(void); /* tests/test_lifecycle.c */
int kxen_suite_timers(void);	/* tests/test_timers.c: clock, timers */
int kxen_suite_wires(void);	/* tests/test_irq.c: the wire layer */
int kxen_suite_vpic(void);	/* tests/test_vpic.c */
int kxen_suite_vioapic(void);	/* tests/test_vioapic.c */
int kxen_suite_vlapic(void);	/* tests/test_vlapic.c */
int kxen_suite_vpit(void);	/* tests/test_vpit.c */
int kxen_suite_vrtc(void);	/* tests/test_vrtc.c */
int kxen_suite_vhpet(void);	/* tests/test_vhpet.c */
int kxen_suite_pmtimer(void);	/* tests/test_pmtimer.c */
int kxen_suite_platform(void);	/* tests/test_platform.c: guests */
int kxen_suite_evtchn(void);	/* tests/test_evtchn.c: libctl DM APIs */
int kxen_suite_dmdev(void);	/* tests/test_dm_devices.c: DM devices */
int kxen_suite_dm(void);	/* tests/test_dm.c: kxen-dm end to end */
int kxen_suite_linux(void);	/* tests/test_linux.c: default guest */
int kxen_suite_pvmpolicy(void); /* tests/test_policy.c: PVM kernel args */
int kxen_suite_stat(void);	/* tests/test_stat.c: kxl stat */
int kxen_suite_cpuid(void);	/* tests/test_cpuid.c: CPUID policy */
int kxen_suite_monitor(void);	/* tests/test_monitor.c: on_*, shutdown */
int kxen_suite_benchmmio(void); /* tests/test_scratch_mmio.c: bench page */
int kxen_suite_testdev(void);	/* tests/test_testdev*.c: QEMU test devices */
int kxen_suite_testdev_boot(CU_pSuite s);
int kxen_suite_testdev_guest(CU_pSuite s);
/* tests/test_lifecycle_linux.c: the lifecycle with the default guest */
int kxen_suite_lifelinux(void);

/*
 * Mark the running test as skipped (counted apart from passes in the
 * final "N passed, N failed, N skipped" line). Prints "SKIPPED: why".
 * The test should return right after.
 */
void harness_skip(const char *why);

/* Whether /dev/kvm can be opened read-write. */
bool harness_have_kvm(void);

/* Skip the current test (and return from it) when KVM is unusable. */
#define KXEN_REQUIRE_KVM()                                                     \
	do {                                                                   \
		if (!harness_have_kvm()) {                                     \
			harness_skip(                                          \
			    "no usable /dev/kvm (missing, or not KVM)");       \
			return;                                                \
		}                                                              \
	} while (0)

/* A private kxend started for one test (or one suite). */
struct harness_kxend {
	pid_t pid;
	char *dir;    /* mkdtemp'd; removed by harness_kxend_stop */
	char *rundir; /* dir/run: holds kxend.sock */
	char *logdir; /* dir/log */
};

/*
 * Start `$KXEN_BUILDDIR/hypervisor/kxend -F --rundir DIR/run --logdir
 * DIR/log` with its output in DIR/kxend.stderr, wait up to 10 s for
 * DIR/run/kxend.sock and set $KXEN_RUNDIR so that kxl and libctl talk to
 * it. Returns NULL (after printing why) when it did not come up.
 */
struct harness_kxend *harness_kxend_start(void);

/*
 * SIGTERM, wait up to 10 s (then SIGKILL and return -1), remove the
 * directory and free k. Returns kxend's exit status (0: clean exit), or
 * -1 when it was killed by a signal or had to be killed. NULL is a no-op
 * returning -1.
 */
int harness_kxend_stop(struct harness_kxend *k);

/*
 * Run argv0 with the given arguments (NULL-terminated list), stdout and
 * stderr captured together into *output (malloc'd, NUL-terminated, may
 * be NULL if the caller does not want it). Killed after 30 s. Returns
 * the exit status, or -1 if it could not run, was killed or timed out.
 */
int harness_run(char **output, const char *argv0, ...);

/* harness_run with $KXEN_BUILDDIR/tools/kxl as the program. */
int harness_kxl(char **output, ...);

/* Absolute path of a built test guest, $KXEN_BUILDDIR/tests/guests/NAME
 * (e.g. "hello.bin"); malloc'd. */
char *harness_guest(const char *name);

/*
 * Paths of the built default Linux guest (guest/vmlinux and
 * guest/initramfs.cpio in the build tree). False, with the reason and
 * what to run printed, when it is not built.
 */
bool harness_default_guest(char *kernel, char *initrd, size_t len);

/* Write json to k->dir/NAME.json; returns the path (malloc'd) or NULL. */
char *harness_write_config(struct harness_kxend *k, const char *name,
			   const char *json);

/*
 * Poll `kxl dmesg` (every 50 ms) until its output contains needle.
 * Returns 0 when found, -1 after timeout_ms.
 */
int harness_wait_dmesg(const char *needle, int timeout_ms);

/* Open descriptors of a process (/proc/PID/fd), or -1. */
int harness_count_fds(pid_t pid);

/* Resident set size of a process in KiB (/proc/PID/status), or -1. */
long harness_rss_kb(pid_t pid);

/* $KXEN_BUILDDIR / $KXEN_SRCDIR, or "." when unset (manual runs). */
const char *harness_builddir(void);
const char *harness_srcdir(void);

/* Number of tests that called harness_skip, for tests/main.c. */
unsigned harness_skipped_count(void);

#endif
