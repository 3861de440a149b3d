/*
 * A serial console's outside world: what the guest writes goes to a log
 * file, to a history of the last CONSOLE_HISTORY bytes (sent first to a
 * client that attaches late) and to every attached client; what clients
 * type is queued here and fed to the device as it makes room.
 *
 * Clients connect to a unix stream socket (mode 0600). The protocol is
 * raw bytes both ways: on connect the server sends the history, then
 * live output; everything the client sends is console input. A client
 * leaving only closes its connection: queued input, the other clients
 * and the guest are unaffected.
 */
#ifndef KXEN_DM_CONSOLE_H
#define KXEN_DM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_HISTORY 65536u

struct event_base;
struct console;

struct console_ops {
	/* Offer input to the device; returns how many bytes it took. */
	size_t (*input)(void *ctx, const uint8_t *buf, size_t len);
	/* Input was queued (the device may want to start a timer). */
	void (*input_queued)(void *ctx);
};

/*
 * sock_path may be NULL (a log-only console). NULL + one line in err on
 * failure.
 */
struct console *console_create(struct event_base *base, const char *log_path,
			       const char *sock_path,
			       const struct console_ops *ops, void *ctx,
			       char *err, size_t errlen);
void console_destroy(struct console *c);

/* The guest wrote these bytes. */
void console_output(struct console *c, const uint8_t *buf, size_t len);
/* Feed queued input to the device as far as it takes it. */
void console_pump(struct console *c);
/* Bytes of input still queued in the DM. */
size_t console_pending_input(struct console *c);

#endif
