/* yara/modules/math.c - YARA's math module: entropy, mean, deviation,
 * serial_correlation, monte_carlo_pi (the `ent` program's tests, as yara
 * documents them), count, percentage, mode over (offset, size) of the
 * object (clipped at its end; undefined when offset is past it) or a
 * string; in_range, min, max, abs, to_number; MEAN_BYTES = 127.5.
 * Each range function is one pass over the bytes. */
#include <math.h>
#include <string.h>

#include "yara/modules/modules.h"

typedef void (*stat_fn)(const uint8_t *d, size_t n, const vgy_val *extra, vgy_val *o);

static void hist(const uint8_t *d, size_t n, uint64_t h[256])
{
    memset(h, 0, 256 * sizeof *h);
    for (size_t i = 0; i < n; i++)
        h[d[i]]++;
}

static void entropy(const uint8_t *d, size_t n, const vgy_val *x, vgy_val *o)
{
    (void)x;
    uint64_t h[256];
    hist(d, n, h);
    double e = 0;
    for (int i = 0; i < 256; i++)
        if (h[i]) {
            double p = (double)h[i] / (double)n;
            e -= p * log2(p);
        }
    vgymod_flt(o, e);
}

static void mean(const uint8_t *d, size_t n, const vgy_val *x, vgy_val *o)
{
    (void)x;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += d[i];
    vgymod_flt(o, n ? s / (double)n : 0.0);
}

static void deviation(const uint8_t *d, size_t n, const vgy_val *x, vgy_val *o)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs((double)d[i] - x->f);
    vgymod_flt(o, n ? s / (double)n : 0.0);
}

static void serial(const uint8_t *d, size_t n, const vgy_val *x, vgy_val *o)
{
    (void)x;
    double t1 = 0, t2 = 0, t3 = 0, last = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        double c = d[i];
        if (i == 0)
            first = c;
        else
            t1 += last * c;
        t2 += c;
        t3 += c * c;
        last = c;
    }
    t1 += last * first;
    t2 = t2 * t2;
    double scc = (double)n * t3 - t2;
    scc = scc == 0 ? -100000.0 : ((double)n * t1 - t2) / scc;
    vgymod_flt(o, scc);
}

static void mcpi(const uint8_t *d, size_t n, const vgy_val *x, vgy_val *o)
{
    (void)x;
    const double incirc = pow(pow(256.0, 3) - 1, 2);
    uint64_t inmont = 0, count = 0;
    for (size_t i = 0; i + 6 <= n; i += 6) {
        double a = 0, b = 0;
        for (int k = 0; k < 3; k++) {
            a = a * 256.0 + d[i + (size_t)k];
            b = b * 256.0 + d[i + 3 + (size_t)k];
        }
        count++;
        if (a * a + b * b <= incirc)
            inmont++;
    }
    if (count == 0)
        return; /* undefined */
    double pi = 4.0 * (double)inmont / (double)count;
    vgymod_flt(o, fabs((pi - M_PI) / M_PI));
}

static void mode(const uint8_t *d, size_t n, const vgy_val *x, vgy_val *o)
{
    (void)x;
    uint64_t h[256];
    hist(d, n, h);
    int best = 0;
    for (int i = 1; i < 256; i++)
        if (h[i] > h[best])
            best = i;
    vgymod_int(o, best);
}

static void on_range(vgy_ctx *c, const vgy_val *a, vgy_val *o, stat_fn f, int empty_ok)
{
    size_t n;
    const uint8_t *d = vgymod_range(c, a[0].i, a[1].i, &n);
    if (d && (n || empty_ok))
        f(d, n, &a[2], o);
}

#define BOTH(name, fn)                                                              \
    static void name##_r(vgy_ctx *c, const vgy_val *a, vgy_val *o) { on_range(c, a, o, fn, 0); } \
    static void name##_s(vgy_ctx *c, const vgy_val *a, vgy_val *o)                  \
    {                                                                               \
        (void)c;                                                                    \
        if (a[0].slen)                                                              \
            fn(a[0].s, a[0].slen, &a[1], o);                                        \
    }

BOTH(entropy, entropy)
BOTH(mean, mean)
BOTH(serial, serial)
BOTH(mcpi, mcpi)

static void deviation_r(vgy_ctx *c, const vgy_val *a, vgy_val *o) { on_range(c, a, o, deviation, 0); }
static void deviation_s(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    if (a[0].slen)
        deviation(a[0].s, a[0].slen, &a[1], o);
}

static void mode_r(vgy_ctx *c, const vgy_val *a, vgy_val *o) { on_range(c, a, o, mode, 0); }
static void mode_all(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)a;
    if (c->len)
        mode(c->data, c->len, NULL, o);
}

static uint64_t count_byte(const uint8_t *d, size_t n, int64_t b)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += d[i] == b;
    return k;
}

static void count_r(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    size_t n;
    const uint8_t *d = vgymod_range(c, a[1].i, a[2].i, &n);
    if (d && a[0].i >= 0 && a[0].i <= 255)
        vgymod_int(o, (int64_t)count_byte(d, n, a[0].i));
}

static void count_all(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    if (a[0].i >= 0 && a[0].i <= 255)
        vgymod_int(o, (int64_t)count_byte(c->data, c->len, a[0].i));
}

static void pct_r(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    size_t n;
    const uint8_t *d = vgymod_range(c, a[1].i, a[2].i, &n);
    if (d && n && a[0].i >= 0 && a[0].i <= 255)
        vgymod_flt(o, (double)count_byte(d, n, a[0].i) / (double)n);
}

static void pct_all(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    if (c->len && a[0].i >= 0 && a[0].i <= 255)
        vgymod_flt(o, (double)count_byte(c->data, c->len, a[0].i) / (double)c->len);
}

static void in_range(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    vgymod_int(o, a[1].f <= a[0].f && a[0].f <= a[2].f);
}

static void max2(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    vgymod_int(o, (uint64_t)a[0].i > (uint64_t)a[1].i ? a[0].i : a[1].i);
}

static void min2(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    vgymod_int(o, (uint64_t)a[0].i < (uint64_t)a[1].i ? a[0].i : a[1].i);
}

static void absv(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    vgymod_int(o, a[0].i < 0 ? (int64_t)(0 - (uint64_t)a[0].i) : a[0].i);
}

static void to_number(vgy_ctx *c, const vgy_val *a, vgy_val *o)
{
    (void)c;
    vgymod_int(o, a[0].i != 0);
}


const vgy_func vgymod_math[] = {
    {"math", "entropy", "ii", VGY_T_FLT, entropy_r},
    {"math", "entropy", "s", VGY_T_FLT, entropy_s},
    {"math", "mean", "ii", VGY_T_FLT, mean_r},
    {"math", "mean", "s", VGY_T_FLT, mean_s},
    {"math", "deviation", "iif", VGY_T_FLT, deviation_r},
    {"math", "deviation", "sf", VGY_T_FLT, deviation_s},
    {"math", "serial_correlation", "ii", VGY_T_FLT, serial_r},
    {"math", "serial_correlation", "s", VGY_T_FLT, serial_s},
    {"math", "monte_carlo_pi", "ii", VGY_T_FLT, mcpi_r},
    {"math", "monte_carlo_pi", "s", VGY_T_FLT, mcpi_s},
    {"math", "count", "iii", VGY_T_INT, count_r},
    {"math", "count", "i", VGY_T_INT, count_all},
    {"math", "percentage", "iii", VGY_T_FLT, pct_r},
    {"math", "percentage", "i", VGY_T_FLT, pct_all},
    {"math", "mode", "ii", VGY_T_INT, mode_r},
    {"math", "mode", "", VGY_T_INT, mode_all},
    {"math", "in_range", "fff", VGY_T_BOOL, in_range},
    {"math", "max", "ii", VGY_T_INT, max2},
    {"math", "min", "ii", VGY_T_INT, min2},
    {"math", "abs", "i", VGY_T_INT, absv},
    {"math", "to_number", "b", VGY_T_INT, to_number},
    {NULL, NULL, NULL, 0, NULL},
};

const vgy_decl vgymod_math_consts[] = {
    VGYD_KF("MEAN_BYTES", 127.5),
    VGYD_END,
};
