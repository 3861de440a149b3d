/*
 * Intel 8042 keyboard controller: enough for an OS to probe it and to
 * reset the machine through it. References: Intel 8042 / 8242 UPI data
 * (the command set of the IBM PC/AT keyboard controller) and the PS/2
 * keyboard command set; Firecracker's i8042.rs for the minimal shape.
 *
 * The controller answers every command at once, so the input buffer is
 * never full (status IBF stays 0). Its output buffer is a small queue;
 * status OBF says it holds a byte and AUXDATA whether the byte at its
 * head came from the auxiliary (mouse) port. The IRQ lines follow OBF as
 * on the PC: IRQ 1 for keyboard bytes when the command byte enables it,
 * IRQ 12 for auxiliary bytes likewise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev/i8042.h"

#define PORT_DATA 0x60
#define PORT_STATUS 0x64

/* Status register. */
#define STS_OBF 0x01
#define STS_SYS 0x04	 /* system flag: copies command byte bit 2 */
#define STS_CMD 0x08	 /* last write was to 0x64 (A2 line) */
#define STS_UNLOCK 0x10	 /* keyboard not inhibited */
#define STS_AUXDATA 0x20 /* the output byte came from the aux port */

/* Controller command byte (RAM byte 0). */
#define CTR_KBDINT 0x01
#define CTR_AUXINT 0x02
#define CTR_SYS 0x04
#define CTR_KBDDIS 0x10
#define CTR_AUXDIS 0x20
#define CTR_XLATE 0x40

/* Controller commands (port 0x64). */
#define CMD_READ_RAM 0x20  /* 0x20-0x3f: RAM byte n (0: command byte) */
#define CMD_WRITE_RAM 0x60 /* 0x60-0x7f */
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE 0xa8
#define CMD_AUX_TEST 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_INPUT 0xc0
#define CMD_READ_OUTPUT 0xd0
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_KBD_LOOP 0xd2 /* write the output buffer as keyboard data */
#define CMD_AUX_LOOP 0xd3 /* ... as auxiliary data */
#define CMD_AUX_SEND 0xd4 /* next data byte goes to the aux device */
#define CMD_PULSE 0xf0	  /* 0xf0-0xff: pulse output bits 3:0 low */

/* Output port bits: bit 0 is the CPU reset line (active low). */
#define OUTP_RESET 0x01
#define OUTP_A20 0x02

/* Keyboard commands and replies (port 0x60 with no pending command). */
#define KBD_ECHO 0xee
#define KBD_GET_ID 0xf2
#define KBD_RESET 0xff
#define KBD_ACK 0xfa
#define KBD_BAT_OK 0xaa

#define SELF_TEST_OK 0x55
#define PORT_TEST_OK 0x00
#define QUEUE_SIZE 16

struct i8042 {
	const struct i8042_ops *ops;
	void *ctx;
	uint8_t ram[32]; /* ram[0] is the command byte (CTR) */
	uint8_t outp;
	uint8_t status;	 /* STS_SYS | STS_CMD | STS_UNLOCK; OBF derived */
	uint8_t pending; /* command waiting for its data byte, or 0 */
	uint8_t queue[QUEUE_SIZE];
	bool queue_aux[QUEUE_SIZE];
	unsigned head, count;
	bool irq1, irq12;
};

/* ---- output buffer and IRQ lines ------------------------------------ */

static void set_line(struct i8042 *k, unsigned irq, bool *cur, bool level)
{
	if (*cur == level)
		return;
	*cur = level;
	if (k->ops && k->ops->set_irq)
		k->ops->set_irq(k->ctx, irq, level);
}

static void update_irq(struct i8042 *k)
{
	bool full = k->count > 0;
	bool aux = full && k->queue_aux[k->head];

	set_line(k, 1, &k->irq1, full && !aux && (k->ram[0] & CTR_KBDINT));
	set_line(k, 12, &k->irq12, aux && (k->ram[0] & CTR_AUXINT));
}

static void flush(struct i8042 *k)
{
	k->head = 0;
	k->count = 0;
}

/* Queue a byte for port 0x60; a full queue drops it (a guest that never
 * reads has nothing to lose). */
static void push(struct i8042 *k, uint8_t byte, bool aux)
{
	unsigned tail;

	if (k->count == QUEUE_SIZE)
		return;
	tail = (k->head + k->count) % QUEUE_SIZE;
	k->queue[tail] = byte;
	k->queue_aux[tail] = aux;
	k->count++;
}

static uint8_t pop(struct i8042 *k)
{
	uint8_t byte;

	if (k->count == 0)
		return 0;
	byte = k->queue[k->head];
	k->head = (k->head + 1) % QUEUE_SIZE;
	k->count--;
	return byte;
}

static uint8_t read_status(const struct i8042 *k)
{
	uint8_t s = k->status;

	if (k->count) {
		s |= STS_OBF;
		if (k->queue_aux[k->head])
			s |= STS_AUXDATA;
	}
	return s;
}

/* ---- controller commands ---------------------------------------------- */

static void reset_cpu(struct i8042 *k)
{
	if (k->ops && k->ops->reset)
		k->ops->reset(k->ctx);
}

/* The command byte's SYS bit shows in the status register. */
static void set_ctr(struct i8042 *k, uint8_t v)
{
	k->ram[0] = v;
	k->status = (uint8_t)((k->status & ~STS_SYS) | (v & CTR_SYS));
}

/* Commands answered with one byte, or acting at once. Returns false for
 * commands this controller does not know (ignored, as unknown commands
 * are on the chip). */
static bool command_now(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_SELF_TEST:
		/* Passing the self-test sets the system flag (POST). */
		set_ctr(k, k->ram[0] | CTR_SYS);
		push(k, SELF_TEST_OK, false);
		return true;
	case CMD_KBD_TEST:
	case CMD_AUX_TEST:
		push(k, PORT_TEST_OK, false);
		return true;
	case CMD_KBD_DISABLE:
		set_ctr(k, k->ram[0] | CTR_KBDDIS);
		return true;
	case CMD_KBD_ENABLE:
		set_ctr(k, k->ram[0] & ~CTR_KBDDIS);
		return true;
	case CMD_AUX_DISABLE:
		set_ctr(k, k->ram[0] | CTR_AUXDIS);
		return true;
	case CMD_AUX_ENABLE:
		set_ctr(k, k->ram[0] & ~CTR_AUXDIS);
		return true;
	case CMD_READ_INPUT:
		push(k, 0x80, false); /* bit 7: keyboard not inhibited */
		return true;
	case CMD_READ_OUTPUT:
		push(k, k->outp, false);
		return true;
	default:
		return false;
	}
}

static void write_command(struct i8042 *k, uint8_t cmd)
{
	k->status |= STS_CMD;
	k->pending = 0;
	if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 32) {
		push(k, k->ram[cmd - CMD_READ_RAM], false);
	} else if ((cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 32) ||
		   cmd == CMD_WRITE_OUTPUT || cmd == CMD_KBD_LOOP ||
		   cmd == CMD_AUX_LOOP || cmd == CMD_AUX_SEND) {
		k->pending = cmd; /* its data byte follows on port 0x60 */
	} else if (cmd >= CMD_PULSE) {
		/* Pulse the output bits whose mask bit is 0; bit 0 is the
		 * CPU reset line, so 0xfe resets the machine. */
		if (!(cmd & OUTP_RESET))
			reset_cpu(k);
	} else {
		command_now(k, cmd);
	}
}

/* The data byte of a two-byte controller command. */
static void command_data(struct i8042 *k, uint8_t cmd, uint8_t v)
{
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 32) {
		if (cmd == CMD_WRITE_RAM)
			set_ctr(k, v);
		else
			k->ram[cmd - CMD_WRITE_RAM] = v;
	} else if (cmd == CMD_WRITE_OUTPUT) {
		k->outp = v;
		if (!(v & OUTP_RESET)) /* reset line driven low */
			reset_cpu(k);
	} else if (cmd == CMD_KBD_LOOP || cmd == CMD_AUX_LOOP) {
		push(k, v, cmd == CMD_AUX_LOOP);
	}
	/* CMD_AUX_SEND: no mouse is attached; the byte goes nowhere. */
}

/* A byte for the keyboard itself. Its replies come from the device, so
 * they replace whatever the output buffer held. */
static void keyboard_byte(struct i8042 *k, uint8_t v)
{
	flush(k);
	switch (v) {
	case KBD_RESET:
		push(k, KBD_ACK, false);
		push(k, KBD_BAT_OK, false); /* basic assurance test passed */
		break;
	case KBD_GET_ID:
		push(k, KBD_ACK, false);
		push(k, 0xab, false); /* MF2 keyboard */
		push(k, 0x83, false);
		break;
	case KBD_ECHO:
		push(k, KBD_ECHO, false);
		break;
	default:
		push(k, KBD_ACK, false); /* acknowledge anything else */
		break;
	}
}

static void write_data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->status &= (uint8_t)~STS_CMD;
	k->pending = 0;
	if (cmd)
		command_data(k, cmd, v);
	else
		keyboard_byte(k, v);
}

/* ---- port access -------------------------------------------------------- */

/* Both registers are one byte wide; other widths read as all ones and
 * writes of them are dropped, without side effects. */
int i8042_io(void *opaque, uint64_t port, unsigned size, bool is_write,
	     uint64_t *val)
{
	struct i8042 *k = opaque;

	if (!k || !val)
		return -EINVAL;
	if (size != 1 || (port != PORT_DATA && port != PORT_STATUS)) {
		if (!is_write)
			*val = size >= 1 && size < 8 ? (1ull << 8 * size) - 1
						     : ~0ull;
		return 0;
	}
	if (is_write && port == PORT_DATA)
		write_data(k, (uint8_t)*val);
	else if (is_write)
		write_command(k, (uint8_t)*val);
	else if (port == PORT_DATA)
		*val = pop(k);
	else
		*val = read_status(k);
	update_irq(k);
	return 0;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct i8042 *i8042_create(const struct i8042_ops *ops, void *ctx)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->ops = ops;
	k->ctx = ctx;
	/* As firmware leaves it: keyboard interrupt on, translation on,
	 * POST passed; output port with A20 on and reset inactive. */
	k->status = STS_UNLOCK;
	set_ctr(k, CTR_KBDINT | CTR_SYS | CTR_XLATE);
	k->outp = OUTP_RESET | OUTP_A20;
	return k;
}

void i8042_destroy(struct i8042 *k)
{
	free(k);
}
