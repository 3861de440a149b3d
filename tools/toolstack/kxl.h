/* kxl command implementations, one per `kxl COMMAND`. */
#ifndef KXL_KXL_H
#define KXL_KXL_H

#include "kxenctrl.h"

/* Exit statuses: failure of the operation, and a bad command line. */
#define KXL_EXIT_FAIL 1
#define KXL_EXIT_USAGE 2
/* kxl create -w: the guest crashed (README, "Lifecycle"). Even, so it
 * differs from every isa-debug-exit status ((value << 1) | 1). */
#define KXL_EXIT_CRASH 4

/* Print "kxl: <message>" on stderr (one line). */
void kxl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connect to kxend, printing the reason on failure. */
xc_interface *kxl_open(void);

/* Resolve NAME|ID, printing the error (one line). */
int kxl_lookup(xc_interface *xch, const char *arg, uint32_t *domid);

/* One domain's record: 1 found, 0 no such domain, -1 kxend error. */
int kxl_domain_info(xc_interface *xch, uint32_t domid,
		    struct kxen_domain_info *info);

/* CLOCK_MONOTONIC in seconds, for polling deadlines and rates. */
double kxl_now_s(void);

int kxl_cmd_create(int argc, char **argv);
int kxl_cmd_list(int argc, char **argv);
int kxl_cmd_destroy(int argc, char **argv);
int kxl_cmd_pause(int argc, char **argv);
int kxl_cmd_unpause(int argc, char **argv);
int kxl_cmd_dmesg(int argc, char **argv);
int kxl_cmd_info(int argc, char **argv);
int kxl_cmd_console(int argc, char **argv);
int kxl_cmd_stat(int argc, char **argv);
int kxl_cmd_shutdown(int argc, char **argv);
int kxl_cmd_reboot(int argc, char **argv);

#endif /* KXL_KXL_H */
