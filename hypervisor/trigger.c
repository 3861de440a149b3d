/*
 * xc_domain_send_trigger: the events a toolstack can raise in a guest
 * from outside (Xen's XEN_DOMCTL_sendtrigger). On a PC these are the
 * ACPI fixed power button (ACPI 6.x §4.8.2.2.1.1: PM1_STS.PWRBTN_STS
 * and the SCI) and an NMI (as a front-panel NMI button would raise).
 * Reset and INIT have no guest-visible button on a PC and our FADT
 * declares no fixed sleep button, so those are refused, as Xen does for
 * HVM guests.
 */
#include <errno.h>

#include "dev/pmtimer.h"
#include "domain.h"
#include "irq.h"
#include "log.h"

/* SDM vol. 3 §10.11: an MSI with delivery mode NMI (100b) to APIC ID
 * vcpu, physical destination (our APIC IDs are the vCPU numbers). */
static int send_nmi(struct domain *d, uint32_t vcpu)
{
	return irq_msi(d->irq, 0xfee00000ull | ((uint64_t)vcpu << 12), 4u << 8);
}

/* Caller holds nothing. A guest that is not running cannot answer. */
static int check_state(struct domain *d)
{
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (d->dying)
		rc = -ESRCH;
	else if (d->shutdown || d->crashed)
		rc = -ESHUTDOWN;
	else if (d->pause_count)
		rc = -EBUSY;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int press_power_button(struct domain *d, bool reboot)
{
	bool listening;

	/* The latest request wins: kxl shutdown after an unanswered kxl
	 * reboot means power off. */
	pthread_mutex_lock(&d->lock);
	d->poweroff_is_reboot = reboot;
	pthread_mutex_unlock(&d->lock);
	listening = pmtimer_power_button(d->pm);
	log_info(d->domid, "domain '%s': ACPI power button pressed%s%s",
		 d->name, reboot ? " (kxl reboot: its power-off reboots)" : "",
		 listening ? "" : "; the guest has not enabled it (PWRBTN_EN)");
	return 0;
}

int domain_send_trigger(struct domain *d, const struct kxen_send_trigger *r)
{
	int rc;

	if (r->trigger > KXEN_TRIGGER_SLEEP ||
	    (r->flags & ~KXEN_TRIGGER_F_REBOOT) ||
	    (r->flags && r->trigger != KXEN_TRIGGER_POWER))
		return -EINVAL;
	if (r->vcpu >= d->max_vcpus)
		return -EINVAL;
	if (r->trigger != KXEN_TRIGGER_POWER && r->trigger != KXEN_TRIGGER_NMI)
		return -EOPNOTSUPP;
	rc = check_state(d);
	if (rc)
		return rc;
	if (r->trigger == KXEN_TRIGGER_POWER)
		return press_power_button(d, r->flags & KXEN_TRIGGER_F_REBOOT);
	log_info(d->domid, "domain '%s': NMI sent to vCPU %u", d->name,
		 r->vcpu);
	return send_nmi(d, r->vcpu);
}
