/* kxl's side of the device model (kxen-dm) and its console. */
#ifndef KXL_DM_SPAWN_H
#define KXL_DM_SPAWN_H

#include <stddef.h>
#include <stdint.h>

/* $KXEN_RUNDIR or /run/kxen; $KXEN_LOGDIR or /var/log/kxen. */
const char *kxl_rundir(void);
const char *kxl_logdir(void);

/*
 * Start kxen-dm for a built, paused domain and wait until it reports
 * ready. On failure, -1 with one line in err carrying the DM's own
 * error and the path of its log.
 */
int kxl_dm_start(const char *name, uint32_t domid, const char *devices,
		 char *err, size_t errlen);

/* After the domain was destroyed: end its DM (SIGTERM, its clean exit)
 * and wait for it to leave (SIGKILL if it lingers). */
void kxl_dm_reap(uint32_t domid);

/* Attach the terminal to domain domid's console until Ctrl-] or the
 * console closes. Returns an exit status. */
int kxl_console_attach(uint32_t domid, const char *name);

#endif
