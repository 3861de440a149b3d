/*
 * xenevtchn.h for kxen: event channels between a device model and the
 * domains it serves, with the names, argument order and return
 * conventions of Xen 4.17's libxenevtchn.
 *
 * kxen's event channels are pairs of eventfds that kxend hands over when
 * a port is bound (include/kxen/abi.h): one becomes readable when the
 * domain notifies the port, the other is written to notify the domain.
 * A handle may bind ports of several domains; a local port number is the
 * domain's own port number, so two domains' ports with the same number
 * cannot share one handle (EBUSY).
 *
 * Functions return 0 (or a port) on success and -1 with errno set on
 * failure.
 */
#ifndef XENEVTCHN_H
#define XENEVTCHN_H

#include <stdint.h>

#include "xentoollog.h"

#ifndef KXEN_EVTCHN_PORT_T_DEFINED
#define KXEN_EVTCHN_PORT_T_DEFINED
typedef uint32_t evtchn_port_t; /* as Xen's public/event_channel.h */
#endif
#ifndef KXEN_DOMID_T_DEFINED
#define KXEN_DOMID_T_DEFINED
typedef uint16_t domid_t;
#endif

/* A port number, or -1 with errno set. */
typedef int xenevtchn_port_or_error_t;

typedef struct xenevtchn_handle xenevtchn_handle;

/* open flag: the descriptors are inherited across exec. */
#define XENEVTCHN_NO_CLOEXEC (1 << 0)

/*
 * Open a handle; no connection is made until a port is bound. logger is
 * unused; flags may only hold XENEVTCHN_NO_CLOEXEC. NULL + errno.
 */
xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger,
				 unsigned int flags);

/* Unbind every port and free the handle. 0, or -1 + errno. */
int xenevtchn_close(xenevtchn_handle *xce);

/*
 * One descriptor to poll for the whole handle: readable while any bound
 * port has a notification pending (an epoll descriptor over the ports).
 */
int xenevtchn_fd(xenevtchn_handle *xce);

/* Notify the domain at the other end of a bound port. */
int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port);

/*
 * Allocate a new port of domain domid and bind it here (the domain's
 * side starts out unused). Returns the port.
 */
xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce,
						      uint32_t domid);

/*
 * Bind domain domid's existing port remote_port (an ioreq server's
 * per-vCPU or buffered port). Returns the local port, equal to
 * remote_port. EINVAL: no such port; EBUSY: already bound.
 */
xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce,
						     uint32_t domid,
						     evtchn_port_t remote_port);

/* Unbind a port bound through this handle (EINVAL if it is not). */
int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port);

/*
 * A port with a pending notification, which is consumed; -1 with errno
 * EAGAIN when none is pending (the call never blocks).
 */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce);

/*
 * Re-enable delivery on a port. kxen never masks a port, so this only
 * checks that the port is bound here (EINVAL otherwise).
 */
int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port);

/*
 * Limit the handle to domain domid: binding ports of any other domain
 * fails with EPERM from now on, locally and in kxend.
 */
int xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid);

#endif /* XENEVTCHN_H */
