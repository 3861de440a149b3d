/*
 * Guest policy on PVM hosts (issue 8; DESIGN.md, Hosts): Linux guests
 * there need `noxsave clearcpuid=popcnt,smap` (the emulator cannot run
 * xrstor, popcnt or clac/stac, and CPUID masks for them do not take),
 * and `tsc_early_khz=<host kHz> tsc=reliable` (emulated ticks arrive
 * late), and `no_timer_check` (Linux's IO-APIC timer check gives up
 * when a loaded host delays the emulated PIT ticks). kxl adds what the
 * config's command line does not already say.
 */
#ifndef KXL_PVM_POLICY_H
#define KXL_PVM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Build the command line for a Linux guest on a PVM host from orig:
 * missing parameters are appended, an existing clearcpuid= gains the
 * missing features (Linux uses only the last clearcpuid=), a parameter
 * the config sets itself is left alone. cpu_khz 0: no tsc_early_khz.
 * added gets the space-separated list of what changed ("" if nothing).
 * Returns 0, or -1 when out is too small.
 */
int kxl_pvm_cmdline(const char *orig, uint32_t cpu_khz, char *out,
		    size_t outlen, char *added, size_t addlen);

/*
 * Whether a bzImage is Linux: its setup header's kernel_version (x86
 * boot protocol, Documentation/arch/x86/boot.rst: offset 0x20e, a
 * pointer 0x200 bytes short of the NUL-terminated string) reads like
 * Linux's "RELEASE (USER@HOST) #N ...". The "Linux version" banner is
 * inside the compressed payload, so it cannot be searched for there;
 * other bzImage-protocol images (memtest86+, for one) do not match.
 */
bool kxl_bzimage_is_linux(const void *image, size_t len);

#endif
