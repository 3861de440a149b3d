/*
 * kxl console NAME: the terminal joins the domain's serial console,
 * served by its kxen-dm on RUNDIR/console-DOMID.sock (raw bytes both
 * ways; the DM first replays recent output). The terminal goes raw so
 * every key reaches the guest, except Ctrl-] which detaches, as in xl;
 * it is restored on every way out, signals included.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "dm_spawn.h"
#include "kxl.h"

#define DETACH_KEY 0x1d /* Ctrl-] */

/* The saved terminal, for the signal handler: kxl's singleton. */
static struct termios saved_tio;
static volatile sig_atomic_t tio_saved;

static void restore_tty(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_saved = 0;
}

static void on_fatal_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void raw_tty(void)
{
	static const int sigs[] = {SIGTERM, SIGHUP, SIGQUIT, SIGINT};
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	tio_saved = 1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal_signal);
	raw = saved_tio;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
}

static int connect_console(uint32_t domid, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/console-%u.sock",
		 kxl_rundir(), domid);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		kxl_err("cannot attach to the console of domain '%s' at %s: "
			"%s (is its device model running?)",
			name, sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Keys to the guest; 1 when the user detached, -1 on error, 0 on. */
static int forward_keys(int sock)
{
	char buf[512];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	char *key;

	if (n <= 0)
		return n == 0 ? 1 : (errno == EINTR ? 0 : -1);
	key = memchr(buf, DETACH_KEY, (size_t)n);
	if (key)
		n = key - buf;
	if (n > 0 && write_all(sock, buf, (size_t)n) < 0)
		return -1;
	return key ? 1 : 0;
}

/* Guest output to the terminal; 1 when the console closed. */
static int forward_output(int sock)
{
	char buf[4096];
	ssize_t n = read(sock, buf, sizeof(buf));

	if (n <= 0)
		return n == 0 || errno != EINTR ? 1 : 0;
	return write_all(STDOUT_FILENO, buf, (size_t)n) < 0 ? -1 : 0;
}

static int relay(int sock)
{
	struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
			      {.fd = sock, .events = POLLIN}};
	int rc = 0;

	while (rc == 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents)
			rc = forward_output(sock);
		if (rc == 0 && p[0].revents)
			rc = forward_keys(sock);
	}
	return rc;
}

int kxl_console_attach(uint32_t domid, const char *name)
{
	int sock = connect_console(domid, name), rc;

	if (sock < 0)
		return KXL_EXIT_FAIL;
	raw_tty();
	rc = relay(sock);
	restore_tty();
	close(sock);
	if (rc < 0) {
		kxl_err("console of domain '%s': %s", name, strerror(errno));
		return KXL_EXIT_FAIL;
	}
	return 0;
}

int kxl_cmd_console(int argc, char **argv)
{
	xc_interface *xch;
	uint32_t domid;

	if (argc != 2) {
		kxl_err("usage: kxl console NAME|ID");
		return KXL_EXIT_USAGE;
	}
	xch = kxl_open();
	if (!xch)
		return KXL_EXIT_FAIL;
	if (kxc_domain_lookup(xch, argv[1], &domid) < 0) {
		if (errno == ESRCH)
			kxl_err("no domain named '%s' (see 'kxl list')",
				argv[1]);
		else
			kxl_err("cannot look up domain '%s': %s", argv[1],
				kxc_last_error(xch));
		xc_interface_close(xch);
		return KXL_EXIT_FAIL;
	}
	xc_interface_close(xch);
	return kxl_console_attach(domid, argv[1]);
}
