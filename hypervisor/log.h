/*
 * kxend's log: levelled lines to a log file, to stderr in the foreground,
 * and into an in-memory ring that the readconsolering hypercall returns
 * (Xen's console ring semantics: a byte index that only grows).
 *
 * A domain child has no ring: its lines travel to the parent as
 * KXEN_OP_EVENT_LOG messages and, while no parent is attached, go to the
 * log file directly.
 */
#ifndef KXEN_LOG_H
#define KXEN_LOG_H

#include <stdarg.h>
#include <stdint.h>

#include "kxen/abi.h"

#define LOG_NO_DOMID UINT32_MAX

struct kxlog;

/*
 * Sink for a domain child's lines; returns 0 when the line was delivered,
 * negative when it must go to the file instead.
 */
typedef int (*kxlog_forward_fn)(void *opaque, int level, const char *line);

/* The process's log (main()'s singleton). */
int kxlog_open(const char *logdir, int max_level, int to_stderr);
void kxlog_close(void);

/* In a domain child: forward lines through fn while it succeeds. */
void kxlog_set_forward(kxlog_forward_fn fn, void *opaque);

void kxlog(int level, uint32_t domid, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kxlogv(int level, uint32_t domid, const char *fmt, va_list ap);

/* Append a line that already carries its prefix (lines from children). */
void kxlog_line(int level, const char *line);

/* Console ring read, Xen's readconsolering semantics; returns bytes. */
uint32_t kxlog_ring_read(char *buf, uint32_t max, uint32_t flags,
			 uint32_t index, uint32_t *next_index);

#define log_error(domid, ...) kxlog(KXEN_LOG_ERROR, domid, __VA_ARGS__)
#define log_warn(domid, ...) kxlog(KXEN_LOG_WARN, domid, __VA_ARGS__)
#define log_info(domid, ...) kxlog(KXEN_LOG_INFO, domid, __VA_ARGS__)
#define log_debug(domid, ...) kxlog(KXEN_LOG_DEBUG, domid, __VA_ARGS__)

#endif
