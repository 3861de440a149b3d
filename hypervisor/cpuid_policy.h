/*
 * A domain's CPUID policy (include/kxen/abi.h, "CPUID policy"): KVM's
 * supported CPUID minus what kxend cannot give a guest, then the
 * toolstack's masks (xl.cfg(5) `cpuid`). Pure functions over
 * struct kvm_cpuid2 arrays, apart from cpuid_policy_supported, so the
 * rules are unit-tested without /dev/kvm (tests/test_cpuid.c).
 */
#ifndef KXEN_CPUID_POLICY_H
#define KXEN_CPUID_POLICY_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>

#include "kxen/abi.h"

/* KVM_GET_SUPPORTED_CPUID on kvm_fd (malloc'd), or NULL + errno. */
struct kvm_cpuid2 *cpuid_policy_supported(int kvm_fd);

/* A malloc'd copy of c, or NULL. */
struct kvm_cpuid2 *cpuid_policy_dup(const struct kvm_cpuid2 *c);

/*
 * Clear in c what kxend cannot give a guest: x2APIC and TSC-deadline
 * always (our LAPIC model has neither), CX16 on PVM hosts (KVM's
 * emulator lacks cmpxchg16b). When masked is not NULL, the bits that
 * were set and got cleared are recorded there (at most max); returns
 * how many were.
 */
unsigned cpuid_policy_mask_host(struct kvm_cpuid2 *c, bool pvm,
				struct kxen_cpuid_masked *masked, unsigned max);

/*
 * Apply the toolstack's masks m[0..nr) to pol (the domain's current
 * policy). host is KVM's unmasked policy ('k' bits come from it), max
 * the most kxend allows (host minus cpuid_policy_mask_host). Checks
 * everything first and changes pol only when all masks are acceptable.
 * Returns 0, or -EINVAL with one line in why naming the leaf, register
 * and bit at fault.
 */
int cpuid_policy_apply(struct kvm_cpuid2 *pol, const struct kvm_cpuid2 *host,
		       const struct kvm_cpuid2 *max,
		       const struct kxen_cpuid_mask *m, unsigned nr, char *why,
		       size_t whylen);

/* Fill out (room for max leaves) from c; returns the count. */
unsigned cpuid_policy_export(const struct kvm_cpuid2 *c,
			     struct kxen_cpuid_leaf *out, unsigned max);

#endif
