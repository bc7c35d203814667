/* yara/modules/modules.h - helpers shared by the YARA modules.
 *
 * A module is a table of vgy_func (name, argument types, return type,
 * function); modules.c lists the tables. Functions receive defined
 * arguments only (an undefined argument makes the call undefined before
 * it is made) and leave *out undefined when they have no answer. */
#ifndef VG_YARA_MODULES_H
#define VG_YARA_MODULES_H

#include "yara/yara_int.h"

/* The bytes [off, off+size) of the object, clipped at its end; NULL when
 * off or size is negative or off lies past the end (yara: undefined). */
const uint8_t *vgymod_range(const vgy_ctx *c, int64_t off, int64_t size, size_t *n);
void vgymod_int(vgy_val *o, int64_t v);
void vgymod_flt(vgy_val *o, double v);
/* A string made during the scan (copied into the context's arena). */
void vgymod_str(vgy_ctx *c, vgy_val *o, const char *s, size_t n);

extern const vgy_func vgymod_hash[];
extern const vgy_func vgymod_math[];
extern const vgy_func vgymod_time[];
extern const vgy_func vgymod_console[];

#endif
