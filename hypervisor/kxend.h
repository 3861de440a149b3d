/*
 * The kxend parent: control socket, registry of domain children, log
 * ring. Single-threaded (one poll loop), so its fields need no lock.
 */
#ifndef KXEN_KXEND_H
#define KXEN_KXEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kxen/abi.h"

#define CHILD_CALL_TIMEOUT_MS 30000

/* A domain as the parent knows it: how to reach its child. */
struct dom_record {
	uint32_t domid;
	char name[KXEN_NAME_MAX];
	pid_t pid;	       /* the child's pid */
	bool ours;	       /* forked by this parent (so we reap it) */
	int fd;		       /* connection to the child; -1 once it is gone */
	char gone_reason[128]; /* why the child process is gone */
};

struct client {
	int fd;
	bool handshaken;
	uid_t uid;
	bool restricted;	 /* xendevicemodel_restrict was called */
	uint32_t restrict_domid; /* ... to this domain */
};

struct kxend {
	const char *rundir;
	const char *logdir;
	int log_level;
	int listen_fd;
	int signal_fd;
	bool stop;
	uint32_t seq;

	struct client *clients;
	unsigned nr_clients, cap_clients;
	struct dom_record *doms; /* sorted by domid */
	unsigned nr_doms, cap_doms;

	uint8_t *in;  /* a client's request */
	uint8_t *out; /* our reply to it */
	uint8_t *tmp; /* traffic with a child */
};

/* parent_domains.c */
struct dom_record *doms_find(struct kxend *k, uint32_t domid);
int doms_create(struct kxend *k, const struct kxen_domain_create *req,
		uint32_t *domid_out);
int doms_destroy(struct kxend *k, struct dom_record *r);
/* Forward a domain-scoped request; the reply (header included) lands in
 * k->tmp and its descriptors in fds[KXEN_MSG_MAX_FDS] (-1 for none; the
 * caller closes them). Returns its length or a negative errno. */
ssize_t doms_call(struct kxend *k, struct dom_record *r, const void *req,
		  size_t len, int *fds);
void doms_handle_event(struct kxend *k, struct dom_record *r);
void doms_reap(struct kxend *k);
void doms_adopt_all(struct kxend *k);
void doms_gone(struct kxend *k, struct dom_record *r, const char *why);

/* control.c */
int control_open(struct kxend *k);
int control_run(struct kxend *k);
void control_close(struct kxend *k);

/* host.c */
void host_physinfo(struct kxen_physinfo_reply *out, unsigned nr_domains);
/* KXEN_OP_HOST_CPUID_POLICY into out (room bytes); its size or -errno. */
int host_cpuid_policy(struct kxen_host_cpuid_reply *out, size_t room);

#endif
