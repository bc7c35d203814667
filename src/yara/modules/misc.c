/* yara/modules/misc.c - YARA's time module (now: seconds since the epoch)
 * and console module (log/hex: print to stderr and are always true, as
 * yara's print to stdout; vigil keeps stdout for verdicts). */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "yara/modules/modules.h"

static void now(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    (void)a;
    vgymod_int(o, (int64_t)time(NULL));
}

const vgy_func vgymod_time[] = {
    {"time", "now", "", VGY_T_INT, now},
    {NULL, NULL, NULL, 0, NULL},
};

/* A logged string as yara prints it: bytes outside 0x20..0x7e as \xNN.
 * A message (the first of two arguments) is printed up to its first NUL,
 * as yara prints it. */
static void print_str(const vgy_val *v, int message)
{
    size_t n = v->slen > 4096 ? 4096 : v->slen;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = v->s[i];
        if (message && ch == 0)
            break;
        if (message || (ch >= 0x20 && ch <= 0x7e))
            fputc(ch, stderr);
        else
            fprintf(stderr, "\\x%02x", ch);
    }
}

static void print_val(const vgy_val *v, int hex)
{
    if (v->t == VGY_T_STR)
        print_str(v, 0);
    else if (v->t == VGY_T_FLT)
        fprintf(stderr, "%f", v->f);
    else if (hex)
        fprintf(stderr, "0x%" PRIx64, (uint64_t)v->i);
    else
        fprintf(stderr, "%" PRId64, v->i);
}

static void log1(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    print_val(&a[0], 0);
    fputc('\n', stderr);
    vgymod_int(o, 1);
}

static void log2v(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    print_str(&a[0], 1);
    print_val(&a[1], 0);
    fputc('\n', stderr);
    vgymod_int(o, 1);
}

static void hex1(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    print_val(&a[0], 1);
    fputc('\n', stderr);
    vgymod_int(o, 1);
}

static void hex2(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    print_str(&a[0], 1);
    print_val(&a[1], 1);
    fputc('\n', stderr);
    vgymod_int(o, 1);
}

const vgy_func vgymod_console[] = {
    {"console", "log", "s", VGY_T_BOOL, log1},
    {"console", "log", "ss", VGY_T_BOOL, log2v},
    {"console", "log", "i", VGY_T_BOOL, log1},
    {"console", "log", "si", VGY_T_BOOL, log2v},
    {"console", "log", "f", VGY_T_BOOL, log1},
    {"console", "log", "sf", VGY_T_BOOL, log2v},
    {"console", "hex", "i", VGY_T_BOOL, hex1},
    {"console", "hex", "si", VGY_T_BOOL, hex2},
    {NULL, NULL, NULL, 0, NULL},
};
