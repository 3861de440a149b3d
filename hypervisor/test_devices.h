/*
 * QEMU's test devices for a domain (KXEN_OP_TEST_DEVICES, issue 9):
 * isa-debug-exit, pc-testdev's interrupt lines and fw_cfg, each in
 * dev/. They live in the core rather than in kxen-dm because the exit
 * device must end the domain and record its status, the lines drive the
 * core's wires directly, and fw_cfg answers from facts the toolstack
 * hands over once (docs/design-notes.md "Test devices").
 */
#ifndef KXEN_TEST_DEVICES_H
#define KXEN_TEST_DEVICES_H

#include <stddef.h>

#include "kxen/abi.h"

struct domain;

/*
 * Create and register what req asks for (len: the whole payload, the
 * command line included). Only before the first unpause, only once.
 * Returns 0 or a negative errno (see the op in abi.h).
 */
int test_devices_setup(struct domain *d, const struct kxen_test_devices *req,
		       size_t len);

/* vCPU threads must have been joined; the wires must still exist. */
void test_devices_destroy(struct domain *d);

#endif
