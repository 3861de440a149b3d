/*
 * xl-style CPUID option parsing (cpuid.h). Feature names and bit
 * positions are those of xl.cfg(5) and the Intel SDM vol. 2A, CPUID
 * tables 3-8 (leaf 1), 3-8 (leaf 7) and 3-8 (leaf 0x80000001).
 */
#include "cpuid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

struct flag {
	const char *name;
	uint32_t leaf, subleaf;
	enum kxl_cpuid_reg reg;
	unsigned int bit;
};

#define L1C(n, b)                                                              \
	{                                                                      \
		n, 1, KXL_CPUID_ANY, KXL_CPUID_ECX, b                          \
	}
#define L1D(n, b)                                                              \
	{                                                                      \
		n, 1, KXL_CPUID_ANY, KXL_CPUID_EDX, b                          \
	}
#define L7B(n, b)                                                              \
	{                                                                      \
		n, 7, 0, KXL_CPUID_EBX, b                                      \
	}
#define L7C(n, b)                                                              \
	{                                                                      \
		n, 7, 0, KXL_CPUID_ECX, b                                      \
	}
#define E1C(n, b)                                                              \
	{                                                                      \
		n, 0x80000001u, KXL_CPUID_ANY, KXL_CPUID_ECX, b                \
	}
#define E1D(n, b)                                                              \
	{                                                                      \
		n, 0x80000001u, KXL_CPUID_ANY, KXL_CPUID_EDX, b                \
	}

static const struct flag flags[] = {
    L1C("sse3", 0),	   L1C("pclmulqdq", 1),
    L1C("monitor", 3),	   L1C("vmx", 5),
    L1C("smx", 6),	   L1C("est", 7),
    L1C("tm2", 8),	   L1C("ssse3", 9),
    L1C("fma", 12),	   L1C("cx16", 13),
    L1C("xtpr", 14),	   L1C("pdcm", 15),
    L1C("pcid", 17),	   L1C("dca", 18),
    L1C("sse4_1", 19),	   L1C("sse4.1", 19),
    L1C("sse4_2", 20),	   L1C("sse4.2", 20),
    L1C("x2apic", 21),	   L1C("movbe", 22),
    L1C("popcnt", 23),	   L1C("tsc-deadline", 24),
    L1C("aes", 25),	   L1C("xsave", 26),
    L1C("osxsave", 27),	   L1C("avx", 28),
    L1C("f16c", 29),	   L1C("rdrand", 30),
    L1C("hypervisor", 31), L1D("fpu", 0),
    L1D("vme", 1),	   L1D("de", 2),
    L1D("pse", 3),	   L1D("tsc", 4),
    L1D("msr", 5),	   L1D("pae", 6),
    L1D("mce", 7),	   L1D("cmpxchg8", 8),
    L1D("apic", 9),	   L1D("sysenter", 11),
    L1D("mtrr", 12),	   L1D("pge", 13),
    L1D("mca", 14),	   L1D("cmov", 15),
    L1D("pat", 16),	   L1D("pse36", 17),
    L1D("clfsh", 19),	   L1D("ds", 21),
    L1D("acpi", 22),	   L1D("mmx", 23),
    L1D("fxsr", 24),	   L1D("sse", 25),
    L1D("sse2", 26),	   L1D("ss", 27),
    L1D("htt", 28),	   L1D("tm", 29),
    L1D("pbe", 31),	   L7B("fsgsbase", 0),
    L7B("tsc_adjust", 1),  L7B("bmi1", 3),
    L7B("hle", 4),	   L7B("avx2", 5),
    L7B("smep", 7),	   L7B("bmi2", 8),
    L7B("erms", 9),	   L7B("invpcid", 10),
    L7B("rtm", 11),	   L7B("avx512f", 16),
    L7B("avx512dq", 17),   L7B("rdseed", 18),
    L7B("adx", 19),	   L7B("smap", 20),
    L7B("clflushopt", 23), L7B("clwb", 24),
    L7B("sha", 29),	   L7B("avx512bw", 30),
    L7B("avx512vl", 31),   L7C("umip", 2),
    L7C("pku", 3),	   L7C("gfni", 8),
    L7C("vaes", 9),	   L7C("vpclmulqdq", 10),
    L7C("rdpid", 22),	   E1C("lahfsahf", 0),
    E1C("cmplegacy", 1),   E1C("svm", 2),
    E1C("extapic", 3),	   E1C("cr8legacy", 4),
    E1C("abm", 5),	   E1C("sse4a", 6),
    E1C("misalignsse", 7), E1C("3dnowprefetch", 8),
    E1C("xop", 11),	   E1C("fma4", 16),
    E1C("tbm", 21),	   E1C("topoext", 22),
    E1D("syscall", 11),	   E1D("nx", 20),
    E1D("mmxext", 22),	   E1D("ffxsr", 25),
    E1D("page1gb", 26),	   E1D("rdtscp", 27),
    E1D("lm", 29),	   E1D("3dnowext", 30),
    E1D("3dnow", 31),
};

const struct kxl_cpuid_leaf *kxl_cpuid_find(const struct kxl_cpuid *c,
					    uint32_t leaf, uint32_t subleaf)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (c->leaves[i].leaf == leaf &&
		    c->leaves[i].subleaf == subleaf)
			return &c->leaves[i];
	return NULL;
}

static struct kxl_cpuid_leaf *get_leaf(struct kxl_cpuid *c, uint32_t leaf,
				       uint32_t subleaf)
{
	struct kxl_cpuid_leaf *l =
	    (struct kxl_cpuid_leaf *)kxl_cpuid_find(c, leaf, subleaf);

	if (l || c->nr == KXL_CPUID_MAX_LEAVES)
		return l;
	l = &c->leaves[c->nr++];
	memset(l, 0, sizeof(*l));
	l->leaf = leaf;
	l->subleaf = subleaf;
	return l;
}

/* One bit from a 0/1/x/k/s character; -1 for anything else. */
static int set_bit(struct kxl_cpuid_leaf *l, enum kxl_cpuid_reg r,
		   unsigned int bit, char v)
{
	uint32_t m = 1u << bit;

	l->set[r] &= ~m;
	l->clear[r] &= ~m;
	l->host[r] &= ~m;
	if (v == '1')
		l->set[r] |= m;
	else if (v == '0')
		l->clear[r] |= m;
	else if (v == 'k' || v == 's')
		l->host[r] |= m;
	else if (v != 'x')
		return -1;
	return 0;
}

static const struct flag *lookup(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].name) == n &&
		    strncmp(flags[i].name, name, n) == 0)
			return &flags[i];
	return NULL;
}

/* "name=v" (libxl syntax); item is not NUL-terminated at n. */
static int parse_item(const char *item, size_t n, struct kxl_cpuid *c,
		      char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', n);
	const struct flag *f;
	struct kxl_cpuid_leaf *l;

	if (n == 4 && strncmp(item, "host", 4) == 0) {
		c->host = true;
		return 0;
	}
	if (!eq)
		return fail(err, errlen, "'%.*s' is not NAME=VALUE", (int)n,
			    item);
	f = lookup(item, (size_t)(eq - item));
	if (!f)
		return fail(err, errlen, "unknown CPUID flag '%.*s'",
			    (int)(eq - item), item);
	l = get_leaf(c, f->leaf, f->subleaf);
	if (!l)
		return fail(err, errlen, "more than %u CPUID leaves",
			    KXL_CPUID_MAX_LEAVES);
	if (item + n - eq != 2 || set_bit(l, f->reg, f->bit, eq[1]) < 0)
		return fail(err, errlen,
			    "CPUID flag '%s' must be 0, 1, x, k or s, got "
			    "'%.*s'",
			    f->name, (int)(item + n - eq - 1), eq + 1);
	return 0;
}

static int parse_compact(const char *s, struct kxl_cpuid *c, char *err,
			 size_t errlen)
{
	while (*s) {
		size_t n = strcspn(s, ",");

		if (n == 0)
			return fail(err, errlen, "empty item in CPUID list");
		if (parse_item(s, n, c, err, errlen) < 0)
			return -1;
		s += n;
		if (*s == ',' && *++s == '\0')
			return fail(err, errlen, "empty item in CPUID list");
	}
	return 0;
}

static int parse_reg(const char *s, enum kxl_cpuid_reg *r)
{
	static const char *const names[] = {"eax", "ebx", "ecx", "edx"};
	int i;

	for (i = 0; i < 4; i++)
		if (strncmp(s, names[i], 3) == 0 && s[3] == '=') {
			*r = (enum kxl_cpuid_reg)i;
			return 0;
		}
	return -1;
}

/* "leaf[,subleaf]:" with numbers in C syntax; returns the rest or NULL. */
static const char *parse_leaf_ids(const char *s, uint32_t *leaf,
				  uint32_t *subleaf)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (end == s || v > UINT32_MAX)
		return NULL;
	*leaf = (uint32_t)v;
	*subleaf = KXL_CPUID_ANY;
	if (*end == ',') {
		s = end + 1;
		v = strtoul(s, &end, 0);
		if (end == s || v > UINT32_MAX)
			return NULL;
		*subleaf = (uint32_t)v;
	}
	return *end == ':' ? end + 1 : NULL;
}

/* xend syntax: "0x00000001:ecx=xxxx...,edx=..." (bit 31 first). */
static int parse_xend(const char *s, struct kxl_cpuid *c, char *err,
		      size_t errlen)
{
	struct kxl_cpuid_leaf *l;
	uint32_t leaf, subleaf;
	const char *p = parse_leaf_ids(s, &leaf, &subleaf);
	enum kxl_cpuid_reg r;
	unsigned int i;

	if (!p)
		return fail(err, errlen,
			    "'%.64s' does not start with "
			    "LEAF[,SUBLEAF]:",
			    s);
	l = get_leaf(c, leaf, subleaf);
	if (!l)
		return fail(err, errlen, "more than %u CPUID leaves",
			    KXL_CPUID_MAX_LEAVES);
	do {
		if (parse_reg(p, &r) < 0)
			return fail(err, errlen,
				    "'%.64s': expected eax=, ebx=, ecx= or "
				    "edx=",
				    p);
		p += 4;
		for (i = 0; i < 32; i++)
			if (!p[i] || set_bit(l, r, 31 - i, p[i]) < 0)
				return fail(err, errlen,
					    "register value '%.40s' must be "
					    "32 characters of 0, 1, x, k, s",
					    p);
		p += 32;
	} while (*p == ',' && *++p);
	if (*p)
		return fail(err, errlen,
			    "trailing '%.32s' after a register "
			    "value",
			    p);
	return 0;
}

int kxl_cpuid_parse(const char *s, struct kxl_cpuid *c, char *err,
		    size_t errlen)
{
	c->present = true;
	if (!*s)
		return fail(err, errlen, "empty CPUID setting");
	if (strchr(s, ':'))
		return parse_xend(s, c, err, errlen);
	return parse_compact(s, c, err, errlen);
}

void kxl_cpuid_names(uint32_t leaf, uint32_t subleaf, enum kxl_cpuid_reg reg,
		     uint32_t value, char *out, size_t len)
{
	size_t used = 0;
	uint32_t done = 0;

	if (len)
		out[0] = '\0';
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const struct flag *f = &flags[i];
		uint32_t m = 1u << f->bit;
		int n;

		/* The first name of a bit wins (sse4_1 over sse4.1). */
		if (f->leaf != leaf || f->reg != reg || !(value & m) ||
		    (done & m) ||
		    (f->subleaf != KXL_CPUID_ANY && f->subleaf != subleaf))
			continue;
		done |= m;
		n = snprintf(out + used, len - used, "%s%s", used ? " " : "",
			     f->name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

unsigned kxl_cpuid_masks(const struct kxl_cpuid *c, struct kxen_cpuid_mask *out)
{
	_Static_assert(KXL_CPUID_ANY == KXEN_CPUID_NO_SUBLEAF, "subleaf");
	_Static_assert(KXL_CPUID_MAX_LEAVES <= KXEN_CPUID_MAX_MASKS, "count");
	for (unsigned i = 0; i < c->nr; i++) {
		const struct kxl_cpuid_leaf *l = &c->leaves[i];

		out[i].leaf = l->leaf;
		out[i].subleaf = l->subleaf;
		for (unsigned r = 0; r < 4; r++) {
			out[i].set[r] = l->set[r];
			out[i].clear[r] = l->clear[r];
			out[i].host[r] = l->host[r];
		}
	}
	return c->nr;
}
