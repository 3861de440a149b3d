/*
 * Suite "cpuid": the CPUID policy (include/kxen/abi.h, "CPUID policy").
 * Unit tests drive hypervisor/cpuid_policy.c's rules on a synthetic KVM
 * table; the end-to-end tests boot tests/guests/cpuid.bin, which prints
 * the CPUID registers it sees, under configs with and without `cpuid`,
 * and check `kxl info`, refusals and kxend's own argument checks.
 *
 * PVM hosts (DESIGN.md, Hosts) take parts of leaves 1 and 7 from the
 * host's CPU whatever KVM's table says, so the guest-visible mask test
 * uses leaf 0x80000001, which KVM's table fully governs there and
 * everywhere else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cpuid_policy.h"
#include "harness.h"
#include "kxen/msg.h"
#include "kxenctrl.h"
#include "toolstack/cpuid.h"

/* ---- unit: the policy rules ------------------------------------------ */

#define NENT 5

/* A small host table: leaves 0, 1, 7.0, 0x80000000, 0x80000001. */
static struct kvm_cpuid2 *make_host(void)
{
	struct kvm_cpuid2 *c, *dup;
	struct kvm_cpuid_entry2 *e;

	c = calloc(1, sizeof(*c) + NENT * sizeof(c->entries[0]));
	if (!c)
		return NULL;
	c->nent = NENT;
	e = c->entries;
	e[0] = (struct kvm_cpuid_entry2){.function = 0, .eax = 0xd};
	e[1] = (struct kvm_cpuid_entry2){.function = 1,
					 .ecx = (1u << 13) | (1u << 21) |
						(1u << 24) | (1u << 0),
					 .edx = (1u << 0) | (1u << 17)};
	e[2] =
	    (struct kvm_cpuid_entry2){.function = 7,
				      .index = 0,
				      .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
				      .ebx = 1u << 3};
	e[3] = (struct kvm_cpuid_entry2){.function = 0x80000000u,
					 .eax = 0x80000008u};
	e[4] = (struct kvm_cpuid_entry2){
	    .function = 0x80000001u, .ecx = 1u << 0, .edx = 1u << 29};
	dup = cpuid_policy_dup(c);
	free(c);
	return dup;
}

static struct kxen_cpuid_mask mask(uint32_t leaf, uint32_t sub)
{
	struct kxen_cpuid_mask m;

	memset(&m, 0, sizeof(m));
	m.leaf = leaf;
	m.subleaf = sub;
	return m;
}

static void test_host_masks(void)
{
	struct kvm_cpuid2 *c = make_host();
	struct kxen_cpuid_masked why[KXEN_CPUID_MASKED_MAX];
	unsigned n;

	n = cpuid_policy_mask_host(c, false, why, KXEN_CPUID_MASKED_MAX);
	CU_ASSERT_EQUAL(n, 2); /* x2apic and tsc-deadline, not cx16 */
	CU_ASSERT_EQUAL(c->entries[1].ecx, (1u << 13) | 1u);
	free(c);
	c = make_host();
	n = cpuid_policy_mask_host(c, true, why, KXEN_CPUID_MASKED_MAX);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(c->entries[1].ecx, 1u);
	CU_ASSERT_PTR_NOT_NULL(strstr(why[2].why, "cx16 (PVM"));
	CU_ASSERT_EQUAL(why[2].bit, 13);
	CU_ASSERT_EQUAL(why[2].reg, KXEN_CPUID_ECX);
	free(c);
}

/* Host, max (PVM masks) and a fresh policy; apply m and return rc. */
static int apply(const struct kxen_cpuid_mask *m, unsigned nr,
		 struct kvm_cpuid2 **pol_out, char *why, size_t whylen)
{
	struct kvm_cpuid2 *host = make_host(), *max = make_host(), *pol;
	int rc;

	cpuid_policy_mask_host(max, true, NULL, 0);
	pol = cpuid_policy_dup(max);
	rc = cpuid_policy_apply(pol, host, max, m, nr, why, whylen);
	free(host);
	free(max);
	if (pol_out)
		*pol_out = pol;
	else
		free(pol);
	return rc;
}

static void test_clear_and_keep(void)
{
	struct kxen_cpuid_mask m[2] = {mask(1, KXEN_CPUID_NO_SUBLEAF),
				       mask(7, 0)};
	struct kvm_cpuid2 *pol;
	char why[200] = "";

	m[0].clear[KXEN_CPUID_EDX] = 1u << 17;
	m[0].set[KXEN_CPUID_EDX] = 1u << 0; /* already set: allowed */
	m[1].clear[KXEN_CPUID_EBX] = 1u << 3;
	CU_ASSERT_EQUAL(apply(m, 2, &pol, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(pol->entries[1].edx, 1u);
	CU_ASSERT_EQUAL(pol->entries[2].ebx, 0);
	/* Non-feature registers may be changed (xl sets family/model). */
	free(pol);
	m[0] = mask(1, KXEN_CPUID_NO_SUBLEAF);
	m[0].set[KXEN_CPUID_EAX] = 0x00a00f11;
	CU_ASSERT_EQUAL(apply(m, 1, &pol, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(pol->entries[1].eax, 0x00a00f11);
	free(pol);
}

/* A failed apply leaves the policy as it was; why names the bit. */
static void expect_refused(const struct kxen_cpuid_mask *m, unsigned nr,
			   const char *needle)
{
	struct kvm_cpuid2 *pol, *max = make_host();
	char why[200] = "";

	cpuid_policy_mask_host(max, true, NULL, 0);
	CU_ASSERT_EQUAL(apply(m, nr, &pol, why, sizeof(why)), -EINVAL);
	if (!strstr(why, needle))
		fprintf(stderr, "\nwhy '%s' lacks '%s'\n", why, needle);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, needle));
	CU_ASSERT_EQUAL(
	    memcmp(pol->entries, max->entries, NENT * sizeof(max->entries[0])),
	    0);
	free(pol);
	free(max);
}

static void test_refusals(void)
{
	struct kxen_cpuid_mask m[2] = {mask(1, KXEN_CPUID_NO_SUBLEAF),
				       mask(1, KXEN_CPUID_NO_SUBLEAF)};

	/* A feature the host lacks: refused, as Xen refuses it. */
	m[0].set[KXEN_CPUID_ECX] = 1u << 28;
	expect_refused(m, 1, "0x1 ECX bit 28 cannot be set");
	/* A feature kxend masks, by 1 or by k (the host has it). */
	m[0] = mask(1, KXEN_CPUID_NO_SUBLEAF);
	m[0].set[KXEN_CPUID_ECX] = 1u << 21;
	expect_refused(m, 1, "x2apic (kxen's LAPIC is xAPIC only)");
	m[0] = mask(1, KXEN_CPUID_NO_SUBLEAF);
	m[0].host[KXEN_CPUID_ECX] = 1u << 13;
	expect_refused(m, 1, "cx16 (PVM: emulator lacks cmpxchg16b)");
	/* The same leaf twice; a bit in two masks. */
	m[0] = mask(1, KXEN_CPUID_NO_SUBLEAF);
	expect_refused(m, 2, "given twice");
	m[0].set[KXEN_CPUID_EDX] = m[0].clear[KXEN_CPUID_EDX] = 1u << 4;
	expect_refused(m, 1, "EDX bit 4 is in two masks");
	/* A leaf or subleaf the host does not have. */
	m[0] = mask(0x12345, KXEN_CPUID_NO_SUBLEAF);
	expect_refused(m, 1, "leaf 0x12345 subleaf 0xffffffff is not");
	m[0] = mask(7, 3);
	expect_refused(m, 1, "leaf 0x7 subleaf 0x3 is not");
	/* Raising a max-leaf count past the host's. */
	m[0] = mask(0, KXEN_CPUID_NO_SUBLEAF);
	m[0].set[KXEN_CPUID_EAX] = 0x20;
	expect_refused(m, 1, "EAX = 0x2d exceeds the host's 0xd");
	/* Too many masks. */
	expect_refused(m, KXEN_CPUID_MAX_MASKS + 1, "at most");
}

/* The config parser's masks go to kxend unchanged. */
static void test_config_to_masks(void)
{
	struct kxl_cpuid c;
	struct kxen_cpuid_mask m[KXL_CPUID_MAX_LEAVES];
	char err[200], names[256];
	unsigned n;

	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(kxl_cpuid_parse("host,cx16=0,lahfsahf=0,smep=1,vmx=k",
					&c, err, sizeof(err)),
			0);
	n = kxl_cpuid_masks(&c, m);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT_EQUAL(m[0].leaf, 1);
	CU_ASSERT_EQUAL(m[0].subleaf, KXEN_CPUID_NO_SUBLEAF);
	CU_ASSERT_EQUAL(m[0].clear[KXEN_CPUID_ECX], 1u << 13);
	CU_ASSERT_EQUAL(m[0].host[KXEN_CPUID_ECX], 1u << 5);
	CU_ASSERT_EQUAL(m[1].leaf, 0x80000001u);
	CU_ASSERT_EQUAL(m[1].clear[KXEN_CPUID_ECX], 1u);
	CU_ASSERT_EQUAL(m[2].leaf, 7);
	CU_ASSERT_EQUAL(m[2].subleaf, 0);
	CU_ASSERT_EQUAL(m[2].set[KXEN_CPUID_EBX], 1u << 7);
	kxl_cpuid_names(1, 0, KXL_CPUID_ECX, (1u << 13) | (1u << 19), names,
			sizeof(names));
	CU_ASSERT_STRING_EQUAL(names, "cx16 sse4_1");
}

/* Malformed `cpuid` values fail the config load with one clear line. */
static void test_malformed_config(void)
{
	static const struct {
		const char *value, *needle;
	} bad[] = {
	    {"\"host,cx17=0\"", "unknown CPUID flag 'cx17'"},
	    {"\"host,cx16=2\"", "must be 0, 1, x, k or s"},
	    {"\"host,,cx16=0\"", "empty item"},
	    {"[\"0x1:ecx=xxxx\"]", "32 characters"},
	    {"[\"0x1:eqx=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]", "expected eax="},
	    {"[\"zz:ecx=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]", "LEAF[,SUBLEAF]"},
	};
	struct harness_kxend *k;
	char *img;

	KXEN_REQUIRE_KVM();
	img = harness_guest("cpuid.bin");
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char json[512], *cfg, *out = NULL;

		snprintf(json, sizeof(json),
			 "{\"name\": \"bad\", \"memory\": 16, \"kernel\": "
			 "\"%s\", \"cpuid\": %s}",
			 img, bad[i].value);
		cfg = harness_write_config(k, "bad", json);
		CU_ASSERT_NOT_EQUAL(harness_kxl(&out, "create", cfg, NULL), 0);
		CU_ASSERT(out && strstr(out, bad[i].needle));
		if (!out || !strstr(out, bad[i].needle))
			fprintf(stderr, "\n%s -> %s\n", bad[i].value,
				out ? out : "(no output)");
		free(out);
		free(cfg);
	}
	free(img);
	harness_kxend_stop(k);
}

/* ---- end to end -------------------------------------------------------- */

/* Boot cpuid.bin with `cpuid` (JSON value, or NULL) and return the
 * guest's "cpuid: 80000001 ecx=... edx=..." line values. */
static int guest_ext1(struct harness_kxend *k, const char *name,
		      const char *cpuid, uint32_t *ecx, uint32_t *edx)
{
	char json[768], *img = harness_guest("cpuid.bin"), *cfg, *out = NULL;
	char needle[64];
	const char *p;
	int rc = -1;

	snprintf(json, sizeof(json),
		 "{\"name\": \"%s\", \"memory\": 16, \"kernel\": \"%s\"%s%s}",
		 name, img, cpuid ? ", \"cpuid\": " : "", cpuid ? cpuid : "");
	free(img);
	cfg = harness_write_config(k, name, json);
	if (!cfg || harness_kxl(&out, "create", cfg, NULL) != 0) {
		fprintf(stderr, "\ncreate %s: %s\n", name, out ? out : "");
		goto out;
	}
	if (harness_wait_dmesg("cpuid: done", 20000) < 0)
		goto out;
	free(out);
	out = NULL;
	harness_kxl(&out, "dmesg", NULL);
	/* The last domain's line: dmesg holds every boot of this kxend. */
	for (p = out; p && strstr(p, "cpuid: 80000001 ecx=");
	     p = strstr(p, "cpuid: 80000001 ecx=") + 1)
		snprintf(needle, sizeof(needle), "%.40s",
			 strstr(p, "cpuid: 80000001 ecx="));
	if (sscanf(needle, "cpuid: 80000001 ecx=%x edx=%x", ecx, edx) == 2)
		rc = 0;
out:
	free(out);
	free(cfg);
	harness_kxl(NULL, "destroy", name, NULL);
	return rc;
}

static void test_mask_reaches_guest(void)
{
	struct harness_kxend *k;
	struct kxen_host_cpuid_reply *h = malloc(KXEN_MSG_MAX);
	xc_interface *xch;
	uint32_t ecx = 0, edx = 0, want = 0;
	char cfg[160], bits[33];

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	xch = xc_interface_open(NULL, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xch);
	CU_ASSERT_EQUAL_FATAL(kxc_host_cpuid_policy(xch, h, KXEN_MSG_MAX), 0);
	for (unsigned i = 0; i < h->nr_leaves; i++)
		if (h->leaves[i].leaf == 0x80000001u)
			want = h->leaves[i].c;
	xc_interface_close(xch);
	free(h);
	/* The guest sees the host policy's 0x80000001 ECX by default. */
	CU_ASSERT_EQUAL(guest_ext1(k, "cpuid0", NULL, &ecx, &edx), 0);
	CU_ASSERT_EQUAL(ecx, want);
	if (!want) {
		harness_kxend_stop(k);
		harness_skip("host policy has no 0x80000001 ECX bit to clear");
		return;
	}
	/* Clear its lowest set bit through xend's syntax: the guest must
	 * see exactly that bit gone. */
	memset(bits, 'x', 32);
	bits[32] = '\0';
	bits[31 - __builtin_ctz(want)] = '0';
	snprintf(cfg, sizeof(cfg), "[\"0x80000001:ecx=%s\"]", bits);
	CU_ASSERT_EQUAL(guest_ext1(k, "cpuid1", cfg, &ecx, &edx), 0);
	CU_ASSERT_EQUAL(ecx, want & (want - 1));
	harness_kxend_stop(k);
}

/* Setting a feature kxend cannot give: refused naming the bit; no domain
 * is left behind. */
static void test_unsupported_refused(void)
{
	struct harness_kxend *k;
	char *img, *cfg, *out = NULL, json[512];

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	img = harness_guest("cpuid.bin");
	snprintf(json, sizeof(json),
		 "{\"name\": \"x2\", \"memory\": 16, \"kernel\": \"%s\", "
		 "\"cpuid\": \"host,x2apic=1\"}",
		 img);
	cfg = harness_write_config(k, "x2", json);
	CU_ASSERT_NOT_EQUAL(harness_kxl(&out, "create", cfg, NULL), 0);
	CU_ASSERT(out &&
		  strstr(out, "CPUID leaf 0x1 ECX bit 21 cannot be set"));
	CU_ASSERT(out && strstr(out, "x2apic"));
	free(out);
	out = NULL;
	harness_kxl(&out, "list", NULL);
	CU_ASSERT_FALSE(out && strstr(out, "x2 "));
	free(out);
	free(cfg);
	free(img);
	harness_kxend_stop(k);
}

/* Raw op 36 on kxend's socket, bypassing libctl's own check. */
static int raw_set_cpuid(const char *rundir, uint32_t domid, uint32_t nr,
			 const struct kxen_cpuid_mask *m, unsigned nm)
{
	union {
		struct kxen_msg_hdr hdr;
		uint8_t b[4096];
	} msg, rep;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct kxen_handshake hs = {.abi_version = KXEN_ABI_VERSION};
	struct kxen_cpuid_set *s = (void *)(msg.b + sizeof(msg.hdr));
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0), rc = 1;
	size_t len = sizeof(msg.hdr) + sizeof(*s) + nm * sizeof(*m);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/kxend.sock", rundir);
	if (fd < 0 || connect(fd, (void *)&sa, sizeof(sa)) < 0)
		goto out;
	kxen_msg_init(&msg.hdr, KXEN_OP_HANDSHAKE, sizeof(msg.hdr) + sizeof(hs),
		      1, 0);
	memcpy(msg.b + sizeof(msg.hdr), &hs, sizeof(hs));
	if (kxen_msg_send(fd, &msg.hdr, -1) < 0 ||
	    kxen_msg_recv(fd, &rep, sizeof(rep), NULL) <= 0)
		goto out;
	kxen_msg_init(&msg.hdr, KXEN_OP_DOMAIN_SET_CPUID, (uint32_t)len, 2, 0);
	s->domid = domid;
	s->nr = nr;
	memcpy(s->mask, m, nm * sizeof(*m));
	if (kxen_msg_send(fd, &msg.hdr, -1) < 0 ||
	    kxen_msg_recv(fd, &rep, sizeof(rep), NULL) <= 0)
		goto out;
	rc = rep.hdr.status;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* kxend checks op 36 itself, and refuses it once the domain has run. */
static void test_kxend_checks(void)
{
	struct harness_kxend *k;
	struct kxen_cpuid_mask m[2] = {
	    mask(1, KXEN_CPUID_NO_SUBLEAF),
	    mask(0x80000001u, KXEN_CPUID_NO_SUBLEAF)};
	struct xen_domctl_createdomain cd = {.max_vcpus = 1};
	xc_interface *xch;
	uint32_t fresh = 0, ran = 0;
	char *img, *cfg, json[512];

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	xch = xc_interface_open(NULL, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xch);
	/* A created (paused, never run) domain. */
	CU_ASSERT_EQUAL_FATAL(
	    kxc_domain_create_named(xch, "fresh", &fresh, &cd), 0);
	/* nr disagreeing with the payload; a bit in two masks; x2APIC;
	 * a leaf the host lacks: all -EINVAL from kxend itself. */
	CU_ASSERT_EQUAL(raw_set_cpuid(k->rundir, fresh, 2, m, 1), -EINVAL);
	CU_ASSERT_EQUAL(
	    raw_set_cpuid(k->rundir, fresh, KXEN_CPUID_MAX_MASKS + 1, m, 1),
	    -EINVAL);
	m[0].set[KXEN_CPUID_ECX] = m[0].clear[KXEN_CPUID_ECX] = 1u;
	CU_ASSERT_EQUAL(raw_set_cpuid(k->rundir, fresh, 1, m, 1), -EINVAL);
	m[0] = mask(1, KXEN_CPUID_NO_SUBLEAF);
	m[0].set[KXEN_CPUID_ECX] = 1u << 21;
	CU_ASSERT_EQUAL(raw_set_cpuid(k->rundir, fresh, 1, m, 1), -EINVAL);
	m[0] = mask(0x4321, KXEN_CPUID_NO_SUBLEAF);
	CU_ASSERT_EQUAL(raw_set_cpuid(k->rundir, fresh, 1, m, 1), -EINVAL);
	/* A valid one is taken, through libctl as well. */
	m[0] = mask(1, KXEN_CPUID_NO_SUBLEAF);
	m[0].clear[KXEN_CPUID_EDX] = 1u << 17;
	CU_ASSERT_EQUAL(raw_set_cpuid(k->rundir, fresh, 2, m, 2), 0);
	CU_ASSERT_EQUAL(kxc_domain_set_cpuid(xch, fresh, m, 1), 0);
	xc_domain_destroy(xch, fresh);

	img = harness_guest("cpuid.bin");
	snprintf(json, sizeof(json),
		 "{\"name\": \"ran\", \"memory\": 16, \"kernel\": \"%s\"}",
		 img);
	cfg = harness_write_config(k, "ran", json);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "create", cfg, NULL), 0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("cpuid: done", 20000), 0);
	CU_ASSERT_EQUAL(kxc_domain_lookup(xch, "ran", &ran), 0);
	/* The domain has run: even a valid request is refused. */
	CU_ASSERT_EQUAL(kxc_domain_set_cpuid(xch, ran, m, 1), -1);
	CU_ASSERT_EQUAL(errno, EBUSY);
	CU_ASSERT_EQUAL(raw_set_cpuid(k->rundir, ran, 1, m, 1), -EBUSY);
	xc_interface_close(xch);
	free(cfg);
	free(img);
	harness_kxend_stop(k);
}

/* `kxl info` shows the policy and what kxend masked, with why. */
static void test_info_shows_policy(void)
{
	struct harness_kxend *k;
	char *out = NULL;

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(harness_kxl(&out, "info", NULL), 0);
	CU_ASSERT(out && strstr(out, "cpuid_1_edx "));
	CU_ASSERT(out && strstr(out, "cpuid_80000001_edx"));
	CU_ASSERT(out && strstr(out, " lm"));
	CU_ASSERT(out && strstr(out, "x2apic (kxen's LAPIC is xAPIC only)"));
	if (out && strstr(out, "host_virtualization    : PVM"))
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(out, "cx16 (PVM: emulator lacks cmpxchg16b)"));
	free(out);
	harness_kxend_stop(k);
}

/*
 * LDMXCSR in guest kernel code (Linux's kernel_fpu_begin; Debian's
 * kernel stops on it otherwise): on PVM hosts kxend completes it
 * (hypervisor/vcpu_emulate.c) for three addressing forms, and a
 * reserved bit raises #GP(0) on the instruction (tests/guests/mxcsr.S).
 */
static void test_ldmxcsr_completed(void)
{
	struct harness_kxend *k;
	char *img, *cfg, *out = NULL, json[512];

	KXEN_REQUIRE_KVM();
	k = harness_kxend_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	img = harness_guest("mxcsr.bin");
	snprintf(json, sizeof(json),
		 "{\"name\": \"mxcsr\", \"memory\": 16, \"kernel\": \"%s\"}",
		 img);
	cfg = harness_write_config(k, "mxcsr", json);
	CU_ASSERT_EQUAL(harness_kxl(NULL, "create", cfg, NULL), 0);
	CU_ASSERT_EQUAL(harness_wait_dmesg("mxcsr: ", 20000), 0);
	usleep(200000); /* the rest of the line */
	harness_kxl(&out, "dmesg", NULL);
	CU_ASSERT(out &&
		  strstr(out, "mxcsr: ok a=0x7f80 b=0x3f80 c=0x5f80 gp=1"));
	CU_ASSERT_FALSE(out && strstr(out, "crashed"));
	if (!out || !strstr(out, "mxcsr: ok"))
		fprintf(stderr, "\n%s\n", out ? out : "");
	free(out);
	harness_kxl(NULL, "destroy", "mxcsr", NULL);
	free(cfg);
	free(img);
	harness_kxend_stop(k);
}

int kxen_suite_cpuid(void)
{
	CU_pSuite s = CU_add_suite("cpuid", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "host masks and their reasons", test_host_masks) ||
	    !CU_add_test(s, "masks clear and keep bits", test_clear_and_keep) ||
	    !CU_add_test(s, "bad masks are refused naming the bit",
			 test_refusals) ||
	    !CU_add_test(s, "config syntax becomes masks",
			 test_config_to_masks) ||
	    !CU_add_test(s, "malformed cpuid fails the config",
			 test_malformed_config) ||
	    !CU_add_test(s, "a config mask reaches the guest",
			 test_mask_reaches_guest) ||
	    !CU_add_test(s, "an unsupported feature is refused",
			 test_unsupported_refused) ||
	    !CU_add_test(s, "kxend checks op 36 and refuses it after run",
			 test_kxend_checks) ||
	    !CU_add_test(s, "kxl info shows the policy",
			 test_info_shows_policy) ||
	    !CU_add_test(s, "LDMXCSR in guest kernel code completes",
			 test_ldmxcsr_completed))
		return -1;
	return 0;
}
