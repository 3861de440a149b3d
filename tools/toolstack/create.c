/* kxl create FILE.json: parse the config, then build the domain. */
#include <stdio.h>

#include "builder.h"
#include "config.h"
#include "kxl.h"

int kxl_cmd_create(int argc, char **argv)
{
	struct kxl_config cfg;
	char err[512];
	xc_interface *xch;
	uint32_t domid;
	int rc;

	if (argc != 2) {
		kxl_err("usage: kxl create FILE.json");
		return KXL_EXIT_USAGE;
	}
	if (kxl_config_load(argv[1], &cfg, err, sizeof(err)) < 0) {
		kxl_err("%s", err);
		return KXL_EXIT_FAIL;
	}
	xch = kxl_open();
	if (!xch) {
		kxl_config_free(&cfg);
		return KXL_EXIT_FAIL;
	}
	rc = kxl_build(xch, &cfg, &domid, err, sizeof(err));
	if (rc == 0)
		printf("Domain '%s' created with id %u\n", cfg.name, domid);
	else
		kxl_err("%s", err);
	xc_interface_close(xch);
	kxl_config_free(&cfg);
	return rc == 0 ? 0 : KXL_EXIT_FAIL;
}
