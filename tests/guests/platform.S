/*
 * platform: exercises the PC platform's timers and interrupt
 * controllers the way an OS does, from 64-bit long mode (lm.h). The
 * first word of the command line picks one test; every test ends with
 * one line "<tag> ... ok" or "<tag> ... FAIL <reason>" and halts, except
 * `ticker`, which runs forever. Timing checks compare the guest's own
 * clocks with each other (never wall-clock time).
 *
 *   pit-pic         8254 channel 0, mode 2, 100 Hz via the 8259A pair
 *   pit-ioapic      the same via IOAPIC GSI 2 (ISA IRQ 0 override)
 *   lapic-periodic  LAPIC timer periodic, 100 Hz, divide by 16
 *   lapic-oneshot   LAPIC timer one-shot, 5 ms, three times
 *   rtc-periodic    MC146818 periodic interrupt, 64 Hz, via the slave PIC
 *   rtc-update      MC146818 update-ended interrupt, once a second
 *   hpet            HPET timer 0 periodic, 100 Hz, IOAPIC GSI 20
 *   hpet-legacy     HPET timer 0 periodic in legacy replacement (IRQ 0)
 *   level           HPET timer 1 level-triggered on GSI 21: remote IRR,
 *                   re-delivery after EOI while asserted, EOI clearing
 *   clocks          PM timer, PIT channel 2, LAPIC timer and HPET main
 *                   counter measure the same interval within 1%
 *   smp             BSP starts APIC ID 1 with INIT/SIPI, IPIs both ways
 *   ticker [pit]    LAPIC (or PIT) periodic at 20 Hz forever, one line
 *                   "ticker: n=N pm=P" per tick (P: PM timer at the
 *                   tick), plus "ticker: jump from=X to=Y" whenever the
 *                   PM timer moved more than 20 ms between two polls
 */
#define AP_MAIN ap_main
#include "lm.h"

/* Vectors. The PIC pair sits at 0x20/0x28 (ICW2). */
#define V_PIC0 0x20
#define V_PIC8 0x28
#define V_IOAPIC 0x30
#define V_LAPIC 0x31
#define V_ONESHOT 0x32
#define V_HPET 0x33
#define V_LEVEL 0x35
#define V_TO_AP 0x40
#define V_TO_BSP 0x41
#define V_SPURIOUS 0xff

#define IOAPIC_LEVEL (1 << 15)	 /* trigger mode, 82093AA §3.2.4 */
#define IOAPIC_RIRR (1 << 14)	 /* remote IRR (read-only) */
#define IOAPIC_MASKED (1 << 16)

#define HPET_GCAP 0x000
#define HPET_CONF 0x010
#define HPET_ISR 0x020
#define HPET_COUNT 0x0f0
#define HPET_T0_CONF 0x100
#define HPET_T0_CMP 0x108
#define HPET_T1_CONF 0x120
#define HPET_T1_CMP 0x128
#define HPET_TN_LEVEL (1 << 1)
#define HPET_TN_ENABLE (1 << 2)
#define HPET_TN_PERIODIC (1 << 3)
#define HPET_TN_SETVAL (1 << 6)

#define SEC(n) ((n) * PM_HZ)   /* PM ticks in n seconds */
#define MS(n) ((n) * PM_HZ / 1000)

	.text
main:
	HANDLER V_SPURIOUS, lm_ignore
	/* Dispatch on the first word of the command line. */
	mov $tests, %ebx
1:	mov (%rbx), %rsi
	test %rsi, %rsi
	jz 3f
	mov $CMDLINE_ADDR, %edi
2:	mov (%rsi), %al /* name char; the name ends the word on NUL */
	mov (%rdi), %cl
	test %al, %al
	jz 4f
	cmp %al, %cl
	jne 5f
	inc %rsi
	inc %rdi
	jmp 2b
4:	test %cl, %cl /* word ends at NUL or space */
	jz 6f
	cmp $' ', %cl
	je 6f
5:	add $16, %rbx
	jmp 1b
6:	mov %rdi, %r12 /* rest of the command line, for arguments */
	jmp *8(%rbx)
3:	PUTS "platform: FAIL unknown test '"
	mov $CMDLINE_ADDR, %esi
	call lm_puts
	PUTS "'\n"
	jmp lm_halt

/* --- helpers --- */

/*
 * Program both 8259As (8259A datasheet, "Initialization command words"):
 * ICW1 0x11 edge, cascade, ICW4 follows; ICW2 vector base; ICW3 the
 * master has a slave on IR2, the slave's cascade id is 2; ICW4 8086
 * mode, normal EOI. Then OCW1: al = master mask, ah = slave mask.
 */
pic_setup:
	push %rax
	mov $0x11, %al
	outb %al, $0x20
	outb %al, $0xa0
	mov $V_PIC0, %al
	outb %al, $0x21
	mov $V_PIC8, %al
	outb %al, $0xa1
	mov $0x04, %al
	outb %al, $0x21
	mov $0x02, %al
	outb %al, $0xa1
	mov $0x01, %al
	outb %al, $0x21
	outb %al, $0xa1
	pop %rax
	outb %al, $0x21
	mov %ah, %al
	outb %al, $0xa1
	ret

/* PIT channel 0, mode 2 (rate generator), divisor ax (8254 §"Mode 2"). */
pit0_mode2:
	push %rax
	mov $0x34, %al /* channel 0, lobyte/hibyte, mode 2, binary */
	outb %al, $0x43
	pop %rax
	outb %al, $0x40
	mov %ah, %al
	outb %al, $0x40
	ret

/* Software-enable the LAPIC (SVR bit 8, spurious vector 0xff), TPR 0. */
lapic_enable:
	movl $(0x100 | V_SPURIOUS), LAPIC_SVR(%r15)
	movl $0, LAPIC_TPR(%r15)
	ret

/*
 * Count-and-EOI handlers: ticks++ and EOI the controller that
 * delivered the vector (non-specific EOI to the 8259A, OCW2 0x20; any
 * write to the LAPIC EOI register, SDM vol. 3 §10.8.5).
 */
h_pic_tick:
	incl ticks
	mov $0x20, %al
	outb %al, $0x20
	ret
h_lapic_tick:
	incl ticks
	movl $0, LAPIC_EOI(%r15)
	ret

/*
 * Wait up to 10 s for `ticks` to reach esi (interrupts on while
 * waiting), then check it took edi ms (within 10%) by the PM timer.
 * Prints "<tag> ticks=N ms=M ok" or a FAIL line, then halts.
 */
count_and_report:
	mov %esi, %r8d
	mov %edi, %r9d
	call lm_pm
	mov %eax, %ebx
	sti
	mov $ticks, %edi
	mov $SEC(10), %edx
	call lm_wait
	cli
	jnc 1f
	FAIL "timeout waiting for ticks"
1:	call lm_pm
	sub %ebx, %eax
	call pm_to_ms
	mov lm_tag, %rsi
	call lm_puts
	PUTS " ticks="
	PUTDEC %r8
	PUTS " ms="
	PUTDEC %rax
	cmpl $0, bad
	je 2f
	PUTS " FAIL status flag missing\n"
	jmp lm_halt
2:	call within_10pct
	jmp lm_halt

/* rax = PM ticks in eax converted to ms (rounded down). */
pm_to_ms:
	push %rcx
	push %rdx
	mov %eax, %eax
	imul $1000, %rax, %rax
	xor %edx, %edx
	mov $PM_HZ, %ecx
	div %rcx
	pop %rdx
	pop %rcx
	ret

/* Print " ok\n" if rax is within 10% of r9, else " FAIL rate\n". */
within_10pct:
	mov %rax, %rcx
	sub %r9, %rcx
	jae 1f
	neg %rcx
1:	imul $10, %rcx, %rcx
	cmp %r9, %rcx
	ja 2f
	PUTS " ok\n"
	ret
2:	PUTS " FAIL rate\n"
	ret

/* MC146818 index/data ports (0x70/0x71): al = register -> al = value. */
rtc_read:
	outb %al, $0x70
	inb $0x71, %al
	ret
/* al = register, ah = value. */
rtc_write:
	outb %al, $0x70
	mov %ah, %al
	outb %al, $0x71
	ret

/*
 * HPET capabilities (IA-PC HPET 1.0a §2.3.4): the counter period in fs
 * (bits 63:32) must be 100000000 (10 MHz) and NUM_TIM_CAP (bits 12:8,
 * timers - 1) at least 2. Then halt the counter and zero it (§2.3.5:
 * the counter may only be written while halted).
 */
hpet_setup:
	mov HPET_GCAP + 4(%r13), %eax
	cmp $100000000, %eax
	je 1f
	FAIL "HPET period is not 100 ns"
1:	mov HPET_GCAP(%r13), %eax
	shr $8, %eax
	and $0x1f, %eax
	cmp $2, %eax
	jae 2f
	FAIL "HPET has fewer than 3 timers"
2:	movl $0, HPET_CONF(%r13)
	movq $0, HPET_COUNT(%r13)
	ret

/*
 * Periodic timer 0 at 100 Hz (§2.3.9.2.2): with Tn_VAL_SET_CNF the
 * first comparator write sets the first deadline, the second the
 * period; the counter is halted at 0, so both are 100000 (10 ms). eax =
 * the timer's configuration bits besides enable/periodic/setval.
 */
hpet_t0_periodic:
	or $(HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL), %eax
	mov %eax, HPET_T0_CONF(%r13)
	movq $100000, HPET_T0_CMP(%r13)
	movq $100000, HPET_T0_CMP(%r13)
	ret

/* --- a. PIT through the 8259A --- */
t_pit_pic:
	movq $tag_pit_pic, lm_tag
	HANDLER V_PIC0, h_pic_tick
	mov $0xfffe, %ax /* only IRQ 0 */
	call pic_setup
	mov $11932, %ax /* 1193182 Hz / 11932 = 100 Hz */
	call pit0_mode2
	mov $100, %esi
	mov $1000, %edi
	jmp count_and_report

/* --- b. PIT through the IOAPIC (GSI 2), PIC masked --- */
t_pit_ioapic:
	movq $tag_pit_ioapic, lm_tag
	HANDLER V_IOAPIC, h_lapic_tick
	mov $0xffff, %ax
	call pic_setup
	call lapic_enable
	mov $2, %ecx
	mov $V_IOAPIC, %eax /* fixed, physical, edge, active high */
	call lm_ioapic_route
	mov $11932, %ax
	call pit0_mode2
	mov $100, %esi
	mov $1000, %edi
	jmp count_and_report

/* --- c. LAPIC timer, periodic and one-shot (SDM vol. 3 §10.5.4) --- */
t_lapic_periodic:
	movq $tag_lapic_periodic, lm_tag
	HANDLER V_LAPIC, h_lapic_tick
	call lapic_enable
	movl $0x3, LAPIC_TIMER_DCR(%r15) /* divide by 16: 62.5 MHz */
	movl $(V_LAPIC | (1 << 17)), LAPIC_LVT_TIMER(%r15) /* periodic */
	movl $625000, LAPIC_TIMER_ICR(%r15) /* 10 ms */
	mov $100, %esi
	mov $1000, %edi
	jmp count_and_report

t_lapic_oneshot:
	movq $tag_lapic_oneshot, lm_tag
	HANDLER V_ONESHOT, h_lapic_tick
	call lapic_enable
	movl $0xb, LAPIC_TIMER_DCR(%r15) /* divide by 1: 1 ns per count */
	movl $V_ONESHOT, LAPIC_LVT_TIMER(%r15)
	sti
	mov $1, %r12d
1:	call lm_pm
	mov %eax, %ebx
	movl $5000000, LAPIC_TIMER_ICR(%r15) /* 5 ms */
	mov $ticks, %edi
	mov %r12d, %esi
	mov $SEC(1), %edx
	call lm_wait
	jnc 2f
	FAIL "one-shot never fired"
2:	call lm_pm
	sub %ebx, %eax
	cmp $(MS(5) - 2), %eax
	jae 3f
	FAIL "one-shot fired early"
3:	cmp $MS(200), %eax
	jb 4f
	FAIL "one-shot fired late"
4:	cmpl $0, LAPIC_TIMER_CCR(%r15)
	je 5f
	FAIL "current count not 0 after expiry"
5:	inc %r12d
	cmp $4, %r12d
	jb 1b
	mov $MS(30), %ecx
	call lm_delay
	cmpl $3, ticks
	je 6f
	FAIL "one-shot fired again"
6:	cli
	mov lm_tag, %rsi
	call lm_puts
	PUTS " fired=3 ok\n"
	jmp lm_halt

/* --- d. RTC periodic (PIE) and update-ended (UIE), via the slave PIC --- */
t_rtc_periodic:
	movq $tag_rtc_periodic, lm_tag
	HANDLER V_PIC8, h_rtc_periodic
	mov $0xfefb, %ax /* master: cascade IRQ 2; slave: IRQ 8 */
	call pic_setup
	mov $0x2a0a, %ax /* A: divider 010 (32.768 kHz), rate 10: 64 Hz */
	call rtc_write
	/* C first: PF sets every period whatever PIE says, and an IRQ 8
	 * raised from now on must find its flag still in C. */
	mov $0x0c, %al
	call rtc_read
	mov $0x0b, %al
	call rtc_read
	and $0x8f, %al /* PIE, AIE, UIE off ... */
	or $0x40, %al /* ... then PIE on */
	mov %al, %ah
	mov $0x0b, %al
	call rtc_write
	mov $64, %esi
	mov $1000, %edi
	jmp count_and_report

/*
 * Reading C acknowledges the RTC and lets IRQ 8 fire again (MC146818,
 * "Register C"); PF (bit 6) must be among the flags.
 */
h_rtc_periodic:
	mov $0x0c, %al
	call rtc_read
	test $0x40, %al
	jnz 1f
	incl bad
1:	incl ticks
	mov $0x20, %al
	outb %al, $0xa0
	outb %al, $0x20
	ret

t_rtc_update:
	movq $tag_rtc_update, lm_tag
	HANDLER V_PIC8, h_rtc_update
	mov $0xfefb, %ax
	call pic_setup
	mov $0x260a, %ax /* A: normal divider */
	call rtc_write
	mov $0x160b, %ax /* B: UIE, binary, 24 h; SET, PIE, AIE off */
	call rtc_write
	mov $0x0c, %al
	call rtc_read
	sti
	mov $ticks, %edi
	mov $3, %esi
	mov $SEC(5), %edx
	call lm_wait
	cli
	jnc 1f
	FAIL "fewer than 3 update interrupts in 5 s"
1:	mov upd_pm + 8, %eax
	sub upd_pm + 4, %eax
	call pm_to_ms
	mov lm_tag, %rsi
	call lm_puts
	PUTS " updates=3 ms="
	PUTDEC %rax
	PUTS " sec="
	mov upd_sec, %ecx
	PUTDEC %rcx
	PUTS ","
	mov upd_sec + 8, %ecx
	PUTDEC %rcx
	cmpl $0, bad
	je 2f
	PUTS " FAIL UF flag missing\n"
	jmp lm_halt
2:	/* seconds must advance by one per update (mod 60) */
	mov upd_sec, %ecx
	mov upd_sec + 4, %edx
	call next_sec
	jne 3f
	mov upd_sec + 4, %ecx
	mov upd_sec + 8, %edx
	call next_sec
	jne 3f
	mov $1000, %r9d
	call within_10pct
	jmp lm_halt
3:	PUTS " FAIL seconds\n"
	jmp lm_halt

/* ZF = (edx == (ecx + 1) mod 60). */
next_sec:
	inc %ecx
	cmp $60, %ecx
	jne 1f
	xor %ecx, %ecx
1:	cmp %ecx, %edx
	ret

h_rtc_update:
	mov $0x0c, %al
	call rtc_read
	test $0x10, %al /* UF */
	jnz 1f
	incl bad
	jmp 2f
1:	mov ticks, %ecx
	cmp $3, %ecx
	jae 2f
	call lm_pm
	mov %eax, upd_pm(, %rcx, 4)
	xor %eax, %eax /* register 0: seconds, valid right after UF */
	call rtc_read
	movzbl %al, %eax
	mov %eax, upd_sec(, %rcx, 4)
	incl ticks
2:	mov $0x20, %al
	outb %al, $0xa0
	outb %al, $0x20
	ret

/* --- e. HPET periodic: IOAPIC routing, and legacy replacement --- */
t_hpet:
	movq $tag_hpet, lm_tag
	HANDLER V_HPET, h_lapic_tick
	call lapic_enable
	call hpet_setup
	mov HPET_T0_CONF + 4(%r13), %eax /* Tn_INT_ROUTE_CAP */
	bt $20, %eax
	jc 1f
	FAIL "timer 0 cannot route to GSI 20"
1:	mov $20, %ecx
	mov $V_HPET, %eax
	call lm_ioapic_route
	mov $(20 << 9), %eax /* Tn_INT_ROUTE_CNF = 20, edge */
	call hpet_t0_periodic
	movl $1, HPET_CONF(%r13) /* ENABLE_CNF */
	mov $100, %esi
	mov $1000, %edi
	jmp count_and_report

/*
 * LEG_RT_CNF (§2.3.5): timer 0 drives ISA IRQ 0 (GSI 2 on the IOAPIC)
 * in place of the PIT, whatever its route field says.
 */
t_hpet_legacy:
	movq $tag_hpet_legacy, lm_tag
	HANDLER V_IOAPIC, h_lapic_tick
	mov $0xffff, %ax
	call pic_setup
	call lapic_enable
	call hpet_setup
	mov $2, %ecx
	mov $V_IOAPIC, %eax
	call lm_ioapic_route
	xor %eax, %eax
	call hpet_t0_periodic
	movl $3, HPET_CONF(%r13) /* ENABLE_CNF | LEG_RT_CNF */
	mov $100, %esi
	mov $1000, %edi
	jmp count_and_report

/*
 * --- f. a level-triggered line: HPET timer 1, one-shot, level, GSI 21.
 * The line stays asserted until its status bit is cleared (HPET §2.3.6,
 * write 1 to clear). The IOAPIC sets remote IRR when it delivers a level
 * interrupt and clears it on the EOI broadcast (82093AA §3.2.4); an EOI
 * while the line is still asserted must deliver it again. So: the first
 * interrupt EOIs without clearing the status (expect a second), the
 * second clears the status, EOIs, and remote IRR must then read 0.
 * (The PM timer's SCI would do too, but TMR_STS only sets when bit 31
 * of the 32-bit counter flips, every 600 s.)
 */
t_level:
	movq $tag_level, lm_tag
	HANDLER V_LEVEL, h_level
	call lapic_enable
	call hpet_setup
	mov HPET_T1_CONF + 4(%r13), %eax
	bt $21, %eax
	jc 1f
	FAIL "timer 1 cannot route to GSI 21"
1:	mov $21, %ecx
	mov $(V_LEVEL | IOAPIC_LEVEL), %eax /* level, active high */
	call lm_ioapic_route
	movl $((21 << 9) | HPET_TN_ENABLE | HPET_TN_LEVEL), HPET_T1_CONF(%r13)
	movq $50000, HPET_T1_CMP(%r13) /* 5 ms */
	movl $1, HPET_CONF(%r13)
	sti
	mov $ticks, %edi
	mov $2, %esi
	mov $SEC(2), %edx
	call lm_wait
	jnc 2f
	cmpl $0, ticks
	jne 3f
	FAIL "no interrupt"
3:	FAIL "no re-delivery after EOI with the line asserted"
2:	mov $MS(30), %ecx
	call lm_delay
	cli
	cmpl $2, ticks
	je 4f
	FAIL "interrupt after the status was cleared"
4:	mov lm_tag, %rsi
	call lm_puts
	PUTS " redeliver=1 rirr="
	mov lvl_rirr + 4, %eax
	shr $14, %eax
	PUTDEC %rax
	PUTS ","
	mov lvl_rirr + 8, %eax
	shr $14, %eax
	PUTDEC %rax
	PUTS " after-eoi="
	mov lvl_rirr_after, %eax
	shr $14, %eax
	PUTDEC %rax
	PUTS " status="
	mov lvl_sta + 4, %eax
	PUTHEX %rax
	cmpl $IOAPIC_RIRR, lvl_rirr + 4
	jne 5f
	cmpl $IOAPIC_RIRR, lvl_rirr + 8
	jne 5f
	cmpl $0, lvl_rirr_after
	jne 5f
	testl $2, lvl_sta + 4
	jz 5f
	PUTS " ok\n"
	jmp lm_halt
5:	PUTS " FAIL\n"
	jmp lm_halt

h_level:
	incl ticks
	mov ticks, %r8d
	cmp $3, %r8d
	jbe 1f
	mov $3, %r8d
1:	mov $(0x10 + 2 * 21), %ecx
	call lm_ioapic_read
	and $IOAPIC_RIRR, %eax
	mov %eax, lvl_rirr(, %r8, 4)
	mov HPET_ISR(%r13), %eax
	mov %eax, lvl_sta(, %r8, 4)
	cmp $2, %r8d
	jae 2f
	movl $0, LAPIC_EOI(%r15) /* still asserted: must come back */
	ret
2:	movl $2, HPET_ISR(%r13) /* timer 1's status: deassert */
	movl $0, LAPIC_EOI(%r15)
	mov $(0x10 + 2 * 21), %ecx
	call lm_ioapic_read
	and $IOAPIC_RIRR, %eax
	mov %eax, lvl_rirr_after
	ret

/*
 * --- h. clock agreement: the PM timer, PIT channel 2, the LAPIC timer's
 * current count and the HPET main counter over one ~0.5 s interval. Each
 * is read once at each end in the same order, so the reads' own cost
 * shifts every interval alike. Channel 2 wraps every 55 ms, so it is
 * polled and its decrements summed (mode 2 reloads 65536: deltas mod
 * 2^16). Interrupts stay off.
 */
t_clocks:
	movq $tag_clocks, lm_tag
	call lapic_enable
	call hpet_setup
	movl $1, HPET_CONF(%r13)
	movl $0x3, LAPIC_TIMER_DCR(%r15) /* 62.5 MHz: 16 ns per count */
	movl $((1 << 16) | V_LAPIC), LAPIC_LVT_TIMER(%r15) /* masked */
	movl $0xffffffff, LAPIC_TIMER_ICR(%r15)
	inb $0x61, %al /* port 0x61: bit 0 gates channel 2, bit 1 speaker */
	and $0xfc, %al
	or $0x01, %al
	outb %al, $0x61
	mov $0xb4, %al /* channel 2, lobyte/hibyte, mode 2, binary */
	outb %al, $0x43
	xor %eax, %eax
	outb %al, $0x42
	outb %al, $0x42
	mov $MS(2), %ecx /* let channel 2 load its count */
	call lm_delay
	call lm_pm
	mov %eax, %r8d
	call pit2_read
	mov %eax, %r9d
	mov LAPIC_TIMER_CCR(%r15), %r10d
	mov HPET_COUNT(%r13), %r11d
	xor %ebx, %ebx
1:	call pit2_accumulate
	call lm_pm
	sub %r8d, %eax
	cmp $(PM_HZ / 2), %eax
	jb 1b
	call lm_pm
	mov %eax, %r12d
	call pit2_accumulate
	mov LAPIC_TIMER_CCR(%r15), %ecx
	mov HPET_COUNT(%r13), %edx
	/* microseconds each: rdi pm, rsi pit, rcx lapic, rdx hpet */
	sub %r11d, %edx
	imul $100, %rdx, %rdx /* 100 ns per HPET tick (checked above) */
	mov %rdx, us + 24
	sub %ecx, %r10d
	imul $16, %r10, %rax
	mov %rax, us + 16
	mov %rbx, %rax
	imul $1000000, %rax, %rax
	xor %edx, %edx
	mov $1193182, %ecx
	div %rcx
	mov %rax, us + 8
	mov %r12d, %eax
	sub %r8d, %eax
	imul $1000000, %rax, %rax
	xor %edx, %edx
	mov $PM_HZ, %ecx
	div %rcx
	mov %rax, us
	/* hpet and lapic were in ns: to us */
	mov us + 16, %rax
	xor %edx, %edx
	mov $1000, %ecx
	div %rcx
	mov %rax, us + 16
	mov us + 24, %rax
	xor %edx, %edx
	div %rcx
	mov %rax, us + 24
	PUTS "clocks: pm="
	PUTDEC us
	PUTS " pit="
	PUTDEC us + 8
	PUTS " lapic="
	PUTDEC us + 16
	PUTS " hpet="
	PUTDEC us + 24
	PUTS " us"
	/* spread: (max - min) * 100 <= min */
	mov us, %rax
	mov %rax, %rcx /* min */
	mov %rax, %rdx /* max */
	mov $1, %esi
2:	mov us(, %rsi, 8), %rax
	cmp %rcx, %rax
	cmovb %rax, %rcx
	cmp %rdx, %rax
	cmova %rax, %rdx
	inc %esi
	cmp $4, %esi
	jb 2b
	sub %rcx, %rdx
	imul $100, %rdx, %rdx
	cmp %rcx, %rdx
	ja 3f
	test %rcx, %rcx
	jz 3f
	PUTS " ok\n"
	jmp lm_halt
3:	PUTS " FAIL spread over 1%\n"
	jmp lm_halt

/* ax = channel 2's count: counter latch command (8254 §"Read operations"). */
pit2_read:
	mov $0x80, %al
	outb %al, $0x43
	inb $0x42, %al
	mov %al, %ah
	inb $0x42, %al
	xchg %al, %ah
	movzwl %ax, %eax
	ret

/* rbx += (r9 - now) mod 2^16; r9 = now. */
pit2_accumulate:
	call pit2_read
	mov %r9d, %ecx
	sub %eax, %ecx
	and $0xffff, %ecx
	add %rcx, %rbx
	mov %eax, %r9d
	ret

/*
 * --- g. SMP: INIT, then STARTUP with vector 0x09 (the trampoline at
 * 0x9000), as the MP spec 1.4 §B.4 sequence has it; then IPIs both
 * ways, each sent only after the previous one was counted (a second
 * IPI to a vector still pending in IRR would merge with it).
 */
#define NR_IPIS 10
t_smp:
	movq $tag_smp, lm_tag
	HANDLER V_TO_BSP, h_to_bsp
	HANDLER V_TO_AP, h_to_ap
	call lapic_enable
	mov $1, %eax
	mov $0x4500, %ecx /* INIT, level assert */
	call send_ipi
	mov $MS(10), %ecx
	call lm_delay
	mov $1, %eax
	mov $(0x4600 | 0x09), %ecx /* STARTUP, vector 0x09 -> 0x9000 */
	call send_ipi
	mov $ap_up, %edi
	mov $1, %esi
	mov $MS(200), %edx
	call lm_wait
	jnc 1f
	mov $1, %eax /* the spec's second SIPI, only if the AP is not up */
	mov $(0x4600 | 0x09), %ecx
	call send_ipi
	mov $ap_up, %edi
	mov $1, %esi
	mov $SEC(10), %edx
	call lm_wait
	jnc 1f
	FAIL "AP did not start"
1:	sti
	xor %r12d, %r12d
2:	mov $1, %eax
	mov $(0x4000 | V_TO_AP), %ecx /* fixed, physical, assert */
	call send_ipi
	inc %r12d
	mov $ap_rx, %edi
	mov %r12d, %esi
	mov $SEC(5), %edx
	call lm_wait
	jnc 3f
	FAIL "AP did not count an IPI"
3:	cmp $NR_IPIS, %r12d
	jb 2b
	mov $bsp_rx, %edi
	mov $NR_IPIS, %esi
	mov $SEC(10), %edx
	call lm_wait
	jnc 4f
	FAIL "BSP did not get the AP's IPIs"
4:	mov $ap_done, %edi
	mov $1, %esi
	mov $SEC(5), %edx
	call lm_wait
	jnc 5f
	FAIL "AP did not finish"
5:	cli
	call lock_print
	PUTS "smp: bsp rx="
	mov bsp_rx, %eax
	PUTDEC %rax
	PUTS " ok\nsmp: done ok\n"
	call unlock_print
	jmp lm_halt

/*
 * ICR (SDM vol. 3 §10.6.1): destination in ICR high bits 31:24 first,
 * the write to ICR low sends; wait for delivery status (bit 12) idle
 * before. eax = destination APIC ID, ecx = ICR low.
 */
send_ipi:
	push %rax
1:	testl $(1 << 12), LAPIC_ICR_LO(%r15)
	jz 2f
	pause
	jmp 1b
2:	shl $24, %eax
	mov %eax, LAPIC_ICR_HI(%r15)
	mov %ecx, LAPIC_ICR_LO(%r15)
	pop %rax
	ret

h_to_ap:
	lock incl ap_rx
	movl $0, LAPIC_EOI(%r15)
	ret
h_to_bsp:
	lock incl bsp_rx
	movl $0, LAPIC_EOI(%r15)
	ret

/* One console line at a time: both CPUs write to the same port. */
lock_print:
	push %rax
1:	mov $1, %eax
	xchg %eax, print_lock
	test %eax, %eax
	jz 2f
	pause
	jmp 1b
2:	pop %rax
	ret
unlock_print:
	movl $0, print_lock
	ret

/* The AP, in long mode on its own stack (lm.h). */
ap_main:
	movl $(0x100 | V_SPURIOUS), LAPIC_SVR(%r15) /* its own LAPIC */
	movl $0, LAPIC_TPR(%r15)
	mov LAPIC_ID(%r15), %ebx
	shr $24, %ebx
	call lock_print
	PUTS "smp: ap up id="
	PUTDEC %rbx
	PUTS "\n"
	call unlock_print
	movl $1, ap_up
	sti
	mov $ap_rx, %edi
	mov $NR_IPIS, %esi
	mov $SEC(10), %edx
	call lm_wait
	jnc 1f
	call lock_print
	FAIL "AP did not get the BSP's IPIs"
1:	xor %r12d, %r12d
2:	xor %eax, %eax
	mov $(0x4000 | V_TO_BSP), %ecx
	call send_ipi
	inc %r12d
	mov $bsp_rx, %edi
	mov %r12d, %esi
	mov $SEC(5), %edx
	call lm_wait
	jnc 3f
	call lock_print
	FAIL "BSP did not count an IPI"
3:	cmp $NR_IPIS, %r12d
	jb 2b
	cli
	call lock_print
	PUTS "smp: ap rx="
	mov ap_rx, %eax
	PUTDEC %rax
	cmp $1, %ebx
	je 4f
	PUTS " FAIL APIC ID is not 1\n"
	jmp 5f
4:	PUTS " ok\n"
5:	call unlock_print
	movl $1, ap_done
	jmp lm_halt

/*
 * --- i. ticker: 20 Hz forever (LAPIC periodic, or "ticker pit": PIT
 * channel 0 through IOAPIC GSI 2). The handler stamps each tick with
 * the PM timer into a ring; the main loop prints one line per tick and
 * polls the PM timer, reporting any jump over 20 ms (a pause whose time
 * the guest clock caught up with).
 */
t_ticker:
	movq $tag_ticker, lm_tag
	HANDLER V_LAPIC, h_ticker
	HANDLER V_IOAPIC, h_ticker
	mov $0xffff, %ax
	call pic_setup
	call lapic_enable
	cmpl $0x74697020, (%r12) /* " pit" */
	jne 1f
	mov $2, %ecx
	mov $V_IOAPIC, %eax
	call lm_ioapic_route
	mov $59659, %ax /* 1193182 Hz / 59659 = 20 Hz */
	call pit0_mode2
	PUTS "ticker: start source=pit hz=20\n"
	jmp 2f
1:	movl $0x3, LAPIC_TIMER_DCR(%r15)
	movl $(V_LAPIC | (1 << 17)), LAPIC_LVT_TIMER(%r15)
	movl $3125000, LAPIC_TIMER_ICR(%r15) /* 50 ms at 62.5 MHz */
	PUTS "ticker: start source=lapic hz=20\n"
2:	xor %r12d, %r12d /* ticks printed */
	call lm_pm
	mov %eax, %ebx /* last poll */
	sti
3:	call lm_pm
	mov %eax, %edx
	sub %ebx, %edx
	mov %eax, %ebx
	cmp $MS(20), %edx
	jb 4f
	PUTS "ticker: jump from="
	mov %eax, %ecx
	sub %edx, %ecx
	PUTDEC %rcx
	PUTS " to="
	PUTDEC %rax
	PUTS "\n"
4:	mov ticks, %ecx
	cmp %r12d, %ecx
	je 3b
	sub %r12d, %ecx
	cmp $200, %ecx
	jb 5f
	FAIL "overrun"
5:	PUTS "ticker: n="
	mov %r12d, %eax
	inc %eax
	PUTDEC %rax
	PUTS " pm="
	mov %r12d, %eax
	and $255, %eax
	mov tick_pm(, %rax, 4), %eax
	PUTDEC %rax
	PUTS "\n"
	inc %r12d
	jmp 3b /* the baseline stays: a pause while printing still shows */

h_ticker:
	call lm_pm
	mov ticks, %ecx
	and $255, %ecx
	mov %eax, tick_pm(, %rcx, 4)
	incl ticks
	movl $0, LAPIC_EOI(%r15)
	ret

	.section .rodata
	.balign 8
tests:
	.quad name_pit_pic, t_pit_pic
	.quad name_pit_ioapic, t_pit_ioapic
	.quad name_lapic_periodic, t_lapic_periodic
	.quad name_lapic_oneshot, t_lapic_oneshot
	.quad name_rtc_periodic, t_rtc_periodic
	.quad name_rtc_update, t_rtc_update
	.quad name_hpet, t_hpet
	.quad name_hpet_legacy, t_hpet_legacy
	.quad name_level, t_level
	.quad name_clocks, t_clocks
	.quad name_smp, t_smp
	.quad name_ticker, t_ticker
	.quad 0, 0
name_pit_pic:
	.asciz "pit-pic"
name_pit_ioapic:
	.asciz "pit-ioapic"
name_lapic_periodic:
	.asciz "lapic-periodic"
name_lapic_oneshot:
	.asciz "lapic-oneshot"
name_rtc_periodic:
	.asciz "rtc-periodic"
name_rtc_update:
	.asciz "rtc-update"
name_hpet:
	.asciz "hpet"
name_hpet_legacy:
	.asciz "hpet-legacy"
name_level:
	.asciz "level"
name_clocks:
	.asciz "clocks"
name_smp:
	.asciz "smp"
name_ticker:
	.asciz "ticker"
tag_pit_pic:
	.asciz "irq: pit-pic"
tag_pit_ioapic:
	.asciz "irq: pit-ioapic"
tag_lapic_periodic:
	.asciz "irq: lapic-periodic"
tag_lapic_oneshot:
	.asciz "irq: lapic-oneshot"
tag_rtc_periodic:
	.asciz "irq: rtc-periodic"
tag_rtc_update:
	.asciz "irq: rtc-update"
tag_hpet:
	.asciz "irq: hpet"
tag_hpet_legacy:
	.asciz "irq: hpet-legacy"
tag_level:
	.asciz "irq: level"
tag_clocks:
	.asciz "clocks:"
tag_smp:
	.asciz "smp:"
tag_ticker:
	.asciz "ticker:"

	.section .data
	.balign 8
ticks:
	.long 0
bad:
	.long 0 /* handler saw its status flag missing */
ap_up:
	.long 0
ap_done:
	.long 0
ap_rx:
	.long 0
bsp_rx:
	.long 0
print_lock:
	.long 0
lvl_rirr_after:
	.long 0xffffffff
lvl_rirr:
	.long 0, 0, 0, 0
lvl_sta:
	.long 0, 0, 0, 0
upd_pm:
	.long 0, 0, 0
upd_sec:
	.long 0, 0, 0
	.balign 8
us:
	.quad 0, 0, 0, 0 /* clocks: pm, pit, lapic, hpet */

	.section .bss
	.balign 4
tick_pm:
	.skip 256 * 4
