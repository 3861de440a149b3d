/*
 * xentoollog.h for kxen: only the logger type that xenctrl.h and
 * xenforeignmemory.h name in their signatures. Callers pass NULL (or a
 * logger they got elsewhere); libctl never calls through it, and keeps a
 * one-line error text per handle instead (kxc_last_error).
 */
#ifndef XENTOOLLOG_H
#define XENTOOLLOG_H

/* Opaque to kxen: the name and tag match Xen's so prototypes agree. */
typedef struct xentoollog_logger xentoollog_logger;

#endif /* XENTOOLLOG_H */
