/* What the IMDB and SMS loaders share about archives (libarchive): member sizes checked against
 * RNN_MEMBER_LIMIT before and while reading, and libarchive's errors on one line. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <archive.h>
#include <archive_entry.h>
#include "data/io_internal.h"

const char *rnn_archive_error(struct archive *a, const char *fallback, char *buf, size_t n)
{
    const char *msg = archive_error_string(a);
    snprintf(buf, n, "%s", msg && *msg ? msg : fallback);
    /* Some of libarchive's messages end in a newline ("ZIP uncompressed data is wrong size ...\n"). */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7F)
            *p = ' ';
    size_t len = strlen(buf);
    while (len > 0 && buf[len - 1] == ' ')
        buf[--len] = '\0';
    return buf;
}

int rnn_archive_damaged(struct archive *a, const char *path, const char *member, const char *fallback,
                        rnn_error *err)
{
    char why[256];
    return rnn_fail(err, RNN_EDATA, "%s: damaged or truncated archive in member %s (%s)", path, member,
                    rnn_archive_error(a, fallback, why, sizeof why));
}

/* The error for a member past RNN_MEMBER_LIMIT: its declared size (or -1 while reading it). */
static int archive_too_big(const char *path, const char *member, int64_t size, rnn_error *err)
{
    char lim[32], got[32];
    rnn_format_bytes(RNN_MEMBER_LIMIT, lim, sizeof lim);
    if (size < 0)
        return rnn_fail(err, RNN_EDATA, "%s: member %s holds more than %s, the limit for one archive "
                        "member", path, member, lim);
    return rnn_fail(err, RNN_EDATA, "%s: member %s is %s, more than the %s limit for one archive "
                    "member", path, member, rnn_format_bytes((uint64_t)size, got, sizeof got), lim);
}

int rnn_archive_member_size(struct archive_entry *e, const char *path, const char *member,
                            int64_t *size, rnn_error *err)
{
    *size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
    if (*size >= 0 && (uint64_t)*size > RNN_MEMBER_LIMIT)
        return archive_too_big(path, member, *size, err);
    return RNN_OK;
}

int rnn_archive_read_member(struct archive *a, const char *path, const char *member, rnn_io_text *t,
                            rnn_error *err)
{
    t->len = t->n_invalid = 0;
    for (;;) {
        if (t->cap - t->len < 2 && rnn_grow(&t->p, &t->cap, t->len + ((size_t)1 << 16), 1))
            return rnn_fail(err, RNN_EINTERNAL, "out of memory reading %s in %s", member, path);
        la_ssize_t k = archive_read_data(a, t->p + t->len, t->cap - t->len - 1);
        if (k < 0)
            return rnn_archive_damaged(a, path, member, "read error", err);
        if (k == 0)
            break;
        t->len += (size_t)k;
        if (t->len > RNN_MEMBER_LIMIT)
            return archive_too_big(path, member, -1, err);
    }
    t->p[t->len] = '\0';
    return RNN_OK;
}
