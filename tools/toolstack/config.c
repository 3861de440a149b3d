/*
 * kxl's JSON config parser (yajl tree API). Every rejection says which
 * file and which key, and what was expected, because a config is written
 * by hand and the error is all its author sees.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

#include "kxen/msg.h"

struct ctx {
	const char *path;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c,
						      const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "%s: ", c->path);

	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Read the whole file, refusing anything but a regular file <= 1 MiB. */
static int read_file(struct ctx *c, char **out)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(c, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		close(fd);
		return fail(c, "cannot stat: %s", strerror(errno));
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KXL_CONFIG_MAX_BYTES) {
		close(fd);
		if (!S_ISREG(st.st_mode))
			return fail(c, "not a regular file");
		return fail(c, "file is larger than %u bytes (1 MiB)",
			    KXL_CONFIG_MAX_BYTES);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return fail(c, "out of memory");
	}
	/* Read one byte more than stat said: the file may have grown. */
	n = read(fd, buf, (size_t)st.st_size + 1);
	close(fd);
	if (n < 0 || n > st.st_size) {
		free(buf);
		return n < 0 ? fail(c, "cannot read: %s", strerror(errno))
			     : fail(c, "file changed while being read");
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

static const char *type_name(yajl_val v)
{
	if (YAJL_IS_STRING(v))
		return "string";
	if (YAJL_IS_INTEGER(v))
		return "integer";
	if (YAJL_IS_NUMBER(v))
		return "number";
	if (YAJL_IS_OBJECT(v))
		return "object";
	if (YAJL_IS_ARRAY(v))
		return "array";
	if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
		return "boolean";
	return "null";
}

/* yajl's message spans lines (it draws an arrow); keep it on one. */
static void one_line(char *s)
{
	char *w = s, *r;

	for (r = s; *r; r++) {
		if (*r == '\n' || *r == '\r' || *r == '\t' || *r == ' ') {
			if (w > s && w[-1] != ' ')
				*w++ = ' ';
		} else {
			*w++ = *r;
		}
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/*
 * The tree API gives no offset, so re-run the text through a bare yajl
 * parser to learn where it stopped, as line:column.
 */
static int fail_json(struct ctx *c, const char *text)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	size_t len = strlen(text), at = len, i;
	unsigned int line = 1, col = 1;
	unsigned char *msg = NULL;
	int rc;

	if (!h)
		return fail(c, "invalid JSON");
	if (yajl_parse(h, (const unsigned char *)text, len) != yajl_status_ok)
		at = yajl_get_bytes_consumed(h);
	else if (yajl_complete_parse(h) == yajl_status_ok)
		at = len;
	msg = yajl_get_error(h, 0, NULL, 0);
	for (i = 0; i < at && i < len; i++) {
		col = text[i] == '\n' ? 1 : col + 1;
		line += text[i] == '\n';
	}
	if (msg)
		one_line((char *)msg);
	rc = fail(c, "invalid JSON near line %u, column %u: %s", line, col,
		  msg ? (const char *)msg : "parse error");
	if (msg)
		yajl_free_error(h, msg);
	yajl_free(h);
	return rc;
}

static int get_int(struct ctx *c, const char *key, yajl_val v, long long min,
		   long long max, const char *unit, long long *out)
{
	if (!YAJL_IS_INTEGER(v))
		return fail(c, "key '%s' must be an integer%s, got %s", key,
			    unit, type_name(v));
	if (YAJL_GET_INTEGER(v) < min || YAJL_GET_INTEGER(v) > max)
		return fail(c,
			    "key '%s' must be between %lld and %lld%s, got "
			    "%lld",
			    key, min, max, unit, YAJL_GET_INTEGER(v));
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int get_string(struct ctx *c, const char *key, yajl_val v,
		      size_t max_len, const char **out)
{
	if (!YAJL_IS_STRING(v))
		return fail(c, "key '%s' must be a string, got %s", key,
			    type_name(v));
	/* Checked above, but yajl's accessor may yield NULL by its type. */
	*out = v->u.string;
	if (strlen(*out) > max_len)
		return fail(c, "key '%s' is longer than %zu bytes", key,
			    max_len);
	return 0;
}

static int set_name(struct ctx *c, yajl_val v, struct kxl_config *cfg)
{
	const char *s;

	if (get_string(c, "name", v, KXEN_NAME_MAX - 1, &s) < 0)
		return -1;
	if (!kxen_name_valid(s, strlen(s) + 1))
		return fail(c,
			    "key 'name' must be 1-63 characters of "
			    "A-Z a-z 0-9 _ . -, got '%s'",
			    s);
	memcpy(cfg->name, s, strlen(s) + 1);
	return 0;
}

/* kernel paths are relative to the config file, not the shell's cwd. */
static int set_kernel(struct ctx *c, yajl_val v, struct kxl_config *cfg)
{
	const char *s, *slash;
	int n;

	if (get_string(c, "kernel", v, 4095, &s) < 0)
		return -1;
	if (!*s)
		return fail(c, "key 'kernel' must not be empty");
	slash = strrchr(c->path, '/');
	if (s[0] == '/' || !slash)
		n = asprintf(&cfg->kernel, "%s", s);
	else
		n = asprintf(&cfg->kernel, "%.*s/%s", (int)(slash - c->path),
			     c->path, s);
	if (n < 0) {
		cfg->kernel = NULL;
		return fail(c, "out of memory");
	}
	return 0;
}

static int set_cmdline(struct ctx *c, yajl_val v, struct kxl_config *cfg)
{
	const char *s;

	if (get_string(c, "cmdline", v, KXL_CMDLINE_MAX, &s) < 0)
		return -1;
	free(cfg->cmdline);
	cfg->cmdline = strdup(s);
	return cfg->cmdline ? 0 : fail(c, "out of memory");
}

static const char *const timer_mode_names[KXL_TIMER_MODE_COUNT] = {
    "delay_for_missed_ticks", "no_delay_for_missed_ticks",
    "no_missed_ticks_pending", "one_missed_tick_pending"};

const char *kxl_timer_mode_name(unsigned int mode)
{
	return mode < KXL_TIMER_MODE_COUNT ? timer_mode_names[mode] : NULL;
}

/*
 * xl.cfg(5) takes the mode by name; xl also accepts the number Xen's
 * HVM_PARAM_TIMER_MODE uses, so both spellings are kept.
 */
static int set_timer_mode(struct ctx *c, yajl_val v, struct kxl_config *cfg)
{
	static const char expect[] =
	    "key 'timer_mode' must be one of delay_for_missed_ticks, "
	    "no_delay_for_missed_ticks, no_missed_ticks_pending, "
	    "one_missed_tick_pending (or 0-3)";
	long long n;
	unsigned int m;

	if (YAJL_IS_INTEGER(v)) {
		n = YAJL_GET_INTEGER(v);
		if (n < 0 || n >= (long long)KXL_TIMER_MODE_COUNT)
			return fail(c, "%s, got %lld", expect, n);
		cfg->timer_mode = (unsigned int)n;
		return 0;
	}
	if (!YAJL_IS_STRING(v))
		return fail(c, "%s, got %s", expect, type_name(v));
	for (m = 0; m < KXL_TIMER_MODE_COUNT; m++)
		if (strcmp(v->u.string, timer_mode_names[m]) == 0) {
			cfg->timer_mode = m;
			return 0;
		}
	/* Bounded: the value is the author's typo, not a place to dump 1 MiB.
	 */
	return fail(c, "%s, got '%.64s'", expect, v->u.string);
}

enum key {
	K_NAME,
	K_MEMORY,
	K_VCPUS,
	K_KERNEL,
	K_CMDLINE,
	K_TIMER_MODE,
	K_DEVICES,
	K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "name", "memory", "vcpus", "kernel", "cmdline", "timer_mode", "devices"};

/* The device model's --devices list, passed on as written: kxen-dm
 * knows its devices and names the bad one itself. */
static int set_devices(struct ctx *c, yajl_val v, struct kxl_config *cfg)
{
	const char *s;

	if (get_string(c, "devices", v, KXL_DEVICES_MAX, &s) < 0)
		return -1;
	free(cfg->devices);
	cfg->devices = strdup(s);
	return cfg->devices ? 0 : fail(c, "out of memory");
}

static int set_key(struct ctx *c, enum key k, yajl_val v,
		   struct kxl_config *cfg)
{
	long long n = 0;

	switch (k) {
	case K_NAME:
		return set_name(c, v, cfg);
	case K_MEMORY:
		if (get_int(c, "memory", v, KXL_MEMORY_MIN_MIB,
			    KXL_MEMORY_MAX_MIB, " (MiB)", &n) < 0)
			return -1;
		cfg->memory_mib = (uint64_t)n;
		return 0;
	case K_VCPUS:
		if (get_int(c, "vcpus", v, 1, KXL_VCPUS_MAX, "", &n) < 0)
			return -1;
		cfg->vcpus = (unsigned int)n;
		return 0;
	case K_KERNEL:
		return set_kernel(c, v, cfg);
	case K_TIMER_MODE:
		return set_timer_mode(c, v, cfg);
	case K_DEVICES:
		return set_devices(c, v, cfg);
	default:
		return set_cmdline(c, v, cfg);
	}
}

static int find_key(const char *name)
{
	int k;

	for (k = 0; k < K_COUNT; k++)
		if (strcmp(name, key_names[k]) == 0)
			return k;
	return -1;
}

static int parse_object(struct ctx *c, yajl_val root, struct kxl_config *cfg)
{
	bool seen[K_COUNT] = {false};
	unsigned int ext_seen = 0;
	size_t i;

	if (!YAJL_IS_OBJECT(root))
		return fail(c, "top level must be a JSON object, got %s",
			    type_name(root));
	for (i = 0; i < root->u.object.len; i++) {
		const char *key = root->u.object.keys[i];
		int k = find_key(key), x = kxl_config_ext_find(key);

		if (k < 0 && x >= 0) {
			if (ext_seen & 1u << x)
				return fail(c, "duplicate key '%s'", key);
			ext_seen |= 1u << x;
			if (kxl_config_ext_set(x, c->path,
					       root->u.object.values[i], cfg,
					       c->err, c->errlen) < 0)
				return -1;
			continue;
		}
		if (k < 0)
			return fail(
			    c,
			    "unknown key '%s' (known: name, memory, "
			    "vcpus, kernel, cmdline, timer_mode, devices, %s)",
			    key, kxl_config_ext_keys);
		if (seen[k])
			return fail(c, "duplicate key '%s'", key);
		seen[k] = true;
		if (set_key(c, (enum key)k, root->u.object.values[i], cfg) < 0)
			return -1;
	}
	if (!seen[K_NAME])
		return fail(c, "missing required key 'name'");
	if (!seen[K_MEMORY])
		return fail(c, "missing required key 'memory' (MiB)");
	if (!seen[K_KERNEL])
		return fail(c, "missing required key 'kernel'");
	return 0;
}

static int parse_text(struct ctx *c, const char *text, struct kxl_config *cfg)
{
	yajl_val root = yajl_tree_parse(text, NULL, 0);
	int rc;

	if (!root)
		return fail_json(c, text);
	rc = parse_object(c, root, cfg);
	yajl_tree_free(root);
	return rc;
}

int kxl_config_load(const char *path, struct kxl_config *cfg, char *err,
		    size_t errlen)
{
	struct ctx c = {.path = path, .err = err, .errlen = errlen};
	char *text = NULL;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->vcpus = 1;
	kxl_config_ext_defaults(cfg);
	if (read_file(&c, &text) < 0)
		return -1;
	rc = parse_text(&c, text, cfg);
	free(text);
	if (rc == 0) {
		cfg->path = strdup(path);
		if (!cfg->cmdline)
			cfg->cmdline = strdup("");
		if (!cfg->path || !cfg->cmdline)
			rc = fail(&c, "out of memory");
	}
	if (rc < 0)
		kxl_config_free(cfg);
	return rc;
}

void kxl_config_free(struct kxl_config *cfg)
{
	free(cfg->path);
	free(cfg->kernel);
	free(cfg->cmdline);
	kxl_config_ext_free(cfg);
	free(cfg->devices);
	memset(cfg, 0, sizeof(*cfg));
	cfg->vcpus = 1;
}
