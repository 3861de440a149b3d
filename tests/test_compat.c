/*
 * Suite "compat": libctl's headers must be drop-in replacements for
 * Xen 4.17's. tests/compat/xen_api_compat.c is compiled (syntax only,
 * warnings as errors) once against our include/ and once against
 * Debian's libxen-dev headers; it pins every function's type and the
 * struct layouts, so it builds both times only if they agree.
 *
 * Environment: KXEN_CC (configure's CC; "cc" when unset) and
 * KXEN_SRCDIR (the source tree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define XEN_HEADER "/usr/include/xenctrl.h"

static const char *compiler(void)
{
	const char *cc = getenv("KXEN_CC");

	return cc && *cc ? cc : "cc";
}

/*
 * Run `$KXEN_CC -fsyntax-only ... flags file` through the shell (CC may
 * be several words, e.g. "ccache gcc"). Returns the exit status and the
 * compiler's output in *out.
 */
static int compile(const char *flags, const char *file, char **out)
{
	char *cmd;
	int rc;

	if (asprintf(&cmd,
		     "%s -fsyntax-only -D_GNU_SOURCE -Wall -Wextra -Werror "
		     "%s '%s' 2>&1",
		     compiler(), flags, file) < 0)
		return -1;
	rc = harness_run(out, "/bin/sh", "-c", cmd, (char *)NULL);
	free(cmd);
	return rc;
}

static char *compat_tu(void)
{
	char *path;

	if (asprintf(&path, "%s/tests/compat/xen_api_compat.c",
		     harness_srcdir()) < 0)
		return NULL;
	return path;
}

static void report(const char *what, int rc, const char *out)
{
	if (rc != 0)
		fprintf(stderr, "\n%s failed (status %d):\n%s\n", what, rc,
			out ? out : "(no output)");
}

static void test_our_headers(void)
{
	char *tu = compat_tu(), *flags = NULL, *out = NULL;
	int rc = -1;

	CU_ASSERT_FATAL(tu != NULL);
	/* Plain C11: our headers must not need GNU extensions. */
	if (asprintf(&flags, "-std=c11 -I'%s/include'", harness_srcdir()) >= 0)
		rc = compile(flags, tu, &out);
	report("compiling against kxen's include/", rc, out);
	CU_ASSERT_EQUAL(rc, 0);
	free(out);
	free(flags);
	free(tu);
}

static void test_xen_headers(void)
{
	char *tu = compat_tu(), *out = NULL;
	int rc;

	CU_ASSERT_FATAL(tu != NULL);
	if (access(XEN_HEADER, R_OK) != 0) {
		fprintf(stderr, "\n" XEN_HEADER " is missing: install "
				"libxen-dev (scripts/install-deps.sh does)\n");
		CU_FAIL("libxen-dev is not installed");
		free(tu);
		return;
	}
	/*
	 * gnu11: Xen's public headers use anonymous unions and refuse
	 * strict ISO C (xen/hvm/save.h #errors under __STRICT_ANSI__).
	 */
	rc = compile("-std=gnu11", tu, &out);
	report("compiling against Debian's libxen-dev headers", rc, out);
	CU_ASSERT_EQUAL(rc, 0);
	free(out);
	free(tu);
}

/* The check is only worth something if a wrong type really fails. */
static void test_mismatch_detected(void)
{
	char path[] = "/tmp/kxen-compat-XXXXXX.c";
	static const char bad[] =
	    "#include <xenctrl.h>\n"
	    "typedef int (*fn)(xc_interface *, uint32_t, uint32_t);\n"
	    "static const fn p = xc_domain_setmaxmem;\n"
	    "int use(void);\nint use(void) { return p != 0; }\n";
	char *flags = NULL, *out = NULL;
	int fd = mkstemps(path, 2), rc = -1;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, bad, sizeof(bad) - 1) ==
			(ssize_t)(sizeof(bad) - 1));
	close(fd);
	if (asprintf(&flags, "-std=c11 -I'%s/include'", harness_srcdir()) >= 0)
		rc = compile(flags, path, &out);
	CU_ASSERT_NOT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL(out);
	if (out)
		CU_ASSERT_PTR_NOT_NULL(strstr(out, "xc_domain_setmaxmem"));
	unlink(path);
	free(out);
	free(flags);
}

/* Compile src (a whole file) against our include/; returns the status. */
static int compile_source(const char *src, char **out)
{
	char path[] = "/tmp/kxen-compat-XXXXXX.c";
	char *flags = NULL;
	int fd = mkstemps(path, 2), rc = -1;
	size_t len = strlen(src);

	if (fd < 0)
		return -1;
	if (write(fd, src, len) == (ssize_t)len &&
	    asprintf(&flags, "-std=c11 -I'%s/include'", harness_srcdir()) >= 0)
		rc = compile(flags, path, out);
	close(fd);
	unlink(path);
	free(flags);
	return rc;
}

/*
 * Each header compiles on its own, and all of them together in either
 * order: they share typedefs (domid_t, evtchn_port_t, xen_pfn_t) that
 * must not clash.
 */
static void test_headers_standalone(void)
{
	static const char *const headers[] = {
	    "xenctrl.h",	  "xenevtchn.h", "xendevicemodel.h",
	    "xenforeignmemory.h", "kxenctrl.h",
	};
	const size_t n = sizeof(headers) / sizeof(headers[0]);
	char src[1024];

	for (size_t i = 0; i < n + 2; i++) {
		char *out = NULL;
		int rc, len = 0;

		for (size_t j = 0; j < n; j++) {
			/* i < n: header i alone; then all, forward, reverse */
			size_t h = i == n + 1 ? n - 1 - j : j;

			if (i < n && j != i)
				continue;
			len += snprintf(src + len, sizeof(src) - len,
					"#include <%s>\n", headers[h]);
		}
		snprintf(src + len, sizeof(src) - len,
			 "int use(void);\nint use(void) { return 0; }\n");
		rc = compile_source(src, &out);
		report(src, rc, out);
		CU_ASSERT_EQUAL(rc, 0);
		free(out);
	}
}

int kxen_suite_compat(void)
{
	CU_pSuite s = CU_add_suite("compat", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "signatures vs kxen headers", test_our_headers) ||
	    !CU_add_test(s, "signatures vs Debian libxen-dev headers",
			 test_xen_headers) ||
	    !CU_add_test(s, "a mismatched signature is caught",
			 test_mismatch_detected) ||
	    !CU_add_test(s, "headers stand alone and combine",
			 test_headers_standalone))
		return -1;
	return 0;
}
