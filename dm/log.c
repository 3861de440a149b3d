/*
 * The DM's log file. One DM process serves one domain, so the log is a
 * process singleton like main()'s own state: the only file-scope state
 * in the DM (STYLE.md practice 2 allows main()'s singletons).
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "dm.h"

static FILE *log_file;

int dm_log_open(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	log_file = f;
	return 0;
}

void dm_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

void dm_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (!log_file)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log_file, "%s.%03ld [%d] ", stamp, ts.tv_nsec / 1000000,
		(int)getpid());
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
