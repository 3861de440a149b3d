/*
 * The domain monitor: what xl's "domain death" watcher does. After kxl
 * create it watches one domain and, when the guest ends, acts per the
 * config's on_poweroff / on_reboot / on_crash (xl.cfg(5) "Event
 * Actions"): destroy (with its device model), restart (destroy, then
 * build again from the same config: same name, new domid, new DM) or
 * preserve (leave it for inspection). Each action is one line in the
 * domain's log (kxl dmesg) and in LOGDIR/monitor-NAME.log.
 *
 * It polls the domain's info (KXEN_OP_DOMAIN_GETINFOLIST, one small
 * round trip) every KXL_MONITOR_POLL_MS: kxend has no death event for
 * clients, and a poll costs far less than the guest's own exits.
 */
#ifndef KXL_MONITOR_H
#define KXL_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "kxenctrl.h"

#define KXL_MONITOR_POLL_MS 250

/* Builds the domain again for a restart: 0 and the new id, or -1 with
 * one line in err. */
typedef int (*kxl_rebuild_fn)(void *ctx, xc_interface *xch, uint32_t *domid,
			      char *err, size_t errlen);

/* How the watch ended. */
enum kxl_monitor_end {
	KXL_END_POWEROFF, /* shut down with reason poweroff (or suspend) */
	KXL_END_REBOOT,	  /* rebooted and on_reboot did not restart it */
	KXL_END_CRASH,	  /* crashed (or watchdog) and was not restarted */
	KXL_END_GONE,	  /* destroyed by someone else (kxl destroy) */
	KXL_END_FAILED,	  /* lost kxend, or a restart failed */
};

struct kxl_monitor_result {
	enum kxl_monitor_end end;
	uint32_t domid; /* the last domain watched */
	bool preserved; /* left in place by "preserve" */
	bool has_exit_status;
	uint32_t exit_status; /* KXEN_INFO_EXIT_STATUS: the guest's own */
	char reason[1100];    /* crash reason, or why the watch failed */
};

struct kxl_monitor {
	const struct kxl_config *cfg;
	kxl_rebuild_fn rebuild;
	void *ctx;
	bool echo; /* also print each action on stdout (kxl create -F/-w) */
};

/*
 * Watch domid until it ends for good (destroyed, preserved, or gone);
 * restarts keep the watch going on the new domain. Uses its own
 * connection to kxend.
 */
void kxl_monitor_run(const struct kxl_monitor *m, uint32_t domid,
		     struct kxl_monitor_result *res);

/*
 * Run kxl_monitor_run in a detached process (own session, stdio on the
 * monitor log, reparented to init), so kxl create can return. -1 with
 * one line in err when it could not be started.
 */
int kxl_monitor_spawn(const struct kxl_monitor *m, uint32_t domid, char *err,
		      size_t errlen);

#endif
