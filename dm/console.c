/*
 * Console backend (see console.h). Runs in the DM's event loop only.
 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "dm.h"

/* A client that stops reading loses its connection rather than making
 * the DM buffer without bound. */
#define CLIENT_BACKLOG_MAX (1u << 20)

struct client {
	struct console *con;
	struct bufferevent *bev;
	unsigned id;
	struct client *next;
};

struct console {
	const struct console_ops *ops;
	void *ctx;
	struct event_base *base;
	int log_fd;
	char *sock_path;
	struct evconnlistener *listener;
	struct client *clients;
	unsigned next_id;
	struct evbuffer *input;
	uint8_t history[CONSOLE_HISTORY];
	size_t hist_head, hist_len; /* ring: oldest byte at head */
};

__attribute__((format(printf, 3, 4))) static void fail(char *err, size_t len,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void drop_client(struct client *cl, const char *why)
{
	struct console *c = cl->con;
	struct client **pp;

	for (pp = &c->clients; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	dm_log("console client %u detached (%s)", cl->id, why);
	bufferevent_free(cl->bev);
	free(cl);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	struct console *c = cl->con;

	evbuffer_add_buffer(c->input, bufferevent_get_input(bev));
	console_pump(c);
	if (evbuffer_get_length(c->input) && c->ops->input_queued)
		c->ops->input_queued(c->ctx);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		drop_client(arg, what & BEV_EVENT_EOF ? "closed" : "error");
}

/* The history in order, oldest first. */
static void send_history(struct console *c, struct bufferevent *bev)
{
	size_t first = CONSOLE_HISTORY - c->hist_head;

	if (first > c->hist_len)
		first = c->hist_len;
	bufferevent_write(bev, c->history + c->hist_head, first);
	bufferevent_write(bev, c->history, c->hist_len - first);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
		      struct sockaddr *sa, int salen, void *arg)
{
	struct console *c = arg;
	struct client *cl = calloc(1, sizeof(*cl));

	(void)l;
	(void)sa;
	(void)salen;
	if (cl)
		cl->bev =
		    bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (!cl || !cl->bev) {
		dm_log("console: out of memory for a client: refused");
		free(cl);
		close(fd);
		return;
	}
	cl->con = c;
	cl->id = ++c->next_id;
	cl->next = c->clients;
	c->clients = cl;
	bufferevent_setcb(cl->bev, client_read, NULL, client_event, cl);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
	send_history(c, cl->bev);
	dm_log("console client %u attached (%zu bytes of history sent)", cl->id,
	       c->hist_len);
}

static int listen_socket(const char *path, char *err, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fail(err, len, "console socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fail(err, len, "cannot create a socket: %s", strerror(errno));
		return -1;
	}
	unlink(path); /* a previous DM's leftover for this domain id */
	/* Create it 0600 from the start: no window where others connect. */
	old = umask(077);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(fd, 8) < 0) {
		fail(err, len, "cannot listen on console socket %s: %s", path,
		     strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int open_listener(struct console *c, const char *path, char *err,
			 size_t len)
{
	int fd = listen_socket(path, err, len);

	if (fd < 0)
		return -1;
	c->sock_path = strdup(path);
	c->listener = evconnlistener_new(c->base, on_accept, c,
					 LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (!c->sock_path || !c->listener) {
		fail(err, len, "cannot watch console socket %s", path);
		if (!c->listener)
			close(fd);
		return -1;
	}
	return 0;
}

struct console *console_create(struct event_base *base, const char *log_path,
			       const char *sock_path,
			       const struct console_ops *ops, void *ctx,
			       char *err, size_t errlen)
{
	struct console *c = calloc(1, sizeof(*c));

	if (!c) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	c->ops = ops;
	c->ctx = ctx;
	c->base = base;
	c->input = evbuffer_new();
	c->log_fd =
	    open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (c->log_fd < 0) {
		fail(err, errlen, "cannot open console log %s: %s", log_path,
		     strerror(errno));
		console_destroy(c);
		return NULL;
	}
	if (!c->input ||
	    (sock_path && open_listener(c, sock_path, err, errlen) < 0)) {
		if (!c->input)
			fail(err, errlen, "out of memory");
		console_destroy(c);
		return NULL;
	}
	return c;
}

void console_destroy(struct console *c)
{
	if (!c)
		return;
	while (c->clients)
		drop_client(c->clients, "console closing");
	if (c->listener)
		evconnlistener_free(c->listener);
	if (c->sock_path)
		unlink(c->sock_path);
	free(c->sock_path);
	if (c->input)
		evbuffer_free(c->input);
	if (c->log_fd >= 0)
		close(c->log_fd);
	free(c);
}

static void remember(struct console *c, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		size_t tail = (c->hist_head + c->hist_len) % CONSOLE_HISTORY;

		c->history[tail] = buf[i];
		if (c->hist_len < CONSOLE_HISTORY)
			c->hist_len++;
		else
			c->hist_head = (c->hist_head + 1) % CONSOLE_HISTORY;
	}
}

void console_output(struct console *c, const uint8_t *buf, size_t len)
{
	struct client *cl, *next;

	if (c->log_fd >= 0 && write(c->log_fd, buf, len) < 0) {
		dm_log("console log write failed: %s; log disabled",
		       strerror(errno));
		close(c->log_fd);
		c->log_fd = -1;
	}
	remember(c, buf, len);
	for (cl = c->clients; cl; cl = next) {
		next = cl->next;
		if (evbuffer_get_length(bufferevent_get_output(cl->bev)) >
		    CLIENT_BACKLOG_MAX)
			drop_client(cl, "not reading its output");
		else
			bufferevent_write(cl->bev, buf, len);
	}
}

void console_pump(struct console *c)
{
	size_t len;

	while ((len = evbuffer_get_length(c->input)) > 0) {
		size_t n, chunk = len > 256 ? 256 : len;
		const uint8_t *p = evbuffer_pullup(c->input, (ssize_t)chunk);

		n = c->ops->input(c->ctx, p, chunk);
		evbuffer_drain(c->input, n);
		if (n < chunk)
			break;
	}
}

size_t console_pending_input(struct console *c)
{
	return evbuffer_get_length(c->input);
}
