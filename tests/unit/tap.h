/* tests/unit/tap.h - a tiny TAP producer for vigil's unit tests.
 *
 * Each check prints "ok N - name" or "not ok N - name"; tap_done() prints
 * the plan and returns the exit status. tests/run.sh counts the lines. */
#ifndef VG_TESTS_TAP_H
#define VG_TESTS_TAP_H
#include <stddef.h>
#include <stdint.h>

void tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_done(void);
/* Write a file with the given bytes (test fixtures); returns 0 on success. */
int tap_write_file(const char *path, const void *data, size_t len);
/* A whole file, malloc'ed with a NUL after its bytes (*len excludes it);
 * NULL when it cannot be read. */
uint8_t *tap_read_file(const char *path, size_t *len);
/* 1 when both files can be read and hold the same bytes. */
int tap_same_file(const char *a, const char *b);
/* The names an --all-match scan of buf with e reports, each followed by
 * ',', in the engine's order ("ERROR" when e is NULL or the scan fails). */
struct vg_engine;
void tap_scan_names(struct vg_engine *e, const void *buf, size_t len, char *out, size_t cap);

#define TAP_OK(cond, ...) tap_ok(!!(cond), __VA_ARGS__)
#endif
