/*
 * `test_devices` and `modules` (config_testdev.h). Errors follow
 * config.c's form: "FILE: key 'K' ...".
 */
#include "config_testdev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "config.h"

#define SPEC_MAX 127u /* longest test_devices entry */

__attribute__((format(printf, 5, 6))) static int fail(char *err, size_t errlen,
						      const char *path,
						      const char *key,
						      const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: key '%s' ", path, key);

	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

__attribute__((format(printf, 3, 4))) static int
why_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole number in C syntax (0xf4, 244), at most max. */
static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno || *end || *out > max ? -1 : 0;
}

/* One "name=value" option of isa-debug-exit. */
static int exit_option(char *opt, struct kxl_test_devices *t, char *why,
		       size_t whylen)
{
	char *eq = strchr(opt, '=');
	unsigned long v;

	if (!eq)
		return why_fail(why, whylen,
				"isa-debug-exit option '%s' needs a value "
				"(iobase=PORT or iosize=1-4)",
				opt);
	*eq = '\0';
	if (strcmp(opt, "iobase") == 0 && number(eq + 1, 0xffff, &v) == 0) {
		t->exit_port = (uint16_t)v;
		return 0;
	}
	if (strcmp(opt, "iosize") == 0 && number(eq + 1, 4, &v) == 0 &&
	    v >= 1) {
		t->exit_width = (uint8_t)v;
		return 0;
	}
	if (strcmp(opt, "iobase") == 0 || strcmp(opt, "iosize") == 0)
		return why_fail(
		    why, whylen, "isa-debug-exit %s must be %s, got '%s'", opt,
		    opt[2] == 'b' ? "a port 0-0xffff" : "1-4", eq + 1);
	return why_fail(why, whylen,
			"isa-debug-exit has no option '%s' (iobase, iosize)",
			opt);
}

static int parse_exit(char *opts, struct kxl_test_devices *t, char *why,
		      size_t whylen)
{
	char *save = NULL, *opt;

	t->exit_port = 0xf4;
	t->exit_width = 4;
	for (opt = strtok_r(opts, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save))
		if (exit_option(opt, t, why, whylen) < 0)
			return -1;
	if ((uint32_t)t->exit_port + t->exit_width > 0x10000)
		return why_fail(
		    why, whylen,
		    "isa-debug-exit ports 0x%x-0x%x run past 0xffff",
		    t->exit_port, t->exit_port + t->exit_width - 1u);
	t->debug_exit = true;
	return 0;
}

int kxl_test_device_parse(const char *spec, struct kxl_test_devices *t,
			  char *why, size_t whylen)
{
	char buf[SPEC_MAX + 1], *comma;
	bool *seen = NULL;

	if (strlen(spec) > SPEC_MAX)
		return why_fail(why, whylen, "entry longer than %u bytes",
				SPEC_MAX);
	strcpy(buf, spec);
	comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	if (strcmp(buf, "isa-debug-exit") == 0)
		seen = &t->debug_exit;
	else if (strcmp(buf, "pc-testdev") == 0)
		seen = &t->irq_lines;
	else if (strcmp(buf, "fw_cfg") == 0)
		seen = &t->fw_cfg;
	else
		return why_fail(why, whylen,
				"unknown device '%.64s' (isa-debug-exit, "
				"pc-testdev, fw_cfg)",
				buf);
	if (*seen)
		return why_fail(why, whylen, "'%s' is listed twice", buf);
	if (seen == &t->debug_exit)
		return parse_exit(comma ? comma : buf + strlen(buf), t, why,
				  whylen);
	if (comma)
		return why_fail(why, whylen, "%s takes no options", buf);
	*seen = true;
	return 0;
}

int kxl_config_set_test_devices(const char *path, struct yajl_val_s *v,
				struct kxl_config *cfg, char *err,
				size_t errlen)
{
	struct kxl_test_devices t = {0};
	char why[160];
	size_t i;

	if (!YAJL_IS_ARRAY(v))
		return fail(err, errlen, path, "test_devices",
			    "must be an array of device strings, e.g. "
			    "[\"isa-debug-exit,iobase=0xf4,iosize=4\"]");
	for (i = 0; i < v->u.array.len; i++) {
		yajl_val e = v->u.array.values[i];

		if (!YAJL_IS_STRING(e))
			return fail(err, errlen, path, "test_devices",
				    "element %zu must be a string", i);
		if (kxl_test_device_parse(e->u.string, &t, why, sizeof(why)) <
		    0)
			return fail(err, errlen, path, "test_devices",
				    "element %zu: %s", i, why);
	}
	cfg->test_devices = t;
	return 0;
}

/* Relative to the config file's directory, as `kernel` is. */
static char *resolve(const char *path, const char *file)
{
	const char *slash = strrchr(path, '/');
	char *out = NULL;

	if (file[0] == '/' || !slash)
		return strdup(file);
	if (asprintf(&out, "%.*s/%s", (int)(slash - path), path, file) < 0)
		return NULL;
	return out;
}

/* An object's keys must be "file" and optionally "string". */
static int module_object(yajl_val e, yajl_val *f, yajl_val *s)
{
	size_t k;

	*f = *s = NULL;
	for (k = 0; k < e->u.object.len; k++) {
		const char *key = e->u.object.keys[k];

		if (strcmp(key, "file") == 0 && !*f)
			*f = e->u.object.values[k];
		else if (strcmp(key, "string") == 0 && !*s)
			*s = e->u.object.values[k];
		else
			return -1;
	}
	return 0;
}

static int set_module(const char *path, yajl_val e, size_t i,
		      struct kxl_module *m, char *err, size_t errlen)
{
	yajl_val f = e, s = NULL;

	if (YAJL_IS_OBJECT(e) && module_object(e, &f, &s) < 0)
		return fail(err, errlen, path, "modules",
			    "element %zu may only have 'file' and 'string'", i);
	if (!f || !YAJL_IS_STRING(f) || !*f->u.string ||
	    strlen(f->u.string) > 4095)
		return fail(err, errlen, path, "modules",
			    "element %zu must be a file name of 1-4095 bytes "
			    "or {\"file\": ..., \"string\": ...}",
			    i);
	if (s &&
	    (!YAJL_IS_STRING(s) || strlen(s->u.string) > KXL_MODULE_STRING_MAX))
		return fail(err, errlen, path, "modules",
			    "element %zu: 'string' must be a string of at "
			    "most %u bytes",
			    i, KXL_MODULE_STRING_MAX);
	m->path = resolve(path, f->u.string);
	m->string = s ? strdup(s->u.string) : NULL;
	if (!m->path || (s && !m->string))
		return fail(err, errlen, path, "modules",
			    "cannot be stored: out of memory");
	return 0;
}

int kxl_config_set_modules(const char *path, struct yajl_val_s *v,
			   struct kxl_config *cfg, char *err, size_t errlen)
{
	size_t i, n;

	if (!YAJL_IS_ARRAY(v) || v->u.array.len == 0 ||
	    v->u.array.len > KXL_MODULES_MAX)
		return fail(err, errlen, path, "modules",
			    "must be an array of 1-%u modules",
			    KXL_MODULES_MAX);
	n = v->u.array.len;
	kxl_config_testdev_free(cfg);
	cfg->modules = calloc(n, sizeof(*cfg->modules));
	if (!cfg->modules)
		return fail(err, errlen, path, "modules",
			    "cannot be stored: out of memory");
	cfg->nr_modules = (unsigned)n;
	for (i = 0; i < n; i++)
		if (set_module(path, v->u.array.values[i], i, &cfg->modules[i],
			       err, errlen) < 0)
			return -1;
	return 0;
}

void kxl_config_testdev_free(struct kxl_config *cfg)
{
	unsigned i;

	for (i = 0; cfg->modules && i < cfg->nr_modules; i++) {
		free(cfg->modules[i].path);
		free(cfg->modules[i].string);
	}
	free(cfg->modules);
	cfg->modules = NULL;
	cfg->nr_modules = 0;
}
