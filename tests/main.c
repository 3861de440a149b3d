/*
 * kxen-tests: the one CUnit binary behind `make check`. Registers every
 * suite, runs them (or only the suite named by argv[1]) in verbose mode
 * and ends with one line "N passed, N failed, N skipped" that
 * scripts/run-tests.sh reports as the run's result.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "harness.h"

static int (*const suites[])(void) = {
    kxen_suite_abi,	kxen_suite_config,    kxen_suite_builder,
    kxen_suite_compat,	kxen_suite_lifecycle, kxen_suite_timers,
    kxen_suite_wires,	kxen_suite_vpic,      kxen_suite_vioapic,
    kxen_suite_vlapic,	kxen_suite_vpit,      kxen_suite_vrtc,
    kxen_suite_vhpet,	kxen_suite_pmtimer,   kxen_suite_platform,
    kxen_suite_evtchn,	kxen_suite_dmdev,     kxen_suite_dm,
    kxen_suite_linux,	kxen_suite_pvmpolicy, kxen_suite_stat,
    kxen_suite_cpuid,	kxen_suite_monitor,   kxen_suite_benchmmio,
    kxen_suite_testdev, kxen_suite_lifelinux,
};

int main(int argc, char **argv)
{
	unsigned run, failed, skipped, passed;
	size_t i;

	/* Tests close sockets under peers on purpose; see EPIPE, not die. */
	signal(SIGPIPE, SIG_IGN);
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 1;
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		if (suites[i]() != 0) {
			fprintf(stderr, "suite registration failed: %s\n",
				CU_get_error_msg());
			CU_cleanup_registry();
			return 1;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		CU_pSuite suite = CU_get_suite(argv[1]);

		if (!suite) {
			fprintf(stderr, "no suite named '%s'\n", argv[1]);
			CU_cleanup_registry();
			return 1;
		}
		CU_basic_run_suite(suite);
	} else {
		CU_basic_run_tests();
	}

	run = CU_get_number_of_tests_run();
	/*
	 * A suite whose setup failed ran none of its tests; that must not
	 * look like success, so it counts as a failure too.
	 */
	failed =
	    CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	skipped = harness_skipped_count();
	passed = run > failed + skipped ? run - failed - skipped : 0;
	printf("\n%u passed, %u failed, %u skipped\n", passed, failed, skipped);
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
