/*
 * kxl create [-c] FILE.json: parse the config, build the domain, start
 * its device model before the guest runs, and with -c attach to its
 * console.
 */
#include <getopt.h>
#include <stdio.h>

#include "builder.h"
#include "config.h"
#include "dm_spawn.h"
#include "kxl.h"

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

static int parse_args(int argc, char **argv, int *attach)
{
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+c")) != -1) {
		if (c != 'c')
			return -1;
		*attach = 1;
	}
	return optind == argc - 1 ? optind : -1;
}

int kxl_cmd_create(int argc, char **argv)
{
	struct kxl_config cfg;
	struct kxl_build_hooks hooks = {.before_unpause = start_dm,
					.ctx = &cfg};
	char err[8192];
	xc_interface *xch;
	uint32_t domid;
	int rc, attach = 0, i = parse_args(argc, argv, &attach);

	if (i < 0) {
		kxl_err("usage: kxl create [-c] FILE.json");
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
	rc = kxl_build_with(xch, &cfg, &hooks, &domid, err, sizeof(err));
	if (rc == 0)
		printf("Domain '%s' created with id %u\n", cfg.name, domid);
	else
		kxl_err("%s", err);
	xc_interface_close(xch);
	if (rc == 0 && attach) {
		fflush(stdout);
		rc = kxl_console_attach(domid, cfg.name);
		kxl_config_free(&cfg);
		return rc;
	}
	kxl_config_free(&cfg);
	return rc == 0 ? 0 : KXL_EXIT_FAIL;
}
