/* db/srctext.c - signature formats that travel in a .vdb as source text.
 *
 * Some formats have no serialized compiled form yet: YARA rules (their
 * conditions are a tree of heap objects; their strings' Vectorscan
 * database does travel compiled, in section 34, and is taken when the
 * texts give the same expressions), PE section and import
 * hashes (.mdb .msb .imp: tables of their own, db/exehash.c) and logical
 * signatures (.ldb .cdb: expressions over subsignatures). They are
 * compiled beside the mapped tables at load. A logical signature's hex
 * subsignatures are patterns of the one matcher, so they are in the
 * .vdb's compiled matcher already; loading the .ldb text gives the same
 * subsignature ids (they follow load order) and its patterns are dropped
 * with the builder (db/vdb.c checks the two agree). A .vdb carries them as the
 * canonical text of each source file, with its name and SHA-256, and the
 * loader compiles them when the .vdb is loaded, exactly as if the file
 * had been given with -d. The section (VGDB_S_SRCTEXT, see vdb.h) is a
 * sequence of entries, each 8-byte aligned:
 *   u32 kind (VGDB_SRC_*, plus 0x100 when the source was official: its
 *   names get no ".UNOFFICIAL"), u32 name length, u64 text length,
 *   32 bytes SHA-256 of the text, the name, the text, zeros to 8 bytes.
 *
 * `vigil db build` keeps the texts while it loads (e->keep_src); a
 * database file of any format that is neither compiled into the tables
 * nor kept here is refused by name, so nothing given to `db build` is
 * silently left out of the .vdb. */
#include "db/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/exehash.h"
#include "db/load_cvd.h"
#include "match/matcher_int.h"
#include "yara/yara_int.h"

#define SRC_OFFICIAL 0x100u

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a > b && strcmp(s + a - b, suf) == 0;
}

/* Formats whose signatures the .vdb tables hold in compiled form (.db is
 * ClamAV's old body format, .hdu .hsu .ndu its PUA hashes and bodies). */
static int compiled_format(const char *name)
{
    static const char *const ext[] = {".hdb", ".hsb", ".fp", ".sfp", ".ndb", ".db",
                                      ".hdu", ".hsu", ".ndu", NULL};
    for (int i = 0; ext[i]; i++)
        if (ends_with(name, ext[i]))
            return 1;
    return 0;
}

/* Sources with nothing to carry: ignore lists are applied while loading
 * (the tables hold what is left), and what `vigil scan -d` reads but never
 * uses (bytecode, .ftm, types vigil has no loader for) is left out of a
 * .vdb as it is left out of a scan. */
static int nothing_to_carry(const char *name)
{
    return ends_with(name, ".ign") || ends_with(name, ".ign2") || ends_with(name, ".ftm") ||
           ends_with(name, ".cbc") || ends_with(name, ".cfg") || ends_with(name, ".info") ||
           vgdb_unsupported_ext(name);
}

static unsigned text_kind(const char *name)
{
    if (ends_with(name, ".yar") || ends_with(name, ".yara"))
        return VGDB_SRC_YARA;
    static const char *const exe[] = {".mdb", ".msb", ".imp", ".mdu", ".msu", NULL};
    for (int i = 0; exe[i]; i++)
        if (ends_with(name, exe[i]))
            return VGDB_SRC_EXEH;
    if (ends_with(name, ".ldb") || ends_with(name, ".cdb") || ends_with(name, ".ldu"))
        return VGDB_SRC_LDB;
    return 0;
}

uint32_t vgdb_matcher_multi(const vgm_matcher *m)
{
    uint32_t n = 0;
    for (uint32_t i = 0; m && i < m->nsigs; i++)
        n += (m->sigs[i].flags & VGM_SIG_MULTI) != 0;
    return n;
}


static const char *kind_name(unsigned kind)
{
    return kind == VGDB_SRC_YARA ? "yara" : kind == VGDB_SRC_EXEH ? "pe-hash"
           : kind == VGDB_SRC_LDB ? "logical" : "?";
}

vg_status vgdb_srctext_add(vg_engine *e, const char *path, const char *text, size_t len,
                           int official, uint64_t nsigs)
{
    unsigned kind = text_kind(path);
    if (!e->keep_src || !kind)
        return VG_OK;
    if (e->nsrct == e->capsrct) {
        uint32_t cap = e->capsrct ? e->capsrct * 2 : 8;
        vgdb_srctext *n = realloc(e->srct, cap * sizeof *n);
        if (!n)
            return VG_ENOMEM;
        e->srct = n;
        e->capsrct = cap;
    }
    vgdb_srctext *s = &e->srct[e->nsrct];
    memset(s, 0, sizeof *s);
    const char *b = strrchr(path, '/');
    snprintf(s->name, sizeof s->name, "%s", b ? b + 1 : path);
    s->kind = kind;
    s->official = official;
    s->nsigs = nsigs;
    s->text = malloc(len ? len : 1);
    if (!s->text)
        return VG_ENOMEM;
    memcpy(s->text, text, len);
    s->len = len;
    vg_status st = vghash_compute(VGH_SHA256, text, len, s->sha256);
    if (st != VG_OK) {
        free(s->text);
        return st;
    }
    e->nsrct++;
    return VG_OK;
}

void vgdb_srctext_truncate(vg_engine *e, uint32_t n)
{
    while (e->nsrct > n)
        free(e->srct[--e->nsrct].text);
}

void vgdb_srctext_free(vg_engine *e)
{
    vgdb_srctext_truncate(e, 0);
    free(e->srct);
    e->srct = NULL;
    e->capsrct = 0;
}

static int kept(const vg_engine *e, const char *name)
{
    for (uint32_t i = 0; i < e->nsrct; i++)
        if (!strcmp(e->srct[i].name, name))
            return 1;
    return 0;
}

/* The first source whose name ends in one of exts, else the first
 * container, else NULL. */
static const char *source_like(const vg_engine *e, const char *const *exts)
{
    for (uint32_t i = 0; i < e->nsources; i++)
        for (int k = 0; exts[k]; k++)
            if (ends_with(e->sources[i].name, exts[k]))
                return e->sources[i].name;
    for (uint32_t i = 0; i < e->nsources; i++)
        if (vgdb_is_container(e->sources[i].name))
            return e->sources[i].name;
    return NULL;
}

vg_status vgdb_srctext_build(vg_engine *e, uint8_t **out, size_t *len, uint64_t *nsigs)
{
    *out = NULL;
    *len = 0;
    *nsigs = 0;
    for (uint32_t i = 0; i < e->nsources; i++) {
        const char *n = e->sources[i].name;
        if (compiled_format(n) || nothing_to_carry(n) || vgdb_is_container(n))
            continue;
        if (text_kind(n) && kept(e, n))
            continue;
        if (text_kind(n))
            vgdb_error(e, "%s: this type goes into a .vdb as its source text, which this engine "
                          "did not keep (load with the sources kept, as `vigil db build` does)", n);
        else
            vgdb_error(e, "%s: signatures of this type cannot be compiled into a .vdb yet; "
                          "leave the file out, or give it to `vigil scan -d` beside the .vdb", n);
        return VG_EUNSUPPORTED;
    }
    /* what the types above loaded, containers' members included: every
     * body pattern of the matcher must be a body signature the tables
     * carry or a logical subsignature, and logical signatures and PE
     * hashes must come from kept texts (every text load keeps its text
     * when e->keep_src, through vgdb_load_any) */
    static const char *const logical[] = {".ldb", ".cdb", ".ldu", NULL};
    static const char *const exe[] = {".mdb", ".msb", ".imp", ".mdu", ".msu", NULL};
    uint32_t multi = vgdb_matcher_multi(e->m);
    const char *which = "";
    if (e->m && vgm_matcher_count(e->m) - multi != e->nbody)
        which = source_like(e, logical);
    else if (multi && !e->keep_src)
        which = source_like(e, logical);
    else if (vgdb_exeh_count(e) && !e->keep_src)
        which = source_like(e, exe);
    if (!which || *which) {
        vgdb_error(e, "%s: holds signatures (logical, or PE section and import hashes) that cannot "
                      "be compiled into a .vdb without their text", which ? which : "a source");
        return VG_EUNSUPPORTED;
    }
    size_t total = 0;
    for (uint32_t i = 0; i < e->nsrct; i++)
        total += 48 + ((strlen(e->srct[i].name) + e->srct[i].len + 7) & ~(size_t)7);
    if (!total)
        return VG_OK;
    uint8_t *b = calloc(1, total);
    if (!b)
        return VG_ENOMEM;
    size_t o = 0;
    for (uint32_t i = 0; i < e->nsrct; i++) {
        const vgdb_srctext *s = &e->srct[i];
        uint32_t nl = (uint32_t)strlen(s->name);
        uint64_t tl = s->len;
        uint32_t kf = s->kind | (s->official ? SRC_OFFICIAL : 0);
        memcpy(b + o, &kf, 4);
        memcpy(b + o + 4, &nl, 4);
        memcpy(b + o + 8, &tl, 8);
        memcpy(b + o + 16, s->sha256, 32);
        memcpy(b + o + 48, s->name, nl);
        memcpy(b + o + 48 + nl, s->text, s->len);
        o += 48 + ((nl + s->len + 7) & ~(size_t)7);
    }
    *out = b;
    *len = total;
    for (uint32_t i = 0; i < e->nsrct; i++)
        *nsigs += e->srct[i].nsigs;
    return VG_OK;
}

/* Entry at p[o..len): fills the fields, returns the next offset or 0. */
static uint64_t entry(const uint8_t *p, uint64_t len, uint64_t o, uint32_t *kind, const char **name,
                      uint32_t *nl, const char **text, uint64_t *tl, const uint8_t **sha)
{
    if (len - o < 48)
        return 0;
    uint64_t t;
    memcpy(kind, p + o, 4);
    memcpy(nl, p + o + 4, 4);
    memcpy(&t, p + o + 8, 8);
    if (*nl == 0 || *nl > 255 || t > len || len - o - 48 < *nl + t)
        return 0;
    *sha = p + o + 16;
    *name = (const char *)p + o + 48;
    *text = *name + *nl;
    *tl = t;
    uint64_t next = o + 48 + ((*nl + t + 7) & ~(uint64_t)7);
    return next > len ? len : next;
}

vg_status vgdb_srctext_load(vg_engine *e, const uint8_t *p, uint64_t len)
{
    for (uint64_t o = 0; o < len;) {
        uint32_t kind, nl;
        const char *name, *text;
        uint64_t tl;
        const uint8_t *sha;
        uint64_t next = entry(p, len, o, &kind, &name, &nl, &text, &tl, &sha);
        char nm[256];
        if (next) {
            memcpy(nm, name, nl);
            nm[nl] = 0;
        }
        int official = next && (kind & SRC_OFFICIAL);
        kind &= ~SRC_OFFICIAL;
        if (!next || !kind || text_kind(nm) != kind || memchr(nm, '/', nl) ||
            memchr(nm, 0, nl)) {
            vgdb_error(e, "embedded source text is malformed or of an unknown kind");
            return VG_EFORMAT;
        }
        /* compiled as a file of that name would be (and kept again when
         * e->keep_src, by the loader's own call to vgdb_srctext_add) */
        vg_status st = vgdb_load_any(e, nm, text, (size_t)tl, official);
        if (st != VG_OK)
            return st;
        o = next;
    }
    return VG_OK;
}

void vgdb_srctext_describe(const uint8_t *p, uint64_t len, void *file)
{
    FILE *f = file;
    for (uint64_t o = 0; o < len;) {
        uint32_t kind, nl;
        const char *name, *text;
        uint64_t tl;
        const uint8_t *sha;
        uint64_t next = entry(p, len, o, &kind, &name, &nl, &text, &tl, &sha);
        if (!next)
            break;
        char hex[65];
        vghash_hex(sha, 32, hex);
        fprintf(f, "source text (%s, compiled at load): %s %llu %.*s\n",
                kind_name(kind & ~SRC_OFFICIAL), hex,
                (unsigned long long)tl, (int)nl, name);
        o = next;
    }
}
