/* Errors, version, the engine's thread count, the clock and the memory this process may use. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cblas.h>
#include "rnnlab/common.h"

int rnn_fail(rnn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void rnn_error_clear(rnn_error *err)
{
    if (err) {
        err->code = RNN_OK;
        err->msg[0] = '\0';
    }
}

const char *rnn_version(void) { return PACKAGE_VERSION; }

static int engine_threads;

void rnn_set_threads(int n)
{
    if (n < 1) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
    }
    engine_threads = n;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(n);
#endif
}

double rnn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int rnn_get_threads(void)
{
    if (engine_threads == 0)
        rnn_set_threads(0);
    return engine_threads;
}

void rnn_imatrix_free(rnn_imatrix *m)
{
    if (m) {
        free(m->data);
        m->data = NULL;
        m->rows = m->cols = 0;
    }
}

void rnn_fmatrix_free(rnn_fmatrix *m)
{
    if (m) {
        free(m->data);
        m->data = NULL;
        m->rows = m->cols = 0;
    }
}


ssize_t rnn_read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

int rnn_grow(void *buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return -1;
        n *= 2;
    }
    if (size && n > SIZE_MAX / size)
        return -1;
    void *old;
    memcpy(&old, buf, sizeof old);   /* buf is the address of some T *: read and write it as bytes */
    void *p = realloc(old, n * size);
    if (!p)
        return -1;
    memcpy(buf, &p, sizeof p);
    *cap = n;
    return 0;
}

void rnn_strbuf_put(rnn_strbuf *b, const char *s, size_t n)
{
    if (b->oom || n > SIZE_MAX - b->len - 1 || rnn_grow(&b->s, &b->cap, b->len + n + 1, 1)) {
        b->oom = true;
        return;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rnn_strbuf_printf(rnn_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->oom)
        return;
    if (need < 0 || rnn_grow(&b->s, &b->cap, b->len + (size_t)need + 1, 1)) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)need;
}

/* Length of the UTF-8 sequence at s[0..avail) (1 to 4), or -1 when s[0] starts no valid sequence
 * (a stray continuation byte, a lead byte without all its continuations). */
static int escape_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    int seq = c < 0xC0 || c >= 0xF8 ? -1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    for (int k = 1; k < seq; k++)
        if ((size_t)k >= avail || (s[k] & 0xC0) != 0x80)
            return -1;
    return seq;
}

bool rnn_has_control_char(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

size_t rnn_escape_text(const char *s, size_t len, size_t max, bool strays, char *out, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, w = 0;
    while (i < len) {
        int seq = escape_sequence_length(u + i, len - i);
        size_t step = seq < 0 ? 1 : (size_t)seq, add = step;
        if (i + step > max)
            break;   /* never half a character */
        char esc[8];
        const char *from = s + i;
        unsigned char c = u[i];
        if (c < 0x20 || c == 0x7F || (seq < 0 && strays)) {
            if (c == '\n' || c == '\t' || c == '\r')
                snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
            else
                snprintf(esc, sizeof esc, "\\x%02x", c);
            from = esc;
            add = strlen(esc);
        }
        if (w + add >= n)
            break;
        memcpy(out + w, from, add);
        w += add;
        i += step;
    }
    if (n)
        out[w] = '\0';
    return i;
}
