/*
 * kxl domain configuration: a JSON object read from a file.
 *
 *   { "name": "hello", "memory": 16, "vcpus": 1,
 *     "kernel": "hello.bin", "cmdline": "console=ttyS0",
 *     "timer_mode": "no_missed_ticks_pending",
 *     "devices": "com1,pci,i8042,pm" }
 *
 * Parsing is pure (no hypervisor needed) so the golden-file tests can run
 * it in-process.
 */
#ifndef KXL_CONFIG_H
#define KXL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config_ext.h"
#include "config_testdev.h"
#include "kxen/abi.h"

#define KXL_CONFIG_MAX_BYTES (1u << 20) /* larger files are refused */
#define KXL_MEMORY_MIN_MIB 1u
#define KXL_MEMORY_MAX_MIB 1048576u
#define KXL_VCPUS_MAX KXEN_MAX_VCPUS
#define KXL_CMDLINE_MAX 4095u /* bytes, NUL not counted */
#define KXL_DEVICES_MAX 255u  /* the devices list, NUL not counted */

/*
 * timer_mode: Xen's HVM_PARAM_TIMER_MODE values (public/hvm/params.h),
 * what the periodic timers do with ticks the guest could not take on
 * time. The config names them as xl.cfg(5) does, or by number.
 */
#define KXL_TIMER_MODE_DELAY_FOR_MISSED_TICKS 0u /* the default */
#define KXL_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS 1u
#define KXL_TIMER_MODE_NO_MISSED_TICKS_PENDING 2u
#define KXL_TIMER_MODE_ONE_MISSED_TICK_PENDING 3u
#define KXL_TIMER_MODE_COUNT 4u

struct kxl_config {
	char *path; /* the config file, as given */
	char name[KXEN_NAME_MAX];
	uint64_t memory_mib;
	unsigned int vcpus;
	char *kernel;  /* relative paths resolved against path's directory */
	char *cmdline; /* never NULL: "" when the key is absent */
	unsigned int timer_mode; /* KXL_TIMER_MODE_*, default 0 */
	/* config_ext.h: boot and lifecycle keys */
	char *ramdisk; /* NULL: none; relative like kernel */
	struct kxl_cpuid cpuid;
	enum kxl_action on_poweroff, on_reboot, on_crash;
	enum kxl_serial serial;
	char *devices; /* kxen-dm --devices list; NULL: the DM's default */
	/* config_testdev.h: QEMU's test devices, Multiboot modules */
	struct kxl_test_devices test_devices; /* all off by default */
	struct kxl_module *modules;
	unsigned int nr_modules;
};

/* xl's name of a timer mode ("delay_for_missed_ticks", ...), or NULL. */
const char *kxl_timer_mode_name(unsigned int mode);

/*
 * Read and validate the config file at path into cfg. Returns 0, or -1
 * with one line in err naming the file and what is wrong (e.g.
 * "/x/a.json: unknown key 'memroy'"); cfg then needs no freeing.
 */
int kxl_config_load(const char *path, struct kxl_config *cfg, char *err,
		    size_t errlen);

/* Free what kxl_config_load allocated; cfg may be zeroed. */
void kxl_config_free(struct kxl_config *cfg);

#endif /* KXL_CONFIG_H */
