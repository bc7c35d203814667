/* yara/modules/modules.h - helpers shared by the YARA modules.
 *
 * A module is a vgy_module: a static declaration tree (vgy_decl: fields,
 * structures, arrays, dictionaries, constants, tables of vgy_func) and a
 * load function that fills the object's values through the vgyo_ path
 * setters (object.c); modules.c lists the modules. Functions receive
 * defined arguments only (an undefined argument makes the call undefined
 * before it is made), find their structure in c->self (module-level
 * functions: the module root, whose `priv` the load function may set),
 * and leave *out undefined when they have no answer. */
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

#define VGY_MAX_ITEMS 65536u /* items of one module array or dictionary */

/* Declaration helpers. */
#define VGYD_INT(n) {.name = n, .t = VGY_T_INT}
#define VGYD_FLT(n) {.name = n, .t = VGY_T_FLT}
#define VGYD_STR(n) {.name = n, .t = VGY_T_STR}
#define VGYD_K(n, v) {.name = n, .t = VGY_T_INT, .konst = 1, .k = (int64_t)(v)}
#define VGYD_KF(n, v) {.name = n, .t = VGY_T_FLT, .konst = 1, .kf = (v)}
#define VGYD_STRUCT(n, members) {.name = n, .t = VGY_T_STRUCT, .sub = members}
#define VGYD_STRUCTF(n, members, fns) {.name = n, .t = VGY_T_STRUCT, .sub = members, .funcs = fns}
#define VGYD_ARRAY(n, elem) {.name = n, .t = VGY_T_ARRAY, .sub = elem}
#define VGYD_DICT(n, elem) {.name = n, .t = VGY_T_DICT, .sub = elem}
#define VGYD_END {.name = NULL}

/* Values: paths are member names joined by '.', with "[%i]" (an int
 * argument) after an array and "[%s]" (a const char * key) after a
 * dictionary. A path that does not fit the declarations sets nothing. */
vgy_obj *vgyo_new(vgy_ctx *c, const vgy_decl *d);
vgy_obj *vgyo_at(vgy_ctx *c, vgy_obj *root, const char *path, ...);
void vgyo_int(vgy_ctx *c, vgy_obj *root, int64_t v, const char *path, ...);
void vgyo_flt(vgy_ctx *c, vgy_obj *root, double v, const char *path, ...);
void vgyo_str(vgy_ctx *c, vgy_obj *root, const void *s, size_t n, const char *path, ...);
int vgyo_get_int(const vgy_obj *o, int64_t *v);

extern const vgy_module vgymod_pe;
extern const vgy_module vgymod_elf;
extern const vgy_module vgymod_dotnet;
extern const vgy_module vgymod_cuckoo;
extern const vgy_module vgymod_magic;
extern const vgy_func vgymod_hash[];
extern const vgy_decl vgymod_math_consts[];
extern const vgy_func vgymod_math[];
extern const vgy_func vgymod_time[];
extern const vgy_func vgymod_console[];

#endif
