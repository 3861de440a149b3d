/*
 * Suite "platform": the in-core PC platform as a guest OS sees it. Each
 * test boots tests/guests/platform.bin through kxl on a private kxend
 * with one sub-test named on the command line and checks the result
 * line the guest prints ("<tag> ... ok", or "... FAIL <reason>").
 *
 * Every timing judgement is made with the guest's own clocks (the guest
 * compares its timers with the PM timer; the pause test reads tick
 * stamps taken with the PM timer): these hosts run guest kernel code
 * in KVM's emulator, so wall-clock expectations would only measure the
 * host (DESIGN.md, Hosts). Timeouts are generous for the same reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define RESULT_TIMEOUT_MS 60000
#define PM_HZ 3579545.0
#define TICKER_HZ 20.0

/* Write a config and create the domain; 0 on success. */
static int create(struct harness_kxend *k, const char *name, unsigned vcpus,
		  const char *cmdline, const char *timer_mode)
{
	char json[1024], mode[96] = "", *img = harness_guest("platform.bin");
	char *cfg, *out = NULL;
	int rc;

	if (timer_mode)
		snprintf(mode, sizeof(mode), ", \"timer_mode\": \"%s\"",
			 timer_mode);
	snprintf(json, sizeof(json),
		 "{\"name\": \"%s\", \"memory\": 16, \"vcpus\": %u, "
		 "\"kernel\": \"%s\", \"cmdline\": \"%s\"%s}",
		 name, vcpus, img, cmdline, mode);
	free(img);
	cfg = harness_write_config(k, name, json);
	if (!cfg)
		return -1;
	rc = harness_kxl(&out, "create", cfg, NULL);
	if (rc != 0)
		fprintf(stderr, "\nkxl create %s: %s\n", name, out ? out : "");
	free(out);
	free(cfg);
	return rc;
}

/* The whole console ring (kxl dmesg), malloc'd; "" on failure. */
static char *dmesg(void)
{
	char *out = NULL;

	harness_kxl(&out, "dmesg", NULL);
	return out ? out : strdup("");
}

/*
 * Copy the first console line containing "guest: <tag> " into line, or
 * return -1 when there is none. Only lines from the guest count.
 */
static int find_line(const char *log, const char *tag, char *line, size_t len)
{
	char needle[128];
	const char *p, *end;
	size_t n;

	snprintf(needle, sizeof(needle), "guest: %s ", tag);
	p = strstr(log, needle);
	if (!p)
		return -1;
	p += strlen("guest: ");
	end = strchr(p, '\n');
	n = end ? (size_t)(end - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	memcpy(line, p, n);
	line[n] = '\0';
	return 0;
}

/* Wait for "<tag> ... ok" or "<tag> ... FAIL ..."; returns the line. */
static int wait_result(const char *tag, char *line, size_t len)
{
	for (int t = 0; t < RESULT_TIMEOUT_MS; t += 200) {
		char *log = dmesg();
		int found = find_line(log, tag, line, len) == 0 &&
			    (strstr(line, " ok") || strstr(line, " FAIL"));

		if (!found && strstr(log, "crashed")) {
			fprintf(stderr, "\n%s: domain crashed:\n%s\n", tag,
				log);
			free(log);
			return -1;
		}
		free(log);
		if (found)
			return 0;
		usleep(200000);
	}
	fprintf(stderr, "\n%s: no result line within %d s\n", tag,
		RESULT_TIMEOUT_MS / 1000);
	return -1;
}

/* Whether line ends in " ok" (the guest's verdict). */
static int line_ok(const char *line)
{
	size_t n = strlen(line);

	return n >= 3 && strcmp(line + n - 3, " ok") == 0;
}

/*
 * Boot `cmdline` on its own kxend and require "<tag> ... ok"; extra, if
 * set, must also appear in that line (e.g. "ticks=100").
 */
static void run_case(const char *cmdline, const char *tag, const char *extra,
		     unsigned vcpus)
{
	struct harness_kxend *k = harness_kxend_start();
	char line[512] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(create(k, "plat", vcpus, cmdline, NULL), 0);
	CU_ASSERT_EQUAL(wait_result(tag, line, sizeof(line)), 0);
	if (!line_ok(line) || (extra && !strstr(line, extra)))
		fprintf(stderr, "\n%s: %s\n", cmdline, line);
	CU_ASSERT_TRUE(line_ok(line));
	CU_ASSERT_TRUE(!extra || strstr(line, extra));
	harness_kxl(NULL, "destroy", "plat", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

static void test_pit_pic(void)
{
	KXEN_REQUIRE_KVM();
	run_case("pit-pic", "irq: pit-pic", "ticks=100", 1);
}

static void test_pit_ioapic(void)
{
	KXEN_REQUIRE_KVM();
	run_case("pit-ioapic", "irq: pit-ioapic", "ticks=100", 1);
}

static void test_lapic_periodic(void)
{
	KXEN_REQUIRE_KVM();
	run_case("lapic-periodic", "irq: lapic-periodic", "ticks=100", 1);
}

static void test_lapic_oneshot(void)
{
	KXEN_REQUIRE_KVM();
	run_case("lapic-oneshot", "irq: lapic-oneshot", "fired=3", 1);
}

static void test_rtc_periodic(void)
{
	KXEN_REQUIRE_KVM();
	run_case("rtc-periodic", "irq: rtc-periodic", "ticks=64", 1);
}

static void test_rtc_update(void)
{
	KXEN_REQUIRE_KVM();
	run_case("rtc-update", "irq: rtc-update", "updates=3", 1);
}

static void test_hpet(void)
{
	KXEN_REQUIRE_KVM();
	run_case("hpet", "irq: hpet", "ticks=100", 1);
}

static void test_hpet_legacy(void)
{
	KXEN_REQUIRE_KVM();
	run_case("hpet-legacy", "irq: hpet-legacy", "ticks=100", 1);
}

static void test_level(void)
{
	KXEN_REQUIRE_KVM();
	run_case("level", "irq: level", "redeliver=1", 1);
}

static void test_clocks(void)
{
	KXEN_REQUIRE_KVM();
	run_case("clocks", "clocks:", NULL, 1);
}

static void test_smp(void)
{
	struct harness_kxend *k;
	char line[512] = "", *log;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(create(k, "plat", 2, "smp", NULL), 0);
	CU_ASSERT_EQUAL(wait_result("smp: bsp", line, sizeof(line)), 0);
	if (!line_ok(line))
		fprintf(stderr, "\nsmp: %s\n", line);
	CU_ASSERT_TRUE(line_ok(line));
	log = dmesg();
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "guest: smp: ap up id=1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "guest: smp: ap rx=10 ok\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "guest: smp: bsp rx=10 ok\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "guest: smp: done ok\n"));
	free(log);
	harness_kxl(NULL, "destroy", "plat", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* --- the pause test --- */

struct ticks {
	long n; /* ticks parsed: tick i+1 was stamped pm[i] */
	long cap;
	double *pm;	  /* PM timer stamps, unwrapped to 64 bits */
	double jump_from; /* the largest PM jump the guest saw: from, to */
	double jump_to;
};

/* 32-bit PM stamps increase; unwrap them against the previous one. */
static double unwrap(double prev, unsigned long raw)
{
	double base = prev - (double)((unsigned long)prev % 4294967296ul);
	double v = base + (double)raw;

	return v + 2147483648.0 < prev ? v + 4294967296.0 : v;
}

/* Parse "ticker: n=N pm=P" and "ticker: jump from=X to=Y" lines. */
static int parse_ticks(const char *log, struct ticks *t)
{
	const char *p = log;
	double last = 0, best = 0;

	memset(t, 0, sizeof(*t));
	while ((p = strstr(p, "guest: ticker: "))) {
		unsigned long n, a, b;

		p += strlen("guest: ticker: ");
		if (sscanf(p, "n=%lu pm=%lu", &n, &a) == 2) {
			if ((long)n != t->n + 1)
				return -1; /* every tick, in order */
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 1024;
				t->pm = realloc(t->pm, (size_t)t->cap *
							   sizeof(*t->pm));
				if (!t->pm)
					return -1;
			}
			last = unwrap(last, a);
			t->pm[t->n++] = last;
		} else if (sscanf(p, "jump from=%lu to=%lu", &a, &b) == 2) {
			double from = unwrap(last, a), to = unwrap(from, b);

			if (to - from > best) {
				best = to - from;
				t->jump_from = from;
				t->jump_to = to;
			}
		}
	}
	return 0;
}

static long last_tick_n(void)
{
	struct ticks t;
	char *log = dmesg();
	long n = parse_ticks(log, &t) == 0 ? t.n : -1;

	free(log);
	free(t.pm);
	return n;
}

static int wait_ticks(long n, int timeout_ms)
{
	for (int ms = 0; ms < timeout_ms; ms += 100) {
		if (last_tick_n() >= n)
			return 0;
		usleep(100000);
	}
	return -1;
}

/*
 * What the guest's ticks say happened around the pause, with the tick
 * period's boundaries (phase from the first ticks, which arrive on
 * time) as the reference:
 *   jump_s  how far the guest clock jumped over the pause (seconds)
 *   missed  boundaries that fell inside that jump
 *   extra   ticks delivered beyond one per boundary outside the jump,
 *           between the last tick before the pause and the last tick
 * so a mode that drops every missed tick has extra 0, one that delivers
 * them all has extra == missed.
 */
struct pause_result {
	double jump_s;
	long missed;
	long extra;
};

static int analyse(const struct ticks *t, long before, struct pause_result *r)
{
	double period = PM_HZ / TICKER_HZ, phase = t->pm[0];
	long a, i, e = t->n - 1, bounds;

	/* Ticks arrive after their boundary, never before: the earliest
	 * offset among the first ticks is closest to the true phase. */
	for (i = 1; i < 10 && i < t->n; i++)
		if (t->pm[i] - (double)i * period < phase)
			phase = t->pm[i] - (double)i * period;
	r->jump_s = (t->jump_to - t->jump_from) / PM_HZ;
	/* The last tick before the pause: by the guest's clock when it
	 * jumped (a tick stamped just before the pause may have been
	 * printed after it), else the last one printed while paused. */
	a = before - 1;
	if (r->jump_s > 0.01)
		for (i = 0; i < t->n; i++)
			if (t->pm[i] <= t->jump_from)
				a = i;
	if (a < 10 || e - a < 40)
		return -1;
	/* Boundary k lies at phase + k * period. */
	r->missed = r->jump_s > 0.01
			? (long)((t->jump_to - phase) / period) -
			      (long)((t->jump_from - phase) / period)
			: 0;
	bounds = (long)((t->pm[e] - phase) / period + 0.5) -
		 (long)((t->pm[a] - phase) / period + 0.5);
	r->extra = (e - a) - (bounds - r->missed);
	return 0;
}

static void pause_case(const char *mode, int expect_jump, long expect_extra)
{
	struct harness_kxend *k;
	struct pause_result r = {0};
	struct ticks t;
	long before;
	char *log;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(create(k, "tick", 1, "ticker", mode), 0);
	/* One second of ticks on the guest's clock first. */
	CU_ASSERT_EQUAL(wait_ticks(20, RESULT_TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "pause", "tick", NULL), 0);
	sleep(2);
	before = last_tick_n();
	CU_ASSERT_EQUAL(harness_kxl(NULL, "unpause", "tick", NULL), 0);
	/* Well past any catch-up (40 ticks at most, delivered 4 times as
	 * fast as usual): 100 more ticks. */
	CU_ASSERT_EQUAL(wait_ticks(before + 100, RESULT_TIMEOUT_MS), 0);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "pause", "tick", NULL), 0);
	log = dmesg();
	CU_ASSERT_PTR_NULL(strstr(log, "ticker: FAIL"));
	CU_ASSERT_EQUAL_FATAL(parse_ticks(log, &t), 0);
	free(log);
	CU_ASSERT_EQUAL(analyse(&t, before, &r), 0);
	fprintf(stderr,
		"\n%s: %ld ticks, guest clock jump %.3f s, %ld "
		"boundaries in it, %ld extra ticks\n",
		mode, t.n, r.jump_s, r.missed, r.extra);
	if (expect_jump) {
		/* The guest's clock caught up with the 2 s pause... */
		CU_ASSERT(r.jump_s > 1.5);
		CU_ASSERT(r.missed >= 30);
	} else {
		/* ... or it stood still while paused. */
		CU_ASSERT(r.jump_s < 0.5);
		CU_ASSERT_EQUAL(r.missed, 0);
	}
	/* expect_extra < 0: every missed tick is owed and delivered. */
	CU_ASSERT_EQUAL(r.extra, expect_extra < 0 ? r.missed : expect_extra);
	free(t.pm);
	harness_kxl(NULL, "destroy", "tick", NULL);
	CU_ASSERT_EQUAL(harness_kxend_stop(k), 0);
}

/* Guest time stops while paused: nothing is owed. */
static void test_pause_delay_for_missed_ticks(void)
{
	pause_case("delay_for_missed_ticks", 0, 0);
}

/* Guest time catches up and every missed tick is delivered. */
static void test_pause_no_delay_for_missed_ticks(void)
{
	pause_case("no_delay_for_missed_ticks", 1, -1);
}

/* Guest time catches up, missed ticks are dropped. */
static void test_pause_no_missed_ticks_pending(void)
{
	pause_case("no_missed_ticks_pending", 1, 0);
}

/* Guest time catches up, exactly one tick for all the missed ones. */
static void test_pause_one_missed_tick_pending(void)
{
	pause_case("one_missed_tick_pending", 1, 1);
}

int kxen_suite_platform(void)
{
	CU_pSuite s = CU_add_suite("platform", NULL, NULL);

	if (!s || !CU_add_test(s, "PIT through the PIC", test_pit_pic) ||
	    !CU_add_test(s, "PIT through the IOAPIC", test_pit_ioapic) ||
	    !CU_add_test(s, "LAPIC timer periodic", test_lapic_periodic) ||
	    !CU_add_test(s, "LAPIC timer one-shot", test_lapic_oneshot) ||
	    !CU_add_test(s, "RTC periodic interrupt", test_rtc_periodic) ||
	    !CU_add_test(s, "RTC update-ended interrupt", test_rtc_update) ||
	    !CU_add_test(s, "HPET periodic via IOAPIC", test_hpet) ||
	    !CU_add_test(s, "HPET legacy replacement", test_hpet_legacy) ||
	    !CU_add_test(s, "level-triggered line, remote IRR and EOI",
			 test_level) ||
	    !CU_add_test(s, "PM timer, PIT, LAPIC timer and HPET agree",
			 test_clocks) ||
	    !CU_add_test(s, "SMP bring-up and IPIs", test_smp) ||
	    !CU_add_test(s, "pause: delay_for_missed_ticks",
			 test_pause_delay_for_missed_ticks) ||
	    !CU_add_test(s, "pause: no_delay_for_missed_ticks",
			 test_pause_no_delay_for_missed_ticks) ||
	    !CU_add_test(s, "pause: no_missed_ticks_pending",
			 test_pause_no_missed_ticks_pending) ||
	    !CU_add_test(s, "pause: one_missed_tick_pending",
			 test_pause_one_missed_tick_pending))
		return -1;
	return 0;
}
