/* db/load_cvd.c - ClamAV signature containers (.cvd .cld .cud) and the
 * database types that are not signature text: what they are, how they are
 * checked, and which loader gets each member.
 *
 * Container layout (shared/reference/clamav.md §1.7; every rule below was
 * checked against clamscan 1.4.6 with real and altered files):
 *
 *   bytes 0-511  ASCII header, padded with spaces:
 *                ClamAV-VDB:TIME:VERSION:SIGS:FLEVEL:MD5:DSIG:BUILDER[:STIME]
 *   bytes 512-   the body: a tar archive, gzip-compressed (.cvd, .cud; a
 *                .cld usually holds it uncompressed). Compression is told
 *                by the gzip magic, not by the file name.
 *
 * The tar holds COPYING, NAME.info and database files. NAME.info lists
 * every database member as `file:size:sha256`, after a copy of the header
 * line; in a signed container its last line is `DSIG:sig`.
 *
 * What is checked, and what it means for names:
 *   .cvd  MD5 of the body bytes equals the header's MD5, and the header's
 *         DSIG is ClamAV's RSA signature of that MD5 (key below); the
 *         .info's DSIG verifies too. Signatures keep their names.
 *   .cld  (freshclam's output after applying cdiffs: the header is the old
 *         one and does not cover the body) only the .info's DSIG, then
 *         every member against the .info. Names kept.
 *   .cud  unsigned (`sigtool --unsigned`): no header check, no DSIG (a
 *         DSIG line is an error, as in clamscan); members are still
 *         checked against the .info. Names get ".UNOFFICIAL".
 * In all three a database member missing from the .info, or whose size or
 * SHA-256 differs, fails the whole container; a member whose extension is
 * not a database type is ignored (clamscan ignores it too). clamscan has
 * no switch to accept a .cvd whose signature does not verify, so neither
 * has vigil: such a file is refused with the reason.
 *
 * The two signature schemes (facts from ClamAV's public documentation and
 * source, implemented here with OpenSSL's BIGNUM):
 *   - a DSIG string is a little-endian base-64 number: character i, read
 *     in the alphabet a-z A-Z 0-9 + /, is worth value << (6 * i);
 *   - header DSIG: s^e mod n with ClamAV's 1024-bit .cvd key must be the
 *     16 MD5 bytes (textbook RSA, no padding);
 *   - .info DSIG: s^e mod n with the 2048-bit .info key is an EMSA-PSS
 *     block (SHA-256, MGF1-SHA-256, 32-byte salt, trailer 0xbc) over the
 *     SHA-256 of the .info text before the "DSIG:" line.
 *
 * Members go, in tar order, to the same loader a file of that name would
 * get (vgdb_load_any, engine.c), named "container:member" so that an error
 * reads `daily.cvd:daily.ndb:12: reason`. An ignore list in the container
 * applies to the members after it, as in clamscan. The container loads
 * whole or not at all: vg_engine_load's mark and rollback cover it.
 *
 * The old .db body format (`Name=HexSignature`) is read here too, as the
 * .ndb lines it stands for (load_old_db).
 *
 * Types that carry no signatures vigil can use are taken deliberately:
 *   COPYING, .info        read (the .info is the manifest above);
 *   .cfg                  engine configuration switches, skipped;
 *   .cbc                  bytecode signatures: never executed; each is
 *                         counted, and the CLI reports the count once;
 *   .hdu .hsu .mdu .msu .ndu .ldu  PUA signatures, which clamscan too
 *                         loads only with --detect-pua; counted as skipped;
 *   other ClamAV types vigil does not load yet (.pdb .wdb .gdb .crb ...):
 *                         their signature lines are counted as skipped and
 *                         the CLI names the types. Never silently.
 *
 * Bounds: the body is read with libarchive (tar format; gzip filter only
 * when the magic says so) from memory; at most VGDB_CVD_MAX_MEMBERS members,
 * VGDB_CVD_MAX_MEMBER bytes per member and VGDB_CVD_MAX_TOTAL bytes in all;
 * a member buffer grows as data arrives, never by what a header claims. */
#include "db/load_cvd.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/bn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/rd.h"
#include "db/engine_int.h"
#include "db/ftm.h"
#include "db/ignore.h"

#define VGDB_CVD_MAX_MEMBERS 4096u
#define VGDB_CVD_MAX_MEMBER (1024ull * 1024 * 1024)
#define VGDB_CVD_MAX_TOTAL (4096ull * 1024 * 1024)
#define VGDB_CVD_MAX_DSIG 400u /* characters; a 2048-bit number needs 342 */
#define VGDB_CVD_MAX_INFO 65536u /* manifest entries */

/* ClamAV's published public keys (decimal modulus, exponent). */
static const char cvd_key_n[] =
    "1186409955516453426030700016584531897515277744120277437465994057432431426074"
    "6414476736106064065584474976078889002228342492276248891756555100246777110966"
    "9598189410434699034532232228621591089508178591428456220796841621637175567590"
    "476666928698770143328137383952820383197532047771780196576957695822641224262693037";
static const unsigned long cvd_key_e = 100001027ul;
static const char info_key_n[] =
    "1108889498304854547365955610662719492392894179179504762059165869741358104332"
    "2715912172496806525381055880964520618400224333320534660299233983755341740679"
    "5028668299096799557343913926683783612215242053966310901051516412708572770803"
    "1073432095165370050894171741916872394250789070290470270758745162169105075430"
    "7850383399865346487203798464178537392211402786481359824461197231102895415093"
    "7703942166663244845939357624084685168266331921408266679234948220458053478099"
    "3284845484588697170642436055866786277587607205943770336538020910169773857751"
    "5476935085469455279994113145977994084618328482151013142393373316337519977244732747977";
static const unsigned long info_key_e = 100002049ul;

/* ---- extensions ---------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int ext_in(const char *name, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (ends_with(name, list[i]))
            return 1;
    return 0;
}

static const char *const container_exts[] = {".cvd", ".cld", ".cud", NULL};
static const char *const pua_exts[] = {".hdu", ".hsu", ".mdu", ".msu", ".ndu", ".ldu", NULL};
/* ClamAV database types, for the ones vigil has no loader for (yet). */
static const char *const clam_exts[] = {
    ".db", ".hdb", ".hsb", ".fp", ".sfp", ".mdb", ".msb", ".imp", ".ndb", ".ldb", ".cdb",
    ".idb", ".crb", ".pdb", ".gdb", ".wdb", ".sdb", ".zmd", ".rmd", ".pwdb", ".ioc",
    ".cat", ".yar", ".yara", ".cbc", ".ftm", ".cfg", ".ign", ".ign2", ".info", NULL};

int vgdb_is_container(const char *name) { return ext_in(name, container_exts); }

int vgdb_special_ext(const char *name)
{
    return ext_in(name, container_exts) || ends_with(name, ".db") || ends_with(name, ".ign") ||
           ends_with(name, ".ign2") || ends_with(name, ".ftm") || ends_with(name, ".cbc") ||
           ext_in(name, pua_exts);
}

int vgdb_unsupported_ext(const char *name)
{
    return ext_in(name, clam_exts) && !vgdb_known_ext(name) && !vgdb_special_ext(name) &&
           !ends_with(name, ".cfg") && !ends_with(name, ".info");
}

/* ---- skipped signatures ---------------------------------------------------- */

static uint64_t count_lines(const char *t, size_t n)
{
    uint64_t k = 0;
    size_t pos = 0;
    while (pos < n) {
        const char *nl = memchr(t + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - t) : n;
        if (end > pos && t[pos] != '#' && t[pos] != '\r')
            k++;
        pos = end + 1;
    }
    return k;
}

static void note_type(vg_engine *e, const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return;
    size_t have = strlen(e->skip_types), n = strlen(dot);
    /* already listed (as a whole word)? */
    for (const char *p = e->skip_types; (p = strstr(p, dot)) != NULL; p += n)
        if ((p == e->skip_types || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
            return;
    if (have + n + 2 > sizeof e->skip_types)
        return;
    if (have)
        e->skip_types[have++] = ' ';
    memcpy(e->skip_types + have, dot, n + 1);
}

static void skip_sigs(vg_engine *e, const char *name, const char *text, size_t len)
{
    uint64_t k = count_lines(text, len);
    e->skip_unsupported += k;
    if (k)
        note_type(e, name); /* a type with only comments skips nothing */
}

/* ---- signatures ------------------------------------------------------------ */

/* The DSIG string as a number: little-endian base 64 (see the top). */
static BIGNUM *dsig_number(const char *s, size_t n)
{
    static const char alpha[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
    if (n == 0 || n > VGDB_CVD_MAX_DSIG)
        return NULL;
    uint8_t le[(VGDB_CVD_MAX_DSIG * 6 + 7) / 8 + 1];
    memset(le, 0, sizeof le);
    for (size_t i = 0; i < n; i++) {
        const char *c = s[i] ? strchr(alpha, s[i]) : NULL;
        if (!c)
            return NULL;
        unsigned v = (unsigned)(c - alpha);
        size_t bit = 6 * i;
        unsigned w = v << (bit % 8);
        le[bit / 8] |= (uint8_t)w;
        le[bit / 8 + 1] |= (uint8_t)(w >> 8);
    }
    return BN_lebin2bn(le, (int)((6 * n + 7) / 8), NULL);
}

/* s^e mod n of the DSIG string into out[outlen] (big-endian, left-padded);
 * 0 when the string is no number or the result needs more bytes. */
static int rsa_open(const char *sig, size_t siglen, const char *n_dec, unsigned long e,
                    uint8_t *out, size_t outlen)
{
    int ok = 0;
    BIGNUM *s = dsig_number(sig, siglen), *n = NULL, *ex = BN_new(), *m = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    if (!s || !ex || !m || !ctx || !BN_dec2bn(&n, n_dec) || !BN_set_word(ex, e))
        goto done;
    if (!BN_mod_exp(m, s, ex, n, ctx))
        goto done;
    if ((size_t)BN_num_bytes(m) > outlen)
        goto done;
    ok = BN_bn2binpad(m, out, (int)outlen) == (int)outlen;
done:
    BN_free(s);
    BN_free(n);
    BN_free(ex);
    BN_free(m);
    BN_CTX_free(ctx);
    return ok;
}

static int md5_sig_ok(const char *dsig, size_t n, const uint8_t md5[16])
{
    uint8_t m[16];
    return rsa_open(dsig, n, cvd_key_n, cvd_key_e, m, sizeof m) && memcmp(m, md5, 16) == 0;
}

/* EMSA-PSS verification (RFC 8017 §9.1.2) with SHA-256, MGF1-SHA-256, a
 * 32-byte salt and a 2048-bit modulus. */
static int pss_sig_ok(const char *dsig, size_t n, const uint8_t mhash[32])
{
    enum { EM = 256, HL = 32, DBL = EM - HL - 1, SALT = 32 };
    uint8_t em[EM], db[DBL], buf[8 + 2 * HL], h2[32];
    if (!rsa_open(dsig, n, info_key_n, info_key_e, em, sizeof em) || em[EM - 1] != 0xbc)
        return 0;
    const uint8_t *h = em + DBL;
    for (uint32_t c = 0, done = 0; done < DBL; c++) {
        uint8_t in[HL + 4], out[32];
        memcpy(in, h, HL);
        in[HL] = (uint8_t)(c >> 24);
        in[HL + 1] = (uint8_t)(c >> 16);
        in[HL + 2] = (uint8_t)(c >> 8);
        in[HL + 3] = (uint8_t)c;
        if (vghash_compute(VGH_SHA256, in, sizeof in, out) != VG_OK)
            return 0;
        for (uint32_t i = 0; i < HL && done < DBL; i++, done++)
            db[done] = em[done] ^ out[i];
    }
    db[0] &= 0x7f;
    size_t ps = DBL - SALT - 1;
    for (size_t i = 0; i < ps; i++)
        if (db[i] != 0)
            return 0;
    if (db[ps] != 0x01)
        return 0;
    memset(buf, 0, 8);
    memcpy(buf + 8, mhash, HL);
    memcpy(buf + 8 + HL, db + ps + 1, SALT);
    if (vghash_compute(VGH_SHA256, buf, sizeof buf, h2) != VG_OK)
        return 0;
    return memcmp(h2, h, HL) == 0;
}

/* ---- header ------------------------------------------------------------------ */

enum kind { K_CVD, K_CLD, K_CUD };

typedef struct field {
    const char *p;
    size_t n;
} field;

/* n/2 bytes from n lower-case hex digits (ClamAV writes and compares
 * lower case); 0 on any other character. */
static int unhex(const char *p, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
        if (v < 0)
            return 0;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return n % 2 == 0;
}

static int hex16(const field *f, uint8_t out[16])
{
    return f->n == 32 && unhex(f->p, 32, out);
}

/* ---- the .info manifest -------------------------------------------------------- */

typedef struct info_ent {
    char name[128];
    uint64_t size;
    uint8_t sha256[32];
} info_ent;

typedef struct cvd_ctx {
    vg_engine *e;
    const char *cname; /* container base name, for messages */
    enum kind kind;
    int official;
    info_ent *info;
    size_t ninfo;
    int have_info;
} cvd_ctx;

static vg_status fail(cvd_ctx *c, const char *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static vg_status fail(cvd_ctx *c, const char *member, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (member)
        vgdb_error(c->e, "%s:%s: %s", c->cname, member, msg);
    else
        vgdb_error(c->e, "%s: %s", c->cname, msg);
    return VG_EVERIFY;
}

static vg_status parse_info(cvd_ctx *c, const char *mname, const char *t, size_t len)
{
    size_t pos = 0, line = 0, signed_len = len;
    const char *dsig = NULL;
    size_t dsig_len = 0;
    free(c->info);
    c->info = NULL;
    c->ninfo = 0;
    size_t cap = 0;
    while (pos < len) {
        const char *nl = memchr(t + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - t) : len;
        const char *p = t + pos;
        size_t n = end - pos, at = pos;
        pos = end + 1;
        line++;
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
            n--;
        if (n == 0 || (n >= 11 && memcmp(p, "ClamAV-VDB:", 11) == 0))
            continue;
        if (n >= 5 && memcmp(p, "DSIG:", 5) == 0) {
            if (c->kind == K_CUD)
                return fail(c, mname, "line %zu: a DSIG line in an unsigned container", line);
            dsig = p + 5;
            dsig_len = n - 5;
            signed_len = at;
            break;
        }
        const char *c1 = memchr(p, ':', n);
        const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - p)) : NULL;
        if (!c1 || !c2 || c1 == p || (size_t)(c1 - p) >= sizeof c->info[0].name)
            return fail(c, mname, "line %zu: expected file:size:sha256", line);
        if (c->ninfo == cap) {
            if (cap >= VGDB_CVD_MAX_INFO)
                return fail(c, mname, "more than %u entries", VGDB_CVD_MAX_INFO);
            cap = cap ? cap * 2 : 32;
            info_ent *ni = realloc(c->info, cap * sizeof *ni);
            if (!ni)
                return VG_ENOMEM;
            c->info = ni;
        }
        info_ent *en = &c->info[c->ninfo];
        memset(en, 0, sizeof *en);
        memcpy(en->name, p, (size_t)(c1 - p));
        uint64_t sz = 0;
        const char *q = c1 + 1;
        if (q == c2)
            return fail(c, mname, "line %zu: bad size", line);
        for (; q < c2; q++) {
            if (*q < '0' || *q > '9' || sz > (UINT64_MAX - 9) / 10)
                return fail(c, mname, "line %zu: bad size", line);
            sz = sz * 10 + (uint64_t)(*q - '0');
        }
        en->size = sz;
        const char *hp = c2 + 1;
        size_t hn = (size_t)(p + n - hp);
        if (hn != 64 || !unhex(hp, 64, en->sha256))
            return fail(c, mname, "line %zu: bad SHA-256", line);
        c->ninfo++;
    }
    if (c->kind != K_CUD) {
        uint8_t mh[32];
        if (!dsig)
            return fail(c, mname, "no DSIG line: the manifest of a signed container must be signed");
        if (vghash_compute(VGH_SHA256, t, signed_len, mh) != VG_OK)
            return VG_ENOMEM;
        if (!pss_sig_ok(dsig, dsig_len, mh))
            return fail(c, mname, "digital signature does not verify against ClamAV's "
                                  "public key; the container was altered or is not "
                                  "ClamAV's, refused");
    }
    c->have_info = 1;
    return VG_OK;
}

static vg_status check_member(cvd_ctx *c, const char *mname, const uint8_t *d, size_t n)
{
    if (!c->have_info)
        return fail(c, mname, "database member before the .info manifest");
    for (size_t i = 0; i < c->ninfo; i++) {
        if (strcmp(c->info[i].name, mname) != 0)
            continue;
        uint8_t h[32];
        if (c->info[i].size != n)
            return fail(c, mname, "size %zu, the .info says %llu", n,
                        (unsigned long long)c->info[i].size);
        if (vghash_compute(VGH_SHA256, d, n, h) != VG_OK)
            return VG_ENOMEM;
        if (memcmp(h, c->info[i].sha256, 32) != 0)
            return fail(c, mname, "SHA-256 does not match the .info manifest");
        return VG_OK;
    }
    return fail(c, mname, "not listed in the .info manifest");
}

/* ---- members ------------------------------------------------------------------- */

static vg_status member(cvd_ctx *c, const char *mname, const uint8_t *d, size_t n)
{
    vg_engine *e = c->e;
    char full[512];
    snprintf(full, sizeof full, "%s:%s", c->cname, mname);
    if (strcmp(mname, "COPYING") == 0)
        return VG_OK;
    if (ends_with(mname, ".info"))
        return parse_info(c, mname, (const char *)d, n);
    if (!ext_in(mname, clam_exts) && !ext_in(mname, pua_exts) && !ext_in(mname, container_exts))
        return VG_OK; /* not a database type: clamscan ignores it too */
    vg_status st = check_member(c, mname, d, n);
    if (st != VG_OK)
        return st;
    if (ext_in(mname, container_exts))
        return fail(c, mname, "a container inside a container is not supported");
    if (ends_with(mname, ".cfg"))
        return VG_OK; /* engine switches (DCONF): deliberately not read */
    return vgdb_load_any(e, full, (const char *)d, n, c->official);
}

/* ---- the tar body ---------------------------------------------------------------- */

static vg_status read_body(cvd_ctx *c, const uint8_t *body, size_t blen)
{
    struct archive *a = archive_read_new();
    if (!a)
        return VG_ENOMEM;
    int gz = blen >= 2 && body[0] == 0x1f && body[1] == 0x8b;
    vg_status st = VG_OK;
    uint8_t *buf = NULL;
    size_t cap = 0;
    uint64_t total = 0;
    unsigned nmem = 0;
    if ((gz && archive_read_support_filter_gzip(a) != ARCHIVE_OK) ||
        archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open_memory(a, body, blen) != ARCHIVE_OK) {
        st = fail(c, NULL, "body is not a %star archive: %s", gz ? "gzip-compressed " : "",
                  archive_error_string(a) ? archive_error_string(a) : "unreadable");
        st = VG_EFORMAT;
        goto out;
    }
    for (;;) {
        struct archive_entry *en;
        int r = archive_read_next_header(a, &en);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            fail(c, NULL, "damaged tar body: %s",
                 archive_error_string(a) ? archive_error_string(a) : "bad header");
            st = VG_EFORMAT;
            goto out;
        }
        if (++nmem > VGDB_CVD_MAX_MEMBERS) {
            fail(c, NULL, "more than %u members", VGDB_CVD_MAX_MEMBERS);
            st = VG_ELIMIT;
            goto out;
        }
        if (archive_entry_filetype(en) != AE_IFREG)
            continue;
        const char *path = archive_entry_pathname(en);
        const char *base = path ? strrchr(path, '/') : NULL;
        base = base ? base + 1 : path;
        if (!base || !*base || strlen(base) > 255)
            continue;
        char mname[256];
        snprintf(mname, sizeof mname, "%s", base);
        if (!ends_with(mname, ".info") && !ext_in(mname, clam_exts) &&
            !ext_in(mname, pua_exts) && !ext_in(mname, container_exts))
            continue; /* COPYING and other files: not read (libarchive skips them) */
        size_t n = 0;
        for (;;) {
            if (cap - n < 65536) {
                size_t ncap = cap ? cap * 2 : 1 << 20;
                if (ncap > VGDB_CVD_MAX_MEMBER + 65536)
                    ncap = VGDB_CVD_MAX_MEMBER + 65536;
                if (ncap - n < 65536) {
                    fail(c, mname, "member larger than %llu bytes",
                         (unsigned long long)VGDB_CVD_MAX_MEMBER);
                    st = VG_ELIMIT;
                    goto out;
                }
                uint8_t *nb = realloc(buf, ncap);
                if (!nb) {
                    st = VG_ENOMEM;
                    goto out;
                }
                buf = nb;
                cap = ncap;
            }
            la_ssize_t k = archive_read_data(a, buf + n, 65536);
            if (k < 0) {
                fail(c, mname, "damaged data: %s",
                     archive_error_string(a) ? archive_error_string(a) : "read error");
                st = VG_EFORMAT;
                goto out;
            }
            if (k == 0)
                break;
            n += (size_t)k;
            total += (uint64_t)k;
            if (total > VGDB_CVD_MAX_TOTAL) {
                fail(c, NULL, "more than %llu bytes unpacked",
                     (unsigned long long)VGDB_CVD_MAX_TOTAL);
                st = VG_ELIMIT;
                goto out;
            }
        }
        st = member(c, mname, buf ? buf : (const uint8_t *)"", n);
        if (st != VG_OK)
            goto out;
    }
    if (!c->have_info) {
        fail(c, NULL, "no .info manifest in the container");
        st = VG_EFORMAT;
    }
out:
    archive_read_free(a);
    free(buf);
    return st;
}

vg_status vgdb_cvd_load(vg_engine *e, const char *name, const uint8_t *data, size_t len)
{
    const char *slash = strrchr(name, '/');
    cvd_ctx c = {e, slash ? slash + 1 : name, K_CVD, 1, NULL, 0, 0};
    c.kind = ends_with(name, ".cld") ? K_CLD : ends_with(name, ".cud") ? K_CUD : K_CVD;
    c.official = c.kind != K_CUD;
    vgrd r;
    vgrd_init(&r, data, len);
    const uint8_t *h = vgrd_take(&r, 512);
    if (!h || memcmp(h, "ClamAV-VDB:", 11) != 0) {
        fail(&c, NULL, "not a ClamAV container (no 512-byte 'ClamAV-VDB:' header)");
        return VG_EFORMAT;
    }
    /* header fields: up to the first NUL/CR/LF, trailing spaces cut */
    size_t hl = 0;
    while (hl < 512 && h[hl] && h[hl] != '\n' && h[hl] != '\r')
        hl++;
    while (hl && h[hl - 1] == ' ')
        hl--;
    field f[10];
    size_t nf = 0, s = 0;
    while (nf < 10) {
        const uint8_t *q = memchr(h + s, ':', hl - s);
        size_t end = q ? (size_t)(q - h) : hl;
        f[nf].p = (const char *)h + s;
        f[nf++].n = end - s;
        if (!q)
            break;
        s = end + 1;
    }
    if (nf < 8) {
        fail(&c, NULL, "header has %zu fields, expected ClamAV-VDB:time:version:sigs:"
                       "flevel:md5:dsig:builder[:stime]", nf);
        return VG_EFORMAT;
    }
    const uint8_t *body = data + 512;
    size_t blen = len - 512;
    if (c.kind == K_CVD) {
        uint8_t want[16], got[32];
        if (!hex16(&f[5], want)) {
            fail(&c, NULL, "header MD5 field is not 32 lower-case hex digits");
            return VG_EVERIFY;
        }
        if (vghash_compute(VGH_MD5, body, blen, got) != VG_OK)
            return VG_ENOMEM;
        if (memcmp(want, got, 16) != 0)
            return fail(&c, NULL, "MD5 of the body does not match the header: the file is "
                                  "damaged or was altered; refused");
        if (!md5_sig_ok(f[6].p, f[6].n, want))
            return fail(&c, NULL, "digital signature does not verify against ClamAV's public "
                                  "key; the file was altered or is not ClamAV's, refused "
                                  "(a .cud is the unsigned form)");
    }
    vg_status st = read_body(&c, body, blen);
    free(c.info);
    return st;
}

/* ---- X.cvd beside X.cld ----------------------------------------------------------- */

/* The version in a container's header (field 3), or -1. */
static long header_version(const char *path)
{
    char h[513];
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(h, 1, 512, f);
    fclose(f);
    h[n] = 0;
    if (n < 512 || strncmp(h, "ClamAV-VDB:", 11) != 0)
        return -1;
    const char *p = h;
    for (int i = 0; i < 2 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    if (!p || *p < '0' || *p > '9')
        return -1;
    long v = 0;
    for (; *p >= '0' && *p <= '9' && v < 100000000; p++)
        v = v * 10 + (*p - '0');
    return v;
}

int vgdb_cvd_superseded(const char *path)
{
    int cvd = ends_with(path, ".cvd"), cld = ends_with(path, ".cld");
    if (!cvd && !cld)
        return 0;
    size_t n = strlen(path);
    char other[4096];
    if (n >= sizeof other)
        return 0;
    memcpy(other, path, n + 1);
    memcpy(other + n - 4, cvd ? ".cld" : ".cvd", 4);
    long mine = header_version(path), theirs = header_version(other);
    if (theirs < 0)
        return 0;
    /* the newer one loads; on a tie the .cld (freshclam's newest form) */
    return cvd ? theirs >= mine : theirs > mine;
}

/* ---- the old .db body format ---------------------------------------------------- */

/* ClamAV's first database format, still published by some (InterServer):
 * `Name=HexSignature` per line, a body signature for any file type at any
 * offset, i.e. the .ndb line `Name:0:*:HexSignature`. Each line is
 * rewritten so and the whole goes to the .ndb loader; an error message
 * names the .db file and its line (one line in, one line out). */
static vg_status load_old_db(vg_engine *e, const char *name, const char *text, size_t len,
                             int official)
{
    size_t cap = len + len / 4 + 64, o = 0, pos = 0, line = 0;
    char *out = malloc(cap);
    if (!out)
        return VG_ENOMEM;
    vg_status st = VG_OK;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *p = text + pos;
        size_t n = end - pos;
        pos = end + 1;
        line++;
        const char *eq = n && p[0] != '#' ? memchr(p, '=', n) : NULL;
        size_t need = n + 8;
        if (o + need > cap) {
            cap = (o + need) * 2;
            char *no = realloc(out, cap);
            if (!no) {
                st = VG_ENOMEM;
                break;
            }
            out = no;
        }
        if (n && p[0] != '#' && !eq) {
            vgdb_error(e, "%s:%zu: expected Name=HexSignature", name, line);
            st = VG_EFORMAT;
            break;
        }
        if (eq && memchr(p, ':', (size_t)(eq - p))) {
            vgdb_error(e, "%s:%zu: ':' in a signature name", name, line);
            st = VG_EFORMAT;
            break;
        }
        if (!eq) {
            memcpy(out + o, p, n);
            o += n;
        } else {
            size_t nn = (size_t)(eq - p);
            memcpy(out + o, p, nn);
            o += nn;
            memcpy(out + o, ":0:*:", 5);
            o += 5;
            memcpy(out + o, eq + 1, n - nn - 1);
            o += n - nn - 1;
        }
        if (nl)
            out[o++] = '\n';
    }
    if (st == VG_OK) {
        char nname[600];
        snprintf(nname, sizeof nname, "%s.ndb", name);
        st = vgdb_load_any(e, nname, out, o, official);
        /* "x.db.ndb:12: reason" -> "x.db:12: reason" */
        char *m = strstr(e->err, ".db.ndb");
        if (st != VG_OK && m)
            memmove(m + 3, m + 7, strlen(m + 7) + 1);
    }
    free(out);
    return st;
}

/* ---- the non-signature types ----------------------------------------------------- */

int vgdb_special_load(vg_engine *e, const char *name, const char *text, size_t len,
                      int official, vg_status *st)
{
    if (ext_in(name, container_exts)) {
        *st = vgdb_cvd_load(e, name, (const uint8_t *)text, len);
        return 1;
    }
    if (ends_with(name, ".db")) {
        *st = load_old_db(e, name, text, len, official);
        return 1;
    }
    if (ends_with(name, ".ign") || ends_with(name, ".ign2")) {
        *st = vgdb_ign_load(e, &e->ign, name, text, len);
        return 1;
    }
    if (ends_with(name, ".ftm")) {
        *st = vgdb_ftm_load(e, name, text, len, &e->nftm);
        return 1;
    }
    if (ends_with(name, ".cbc")) {
        /* one bytecode signature per file; never executed */
        e->skip_bytecode++;
        *st = VG_OK;
        return 1;
    }
    if (ext_in(name, pua_exts) || vgdb_unsupported_ext(name)) {
        skip_sigs(e, name, text, len);
        *st = VG_OK;
        return 1;
    }
    return 0;
}
