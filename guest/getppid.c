/*
 * getppid: the default guest's syscall benchmark (issue 8, bench/
 * getppid.sh). guest/init runs it for kxen.test=getppid. It makes N
 * getppid calls (argv[1], default 10000) in a raw loop, checks that
 * every call returned the same parent, and prints
 *   kxen-guest: getppid n=N ns_per_call=X ppid=P
 * timing the loop with two CLOCK_MONOTONIC reads. No libc: the
 * initramfs holds only busybox-static (guest/build-initramfs.sh builds
 * this with -static -nostdlib), and a libc startup would only add
 * emulated kernel work on PVM hosts.
 *
 * System call numbers and the register convention: x86-64 Linux ABI
 * (arch/x86/entry/syscalls/syscall_64.tbl): rax = number, args in rdi,
 * rsi, rdx; rcx and r11 are clobbered.
 */
#define SYS_WRITE 1
#define SYS_GETPPID 110
#define SYS_CLOCK_GETTIME 228
#define SYS_EXIT_GROUP 231
#define CLOCK_MONOTONIC 1
#define DEFAULT_N 10000
#define MAX_N 100000000L

struct timespec64 {
	long sec, nsec;
};

static long sys3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static unsigned long len(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static void put(const char *s)
{
	sys3(SYS_WRITE, 1, (long)s, (long)len(s));
}

static void put_num(unsigned long v)
{
	char buf[24];
	int i = sizeof(buf) - 1;

	buf[i] = '\0';
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(buf + i);
}

/* Decimal N in 1..MAX_N, or -1. */
static long parse_n(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > MAX_N)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= 1 && v <= MAX_N ? v : -1;
}

static long ns_of(const struct timespec64 *t)
{
	return t->sec * 1000000000L + t->nsec;
}

static int run(long n)
{
	struct timespec64 t0, t1;
	long ppid = sys3(SYS_GETPPID, 0, 0, 0), i;

	if (sys3(SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, (long)&t0, 0) < 0)
		return 2;
	for (i = 0; i < n; i++)
		if (sys3(SYS_GETPPID, 0, 0, 0) != ppid)
			break;
	if (sys3(SYS_CLOCK_GETTIME, CLOCK_MONOTONIC, (long)&t1, 0) < 0)
		return 2;
	if (i != n) {
		put("kxen-guest: getppid FAIL call ");
		put_num(i);
		put(" returned another parent\n");
		return 1;
	}
	put("kxen-guest: getppid n=");
	put_num(n);
	put(" ns_per_call=");
	put_num((ns_of(&t1) - ns_of(&t0)) / n);
	put(" ppid=");
	put_num(ppid);
	put("\n");
	return 0;
}

/* The kernel's initial stack: argc, then argv[] (x86-64 psABI §3.4.1). */
__attribute__((used)) static void start_c(long *sp)
{
	long argc = sp[0], n = DEFAULT_N;
	char **argv = (char **)(sp + 1);

	if (argc > 1)
		n = parse_n(argv[1]);
	if (n < 0) {
		put("kxen-guest: getppid FAIL usage: getppid [N], 1 <= N <= "
		    "100000000\n");
		sys3(SYS_EXIT_GROUP, 2, 0, 0);
	}
	sys3(SYS_EXIT_GROUP, run(n), 0, 0);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start_c\n"
	"	hlt\n");
