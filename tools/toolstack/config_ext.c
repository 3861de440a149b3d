/*
 * The boot and lifecycle config keys (config_ext.h). Errors follow
 * config.c's form: "FILE: key 'K' must be ..., got ...".
 */
#include "config_ext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "config.h"

enum ext_key {
	X_RAMDISK,
	X_CPUID,
	X_ON_POWEROFF,
	X_ON_REBOOT,
	X_ON_CRASH,
	X_SERIAL,
	X_TEST_DEVICES,
	X_MODULES,
	X_COUNT
};
static const char *const ext_names[X_COUNT] = {
    "ramdisk",	"cpuid",  "on_poweroff",  "on_reboot",
    "on_crash", "serial", "test_devices", "modules"};
const char kxl_config_ext_keys[] =
    "ramdisk, cpuid, on_poweroff, on_reboot, on_crash, serial, "
    "test_devices, modules";

static const char *const action_names[KXL_ACTION_COUNT] = {"destroy", "restart",
							   "preserve"};
/* xl's other actions need what kxen lacks: renaming a live domain
 * (rename-restart), core dumps (coredump-*), soft reset. */
static const char *const xl_only_actions[] = {
    "rename-restart", "coredump-destroy", "coredump-restart", "soft-reset"};
#define NR_XL_ONLY (sizeof(xl_only_actions) / sizeof(xl_only_actions[0]))
static const char *const serial_names[] = {"pty", "none", "console"};
#define NR_SERIAL (sizeof(serial_names) / sizeof(serial_names[0]))

struct ectx {
	const char *path, *key;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ectx *c,
						      const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: key '%s' ", c->path, c->key);

	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *kxl_action_name(enum kxl_action a)
{
	return (unsigned)a < KXL_ACTION_COUNT ? action_names[a] : NULL;
}

const char *kxl_serial_name(enum kxl_serial s)
{
	return (unsigned)s < NR_SERIAL ? serial_names[s] : NULL;
}

int kxl_config_ext_find(const char *name)
{
	int k;

	for (k = 0; k < X_COUNT; k++)
		if (strcmp(name, ext_names[k]) == 0)
			return k;
	return -1;
}

/* A value from a fixed list of names; bad ones are quoted, bounded. */
static int choose(struct ectx *c, yajl_val v, const char *const *names,
		  unsigned int n, const char *expect, unsigned int *out)
{
	unsigned int i = 0;

	if (!YAJL_IS_STRING(v))
		return fail(c, "must be one of %s, got a non-string", expect);
	for (i = 0; i < n; i++)
		if (strcmp(v->u.string, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return fail(c, "must be one of %s, got '%.64s'", expect, v->u.string);
}

/* Relative to the config file's directory, as `kernel` is. */
static int set_ramdisk(struct ectx *c, yajl_val v, struct kxl_config *cfg)
{
	const char *s, *slash = strrchr(c->path, '/');
	int n;

	if (!YAJL_IS_STRING(v))
		return fail(c, "must be a string (a file name)");
	s = v->u.string;
	if (!*s || strlen(s) > 4095)
		return fail(c, "must be a file name of 1-4095 bytes");
	free(cfg->ramdisk);
	if (s[0] == '/' || !slash)
		n = asprintf(&cfg->ramdisk, "%s", s);
	else
		n = asprintf(&cfg->ramdisk, "%.*s/%s", (int)(slash - c->path),
			     c->path, s);
	if (n < 0) {
		cfg->ramdisk = NULL;
		return fail(c, "cannot be stored: out of memory");
	}
	return 0;
}

/* A string in either xl syntax, or an array of strings. */
static int set_cpuid(struct ectx *c, yajl_val v, struct kxl_config *cfg)
{
	char why[160];
	size_t i;

	memset(&cfg->cpuid, 0, sizeof(cfg->cpuid));
	if (YAJL_IS_STRING(v)) {
		if (kxl_cpuid_parse(v->u.string, &cfg->cpuid, why,
				    sizeof(why)) < 0)
			return fail(c, "is invalid: %s", why);
		return 0;
	}
	if (!YAJL_IS_ARRAY(v) || v->u.array.len == 0)
		return fail(c, "must be a string or a non-empty array of "
			       "strings");
	for (i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];

		if (!YAJL_IS_STRING(e))
			return fail(c, "element %zu must be a string", i);
		if (kxl_cpuid_parse(e->u.string, &cfg->cpuid, why,
				    sizeof(why)) < 0)
			return fail(c, "element %zu is invalid: %s", i, why);
	}
	return 0;
}

static int set_action(struct ectx *c, yajl_val v, enum kxl_action *a)
{
	unsigned int i = 0;

	for (i = 0; YAJL_IS_STRING(v) && i < NR_XL_ONLY; i++)
		if (strcmp(v->u.string, xl_only_actions[i]) == 0)
			return fail(c,
				    "is '%s', an xl action kxen does not "
				    "support (no domain rename, core dumps or "
				    "soft reset): use destroy, restart or "
				    "preserve",
				    v->u.string);
	if (choose(c, v, action_names, KXL_ACTION_COUNT,
		   "destroy, restart, preserve", &i) < 0)
		return -1;
	*a = (enum kxl_action)i;
	return 0;
}

int kxl_config_ext_set(int k, const char *path, struct yajl_val_s *v,
		       struct kxl_config *cfg, char *err, size_t errlen)
{
	struct ectx c = {.path = path, .err = err, .errlen = errlen};
	unsigned int i = 0;

	if (k < 0 || k >= X_COUNT)
		return -1;
	c.key = ext_names[k];
	switch ((enum ext_key)k) {
	case X_RAMDISK:
		return set_ramdisk(&c, v, cfg);
	case X_CPUID:
		return set_cpuid(&c, v, cfg);
	case X_ON_POWEROFF:
		return set_action(&c, v, &cfg->on_poweroff);
	case X_ON_REBOOT:
		return set_action(&c, v, &cfg->on_reboot);
	case X_ON_CRASH:
		return set_action(&c, v, &cfg->on_crash);
	case X_TEST_DEVICES: /* config_testdev.c */
		return kxl_config_set_test_devices(path, v, cfg, err, errlen);
	case X_MODULES:
		return kxl_config_set_modules(path, v, cfg, err, errlen);
	default:
		if (choose(&c, v, serial_names, NR_SERIAL, "pty, none, console",
			   &i) < 0)
			return -1;
		cfg->serial = (enum kxl_serial)i;
		return 0;
	}
}

void kxl_config_ext_defaults(struct kxl_config *cfg)
{
	cfg->on_poweroff = KXL_ACTION_DESTROY;
	cfg->on_reboot = KXL_ACTION_RESTART;
	cfg->on_crash = KXL_ACTION_DESTROY;
	cfg->serial = KXL_SERIAL_PTY;
}

void kxl_config_ext_free(struct kxl_config *cfg)
{
	free(cfg->ramdisk);
	cfg->ramdisk = NULL;
	kxl_config_testdev_free(cfg);
}
