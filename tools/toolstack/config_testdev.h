/*
 * Config keys for running test kernels written for QEMU (issue 9):
 *
 *   "test_devices": ["isa-debug-exit,iobase=0xf4,iosize=4",
 *                    "pc-testdev", "fw_cfg"]
 *       QEMU's -device names and options; each device at most once. All
 *       are off without the key (README.md "Test devices").
 *   "modules": ["a.bin", {"file": "b.bin", "string": "b args"}]
 *       Multiboot boot modules, in order, after a `ramdisk` if any.
 *       Relative paths are relative to the config file, as `kernel`.
 *
 * config_ext.c hands these keys over; parsing is pure.
 */
#ifndef KXL_CONFIG_TESTDEV_H
#define KXL_CONFIG_TESTDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kxl_config;
struct yajl_val_s;

#define KXL_MODULES_MAX 15u /* 16 Multiboot modules with a ramdisk */
#define KXL_MODULE_STRING_MAX 4095u

struct kxl_module {
	char *path;   /* resolved like `kernel` */
	char *string; /* NULL: none */
};

struct kxl_test_devices {
	bool debug_exit, irq_lines, fw_cfg;
	uint16_t exit_port; /* debug_exit: iobase, default 0xf4 */
	uint8_t exit_width; /* debug_exit: iosize 1-4, default 4 */
};

/* Set `test_devices` or `modules` from v; 0, or -1 with err naming path. */
int kxl_config_set_test_devices(const char *path, struct yajl_val_s *v,
				struct kxl_config *cfg, char *err,
				size_t errlen);
int kxl_config_set_modules(const char *path, struct yajl_val_s *v,
			   struct kxl_config *cfg, char *err, size_t errlen);

/*
 * Parse one test_devices entry ("pc-testdev", "isa-debug-exit,iosize=1"
 * ...) into t. 0, or -1 with a reason in why (no file name).
 */
int kxl_test_device_parse(const char *spec, struct kxl_test_devices *t,
			  char *why, size_t whylen);

void kxl_config_testdev_free(struct kxl_config *cfg);

#endif
