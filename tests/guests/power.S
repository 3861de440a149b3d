/*
 * power: asks its platform to end it, in the way the command line names,
 * so the lifecycle tests can drive on_poweroff / on_reboot and the ACPI
 * power button without booting Linux. It stays in real mode, where port
 * I/O needs no setup. Every boot first prints "power: up".
 *   "off"    - ACPI S5: SLP_EN with SLP_TYP 0 (our DSDT's \_S5) in
 *              PM1a_CNT (ACPI 6.x §4.8.3.2.1), which kxen-dm turns into
 *              a power-off;
 *   "reboot" - the PIIX reset control register at 0xcf9: SRST|RCPU
 *              (82371 datasheet), which kxen-dm turns into a reboot;
 *   "button" - sets PM1_EN.PWRBTN_EN and polls PM1_STS.PWRBTN_STS
 *              (§4.8.3.1); when the button is pressed it says so, clears
 *              the status bit (write 1) and powers off as "off" does;
 *   anything else - says so and halts.
 */
#include "guest.h"

#define PM1A_STS 0x1f40
#define PM1A_EN 0x1f42
#define PM1A_CNT 0x1f44
#define PWRBTN 0x0100
#define SLP_EN_S5 0x2000
#define RESET_CONTROL 0xcf9
#define RC_SRST_RCPU 0x06

	.section .text.start, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	mov $msg_up, %si
	call puts16
	mov $word_off, %di
	call cmdline_is
	je off
	mov $word_reboot, %di
	call cmdline_is
	je reboot
	mov $word_button, %di
	call cmdline_is
	je button
	mov $msg_unknown, %si
	call puts16
	halt_forever

button:
	mov $PM1A_EN, %dx
	mov $PWRBTN, %ax
	outw %ax, %dx
	mov $msg_waiting, %si
	call puts16
	mov $PM1A_STS, %dx
1:	pause
	inw %dx, %ax
	test $PWRBTN, %ax
	jz 1b
	mov $PWRBTN, %ax
	outw %ax, %dx
	mov $msg_pressed, %si
	call puts16
	/* fall through: power off */
off:
	mov $msg_off, %si
	call puts16
	mov $PM1A_CNT, %dx
	mov $SLP_EN_S5, %ax
	outw %ax, %dx
	mov $msg_still, %si
	call puts16
	halt_forever

reboot:
	mov $msg_reboot, %si
	call puts16
	mov $RESET_CONTROL, %dx
	mov $RC_SRST_RCPU, %al
	outb %al, %dx
	mov $msg_still, %si
	call puts16
	halt_forever

/* As crash.S: ZF set when the command line equals the word at %di. */
cmdline_is:
	mov $CMDLINE_ADDR, %si
1:	lodsb
	cmp (%di), %al
	jne 2f
	inc %di
	test %al, %al
	jnz 1b
2:	ret

	puts_fn puts16

	.section .rodata
word_off:
	.asciz "off"
word_reboot:
	.asciz "reboot"
word_button:
	.asciz "button"
msg_up:
	.asciz "power: up\n"
msg_waiting:
	.asciz "power: waiting for the power button\n"
msg_pressed:
	.asciz "power: power button pressed\n"
msg_off:
	.asciz "power: powering off\n"
msg_reboot:
	.asciz "power: rebooting\n"
msg_still:
	.asciz "power: still running after the request\n"
msg_unknown:
	.asciz "power: unknown mode\n"
