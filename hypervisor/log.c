/*
 * kxend log: file + stderr + console ring. One per process; the lock
 * guards every field because vCPU threads log too.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RING_SIZE (256u * 1024u) /* power of two: index & (size - 1) */
#define LINE_MAX_LEN 1024

struct kxlog {
	pthread_mutex_t lock; /* guards everything below */
	int fd;		      /* log file, O_APPEND; -1 when none */
	int max_level;
	int to_stderr;
	kxlog_forward_fn forward;
	void *forward_opaque;
	char *ring;
	uint32_t ring_prod;  /* bytes ever written */
	uint32_t ring_clear; /* non-incremental reads start here */
};

/* main()'s singleton: every thread of the process logs through it. */
static struct kxlog the_log = {
    .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .max_level = KXEN_LOG_INFO};

static const char *level_name[] = {"error", "warn", "info", "debug"};

int kxlog_open(const char *logdir, int max_level, int to_stderr)
{
	char path[4096];

	pthread_mutex_lock(&the_log.lock);
	the_log.max_level = max_level;
	the_log.to_stderr = to_stderr;
	if (!the_log.ring) {
		the_log.ring = calloc(1, RING_SIZE);
		if (!the_log.ring) {
			pthread_mutex_unlock(&the_log.lock);
			return -ENOMEM;
		}
	}
	pthread_mutex_unlock(&the_log.lock);
	if (!logdir)
		return 0;
	if (snprintf(path, sizeof(path), "%s/kxend.log", logdir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	pthread_mutex_lock(&the_log.lock);
	if (the_log.fd >= 0)
		close(the_log.fd);
	the_log.fd = fd;
	pthread_mutex_unlock(&the_log.lock);
	return 0;
}

void kxlog_close(void)
{
	pthread_mutex_lock(&the_log.lock);
	if (the_log.fd >= 0)
		close(the_log.fd);
	the_log.fd = -1;
	free(the_log.ring);
	the_log.ring = NULL;
	pthread_mutex_unlock(&the_log.lock);
}

void kxlog_set_forward(kxlog_forward_fn fn, void *opaque)
{
	pthread_mutex_lock(&the_log.lock);
	the_log.forward = fn;
	the_log.forward_opaque = opaque;
	pthread_mutex_unlock(&the_log.lock);
}

static void ring_append(const char *s, size_t len)
{
	size_t i;

	if (!the_log.ring)
		return;
	for (i = 0; i < len; i++)
		the_log.ring[(the_log.ring_prod++) & (RING_SIZE - 1)] = s[i];
}

/* Caller holds the lock. Writes one finished line everywhere. */
static void emit_locked(int level, const char *line)
{
	char stamp[64], out[LINE_MAX_LEN + 96];
	struct timespec ts;
	struct tm tm;
	int n;

	if (level < 0 || level > KXEN_LOG_DEBUG)
		level = KXEN_LOG_ERROR;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(out, sizeof(out), "%s.%03ldZ [%s] %s\n", stamp,
		     ts.tv_nsec / 1000000, level_name[level], line);
	if (n < 0)
		return;
	if (n >= (int)sizeof(out))
		n = sizeof(out) - 1;
	if (the_log.fd >= 0 && write(the_log.fd, out, n) < 0) {
		/* Nowhere left to report a failing log file. */
	}
	if (the_log.to_stderr && write(STDERR_FILENO, out, n) < 0) {
	}
	/* The ring holds what `kxl dmesg` shows: level and text. */
	n = snprintf(out, sizeof(out), "(%s) %s\n", level_name[level], line);
	if (n >= (int)sizeof(out))
		n = sizeof(out) - 1;
	if (n > 0)
		ring_append(out, n);
}

void kxlog_line(int level, const char *line)
{
	pthread_mutex_lock(&the_log.lock);
	if (level <= the_log.max_level)
		emit_locked(level, line);
	pthread_mutex_unlock(&the_log.lock);
}

void kxlogv(int level, uint32_t domid, const char *fmt, va_list ap)
{
	char line[LINE_MAX_LEN];
	int off = 0;

	if (domid != LOG_NO_DOMID)
		off = snprintf(line, sizeof(line), "d%u: ", domid);
	vsnprintf(line + off, sizeof(line) - off, fmt, ap);
	pthread_mutex_lock(&the_log.lock);
	if (level > the_log.max_level) {
		pthread_mutex_unlock(&the_log.lock);
		return;
	}
	if (the_log.forward &&
	    the_log.forward(the_log.forward_opaque, level, line) == 0) {
		pthread_mutex_unlock(&the_log.lock);
		return;
	}
	emit_locked(level, line);
	pthread_mutex_unlock(&the_log.lock);
}

void kxlog(int level, uint32_t domid, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kxlogv(level, domid, fmt, ap);
	va_end(ap);
}

uint32_t kxlog_ring_read(char *buf, uint32_t max, uint32_t flags,
			 uint32_t index, uint32_t *next_index)
{
	uint32_t start, avail, n, i, oldest;

	pthread_mutex_lock(&the_log.lock);
	oldest =
	    the_log.ring_prod > RING_SIZE ? the_log.ring_prod - RING_SIZE : 0;
	if (flags & KXEN_CONRING_INCREMENTAL)
		start = index;
	else
		start = the_log.ring_clear;
	/* An index older than the ring holds, or from the future, restarts
	 * at the oldest byte still present. */
	if ((int32_t)(start - oldest) < 0 ||
	    (int32_t)(the_log.ring_prod - start) < 0)
		start = oldest;
	avail = the_log.ring_prod - start;
	n = avail < max ? avail : max;
	for (i = 0; i < n; i++)
		buf[i] = the_log.ring[(start + i) & (RING_SIZE - 1)];
	*next_index = start + n;
	if (flags & KXEN_CONRING_CLEAR)
		the_log.ring_clear = the_log.ring_prod;
	pthread_mutex_unlock(&the_log.lock);
	return n;
}
