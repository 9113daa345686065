#include "json.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence starting at s, or 0 if it is not one.
 * Overlong forms and surrogates are rejected, as RFC 3629 asks. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned min;
    unsigned cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, min = 0x80, cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, min = 0x800, cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, min = 0x10000, cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

size_t json_escape(char *dst, size_t cap, const char *src)
{
    const unsigned char *s = (const unsigned char *)src;
    size_t out = 0;  /* the length the whole escape needs */
    size_t fits = 0; /* what was written to dst */

    while (*s) {
        char esc[8];
        const char *piece = esc;
        size_t len = 2;
        size_t seq = utf8_len(s);

        if (*s == '"' || *s == '\\') {
            esc[0] = '\\', esc[1] = (char)*s;
        } else if (*s == '\n') {
            piece = "\\n";
        } else if (*s == '\t') {
            piece = "\\t";
        } else if (*s == '\r') {
            piece = "\\r";
        } else if (*s < 0x20 || *s == 0x7f) {
            len = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", *s);
        } else if (seq == 0) {
            piece = "\\ufffd", len = 6, seq = 1;
        } else {
            piece = (const char *)s, len = seq;
        }
        if (seq == 0)
            seq = 1;
        /* Whole escapes or nothing: a cut "\u00" would break the JSON. */
        if (out + len < cap && fits == out)
            memcpy(dst + out, piece, len), fits += len;
        out += len;
        s += seq;
    }
    if (cap > 0)
        dst[fits] = '\0';
    return out;
}
