/*
 * Setting up a domain's test devices (test_devices.h). Everything is
 * validated and created before anything is registered, and a refused
 * registration (the exit port is the user's choice and may collide)
 * takes back the ones before it, so a refused request leaves the domain
 * as it was.
 */
#include "test_devices.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dev/debugexit.h"
#include "dev/fwcfg.h"
#include "dev/testdev.h"
#include "domain.h"
#include "irq.h"
#include "log.h"

static void exit_requested(void *ctx, uint32_t status)
{
	struct domain *d = ctx;
	char why[80];

	snprintf(why, sizeof(why), "debug-exit, exit status %u", status);
	domain_shutdown_status(d, status, why);
}

static int check(const struct kxen_test_devices *r, size_t len)
{
	if (r->flags == 0 || (r->flags & ~KXEN_TESTDEV_ALL) || r->pad ||
	    r->cmdline_len != len - sizeof(*r))
		return -EINVAL;
	if ((r->flags & KXEN_TESTDEV_DEBUG_EXIT) &&
	    (r->exit_width < 1 || r->exit_width > 4 ||
	     (uint32_t)r->exit_port + r->exit_width > 0x10000))
		return -EINVAL;
	if (!(r->flags & KXEN_TESTDEV_FW_CFG))
		return r->cmdline_len || r->ram_bytes ? -EINVAL : 0;
	if (r->ram_bytes == 0 || r->ram_bytes > KXEN_MAX_GUEST_PHYS ||
	    memchr(r->cmdline, '\0', r->cmdline_len))
		return -EINVAL;
	return 0;
}

static int create(struct domain *d, const struct kxen_test_devices *r)
{
	char line[KXEN_TESTDEV_CMDLINE_MAX + 1];
	struct fwcfg_facts f = {.ram_bytes = r->ram_bytes,
				.nb_cpus = (uint16_t)d->max_vcpus,
				.max_cpus = (uint16_t)d->max_vcpus,
				.cmdline = line};

	if (r->flags & KXEN_TESTDEV_DEBUG_EXIT) {
		d->debugexit = debugexit_create(
		    d->domid, r->exit_port, r->exit_width, exit_requested, d);
		if (!d->debugexit)
			return -ENOMEM;
	}
	if (r->flags & KXEN_TESTDEV_IRQ_LINES) {
		d->testdev =
		    testdev_create(d->domid, irq_isa_line, irq_gsi_line,
				   irq_source(d->irq, IRQ_SRC_TESTDEV));
		if (!d->testdev)
			return -ENOMEM;
	}
	if (r->flags & KXEN_TESTDEV_FW_CFG) {
		/* Every vCPU the domain has is started by the guest itself
		 * (INIT/SIPI), so "at boot" and "at most" agree. */
		memcpy(line, r->cmdline, r->cmdline_len);
		line[r->cmdline_len] = '\0';
		d->fwcfg = fwcfg_create(d->domid, &f);
		if (!d->fwcfg)
			return -ENOMEM;
	}
	return 0;
}

/* Register each device; on a failure, take back what was registered. */
static int register_all(struct domain *d, const struct kxen_test_devices *r)
{
	int rc = 0;
	bool ex = false, td = false;

	if (d->debugexit) {
		rc = debugexit_register(d->debugexit, d->io);
		ex = rc == 0;
	}
	if (!rc && d->testdev) {
		rc = testdev_register(d->testdev, d->io);
		td = rc == 0;
	}
	if (!rc && d->fwcfg)
		rc = fwcfg_register(d->fwcfg, d->io);
	if (rc && ex)
		io_table_unregister(d->io, IO_SPACE_PORT, r->exit_port);
	if (rc && td)
		io_table_unregister(d->io, IO_SPACE_PORT, TESTDEV_IRQ_PORT);
	return rc == -EEXIST ? -EADDRINUSE : rc;
}

static int setup_locked(struct domain *d, const struct kxen_test_devices *r,
			size_t len)
{
	int rc;

	if (d->started)
		return -EBUSY;
	if (d->debugexit || d->testdev || d->fwcfg)
		return -EEXIST;
	rc = check(r, len);
	if (rc == 0)
		rc = create(d, r);
	if (rc == 0)
		rc = register_all(d, r);
	if (rc)
		test_devices_destroy(d);
	return rc;
}

/*
 * d->lock keeps an unpause out while the dispatch table changes: the
 * table is lock-free for readers only because nothing runs yet.
 */
int test_devices_setup(struct domain *d, const struct kxen_test_devices *r,
		       size_t len)
{
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = setup_locked(d, r, len);
	pthread_mutex_unlock(&d->lock);
	if (rc) {
		log_warn(d->domid, "test devices (flags 0x%x) refused: %s",
			 r->flags, strerror(-rc));
		return rc;
	}
	log_info(d->domid, "test devices:%s%s%s",
		 d->debugexit ? " debug-exit" : "",
		 d->testdev ? " pc-testdev" : "", d->fwcfg ? " fw_cfg" : "");
	return 0;
}

void test_devices_destroy(struct domain *d)
{
	debugexit_destroy(d->debugexit);
	testdev_destroy(d->testdev);
	fwcfg_destroy(d->fwcfg);
	d->debugexit = NULL;
	d->testdev = NULL;
	d->fwcfg = NULL;
}
