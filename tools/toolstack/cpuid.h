/*
 * The config's `cpuid` option, in xl.cfg(5)'s two syntaxes:
 *   "host,cx16=0,popcnt=0"   libxl's: start from the host policy and
 *                            set named feature flags (0, 1, or x, k, s)
 *   ["0x00000001:ecx=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx0", ...]
 *                            xend's: leaf[,subleaf]:reg=32 characters,
 *                            bit 31 first, each 1, 0, x, k or s
 * Both parse into per-leaf masks that kxend applies over its CPUID
 * policy: x keeps the default, 1/0 force, k and s take the host's bit.
 */
#ifndef KXL_CPUID_H
#define KXL_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kxen/abi.h"

#define KXL_CPUID_MAX_LEAVES 32u
#define KXL_CPUID_ANY 0xffffffffu /* subleaf: all of them */

enum kxl_cpuid_reg {
	KXL_CPUID_EAX,
	KXL_CPUID_EBX,
	KXL_CPUID_ECX,
	KXL_CPUID_EDX
};

struct kxl_cpuid_leaf {
	uint32_t leaf, subleaf;
	uint32_t set[4];   /* forced to 1, by enum kxl_cpuid_reg */
	uint32_t clear[4]; /* forced to 0 */
	uint32_t host[4];  /* taken from the host */
};

struct kxl_cpuid {
	bool present; /* the key was given */
	bool host;    /* "host" named (xl's base policy either way) */
	unsigned int nr;
	struct kxl_cpuid_leaf leaves[KXL_CPUID_MAX_LEAVES];
};

/*
 * Parse one string of either syntax into c (adding to what is there).
 * Returns 0, or -1 with one line in err naming the bad part, e.g.
 * "unknown CPUID flag 'cx17'".
 */
int kxl_cpuid_parse(const char *s, struct kxl_cpuid *c, char *err,
		    size_t errlen);

/* The leaf entry for (leaf, subleaf), or NULL when none was set. */
const struct kxl_cpuid_leaf *kxl_cpuid_find(const struct kxl_cpuid *c,
					    uint32_t leaf, uint32_t subleaf);

/*
 * The names (as the config spells them, space-separated) of the bits set
 * in value, for register reg of leaf/subleaf; bits without a name are
 * left out. For `kxl info`.
 */
void kxl_cpuid_names(uint32_t leaf, uint32_t subleaf, enum kxl_cpuid_reg reg,
		     uint32_t value, char *out, size_t len);

/* c as KXEN_OP_DOMAIN_SET_CPUID masks (room for c->nr); the count. */
unsigned kxl_cpuid_masks(const struct kxl_cpuid *c,
			 struct kxen_cpuid_mask *out);

#endif /* KXL_CPUID_H */
