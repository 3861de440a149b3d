/*
 * kxl shutdown / kxl reboot [-w|--wait] [-t SECONDS] NAME|ID: ask the
 * guest through the ACPI power button (xc_domain_send_trigger POWER).
 * A PC has no reboot button, so reboot presses the same button and has
 * kxend count the guest's power-off as a reboot; the domain's monitor
 * then restarts it per on_reboot. With --wait, wait until the domain
 * has shut down (or, for reboot, come back under a new id) or the
 * timeout passed; a guest that ignores the button only shows there.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kxl.h"

#define DEFAULT_TIMEOUT_S 60 /* Linux guests boot and stop slowly here */
#define MAX_TIMEOUT_S 86400
#define POLL_MS 200

struct power_args {
	bool reboot, wait;
	long timeout_s;
	const char *target;
};

static const struct option long_opts[] = {
    {"wait", no_argument, NULL, 'w'},
    {"timeout", required_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

static int parse_timeout(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > MAX_TIMEOUT_S)
		return -1;
	*out = v;
	return 0;
}

/* 0, or an exit status after printing one line. -t implies --wait. */
static int parse(int argc, char **argv, struct power_args *a)
{
	int c;

	a->timeout_s = DEFAULT_TIMEOUT_S;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+wt:", long_opts, NULL)) != -1) {
		if (c == 'w') {
			a->wait = true;
		} else if (c == 't' && parse_timeout(optarg, &a->timeout_s)) {
			kxl_err(
			    "kxl %s: bad timeout '%s' (whole seconds, 1-%d)",
			    argv[0], optarg, MAX_TIMEOUT_S);
			return KXL_EXIT_USAGE;
		} else if (c == 't') {
			a->wait = true;
		} else {
			break;
		}
	}
	if (c != -1 || optind != argc - 1) {
		kxl_err("usage: kxl %s [-w|--wait] [-t SECONDS] NAME|ID",
			argv[0]);
		return KXL_EXIT_USAGE;
	}
	a->target = argv[optind];
	return 0;
}

/*
 * Whether what we asked for happened: shutdown - the domain shut down,
 * crashed or is gone; reboot - a domain of the same name runs in a new
 * domain process (kxend may hand out the same domid again, the process
 * is new). -1 on a kxend error.
 */
static int done(xc_interface *xch, const struct power_args *a,
		const struct kxen_domain_info *old, uint32_t *new_domid)
{
	struct kxen_domain_info info;
	int rc = kxl_domain_info(xch, old->domid, &info);

	if (rc < 0)
		return -1;
	if (!a->reboot)
		return rc == 0 || info.child_pid != old->child_pid ||
		       info.state == KXEN_STATE_SHUTDOWN ||
		       info.state == KXEN_STATE_CRASHED;
	if (kxc_domain_lookup(xch, old->name, new_domid) < 0)
		return errno == ESRCH ? 0 : -1;
	rc = kxl_domain_info(xch, *new_domid, &info);
	if (rc <= 0)
		return rc;
	return info.child_pid != old->child_pid &&
	       info.state != KXEN_STATE_SHUTDOWN &&
	       info.state != KXEN_STATE_CRASHED;
}

static int wait_for(xc_interface *xch, const struct power_args *a,
		    const struct kxen_domain_info *old)
{
	const char *name = old->name;
	const struct timespec tick = {.tv_nsec = POLL_MS * 1000000L};
	double deadline = kxl_now_s() + (double)a->timeout_s;
	uint32_t new_domid = 0;
	int rc;

	while ((rc = done(xch, a, old, &new_domid)) == 0 &&
	       kxl_now_s() < deadline)
		nanosleep(&tick, NULL);
	if (rc < 0) {
		kxl_err("lost track of domain '%s': %s", name,
			kxc_last_error(xch));
		return KXL_EXIT_FAIL;
	}
	if (rc == 0) {
		kxl_err("domain '%s' did not %s within %ld s (it may ignore "
			"the power button: 'kxl destroy %s' ends it at once)",
			name, a->reboot ? "reboot" : "shut down", a->timeout_s,
			name);
		return KXL_EXIT_FAIL;
	}
	if (a->reboot)
		printf("Domain '%s' rebooted: now id %u\n", name, new_domid);
	else
		printf("Domain '%s' (id %u) has shut down\n", name, old->domid);
	return 0;
}

/* One line for a refused press. */
static void press_failed(xc_interface *xch, const char *name, int err)
{
	if (err == EBUSY)
		kxl_err("domain '%s' is paused and cannot answer the power "
			"button: 'kxl unpause %s' first",
			name, name);
	else if (err == ESHUTDOWN)
		kxl_err("domain '%s' has already shut down or crashed "
			"('kxl destroy %s' removes it)",
			name, name);
	else
		kxl_err("cannot press the power button of domain '%s': %s",
			name, kxc_last_error(xch));
}

static int power(int argc, char **argv, bool reboot)
{
	struct power_args a = {.reboot = reboot};
	struct kxen_domain_info info;
	xc_interface *xch;
	uint32_t domid;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc;
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	rc = KXL_EXIT_FAIL;
	if (kxl_lookup(xch, a.target, &domid) < 0 ||
	    kxl_domain_info(xch, domid, &info) != 1) {
		xc_interface_close(xch);
		return rc;
	}
	if (kxc_domain_power_button(xch, domid, reboot) < 0) {
		press_failed(xch, info.name, errno);
	} else {
		printf("Pressed the power button of domain '%s' (id %u)%s\n",
		       info.name, domid,
		       reboot ? "; its power-off will be a reboot" : "");
		fflush(stdout);
		rc = a.wait ? wait_for(xch, &a, &info) : 0;
	}
	xc_interface_close(xch);
	return rc;
}

int kxl_cmd_shutdown(int argc, char **argv)
{
	return power(argc, argv, false);
}

int kxl_cmd_reboot(int argc, char **argv)
{
	return power(argc, argv, true);
}
