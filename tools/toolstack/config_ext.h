/*
 * Config keys for booting kernels and for the domain's lifecycle, kept
 * apart from config.c's core keys: `ramdisk`, `cpuid`, `on_poweroff`,
 * `on_reboot`, `on_crash` and `serial`, named and valued as in
 * xl.cfg(5). config.c hands every key it does not know to these.
 */
#ifndef KXL_CONFIG_EXT_H
#define KXL_CONFIG_EXT_H

#include <stddef.h>

#include "cpuid.h"

struct kxl_config;
struct yajl_val_s; /* yajl_tree.h's yajl_val points to one */

/* on_poweroff / on_reboot / on_crash (xl.cfg(5) "Event Actions"). */
enum kxl_action {
	KXL_ACTION_DESTROY,
	KXL_ACTION_RESTART,
	KXL_ACTION_PRESERVE,
	KXL_ACTION_COUNT
};

/* serial: where the guest's COM1 goes. */
enum kxl_serial { KXL_SERIAL_PTY, KXL_SERIAL_NONE, KXL_SERIAL_CONSOLE };

/* The config names: "destroy", ..., "pty", ...; NULL when out of range. */
const char *kxl_action_name(enum kxl_action a);
const char *kxl_serial_name(enum kxl_serial s);

/* Index of an extension key, or -1 when name is none of them. */
int kxl_config_ext_find(const char *name);

/* The known extension keys, ", "-separated, for "unknown key" errors. */
extern const char kxl_config_ext_keys[];

/*
 * Set extension key k from v. path is the config file (for relative
 * paths and the error, which names it and the key). 0 or -1.
 */
int kxl_config_ext_set(int k, const char *path, struct yajl_val_s *v,
		       struct kxl_config *cfg, char *err, size_t errlen);

/* Defaults (xl's: destroy, restart, destroy; serial pty) and freeing. */
void kxl_config_ext_defaults(struct kxl_config *cfg);
void kxl_config_ext_free(struct kxl_config *cfg);

#endif /* KXL_CONFIG_EXT_H */
