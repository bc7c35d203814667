/* tests/unit/test_htmlnorm.c - fmt/htmlnorm.c: the rules on small inputs
 * (each expectation is what clamscan 1.4.6 wrote for the same bytes) and
 * the limits (capacity cuts, NULL outputs, hostile input).
 *
 * With arguments `FILE OUTDIR` it instead writes OUTDIR/nocomment.html and
 * OUTDIR/notags.html for FILE, for tests/e2e/diff_html.sh to compare with
 * clamscan's copies byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/htmlnorm.h"
#include "tap.h"

static int dump(const char *file, const char *dir)
{
    size_t len;
    uint8_t *in = tap_read_file(file, &len);
    if (!in) {
        fprintf(stderr, "cannot read %s\n", file);
        return 2;
    }
    size_t cap = 2 * len + 16;
    vghtml_out nc = {malloc(cap), cap, 0}, nt = {malloc(cap), cap, 0};
    if (!nc.buf || !nt.buf)
        return 2;
    vghtml_normalize(in, len, &nc, &nt);
    char p[4096];
    snprintf(p, sizeof p, "%s/nocomment.html", dir);
    int rc = tap_write_file(p, nc.buf, nc.len);
    snprintf(p, sizeof p, "%s/notags.html", dir);
    rc |= tap_write_file(p, nt.buf, nt.len);
    free(in);
    free(nc.buf);
    free(nt.buf);
    return rc ? 2 : 0;
}

static void norm(const char *in, const char *want_nc, const char *want_nt)
{
    uint8_t a[1024], b[1024];
    vghtml_out nc = {a, sizeof a, 0}, nt = {b, sizeof b, 0};
    vghtml_normalize((const uint8_t *)in, strlen(in), &nc, &nt);
    TAP_OK(nc.len == strlen(want_nc) && !memcmp(a, want_nc, nc.len), "nocomment of '%s' is '%s' (got '%.*s')",
           in, want_nc, (int)nc.len, (const char *)a);
    TAP_OK(nt.len == strlen(want_nt) && !memcmp(b, want_nt, nt.len), "notags of '%s' is '%s' (got '%.*s')",
           in, want_nt, (int)nt.len, (const char *)b);
}

int main(int argc, char **argv)
{
    if (argc == 3)
        return dump(argv[1], argv[2]);

    norm("<html>X<!-- a -- b -->Y<!--c->Z<!>W<!-- unterminated", "<html>xyzw", " x y z w ");
    norm("<html><p a = b   c=d e = \"x\" f='Y Z' g=\"a>b\">T</p>",
         "<html><p a=b c=d e=\"x\" f=\"y z\" g=\"a>b\">t</p>", " t ");
    norm("<html>text <b\n>bold</b\n> after\r\n\r\nline2  \n", "<html>text <b>bold</b>after line2",
         " text bold after line2 ");
    norm("<html>a &amp;b &lt;p&gt; c", "<html>a &b <p> c", " a b p c");
    norm("<html>&euro;&copy;&lt&gt;&#65x&#X41;", "<html>&#x20ac;\xa9&lt>Axa", " x ");
    norm("<html><script>if (a < b) { x = 1; }\n&amp; d</script>e", "<html><script>if(a<b){x=1;}&d</script>e",
         " e");
    norm("<html><a href=\"http://X/Y?a=1&amp;b=2\">L</a><img src=y>",
         "<html><a href=\"http://x/y?a=1&b=2\">l</a><img src=y>", " http://X/Y?a=1&b=2 l y ");
    norm("<html><style>c</style foo>d", "<html><style>c</stylefoo>d", " foo>d");

    /* limits: a copy stops at its capacity, the other is unaffected */
    {
        const char *in = "<html><p>hello world &amp; more text here</p>";
        uint8_t a[8], b[256];
        vghtml_out nc = {a, sizeof a, 0}, nt = {b, sizeof b, 0};
        vghtml_normalize((const uint8_t *)in, strlen(in), &nc, &nt);
        TAP_OK(nc.len == 8 && !memcmp(a, "<html><p", 8), "nocomment is cut at its capacity");
        TAP_OK(nt.len == strlen(" hello world more text here ") &&
                   !memcmp(b, " hello world more text here ", nt.len),
               "notags complete when nocomment is cut");
        nt.cap = 0;
        vghtml_normalize((const uint8_t *)in, strlen(in), NULL, &nt);
        TAP_OK(nt.len == 0, "capacity 0 writes nothing");
        vghtml_normalize((const uint8_t *)in, strlen(in), NULL, NULL);
        TAP_OK(1, "both copies NULL is accepted");
    }
    /* hostile shapes: output within 2 * len + 16 for each of them */
    {
        static const char *shapes[] = {"&euro;", "\"a\"b=\"\"", "<a href='", "&#xffffffffffff", "<", "<!", "&",
                                       "<script>", "<p a=\"x\"b", "\"a\"b"};
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            size_t sl = strlen(shapes[k]), len = 0;
            uint8_t *in = malloc(4096 + sl);
            while (len + sl <= 4096) {
                memcpy(in + len, shapes[k], sl);
                len += sl;
            }
            size_t cap = 2 * len + 16;
            uint8_t *a = malloc(cap + 1), *b = malloc(cap + 1);
            vghtml_out nc = {a, cap + 1, 0}, nt = {b, cap + 1, 0};
            vghtml_normalize(in, len, &nc, &nt);
            TAP_OK(nc.len <= cap && nt.len <= cap, "'%s' x %zu: output within 2 * len + 16 (%zu, %zu)", shapes[k],
                   len / sl, nc.len, nt.len);
            free(in);
            free(a);
            free(b);
        }
    }
    return tap_done();
}
