/*
 * Kernel command-line policy for Linux guests on PVM hosts (see
 * pvm_policy.h).
 */
#include "pvm_policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Whether the command line has a word equal to w, or starting with it
 * when w ends in '='. */
static const char *find_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	bool prefix = n && w[n - 1] == '=';

	for (const char *p = s; (p = strstr(p, w)); p += n) {
		bool start = p == s || p[-1] == ' ';
		char end = p[n];

		if (start && (prefix || end == '\0' || end == ' '))
			return p;
	}
	return NULL;
}

static int append(char *out, size_t outlen, const char *word)
{
	size_t len = strlen(out);
	int n = snprintf(out + len, outlen - len, "%s%s", len ? " " : "", word);

	return n < 0 || (size_t)n >= outlen - len ? -1 : 0;
}

/* Copy orig into out, adding the features missing from its last
 * clearcpuid= list (the one Linux uses). */
static int merge_clearcpuid(const char *orig, char *out, size_t outlen,
			    char *added, size_t addlen)
{
	const char *last = NULL, *p;
	static const char *const need[] = {"popcnt", "smap"};
	char extra[64] = "";
	size_t end;

	for (p = orig; (p = find_word(p, "clearcpuid=")); p++)
		last = p;
	end = strcspn(last, " ") + (last - orig);
	for (unsigned i = 0; i < 2; i++) {
		char list[256];
		size_t l = end - (last - orig) - strlen("clearcpuid=");

		snprintf(list, sizeof(list), ",%.*s,", (int)l,
			 last + strlen("clearcpuid="));
		char key[16];
		snprintf(key, sizeof(key), ",%s,", need[i]);
		if (!strstr(list, key)) {
			strcat(extra, ",");
			strcat(extra, need[i]);
		}
	}
	if (snprintf(out, outlen, "%.*s%s%s", (int)end, orig, extra,
		     orig + end) >= (int)outlen)
		return -1;
	if (extra[0])
		snprintf(added + strlen(added), addlen - strlen(added),
			 "%sclearcpuid+=%s", added[0] ? " " : "", extra + 1);
	return 0;
}

int kxl_pvm_cmdline(const char *orig, uint32_t cpu_khz, char *out,
		    size_t outlen, char *added, size_t addlen)
{
	char khz[40];

	orig = orig ? orig : "";
	added[0] = '\0';
	if (find_word(orig, "clearcpuid=")) {
		if (merge_clearcpuid(orig, out, outlen, added, addlen))
			return -1;
	} else if (snprintf(out, outlen, "%s", orig) >= (int)outlen) {
		return -1;
	}
	snprintf(khz, sizeof(khz), "tsc_early_khz=%u", cpu_khz);
	const struct {
		const char *probe, *word;
		bool want;
	} rules[] = {{"noxsave", "noxsave", true},
		     {"clearcpuid=", "clearcpuid=popcnt,smap", true},
		     {"tsc_early_khz=", khz, cpu_khz != 0},
		     {"tsc=", "tsc=reliable", true},
		     /* Linux's IO-APIC timer check waits a few ms of TSC
		      * time for PIT ticks; an emulated, loaded vCPU can
		      * miss it and Linux then panics. Linux skips it itself
		      * when it sees KVM's signature, which we do not show. */
		     {"no_timer_check", "no_timer_check", true}};
	for (unsigned i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (!rules[i].want || find_word(out, rules[i].probe))
			continue;
		if (append(out, outlen, rules[i].word))
			return -1;
		snprintf(added + strlen(added), addlen - strlen(added), "%s%s",
			 added[0] ? " " : "", rules[i].word);
	}
	return 0;
}

bool kxl_bzimage_is_linux(const void *image, size_t len)
{
	const unsigned char *p = image;
	size_t off, end;

	if (len < 0x210)
		return false;
	off = (size_t)(p[0x20e] | p[0x20f] << 8);
	if (off == 0 || off + 0x200 >= len)
		return false;
	off += 0x200;
	end = off;
	while (end < len && end - off < 256 && p[end] && p[end] >= ' ' &&
	       p[end] < 0x7f)
		end++;
	if (end == len || p[end] != '\0' || !(p[off] >= '0' && p[off] <= '9'))
		return false;
	/* "6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org) #1 ..." */
	return memmem(p + off, end - off, " (", 2) &&
	       memmem(p + off, end - off, "@", 1) &&
	       memmem(p + off, end - off, ") #", 3);
}
