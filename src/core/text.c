/* text.c — names and strings read from a model file are data, not text to trust: before frost
 * puts one in a human-readable message it goes through frost_escape_text, so a node named
 * "ESC[31m" or a byte-flipped name cannot drive the terminal or break a log line. */
#include "core/common.h"

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there are not one. Overlong
 * forms, surrogates and code points past U+10FFFF are invalid (RFC 3629). */
static size_t utf8_len(const unsigned char *s) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    unsigned min, cp;
    if ((c & 0xE0) == 0xC0) n = 2, min = 0x80, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 3, min = 0x800, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 4, min = 0x10000, cp = c & 0x07;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

size_t frost_escape_text(char *dst, size_t cap, const char *src) {
    static const char hex[] = "0123456789abcdef";
    size_t at = 0;
    if (!src) src = "";
    const unsigned char *s = (const unsigned char *)src;
    while (*s) {
        size_t n = utf8_len(s);
        bool printable = n > 1 || (n == 1 && *s >= 0x20 && *s != 0x7f);
        size_t need = printable ? n : 4;
        if (at + need >= cap) break; /* whole characters only; room for the NUL */
        if (printable) {
            memcpy(dst + at, s, n);
            s += n;
        } else {
            dst[at] = '\\', dst[at + 1] = 'x', dst[at + 2] = hex[*s >> 4], dst[at + 3] = hex[*s & 15];
            s += 1;
        }
        at += need;
    }
    if (cap) dst[at] = 0;
    return at;
}
