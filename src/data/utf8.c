/* UTF-8 validation (as strict as Python's decoder), decoding and repair (each invalid sequence becomes
 * U+FFFD), encoding, and Python's str.isspace and str.lower. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "data/data_internal.h"

/* One code point at s[0..len) (len >= 1): its bytes, with *ok = false and U+FFFD for an invalid
 * sequence, which then takes its maximal subpart (Unicode 3.9, "U+FFFD substitution of maximal
 * subparts", as WHATWG's decoder and Python's errors='replace'): the lead byte and the
 * continuation bytes that still fit a well-formed sequence, or the one byte that starts none.
 * Rejects overlong forms, surrogates and code points above U+10FFFF, as Python does. */
static int utf8_next(const unsigned char *s, size_t len, uint32_t *cp, bool *ok)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    int need;
    uint32_t v;
    *ok = true;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong below */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates above */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong below */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        *ok = false; /* a continuation byte, C0, C1 or F5..FF: starts no sequence */
        *cp = 0xFFFD;
        return 1;
    }
    for (int i = 1; i <= need; i++) {
        if ((size_t)i >= len || s[i] < lo || s[i] > hi) {
            *ok = false;
            *cp = 0xFFFD;
            return i;
        }
        v = v << 6 | (s[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need + 1;
}

size_t rnn_utf8_valid_prefix(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path: 8 bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        bool ok;
        int k = utf8_next(s + i, len - i, &cp, &ok);
        if (!ok)
            return i;
        i += (size_t)k;
    }
    return len;
}

int rnn_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    bool ok;
    return utf8_next((const unsigned char *)str, len, cp, &ok);
}

size_t rnn_utf8_repaired_length(const char *str, size_t len, size_t *n_invalid)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = rnn_utf8_valid_prefix(str, len), out = i, bad = 0;
    while (i < len) {
        uint32_t cp;
        bool ok;
        size_t k = (size_t)utf8_next(s + i, len - i, &cp, &ok);
        out += ok ? k : 3; /* U+FFFD is 3 bytes */
        bad += !ok;
        i += k;
    }
    if (n_invalid)
        *n_invalid = bad;
    return out;
}

void rnn_utf8_repair(const char *str, size_t len, char *out)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = rnn_utf8_valid_prefix(str, len), w = i;
    memcpy(out, str, i);
    while (i < len) {
        uint32_t cp;
        bool ok;
        size_t k = (size_t)utf8_next(s + i, len - i, &cp, &ok);
        if (ok)
            memcpy(out + w, s + i, k), w += k;
        else
            w += (size_t)rnn_utf8_encode(0xFFFD, out + w);
        i += k;
    }
}

char *rnn_utf8_repaired(const char *str, size_t len, size_t *n_invalid)
{
    size_t n = rnn_utf8_repaired_length(str, len, n_invalid);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    rnn_utf8_repair(str, len, out);
    out[n] = '\0';
    return out;
}

int rnn_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Python's str.isspace: bidirectional class WS, B or S, or category Zs (checked by tests/data/gen_unicode.py). */
bool rnn_unicode_isspace(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20);
    switch (cp) {
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* ---- Python's str.lower(), over the tables generated by tests/data/gen_unicode.py ---- */

static bool in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < r[mid][0])
            hi = mid;
        else if (cp > r[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

int rnn_unicode_width(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x300)
        return 1;
    if (in_ranges(rnn_zero_width_ranges, rnn_zero_width_ranges_n, cp))
        return 0;
    return in_ranges(rnn_wide_ranges, rnn_wide_ranges_n, cp) ? 2 : 1;
}

bool rnn_unicode_printable(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 0x20 && cp < 0x7F;
    return cp < 0x110000 && !in_ranges(rnn_unprintable_ranges, rnn_unprintable_ranges_n, cp);
}

size_t rnn_utf8_width(const char *s)
{
    size_t cols = 0, len = strlen(s);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            cols += c >= 0x20 && c != 0x7F;
            i++;
            continue;
        }
        uint32_t cp; /* an invalid sequence shows as one U+FFFD: one column */
        i += (size_t)rnn_utf8_decode(s + i, len - i, &cp);
        cols += (size_t)rnn_unicode_width(cp);
    }
    return cols;
}

bool rnn_unicode_cased(uint32_t cp) { return in_ranges(rnn_cased_ranges, rnn_cased_ranges_n, cp); }

bool rnn_unicode_case_ignorable(uint32_t cp)
{
    return in_ranges(rnn_case_ignorable_ranges, rnn_case_ignorable_ranges_n, cp);
}

int rnn_unicode_lower(uint32_t cp, uint32_t out[3])
{
    if (cp < 0x80) {
        out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
        return 1;
    }
    size_t lo = 0, hi = rnn_lower_single_n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rnn_lower_single[mid][0] < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < rnn_lower_single_n && rnn_lower_single[lo][0] == cp) {
        out[0] = rnn_lower_single[lo][1];
        return 1;
    }
    for (size_t i = 0; i < rnn_lower_multi_n; i++)
        if (rnn_lower_multi[i][0] == cp) {
            int k = 0;
            while (k < 3 && rnn_lower_multi[i][k + 1])
                out[k] = rnn_lower_multi[i][k + 1], k++;
            return k;
        }
    out[0] = cp;
    return 1;
}

/* The code point that ends just before byte `at` of text, as a forward decode from the start sees it:
 * every byte that is not a continuation byte starts a sequence (or is one invalid byte), so the
 * sequence is found from the last such byte in the 4 before `at`. Returns its start. */
static size_t utf8_prev(const char *text, size_t at, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t lead = at - 1;
    while (lead > 0 && at - lead < 4 && (s[lead] & 0xC0) == 0x80)
        lead--;
    if ((s[lead] & 0xC0) != 0x80) {
        bool ok;
        size_t k = (size_t)utf8_next(s + lead, at - lead, cp, &ok);
        if (lead + k == at)
            return lead;
    }
    *cp = 0xFFFD; /* a continuation byte outside any sequence */
    return at - 1;
}

uint32_t rnn_lower_sigma(const char *text, size_t len, size_t at)
{
    /* Final when: \p{cased} \p{case-ignorable}* SIGMA, not followed by \p{case-ignorable}* \p{cased}. */
    uint32_t cp = 0;
    size_t i = at;
    bool found = false;
    while (i > 0) {
        i = utf8_prev(text, i, &cp);
        if (!rnn_unicode_case_ignorable(cp)) {
            found = true;
            break;
        }
    }
    if (!found || !rnn_unicode_cased(cp))
        return 0x3C3;
    for (i = at + 2; i < len;) {
        i += (size_t)rnn_utf8_decode(text + i, len - i, &cp);
        if (!rnn_unicode_case_ignorable(cp))
            return rnn_unicode_cased(cp) ? 0x3C3 : 0x3C2;
    }
    return 0x3C2;
}
