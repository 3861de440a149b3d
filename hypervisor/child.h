/*
 * A domain's kxend child process (privilege separation, see DESIGN.md):
 * it owns the domain's KVM VM and answers control requests for that one
 * domain, from the parent that forked it or from a later parent that
 * adopts it through its socket in the run directory.
 */
#ifndef KXEN_CHILD_H
#define KXEN_CHILD_H

#include <stddef.h>
#include <stdint.h>

struct child_args {
	uint32_t domid;
	const char *name;
	uint32_t max_vcpus;
	uint64_t max_pages;
	const char *rundir;
	const char *logdir;
	int log_level;
	int parent_sock; /* socketpair end: the creating parent */
};

/* Runs the domain until it is destroyed; returns the process exit code. */
int child_main(const struct child_args *args);

/* Path of domain domid's socket; returns 0 or -ENAMETOOLONG. */
int child_socket_path(char *buf, size_t len, const char *rundir,
		      uint32_t domid);

#endif
