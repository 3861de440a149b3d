/*
 * kxl: the kxen toolstack CLI, modelled on Xen's xl. Every failure is
 * one line on stderr that names what was wrong and what to do; exit
 * status 1 for failed operations, 2 for a bad command line.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kxl.h"

void kxl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kxl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

xc_interface *kxl_open(void)
{
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);

	if (!xch)
		kxl_err("%s", kxc_last_error(NULL));
	return xch;
}

int kxl_domain_info(xc_interface *xch, uint32_t domid,
		    struct kxen_domain_info *info)
{
	int n = kxc_domain_list(xch, domid, 1, info);

	if (n < 0)
		return -1;
	return n == 1 && info->domid == domid;
}

double kxl_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
    {"create", kxl_cmd_create, "[-c|-F|-w] FILE.json",
     "build and start a domain, watched per on_poweroff/on_reboot/"
     "on_crash\n"
     "                                (-c: attach its console; -F: watch in "
     "the foreground until it is gone;\n"
     "                                -w: as -F, exit 0 on power-off/reboot, "
     "4 on a crash, or the guest's exit status)"},
    {"console", kxl_cmd_console, "NAME|ID",
     "attach to a domain's serial console (Ctrl-] detaches)"},
    {"list", kxl_cmd_list, "[NAME|ID]", "list domains"},
    {"shutdown", kxl_cmd_shutdown, "[-w] [-t S] NAME|ID",
     "press the ACPI power button (-w: wait up to S s, default 60)"},
    {"reboot", kxl_cmd_reboot, "[-w] [-t S] NAME|ID",
     "as shutdown, its power-off then counts as a reboot (on_reboot)"},
    {"destroy", kxl_cmd_destroy, "NAME|ID", "end a domain at once"},
    {"pause", kxl_cmd_pause, "NAME|ID", "stop a domain's vCPUs"},
    {"unpause", kxl_cmd_unpause, "NAME|ID", "resume a paused domain"},
    {"dmesg", kxl_cmd_dmesg, "[-c]", "print (and with -c clear) kxend's log"},
    {"info", kxl_cmd_info, "", "host and hypervisor information"},
    {"stat", kxl_cmd_stat, "NAME|ID [--json] [-d S [-n N]]",
     "exits per device: in the core, to the DM, unclaimed"},
    {"help", cmd_help, "", "this text"},
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: kxl [-r|--rundir DIR] COMMAND [ARGS]\n\n"
		   "kxend's socket is DIR/kxend.sock (DIR defaults to "
		   "$KXEN_RUNDIR, then /run/kxen).\n\nCommands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %-20s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct option options[] = {
    {"rundir", required_argument, NULL, 'r'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	size_t i;
	int c;

	/* '+': stop at the command, whose own options come after it. */
	while ((c = getopt_long(argc, argv, "+r:h", options, NULL)) != -1) {
		if (c == 'r') {
			if (setenv("KXEN_RUNDIR", optarg, 1) < 0) {
				kxl_err("cannot set the run directory");
				return KXL_EXIT_FAIL;
			}
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			kxl_err("bad option (see 'kxl help')");
			return KXL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		kxl_err("no command given (see 'kxl help')");
		return KXL_EXIT_USAGE;
	}
	for (i = 0; i < NR_COMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return commands[i].fn(argc - optind, argv + optind);
	kxl_err("unknown command '%s' (see 'kxl help')", argv[optind]);
	return KXL_EXIT_USAGE;
}
