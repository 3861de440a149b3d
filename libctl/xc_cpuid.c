/*
 * CPUID policy calls: kxc_host_cpuid_policy, kxc_domain_set_cpuid and
 * Xen's xc_cpuid_apply_policy (xenctrl.h) over them. Requests are
 * checked here with kxend's own rules (hypervisor/cpuid_policy.c, linked
 * into this library) against the host policy, so a refusal comes back
 * as one line naming the leaf, register and bit; kxend checks again.
 */
#include "libctl_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../hypervisor/cpuid_policy.h"
#include "kxenctrl.h"

int kxc_host_cpuid_policy(xc_interface *xch, struct kxen_host_cpuid_reply *out,
			  size_t out_size)
{
	const struct kxen_host_cpuid_reply *rep;
	size_t len;

	if (!out || out_size < sizeof(*out))
		return kxc_fail(xch, EINVAL, "host_cpuid_policy: bad argument");
	if (kxc_call(xch, KXEN_OP_HOST_CPUID_POLICY, NULL, 0, NULL,
		     KXEN_MSG_MAX, &len, NULL) < 0)
		return -1;
	rep = kxc_reply_payload(xch);
	if (rep->nr_masked > KXEN_CPUID_MASKED_MAX ||
	    len != sizeof(*rep) + rep->nr_leaves * sizeof(rep->leaves[0]))
		return kxc_fail(xch, EBADMSG, "host_cpuid_policy");
	if (len > out_size)
		return kxc_fail(xch, ENOBUFS, "host_cpuid_policy");
	memcpy(out, rep, len);
	return 0;
}

/* The reply's leaves as KVM entries (max); host adds the masked bits. */
static struct kvm_cpuid2 *to_kvm(const struct kxen_host_cpuid_reply *r,
				 bool with_masked)
{
	struct kvm_cpuid2 *c =
	    calloc(1, sizeof(*c) + r->nr_leaves * sizeof(c->entries[0]));

	if (!c)
		return NULL;
	c->nent = r->nr_leaves;
	for (unsigned i = 0; i < r->nr_leaves; i++) {
		const struct kxen_cpuid_leaf *l = &r->leaves[i];
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		bool sub = l->subleaf != KXEN_CPUID_NO_SUBLEAF;

		*e = (struct kvm_cpuid_entry2){
		    .function = l->leaf,
		    .index = sub ? l->subleaf : 0,
		    .flags = sub ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
		    .eax = l->a,
		    .ebx = l->b,
		    .ecx = l->c,
		    .edx = l->d};
		for (unsigned m = 0; with_masked && m < r->nr_masked; m++) {
			const struct kxen_cpuid_masked *k = &r->masked[m];
			uint32_t *regs[4] = {&e->eax, &e->ebx, &e->ecx,
					     &e->edx};

			if (k->leaf == l->leaf && k->subleaf == l->subleaf &&
			    k->reg < 4 && k->bit < 32)
				*regs[k->reg] |= 1u << k->bit;
		}
	}
	return c;
}

/* Check m against the host's policy; -1 with the reason on xch. */
static int precheck(xc_interface *xch, const struct kxen_host_cpuid_reply *r,
		    const struct kxen_cpuid_mask *m, unsigned nr)
{
	struct kvm_cpuid2 *max = to_kvm(r, false), *host = to_kvm(r, true);
	struct kvm_cpuid2 *pol = max ? cpuid_policy_dup(max) : NULL;
	char why[200];
	int rc = -ENOMEM;

	if (pol && host)
		rc =
		    cpuid_policy_apply(pol, host, max, m, nr, why, sizeof(why));
	free(max);
	free(host);
	free(pol);
	if (rc == -ENOMEM)
		return kxc_fail(xch, ENOMEM, "set_cpuid");
	if (rc) {
		kxc_set_error(xch, "%s", why);
		errno = -rc;
		return -1;
	}
	return 0;
}

static struct kxen_host_cpuid_reply *host_policy(xc_interface *xch)
{
	struct kxen_host_cpuid_reply *r = malloc(KXEN_MSG_MAX);

	if (!r) {
		kxc_fail(xch, ENOMEM, "host_cpuid_policy");
		return NULL;
	}
	if (kxc_host_cpuid_policy(xch, r, KXEN_MSG_MAX) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

int kxc_domain_set_cpuid(xc_interface *xch, uint32_t domid,
			 const struct kxen_cpuid_mask *masks, unsigned int nr)
{
	struct kxen_host_cpuid_reply *r;
	struct kxen_cpuid_set *req;
	size_t len = sizeof(*req) + (size_t)nr * sizeof(req->mask[0]);
	int rc;

	if (nr > KXEN_CPUID_MAX_MASKS || (nr && !masks))
		return kxc_fail(xch, EINVAL, "set_cpuid: bad argument");
	r = host_policy(xch);
	if (!r)
		return -1;
	rc = precheck(xch, r, masks, nr);
	free(r);
	if (rc < 0)
		return -1;
	req = malloc(len);
	if (!req)
		return kxc_fail(xch, ENOMEM, "set_cpuid");
	req->domid = domid;
	req->nr = nr;
	if (nr)
		memcpy(req->mask, masks, nr * sizeof(masks[0]));
	rc = kxc_call(xch, KXEN_OP_DOMAIN_SET_CPUID, req, len, NULL, 0, NULL,
		      NULL);
	free(req);
	return rc;
}

/* One xend register string (bit 31 first) into m's register r. */
static int xend_reg(const char *s, struct kxen_cpuid_mask *m, unsigned r)
{
	if (!s)
		return 0;
	if (strlen(s) != 32)
		return -1;
	for (unsigned i = 0; i < 32; i++) {
		uint32_t bit = 1u << (31 - i);

		/* A later string overrides pae/itsc for the bits it names. */
		if (s[i] != 'x') {
			m->set[r] &= ~bit;
			m->clear[r] &= ~bit;
			m->host[r] &= ~bit;
		}
		switch (s[i]) {
		case '1':
			m->set[r] |= bit;
			break;
		case '0':
			m->clear[r] |= bit;
			break;
		case 'k':
		case 's':
			m->host[r] |= bit;
			break;
		case 'x':
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static bool has_leaf(const struct kxen_host_cpuid_reply *r, uint32_t leaf)
{
	for (unsigned i = 0; i < r->nr_leaves; i++)
		if (r->leaves[i].leaf == leaf)
			return true;
	return false;
}

/* pae and itsc as Xen applies them: PAE (leaf 1 EDX bit 6) cleared when
 * not wanted; invariant TSC (0x80000007 EDX bit 8) the host's or none. */
static unsigned legacy_masks(const struct kxen_host_cpuid_reply *r, bool pae,
			     bool itsc, struct kxen_cpuid_mask *m)
{
	unsigned n = 0;

	if (!pae) {
		memset(&m[n], 0, sizeof(m[n]));
		m[n].leaf = 1;
		m[n].subleaf = KXEN_CPUID_NO_SUBLEAF;
		m[n++].clear[KXEN_CPUID_EDX] = 1u << 6;
	}
	if (has_leaf(r, 0x80000007u)) {
		memset(&m[n], 0, sizeof(m[n]));
		m[n].leaf = 0x80000007u;
		m[n].subleaf = KXEN_CPUID_NO_SUBLEAF;
		if (itsc)
			m[n++].host[KXEN_CPUID_EDX] = 1u << 8;
		else
			m[n++].clear[KXEN_CPUID_EDX] = 1u << 8;
	}
	return n;
}

int xc_cpuid_apply_policy(xc_interface *xch, uint32_t domid, bool restore,
			  const uint32_t *featureset, unsigned int nr_features,
			  bool pae, bool itsc, bool nested_virt,
			  const struct xc_xend_cpuid *xend,
			  const struct xc_msr *msr)
{
	struct kxen_cpuid_mask m[KXEN_CPUID_MAX_MASKS];
	struct kxen_host_cpuid_reply *r;
	unsigned n;

	/* No migration stream, featuresets, nested virtualisation or MSR
	 * policy in kxen: refuse rather than ignore them. */
	if (restore || featureset || nr_features || nested_virt ||
	    (msr && msr->index != XC_MSR_INPUT_UNUSED))
		return kxc_fail(xch, EOPNOTSUPP,
				"cpuid_apply_policy: restore, featureset, "
				"nested_virt and msr are not supported");
	r = host_policy(xch);
	if (!r)
		return -1;
	n = legacy_masks(r, pae, itsc, m);
	free(r);
	for (; xend && xend->leaf != XEN_CPUID_INPUT_UNUSED; xend++) {
		uint32_t sub = xend->subleaf == XEN_CPUID_INPUT_UNUSED
				   ? KXEN_CPUID_NO_SUBLEAF
				   : xend->subleaf;
		unsigned k = 0;

		while (k < n &&
		       (m[k].leaf != xend->leaf || m[k].subleaf != sub))
			k++;
		if (k == KXEN_CPUID_MAX_MASKS)
			return kxc_fail(xch, E2BIG, "cpuid_apply_policy");
		if (k == n) {
			memset(&m[n], 0, sizeof(m[n]));
			m[n].leaf = xend->leaf;
			m[n++].subleaf = sub;
		}
		for (unsigned i = 0; i < 4; i++)
			if (xend_reg(xend->policy[i], &m[k], i) < 0) {
				kxc_set_error(xch,
					      "CPUID leaf %#x register %u: "
					      "expected 32 of 1 0 x k s",
					      xend->leaf, i);
				errno = EINVAL;
				return -1;
			}
	}
	return kxc_domain_set_cpuid(xch, domid, m, n);
}
