/* yara/lexer.h - tokens of the YARA 4 language.
 *
 * The lexer is context-free except for two raw reads the parser asks for:
 * a hex string body after `= {` and a regex body after `= /` or `matches
 * /` (vgyl_hex, vgyl_regex), because `{` and `/` mean other things
 * elsewhere. */
#ifndef VG_YARA_LEXER_H
#define VG_YARA_LEXER_H

#include <stddef.h>
#include <stdint.h>

enum vgy_tok {
    T_EOF, T_ERR, T_IDENT, T_STRID, T_STRCOUNT, T_STROFF, T_STRLEN,
    T_INT, T_FLT, T_TEXT, T_REGEX, T_HEX,
    /* punctuation */
    T_LBRACE, T_RBRACE, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COLON,
    T_COMMA, T_DOT, T_DOTDOT, T_EQ, T_EQEQ, T_NEQ, T_LT, T_LE, T_GT, T_GE,
    T_SHL, T_SHR, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT, T_AMP, T_PIPE,
    T_CARET, T_TILDE, T_DIV,
    /* keywords */
    K_ALL, K_AND, K_ANY, K_ASCII, K_AT, K_BASE64, K_BASE64WIDE, K_CONDITION,
    K_CONTAINS, K_ENDSWITH, K_ENTRYPOINT, K_FALSE, K_FILESIZE, K_FOR,
    K_FULLWORD, K_GLOBAL, K_IMPORT, K_ICONTAINS, K_IENDSWITH, K_IEQUALS,
    K_IN, K_INCLUDE, K_INT16, K_INT16BE, K_INT32, K_INT32BE, K_INT8,
    K_INT8BE, K_ISTARTSWITH, K_MATCHES, K_META, K_NOCASE, K_NONE, K_NOT,
    K_OF, K_OR, K_PRIVATE, K_RULE, K_STARTSWITH, K_STRINGS, K_THEM, K_TRUE,
    K_UINT16, K_UINT16BE, K_UINT32, K_UINT32BE, K_UINT8, K_UINT8BE, K_WIDE,
    K_XOR, K_DEFINED
};

typedef struct vgyl {
    const char *p, *end;
    int line;
    /* current token */
    int tok;
    int tline;
    const char *ts;  /* token text start (identifiers: name; strings: raw) */
    size_t tlen;
    int64_t ival;
    double fval;
    int star;        /* T_STRID ended with '*' */
    uint8_t *buf;    /* decoded text string (malloc'ed, owned by lexer) */
    size_t blen, bcap;
    unsigned reflags;/* T_REGEX: VGY_M_NOCASE | VGY_M_DOTALL */
    char err[160];
} vgyl;

void vgyl_init(vgyl *l, const char *text, size_t len);
void vgyl_free(vgyl *l);
int vgyl_next(vgyl *l);
/* The parser saw `{` (hex) or `/` (regex): read the raw body. */
int vgyl_hex(vgyl *l);
int vgyl_regex(vgyl *l);
const char *vgyl_name(int tok);

#endif
