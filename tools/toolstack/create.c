/*
 * kxl create [-c|-F|-w] FILE.json: parse the config, build the domain,
 * start its device model before the guest runs, then hand the domain to
 * its monitor (monitor.h), which acts on on_poweroff / on_reboot /
 * on_crash. By default the monitor runs detached and kxl returns;
 * -c attaches the console meanwhile; -F keeps the monitor in the
 * foreground until the domain is finally gone; -w does the same and
 * exits with a status a script can use (see exit_status()).
 */
#include <getopt.h>
#include <stdio.h>

#include "builder.h"
#include "config.h"
#include "dm_spawn.h"
#include "kxl.h"
#include "monitor.h"

enum mode { MODE_DETACH, MODE_CONSOLE, MODE_FOREGROUND, MODE_WAIT };

static int start_dm(void *ctx, uint32_t domid, char *err, size_t errlen)
{
	const struct kxl_config *cfg = ctx;
	const char *devices = cfg->devices;

	/* "serial": "none" takes COM1 away unless devices says otherwise;
	 * pty and console both mean COM1 on the DM's console socket. */
	if (!devices && cfg->serial == KXL_SERIAL_NONE)
		devices = "pci,i8042,pm";
	return kxl_dm_start(cfg->name, domid, devices, err, errlen);
}

/* The whole build, as the monitor repeats it for a restart. */
static int build(void *ctx, xc_interface *xch, uint32_t *domid, char *err,
		 size_t errlen)
{
	struct kxl_build_hooks hooks = {.before_unpause = start_dm, .ctx = ctx};

	return kxl_build_with(xch, ctx, &hooks, domid, err, errlen);
}

static int parse_args(int argc, char **argv, enum mode *mode)
{
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+cFw")) != -1) {
		if (*mode != MODE_DETACH)
			return -1; /* one mode only */
		if (c == 'c')
			*mode = MODE_CONSOLE;
		else if (c == 'F')
			*mode = MODE_FOREGROUND;
		else if (c == 'w')
			*mode = MODE_WAIT;
		else
			return -1;
	}
	return optind == argc - 1 ? optind : -1;
}

/*
 * kxl create -w's exit status: the guest's own when it set one (an exit
 * device, KXEN_INFO_EXIT_STATUS; the shell keeps its low 8 bits), else 0
 * for a power-off or reboot, KXL_EXIT_CRASH for a crash, KXL_EXIT_FAIL
 * when the domain was destroyed from outside or kxend went away.
 */
static int exit_status(const struct kxl_config *cfg,
		       const struct kxl_monitor_result *r)
{
	if (r->end == KXL_END_GONE) {
		kxl_err("domain '%s' (id %u) was destroyed before it ended",
			cfg->name, r->domid);
		return KXL_EXIT_FAIL;
	}
	if (r->end == KXL_END_FAILED) {
		kxl_err("domain '%s' (id %u): %s", cfg->name, r->domid,
			r->reason);
		return KXL_EXIT_FAIL;
	}
	if (r->end == KXL_END_CRASH)
		kxl_err("domain '%s' (id %u) crashed: %s", cfg->name, r->domid,
			r->reason[0] ? r->reason
				     : "the guest reported a crash");
	if (r->has_exit_status)
		return (int)(r->exit_status & 0xff);
	return r->end == KXL_END_CRASH ? KXL_EXIT_CRASH : 0;
}

static int after_create(struct kxl_config *cfg, uint32_t domid, enum mode mode)
{
	struct kxl_monitor m = {.cfg = cfg, .rebuild = build, .ctx = cfg};
	struct kxl_monitor_result res;
	char err[1024];

	if (mode == MODE_FOREGROUND || mode == MODE_WAIT) {
		m.echo = true;
		kxl_monitor_run(&m, domid, &res);
		return mode == MODE_WAIT	   ? exit_status(cfg, &res)
		       : res.end == KXL_END_FAILED ? KXL_EXIT_FAIL
						   : 0;
	}
	if (kxl_monitor_spawn(&m, domid, err, sizeof(err)) < 0) {
		kxl_err("%s (the domain runs unmonitored)", err);
		return KXL_EXIT_FAIL;
	}
	return mode == MODE_CONSOLE ? kxl_console_attach(domid, cfg->name) : 0;
}

int kxl_cmd_create(int argc, char **argv)
{
	struct kxl_config cfg;
	enum mode mode = MODE_DETACH;
	char err[8192];
	xc_interface *xch;
	uint32_t domid;
	int rc, i = parse_args(argc, argv, &mode);

	if (i < 0) {
		kxl_err("usage: kxl create [-c|-F|-w] FILE.json (one of -c, "
			"-F, -w)");
		return KXL_EXIT_USAGE;
	}
	if (kxl_config_load(argv[i], &cfg, err, sizeof(err)) < 0) {
		kxl_err("%s", err);
		return KXL_EXIT_FAIL;
	}
	xch = kxl_open();
	if (!xch) {
		kxl_config_free(&cfg);
		return KXL_EXIT_FAIL;
	}
	rc = build(&cfg, xch, &domid, err, sizeof(err));
	xc_interface_close(xch);
	if (rc < 0) {
		kxl_err("%s", err);
		kxl_config_free(&cfg);
		return KXL_EXIT_FAIL;
	}
	printf("Domain '%s' created with id %u\n", cfg.name, domid);
	fflush(stdout);
	rc = after_create(&cfg, domid, mode);
	kxl_config_free(&cfg);
	return rc;
}
