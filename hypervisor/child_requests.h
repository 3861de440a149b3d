#ifndef KXEN_CHILD_REQUESTS_H
#define KXEN_CHILD_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

struct domain;

/*
 * Handle one validated request for the child's domain. Returns the reply
 * payload size written to out (0 for none) or a negative errno; *fd_out
 * is a descriptor the reply passes along (owned by the domain), or -1.
 * DESTROY only checks its arguments: the caller tears the domain down.
 */
int child_handle_request(struct domain *d, uint16_t op, const void *payload,
			 size_t len, void *out, int *fd_out);

#endif
