#ifndef KXEN_CHILD_REQUESTS_H
#define KXEN_CHILD_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct domain;

/*
 * Handle one validated request for the child's domain, from the
 * connection identified by owner. Returns the reply payload size written
 * to out (0 for none) or a negative errno. fds[0..1] get descriptors the
 * reply passes along, or -1; *fds_owned says whether the caller must
 * close them after sending (new ones) or not (the domain's own).
 * DESTROY only checks its arguments: the caller tears the domain down.
 */
int child_handle_request(struct domain *d, uint64_t owner, uint16_t op,
			 const void *payload, size_t len, void *out, int *fds,
			 bool *fds_owned);

#endif
