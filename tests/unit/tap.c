/* tests/unit/tap.c - see tap.h. */
#include "tap.h"
#include "vigil/vigil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

void tap_ok(int cond, const char *fmt, ...)
{
    va_list ap;
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - ", cond ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

int tap_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

uint8_t *tap_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *len = 0;
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *b = malloc(cap + 1);
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    if (b && ferror(f)) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = n;
    }
    return b;
}

int tap_same_file(const char *a, const char *b)
{
    size_t la, lb;
    uint8_t *x = tap_read_file(a, &la), *y = tap_read_file(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

void tap_scan_names(vg_engine *e, const void *buf, size_t len, char *out, size_t cap)
{
    vg_scan_opts o;
    vg_scan_opts_default(&o);
    o.flags |= VG_SCAN_ALLMATCH;
    vg_result *r;
    out[0] = 0;
    if (!e || vg_scan_mem(e, buf, len, &o, &r) != VG_OK) {
        snprintf(out, cap, "ERROR");
        return;
    }
    for (size_t i = 0; i < vg_result_count(r); i++) {
        strncat(out, vg_result_get(r, i)->name, cap - strlen(out) - 2);
        strncat(out, ",", cap - strlen(out) - 1);
    }
    vg_result_free(r);
}
