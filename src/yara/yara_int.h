/* yara/yara_int.h - YARA 4.x rules inside vigil: the rule set, its AST, the
 * lexer/parser, the string compiler and the condition evaluator.
 *
 * Pipeline:   text --lexer.c--> tokens --parser.c--> AST (one arena per
 * source file, a "unit")  --strings.c--> one Vectorscan database for every
 * YARA string of the engine (+ PCRE2 programs that confirm variable-length
 * strings)  --eval.c--> rule verdicts per scanned object.
 *
 * Invariants:
 *  - a unit is added whole or not at all (vgy_rules_add); a rollback drops
 *    whole units from the end (vgy_rules_truncate), so vg_engine_load's
 *    all-or-nothing rule holds for .yar files too;
 *  - after vgy_rules_compile the set is read-only; every per-scan state
 *    (match lists, rule verdicts, loop variables) lives in a vgy_scratch;
 *  - every string keeps at most VGY_MAX_MATCHES matches per object (YARA
 *    keeps 1,000,000; past our cap `#a` saturates).
 *
 * The language is YARA 4.2.3's as documented in writingrules.rst and as
 * the `yara` binary behaves; see each file's top comment for where vigil
 * differs. */
#ifndef VG_YARA_INT_H
#define VG_YARA_INT_H

#include <stddef.h>
#include <stdint.h>
#include "vigil/status.h"

#define VGY_MAX_MATCHES 100000u   /* matches kept per string per object */
#define VGY_MAX_IDENT 128         /* longest identifier (as yara) */
#define VGY_MAX_VARS 32           /* loop variables alive at once */
#define VGY_MAX_DEPTH 128         /* expression nesting in the parser */
#define VGY_MAX_STRLEN (1u << 20) /* longest string literal */
#define VGY_MAX_LOOP 10000000ull  /* iterations of one for..in range */

/* ---- arena ------------------------------------------------------------ */
typedef struct vgy_chunk vgy_chunk;
typedef struct vgy_arena {
    vgy_chunk *head;
} vgy_arena;
void *vgy_alloc(vgy_arena *a, size_t n); /* zeroed; NULL on OOM */
char *vgy_strndup(vgy_arena *a, const char *s, size_t n);
void vgy_arena_free(vgy_arena *a);

/* ---- values and types ------------------------------------------------- */
enum vgy_type {
    VGY_T_NONE, VGY_T_BOOL, VGY_T_INT, VGY_T_FLT, VGY_T_STR, VGY_T_REGEX,
    VGY_T_STRUCT, VGY_T_ARRAY, VGY_T_DICT /* module values (object.c) */
};

struct vgy_obj;
struct vgy_regex;

typedef struct vgy_val {
    uint8_t t;     /* vgy_type */
    uint8_t undef; /* YARA's undefined value */
    int64_t i;     /* BOOL and INT */
    double f;
    const uint8_t *s;
    size_t slen;
    const struct vgy_obj *o;       /* STRUCT, ARRAY, DICT */
    const struct vgy_regex *re;    /* REGEX (a function argument) */
} vgy_val;

/* ---- AST -------------------------------------------------------------- */
enum vgy_op {
    E_BOOL, E_INT, E_FLT, E_STR, E_REGEX, E_FILESIZE, E_ENTRYPOINT,
    E_STRMATCH, E_STRAT, E_STRIN, E_COUNT, E_COUNTIN, E_OFFSET, E_LENGTH,
    E_READINT, E_RULE, E_EXT, E_VAR, E_CALL, E_MODULE, E_MEMBER, E_INDEX,
    E_NEG, E_BNOT, E_NOT,
    E_ADD, E_SUB, E_MUL, E_DIV, E_MOD, E_SHL, E_SHR, E_BAND, E_BOR, E_BXOR,
    E_LT, E_LE, E_GT, E_GE, E_EQ, E_NE,
    E_CONTAINS, E_ICONTAINS, E_STARTSWITH, E_ISTARTSWITH, E_ENDSWITH,
    E_IENDSWITH, E_IEQUALS, E_MATCHES,
    E_AND, E_OR, E_OF, E_FOROF, E_FORIN
};

enum vgy_quant { Q_ALL, Q_ANY, Q_NONE, Q_EXPR, Q_PERCENT };

struct vgy_func;
struct vgy_decl;

typedef struct vgy_expr vgy_expr;
struct vgy_expr {
    uint8_t op;   /* vgy_op */
    uint8_t type; /* vgy_type of the result */
    uint8_t quant;/* E_OF/E_FOROF/E_FORIN: vgy_quant */
    uint8_t range;/* E_FORIN: 1 range lo..hi, 0 list; E_OF: has `in` range */
    int line;
    vgy_expr *a, *b, *c; /* operands; for E_OF etc. a = quantifier expr,
                            b..c the range */
    vgy_expr *d;         /* E_FOROF / E_FORIN: the body */
    int64_t i;    /* INT/BOOL value; E_READINT: kind; E_RULE/E_EXT/E_VAR: index;
                     string ops: string index (-1 = current for-of string) */
    double f;
    const uint8_t *s; /* E_STR bytes */
    size_t slen;
    struct vgy_regex *re;   /* E_REGEX */
    const struct vgy_func *fn; /* E_CALL */
    const struct vgy_decl *decl; /* module values: their declaration */
    vgy_expr **args;  /* E_CALL args; E_FORIN list items */
    uint32_t nargs;
    uint32_t *set;    /* E_OF/E_FOROF: string indices within the rule */
    uint32_t nset;
    uint32_t var0, nvars; /* E_FORIN loop variable slots; range: 1 lo..hi,
                             0 list, 2 module array/dict in b */
};

/* ---- strings and rules ------------------------------------------------ */
enum vgy_skind { VGY_S_TEXT, VGY_S_HEX, VGY_S_REGEX };
enum {
    VGY_M_NOCASE = 1u << 0, VGY_M_WIDE = 1u << 1, VGY_M_ASCII = 1u << 2,
    VGY_M_FULLWORD = 1u << 3, VGY_M_PRIVATE = 1u << 4, VGY_M_XOR = 1u << 5,
    VGY_M_BASE64 = 1u << 6, VGY_M_BASE64WIDE = 1u << 7,
    VGY_M_DOTALL = 1u << 8, /* regex /s */
};

typedef struct vgy_string {
    const char *id;        /* "$a", or "$" for anonymous */
    uint8_t kind;          /* vgy_skind */
    unsigned mods;
    int line;
    int referenced;
    uint8_t xmin, xmax;    /* xor key range */
    const uint8_t *data;   /* TEXT: the bytes; HEX/REGEX: regex source */
    size_t len;
    const char *b64alpha;  /* 64 chars, NULL = standard */
    uint32_t gidx;         /* index over every string of the rule set */
} vgy_string;

enum { VGY_R_PRIVATE = 1u, VGY_R_GLOBAL = 2u };

typedef struct vgy_rule {
    const char *name;
    unsigned flags;
    int line;
    const char *file;
    vgy_string *strs;
    uint32_t nstrs;
    vgy_expr *cond;
    uint32_t idx;   /* index over every rule of the rule set */
    uint32_t nvars; /* loop variable slots used by the condition */
} vgy_rule;

/* ---- modules: declarations and per-object values (object.c) --------- */
typedef struct vgy_ctx vgy_ctx;
typedef struct vgy_func {
    const char *module;
    const char *name;
    const char *args;  /* one char per argument: i int, f float, s string,
                          b bool, r regex, '\0'-terminated */
    uint8_t ret;       /* vgy_type */
    void (*call)(vgy_ctx *c, const vgy_val *args, vgy_val *out);
} vgy_func;

/* What a module declares, as a static tree: a structure has members
 * (ended by a NULL name) and functions; an array or dictionary has one
 * element declaration in `sub`; an integer may be a constant (`k`),
 * folded by the parser. */
typedef struct vgy_decl {
    const char *name;
    uint8_t t;                   /* INT FLT STR STRUCT ARRAY DICT */
    uint8_t konst;               /* constant: INT k or FLT kf */
    int64_t k;
    const struct vgy_decl *sub;
    const vgy_func *funcs;       /* STRUCT: NULL-terminated, or NULL */
    double kf;                   /* FLT constant (konst) */
} vgy_decl;

/* A value a module filled in for one object (per-scan arena). A member
 * or element never set is NULL: undefined. */
typedef struct vgy_obj vgy_obj;
struct vgy_obj {
    const vgy_decl *d;
    uint8_t def;                 /* scalar set */
    int64_t i;
    double f;
    const uint8_t *s;
    size_t slen;
    vgy_obj **kid;               /* STRUCT: one per member; ARRAY/DICT: items */
    const char **key;            /* DICT keys (NUL-terminated) */
    uint32_t n, cap;             /* ARRAY/DICT: items used / allocated */
    void *priv;                  /* module root: the module's parse state */
};

typedef struct vgy_module {
    const char *name;
    const vgy_decl *root;        /* a STRUCT */
    /* Fill `root` for the object in c (NULL: nothing to fill). Called at
     * most once per object, on the first use of the module. */
    void (*load)(vgy_ctx *c, vgy_obj *root);
    /* Frees what the module kept in c->modcache[its index] (state that
     * lives as long as the scratch, one per scanning thread), or NULL. */
    void (*cache_free)(void *cache);
} vgy_module;

#define VGY_MAX_MODULES 16

/* Index of a module this build knows, or -1 (import "x" of anything
 * else is an error). */
int vgy_module_index(const char *name);
const vgy_module *vgy_module_at(int i);
/* Member `name` of structure d: its index, or -1. */
int vgy_decl_member(const vgy_decl *d, const char *name);
/* Function `name` of structure d with these argument types (NULL when
 * none fits; *name_exists says whether the name exists at all). */
const vgy_func *vgy_decl_func(const vgy_decl *d, const char *name, const char *argtypes,
                              int *name_exists);
/* obj -> value (NULL or unset: undefined of d's type). */
void vgy_obj_val(const vgy_obj *o, const vgy_decl *d, vgy_val *out);
const vgy_obj *vgy_obj_key(const vgy_obj *dict, const uint8_t *k, size_t n);

/* ---- rule set --------------------------------------------------------- */
typedef struct vgy_rules vgy_rules;
typedef struct vgy_scratch vgy_scratch;

typedef struct vgy_ext {
    char *name;
    vgy_val v;
    char *sval;
} vgy_ext;

vg_status vgy_rules_new(vgy_rules **out);
void vgy_rules_free(vgy_rules *rs);
/* Parse and add one source; on failure nothing is added and err holds
 * "file:line: message". */
vg_status vgy_rules_add(vgy_rules *rs, const char *fname, const char *text,
                        size_t len, char *err, size_t errlen);
uint32_t vgy_rules_units(const vgy_rules *rs);
void vgy_rules_truncate(vgy_rules *rs, uint32_t units);
uint64_t vgy_rules_count(const vgy_rules *rs);
/* External variable, typed from its text as `yara -d` does. */
vg_status vgy_rules_define(vgy_rules *rs, const char *name, const char *value);
/* Compile: the rules, and their strings into the expressions of the
 * shared matcher's pass (match/matcher.h, vgm_build_with). */
vg_status vgy_rules_compile(vgy_rules *rs, char *err, size_t errlen);
/* The strings' expressions: ids in 0..nids-1, fp the SHA-256 of the list
 * (what a .vdb stores beside the database built from it). Valid until
 * vgy_rules_refuse or vgy_rules_drop_list. */
typedef struct vgy_slist {
    const char *const *ex;
    const unsigned *flags;
    const unsigned *ids;
    uint32_t n, nids;
    uint8_t fp[32];
} vgy_slist;
void vgy_rules_list(const vgy_rules *rs, vgy_slist *out);
/* Vectorscan refused expression k of the list: search its strings another
 * way, and remake the list. */
vg_status vgy_rules_refuse(vgy_rules *rs, uint32_t k, char *err, size_t errlen);
/* The matcher is built: free the list's texts. */
void vgy_rules_drop_list(vgy_rules *rs);
/* Profiling (vigil scan --profile): set before compile; each scratch then
 * times conditions and string verification, and adds its totals to the
 * rule set when freed. vgy_rules_profile lists the rules, slowest first
 * (at most max; returns how many). */
void vgy_rules_set_profile(vgy_rules *rs, int on);
uint64_t vgy_now_ns(void); /* CLOCK_MONOTONIC, for --profile */
typedef struct vgy_prof {
    const char *rule;
    uint64_t cond_ns, strings_ns;
} vgy_prof;
size_t vgy_rules_profile(const vgy_rules *rs, vgy_prof *out, size_t max);

/* The source `text` of file `fname` with every top-level include replaced
 * by the included file's (expanded) text: one self-contained source that
 * vgy_rules_add compiles to the same rules without the included files
 * (for a .vdb that stores YARA rules as text). *out is malloc'ed (NUL-
 * terminated), the caller frees it; on failure err holds
 * "file:line: message". */
#define VGY_MAX_SOURCE (256u << 20)
vg_status vgy_source_expand(const char *fname, const char *text, size_t len, char **out,
                            size_t *outlen, char *err, size_t errlen);

vg_status vgy_scratch_new(const vgy_rules *rs, vgy_scratch **out);
void vgy_scratch_free(vgy_scratch *s);

/* Called for each matching, non-private rule; return nonzero to stop. */
typedef int (*vgy_rule_fn)(void *user, const char *rule);
/* Called for each match of each non-private string of a matching rule
 * (the `yara -s` view), before that rule's vgy_rule_fn. */
typedef void (*vgy_string_fn)(void *user, const char *rule, const char *sid,
                              int is_hex, uint64_t off, const uint8_t *data,
                              size_t len);
/* One object, around the shared matcher's pass over its bytes:
 * vgy_scan_begin decides the rules that need no string (a false global
 * one ends the object: it returns 0, and the pass need not report this
 * rule set's hits); vgy_scan_hit takes each hit of the list's
 * expressions (nonzero: stop the pass, out of memory); every_match: the
 * string matches will be listed (vgy_string_fn), so each string's list
 * must be complete, not only what its rule's condition reads; vgy_scan_end
 * evaluates the rules (evaluate = 0: the object was abandoned, only
 * release it) and calls rf/sf. Every begin is followed by one end. */
int vgy_scan_begin(const vgy_rules *rs, vgy_scratch *s, const uint8_t *d, size_t len,
                   int every_match);
int vgy_scan_hit(vgy_scratch *s, uint32_t id, uint64_t end);
vg_status vgy_scan_end(vgy_scratch *s, int evaluate, vgy_rule_fn rf, vgy_string_fn sf,
                       void *user);

/* ---- internals shared by the .c files ------------------------------- */
typedef struct vgy_unit {
    vgy_arena arena;
    vgy_rule **rules;
    uint32_t nrules;
    char *fname;
    struct vgy_regex **res; /* `matches` regexes to free with the unit */
    uint32_t nres, capres;
} vgy_unit;

/* Parser entry: parse `text` into unit u. `rs` gives earlier rules
 * (references) and externals. */
vg_status vgy_parse(vgy_rules *rs, vgy_unit *u, const char *fname, const char *text,
                    size_t len, char *err, size_t errlen);
/* Look up an earlier rule by name (over committed units and `u`). */
const vgy_rule *vgy_rules_find(const vgy_rules *rs, const vgy_unit *u, const char *name);
/* Make rule r (just parsed) findable by name. */
vg_status vgy_rules_index(vgy_rules *rs, const vgy_rule *r);
const vgy_ext *vgy_rules_ext(const vgy_rules *rs, const char *name, uint32_t *idx);
const vgy_val *vgy_rules_extval(const vgy_rules *rs, uint32_t i);
const vgy_rule *vgy_rules_nth(const vgy_rules *rs, uint32_t k); /* committed */
uint32_t vgy_rules_total(const vgy_rules *rs);

/* Per-object match list of one string. */
typedef struct vgy_match {
    uint64_t off;
    uint32_t len;
} vgy_match;

typedef struct vgy_mlist {
    vgy_match *m;
    uint32_t n, cap;
    uint8_t unsorted; /* added out of (offset, length) order */
} vgy_mlist;

/* The evaluation context of one object. */
struct vgy_ctx {
    const vgy_rules *rs;
    const uint8_t *data;
    size_t len;
    vgy_mlist *ml;       /* per global string index */
    int8_t *verdict;     /* per rule index: -1 not yet, 0/1 */
    vgy_val vars[VGY_MAX_VARS];
    const vgy_rule *rule;
    int64_t cur_str;     /* for-of: rule string index bound to `$` */
    vgy_arena tmp;       /* strings made by module functions, module values */
    vgy_obj *mod[VGY_MAX_MODULES]; /* module roots, loaded on first use */
    const vgy_obj *self; /* during a module function call: its structure */
    struct vgy_hashcache *hcache; /* hash module: digests of this object (tmp) */
    void **modcache;     /* per-scratch module state, by module index */
};

/* Evaluate a rule's condition (rule references evaluate earlier rules'
 * verdicts from c->verdict). */
int vgy_eval_rule(vgy_ctx *c, const vgy_rule *r);
int vgy_eval_bool(vgy_ctx *c, const vgy_expr *e); /* e, as a condition */
void vgy_eval(vgy_ctx *c, const vgy_expr *e, vgy_val *out);

/* Strings: translation to regexes and the per-object search. */
typedef struct vgy_smatcher vgy_smatcher;
typedef struct vgy_sscratch vgy_sscratch;
vg_status vgy_strings_build(vgy_string **strs, uint32_t n, vgy_smatcher **out, char *err,
                            size_t errlen);
void vgy_strings_list(const vgy_smatcher *m, vgy_slist *out);
vg_status vgy_strings_refuse(vgy_smatcher *m, uint32_t k, char *err, size_t errlen);
void vgy_strings_drop_list(vgy_smatcher *m);
void vgy_strings_free(vgy_smatcher *m);
vg_status vgy_sscratch_new(const vgy_smatcher *m, vgy_sscratch **out);
void vgy_sscratch_free(vgy_sscratch *s);
/* One object: begin, each hit (id in the list's space, end offset), then
 * finish (the whole-file regex searches; lists sorted). */
void vgy_strings_begin(const vgy_smatcher *m, vgy_sscratch *s, const uint8_t *d, size_t len,
                       vgy_mlist *ml);
int vgy_strings_hit(vgy_sscratch *s, uint32_t id, uint64_t end);
vg_status vgy_strings_finish(vgy_sscratch *s);
/* Before verifying a hit of string gi, or (at_end) searching a whole-file
 * regex for it: whether its rule may still be true on this object (0:
 * skip it); *at, VGY_ANY_START on entry, becomes the one start that
 * matters when the condition reads the string only as `$a at X`.
 * vgy_strings_pending:
 * string gi still has such a search to come on this object (its match
 * list is not final). */
#define VGY_ANY_START UINT64_MAX
typedef int (*vgy_gate_fn)(void *user, uint32_t gi, int at_end, uint64_t *at);
int vgy_strings_pending(const vgy_sscratch *s, uint32_t gi);
/* when[gi]: at which of the two moments fn has anything to say about
 * string gi (it is not called otherwise); kept by reference */
enum { VGY_GATE_HIT = 1, VGY_GATE_END = 2 };
void vgy_sscratch_set_gate(vgy_sscratch *s, vgy_gate_fn fn, void *user, const uint8_t *when);
/* --profile: time each string's verification in this scratch (ns per
 * gidx, read with vgy_sscratch_prof). */
vg_status vgy_sscratch_profile(const vgy_smatcher *m, vgy_sscratch *s);
const uint64_t *vgy_sscratch_prof(const vgy_sscratch *s);
/* The strings (gidx) with at least one match found by the last scan. */
const uint32_t *vgy_strings_touched(const vgy_sscratch *s, uint32_t *n);
/* Check a hex string body or regex for yara's compile errors;
 * hex: fills *re with the equivalent regex (arena). Returns NULL or a
 * message. */
const char *vgy_hex_to_regex(vgy_arena *a, const char *src, size_t len,
                             char **re, size_t *relen);
const char *vgy_regex_check(const char *src, size_t len);

/* E_REGEX literal compiled with PCRE2 (for `matches`). */
struct vgy_regex {
    void *code; /* pcre2_code_8 */
    const char *src;
    size_t len;
    unsigned flags; /* VGY_M_NOCASE, VGY_M_DOTALL */
};
vg_status vgy_regex_compile(struct vgy_regex *re, char *err, size_t errlen);
int vgy_regex_match(const struct vgy_regex *re, const uint8_t *s, size_t n);
void vgy_regex_free(struct vgy_regex *re);

#endif
