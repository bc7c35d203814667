/* yara/lexer.c - the YARA 4 tokenizer.
 *
 * Numbers: decimal, 0x hex, 0o octal, with KB/MB suffixes; floats "1.5".
 * Text strings take yara's escapes only: \" \\ \t \n \r \xHH (anything
 * else is "illegal escape sequence", as yara says). Comments // and
 * block comments; a block comment may span lines (line numbers follow).
 * Errors leave T_ERR with a message in l->err. */
#include "yara/lexer.h"
#include "core/hex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yara/yara_int.h"

static const struct {
    const char *s;
    int t;
} kw[] = {
    {"all", K_ALL}, {"and", K_AND}, {"any", K_ANY}, {"ascii", K_ASCII},
    {"at", K_AT}, {"base64", K_BASE64}, {"base64wide", K_BASE64WIDE},
    {"condition", K_CONDITION}, {"contains", K_CONTAINS},
    {"endswith", K_ENDSWITH}, {"entrypoint", K_ENTRYPOINT},
    {"false", K_FALSE}, {"filesize", K_FILESIZE}, {"for", K_FOR},
    {"fullword", K_FULLWORD}, {"global", K_GLOBAL}, {"import", K_IMPORT},
    {"icontains", K_ICONTAINS}, {"iendswith", K_IENDSWITH},
    {"iequals", K_IEQUALS}, {"in", K_IN}, {"include", K_INCLUDE},
    {"int16", K_INT16}, {"int16be", K_INT16BE}, {"int32", K_INT32},
    {"int32be", K_INT32BE}, {"int8", K_INT8}, {"int8be", K_INT8BE},
    {"istartswith", K_ISTARTSWITH}, {"matches", K_MATCHES}, {"meta", K_META},
    {"nocase", K_NOCASE}, {"none", K_NONE}, {"not", K_NOT}, {"of", K_OF},
    {"or", K_OR}, {"private", K_PRIVATE}, {"rule", K_RULE},
    {"startswith", K_STARTSWITH}, {"strings", K_STRINGS}, {"them", K_THEM},
    {"true", K_TRUE}, {"uint16", K_UINT16}, {"uint16be", K_UINT16BE},
    {"uint32", K_UINT32}, {"uint32be", K_UINT32BE}, {"uint8", K_UINT8},
    {"uint8be", K_UINT8BE}, {"wide", K_WIDE}, {"xor", K_XOR},
    {"defined", K_DEFINED},
};

const char *vgyl_name(int tok)
{
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (kw[i].t == tok)
            return kw[i].s;
    switch (tok) {
    case T_EOF: return "end of file";
    case T_IDENT: return "identifier";
    case T_STRID: return "string identifier";
    case T_INT: return "integer";
    case T_TEXT: return "text string";
    default: return "token";
    }
}

void vgyl_init(vgyl *l, const char *text, size_t len)
{
    memset(l, 0, sizeof *l);
    l->p = text;
    l->end = text + len;
    l->line = 1;
}

void vgyl_free(vgyl *l) { free(l->buf); }

static int err(vgyl *l, const char *msg)
{
    snprintf(l->err, sizeof l->err, "%s", msg);
    l->tok = T_ERR;
    return T_ERR;
}

static int put(vgyl *l, uint8_t c)
{
    if (l->blen == l->bcap) {
        size_t cap = l->bcap ? l->bcap * 2 : 64;
        if (cap > VGY_MAX_STRLEN + 1)
            return -1;
        uint8_t *nb = realloc(l->buf, cap);
        if (!nb)
            return -1;
        l->buf = nb;
        l->bcap = cap;
    }
    l->buf[l->blen++] = c;
    return 0;
}

static void skip_space(vgyl *l)
{
    while (l->p < l->end) {
        char c = *l->p;
        if (c == '\n') {
            l->line++;
            l->p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            l->p++;
        } else if (c == '/' && l->p + 1 < l->end && l->p[1] == '/') {
            while (l->p < l->end && *l->p != '\n')
                l->p++;
        } else if (c == '/' && l->p + 1 < l->end && l->p[1] == '*') {
            l->p += 2;
            while (l->p < l->end && !(*l->p == '*' && l->p + 1 < l->end && l->p[1] == '/')) {
                if (*l->p == '\n')
                    l->line++;
                l->p++;
            }
            l->p = l->p < l->end ? l->p + 2 : l->end;
        } else
            break;
    }
}

static int is_id(int c) { return isalnum(c) || c == '_'; }

static int lex_text(vgyl *l)
{
    l->blen = 0;
    l->p++; /* opening quote */
    while (l->p < l->end && *l->p != '"') {
        char c = *l->p++;
        if (c == '\n')
            return err(l, "unterminated string");
        if (c == '\\') {
            if (l->p >= l->end)
                return err(l, "unterminated string");
            char e = *l->p++;
            int v;
            switch (e) {
            case '"': v = '"'; break;
            case '\\': v = '\\'; break;
            case 't': v = '\t'; break;
            case 'n': v = '\n'; break;
            case 'r': v = '\r'; break;
            case 'x': {
                int h = l->p < l->end ? vg_hexval(*l->p) : -1;
                int lo = l->p + 1 < l->end ? vg_hexval(l->p[1]) : -1;
                if (h < 0 || lo < 0)
                    return err(l, "illegal escape sequence");
                v = h * 16 + lo;
                l->p += 2;
                break;
            }
            default:
                return err(l, "illegal escape sequence");
            }
            c = (char)v;
        }
        if (put(l, (uint8_t)c) != 0)
            return err(l, "string too long");
    }
    if (l->p >= l->end)
        return err(l, "unterminated string");
    l->p++;
    return l->tok = T_TEXT;
}

static int lex_number(vgyl *l)
{
    const char *s = l->p;
    uint64_t v = 0;
    int base = 10;
    if (s + 1 < l->end && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s + 1 < l->end && s[0] == '0' && s[1] == 'o') {
        base = 8;
        s += 2;
    }
    const char *d0 = s;
    int over = 0;
    while (s < l->end) {
        int h = vg_hexval(*s);
        if (h < 0 || h >= base)
            break;
        if (v > (UINT64_MAX - (uint64_t)h) / (uint64_t)base)
            over = 1;
        v = v * (uint64_t)base + (uint64_t)h;
        s++;
    }
    if (s == d0)
        return err(l, "syntax error");
    if (base == 10 && s + 1 < l->end && *s == '.' && isdigit((unsigned char)s[1])) {
        char tmp[64];
        const char *f = s + 1;
        while (f < l->end && isdigit((unsigned char)*f))
            f++;
        size_t n = (size_t)(f - l->p);
        if (n >= sizeof tmp)
            n = sizeof tmp - 1;
        memcpy(tmp, l->p, n);
        tmp[n] = 0;
        l->fval = strtod(tmp, NULL);
        l->p = f;
        return l->tok = T_FLT;
    }
    uint64_t mul = 1;
    if (s + 1 < l->end && (s[0] == 'K' || s[0] == 'M') && s[1] == 'B') {
        mul = s[0] == 'K' ? 1024 : 1048576;
        s += 2;
    }
    if (over || v > (uint64_t)INT64_MAX / mul)
        return err(l, "integer overflow");
    if (s < l->end && is_id((unsigned char)*s))
        return err(l, "syntax error");
    l->ival = (int64_t)(v * mul);
    l->p = s;
    return l->tok = T_INT;
}

int vgyl_next(vgyl *l)
{
    skip_space(l);
    l->tline = l->line;
    l->ts = l->p;
    l->tlen = 0;
    l->star = 0;
    if (l->p >= l->end)
        return l->tok = T_EOF;
    unsigned char c = (unsigned char)*l->p;
    if (isalpha(c) || c == '_') {
        const char *s = l->p;
        while (l->p < l->end && is_id((unsigned char)*l->p))
            l->p++;
        l->tlen = (size_t)(l->p - s);
        for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
            if (strlen(kw[i].s) == l->tlen && !memcmp(kw[i].s, s, l->tlen))
                return l->tok = kw[i].t;
        if (l->tlen > VGY_MAX_IDENT)
            return err(l, "identifier too long");
        return l->tok = T_IDENT;
    }
    if (c == '$' || c == '#' || c == '@' || (c == '!' && l->p + 1 < l->end &&
                                             (is_id((unsigned char)l->p[1])))) {
        l->p++;
        while (l->p < l->end && is_id((unsigned char)*l->p))
            l->p++;
        l->tlen = (size_t)(l->p - l->ts);
        if (c == '$' && l->p < l->end && *l->p == '*') {
            l->star = 1;
            l->p++;
        }
        if (l->tlen > VGY_MAX_IDENT)
            return err(l, "identifier too long");
        return l->tok = c == '$' ? T_STRID : c == '#' ? T_STRCOUNT : c == '@' ? T_STROFF : T_STRLEN;
    }
    if (isdigit(c))
        return lex_number(l);
    if (c == '"')
        return lex_text(l);
    l->p++;
    char n = l->p < l->end ? *l->p : 0;
#define TWO(ch, t2, t1) if (n == (ch)) { l->p++; return l->tok = (t2); } return l->tok = (t1)
    switch (c) {
    case '{': return l->tok = T_LBRACE;
    case '}': return l->tok = T_RBRACE;
    case '(': return l->tok = T_LPAREN;
    case ')': return l->tok = T_RPAREN;
    case '[': return l->tok = T_LBRACK;
    case ']': return l->tok = T_RBRACK;
    case ':': return l->tok = T_COLON;
    case ',': return l->tok = T_COMMA;
    case '.': TWO('.', T_DOTDOT, T_DOT);
    case '=': TWO('=', T_EQEQ, T_EQ);
    case '!':
        if (n == '=') {
            l->p++;
            return l->tok = T_NEQ;
        }
        /* `!` alone: the anonymous length operator inside for..of */
        l->tlen = 1;
        return l->tok = T_STRLEN;
    case '<':
        if (n == '<') { l->p++; return l->tok = T_SHL; }
        TWO('=', T_LE, T_LT);
    case '>':
        if (n == '>') { l->p++; return l->tok = T_SHR; }
        TWO('=', T_GE, T_GT);
    case '+': return l->tok = T_PLUS;
    case '-': return l->tok = T_MINUS;
    case '*': return l->tok = T_STAR;
    case '/': return l->tok = T_SLASH; /* only ever a regex start */
    case '\\': return l->tok = T_DIV;
    case '%': return l->tok = T_PCT;
    case '&': return l->tok = T_AMP;
    case '|': return l->tok = T_PIPE;
    case '^': return l->tok = T_CARET;
    case '~': return l->tok = T_TILDE;
    default: break;
    }
#undef TWO
    return err(l, "syntax error");
}

int vgyl_hex(vgyl *l)
{
    /* l->p is just after '{'. Comments may sit inside a hex string (and
     * may hold braces): the body is copied to l->buf with each comment
     * replaced by a space. */
    l->blen = 0;
    while (l->p < l->end && *l->p != '}') {
        char c = *l->p;
        if (c == '/' && l->p + 1 < l->end && l->p[1] == '/') {
            while (l->p < l->end && *l->p != '\n')
                l->p++;
            c = ' ';
        } else if (c == '/' && l->p + 1 < l->end && l->p[1] == '*') {
            l->p += 2;
            while (l->p + 1 < l->end && !(l->p[0] == '*' && l->p[1] == '/')) {
                if (*l->p == '\n')
                    l->line++;
                l->p++;
            }
            if (l->p + 1 >= l->end)
                return err(l, "unterminated hex string");
            l->p += 2;
            c = ' ';
        } else {
            if (c == '\n')
                l->line++;
            l->p++;
        }
        if (put(l, (uint8_t)c))
            return err(l, "out of memory");
    }
    if (l->p >= l->end)
        return err(l, "unterminated hex string");
    l->ts = l->buf ? (const char *)l->buf : "";
    l->tlen = l->blen;
    l->p++;
    return l->tok = T_HEX;
}

int vgyl_regex(vgyl *l)
{
    /* l->p is just after the opening '/' */
    const char *s = l->p;
    int in_class = 0;
    while (l->p < l->end) {
        char c = *l->p;
        if (c == '\n')
            return err(l, "unterminated regular expression");
        if (c == '\\') {
            if (l->p + 1 < l->end && l->p[1] == '\n')
                return err(l, "unterminated regular expression");
            l->p += 2;
            continue;
        }
        if (c == '[')
            in_class = 1;
        else if (c == ']')
            in_class = 0;
        else if (c == '/' && !in_class)
            break;
        l->p++;
    }
    if (l->p >= l->end)
        return err(l, "unterminated regular expression");
    l->ts = s;
    l->tlen = (size_t)(l->p - s);
    if (l->tlen == 0)
        return err(l, "empty regular expression");
    l->p++;
    l->reflags = 0;
    while (l->p < l->end && (*l->p == 'i' || *l->p == 's')) {
        l->reflags |= *l->p == 'i' ? VGY_M_NOCASE : VGY_M_DOTALL;
        l->p++;
    }
    return l->tok = T_REGEX;
}
