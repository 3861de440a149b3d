/*
 * Framing of kxen control messages: send/receive one SOCK_SEQPACKET
 * message with at most one file descriptor, and check a message's header
 * and size against its op before anything reads its payload. Shared by
 * kxend (parent and domain children) and libctl.
 */
#ifndef KXEN_MSG_H
#define KXEN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kxen/abi.h"

/* Fill a header for a request (flags 0) or reply/event. */
void kxen_msg_init(struct kxen_msg_hdr *hdr, uint16_t op, uint32_t size,
		   uint32_t seq, uint32_t flags);

/*
 * Send the message of hdr->size bytes starting at hdr, passing fd along
 * when fd >= 0. Returns 0 or a negative errno.
 */
int kxen_msg_send(int sock, const struct kxen_msg_hdr *hdr, int fd);

/*
 * Receive one message into buf. Returns its length, 0 at end of stream,
 * or a negative errno (-EMSGSIZE when it did not fit). When fd_out is not
 * NULL it receives a passed descriptor or -1; descriptors beyond the
 * first, or any when fd_out is NULL, are closed.
 */
ssize_t kxen_msg_recv(int sock, void *buf, size_t buflen, int *fd_out);

/* Up to KXEN_MSG_MAX_FDS descriptors travel with one message. */
#define KXEN_MSG_MAX_FDS 2

/* Send with nfds descriptors (0..KXEN_MSG_MAX_FDS). */
int kxen_msg_send_fds(int sock, const struct kxen_msg_hdr *hdr, const int *fds,
		      unsigned nfds);
/*
 * Receive with descriptors: fds[0..KXEN_MSG_MAX_FDS-1] get the passed
 * descriptors in order, -1 for missing ones; any beyond are closed.
 */
ssize_t kxen_msg_recv_fds(int sock, void *buf, size_t buflen, int *fds);

/* Close the received descriptors in fds[0..KXEN_MSG_MAX_FDS-1] that are
 * open and mark them -1. */
void kxen_msg_close_fds(int *fds);

/*
 * Like kxen_msg_recv, but gives up after timeout_ms (-1: wait forever)
 * with -ETIMEDOUT.
 */
ssize_t kxen_msg_recv_timeout(int sock, void *buf, size_t buflen, int *fd_out,
			      int timeout_ms);
/* ... with all descriptors (as kxen_msg_recv_fds). */
ssize_t kxen_msg_recv_fds_timeout(int sock, void *buf, size_t buflen, int *fds,
				  int timeout_ms);

/*
 * Check a received request: magic, version, size field equal to the
 * received length, known op and payload size for it. Returns 0,
 * -EBADMSG (bad magic, size or flags), -EPROTO (other ABI version) or
 * -EOPNOTSUPP (unknown op). Never reads beyond len.
 */
int kxen_msg_check_request(const void *buf, size_t len);

/*
 * Check a received reply to a request of op `op` with sequence `seq`;
 * a reply whose status is negative may carry no payload. Returns 0 or
 * -EBADMSG / -EPROTO.
 */
int kxen_msg_check_reply(const void *buf, size_t len, uint16_t op,
			 uint32_t seq);

/* Check a child->parent event (KXEN_OP_EVENT_*). */
int kxen_msg_check_event(const void *buf, size_t len);

/* Whether op is for parent<->child channels only. */
bool kxen_op_child_only(uint16_t op);

/* Name of an op for log lines ("?" when unknown). */
const char *kxen_op_name(uint16_t op);

/* A domain name is 1..63 characters of [A-Za-z0-9_.-], NUL-terminated. */
bool kxen_name_valid(const char *name, size_t buflen);

#endif
