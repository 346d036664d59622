/* SMS Spam Collection v.1: smsspamcollection.zip (member SMSSpamCollection, read with libarchive) or the
 * bare file. Lines "ham|spam TAB message"; ham=0, spam=1. clean=true is sms_clean below; then
 * test_split (0.2 by default) with numpy RandomState(seed).permutation (seed 42), as peer_torch.py. */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "data/data_internal.h"
#include "data/io_internal.h"

#define SMS_MEMBER "SMSSpamCollection"

/* Reads the SMSSpamCollection member of a zip, or the whole file when it is not an archive. */
static int sms_read(const char *path, rnn_io_text *t, rnn_error *err)
{
    struct archive *a = archive_read_new();
    if (!a)
        return rnn_fail(err, RNN_EINTERNAL, "out of memory opening %s", path);
    archive_read_support_filter_all(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_raw(a); /* the bare file */
    char why[256];
    int rc;
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        rc = rnn_fail(err, errno == ENOENT ? RNN_ENOINPUT : RNN_EDATA, "%s: cannot read: %s", path,
                      rnn_archive_error(a, "unknown error", why, sizeof why));
        archive_read_free(a);
        return rc;
    }
    struct archive_entry *e;
    rc = RNN_ENOINPUT;
    for (;;) {
        int h = archive_read_next_header(a, &e);
        if (h == ARCHIVE_EOF)
            break;
        if (h < ARCHIVE_WARN) {
            rc = rnn_fail(err, RNN_EDATA, "%s: damaged or truncated archive (%s)", path,
                          rnn_archive_error(a, "unknown error", why, sizeof why));
            break;
        }
        const char *name = archive_entry_pathname(e), *base = name ? strrchr(name, '/') : NULL;
        base = base ? base + 1 : name;
        bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
        if (!raw && (!base || strcmp(base, SMS_MEMBER) != 0))
            continue;
        int64_t size;
        if (!(rc = rnn_archive_member_size(e, path, raw ? "(the bare file)" : SMS_MEMBER, &size, err)))
            rc = rnn_archive_read_member(a, path, raw ? "(the bare file)" : SMS_MEMBER, t, err);
        break;
    }
    archive_read_free(a);
    if (rc == RNN_ENOINPUT)
        rnn_fail(err, rc, "%s: no member %s in the archive", path, SMS_MEMBER);
    return rc;
}

/* The SMS example's clean_text after dropping non-ASCII (encode('ascii', 'ignore')):
 * re.sub(r"([^\s\w]|_|[0-9])+", "", t), then " ".join(t.split()), then lower(). Returns the new length. */
static size_t sms_clean(char *t, size_t len)
{
    size_t w = 0;
    bool pending_space = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 0x80)
            continue; /* non-ASCII bytes are dropped first */
        bool space = (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (space) {
            pending_space = w > 0;
        } else if (letter) {
            if (pending_space)
                t[w++] = ' ';
            pending_space = false;
            t[w++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        /* anything else ([^\s\w], '_', digits, other controls) is removed without separating words */
    }
    t[w] = '\0';
    return w;
}

static int sms_parse(rnn_dataset *ds, char *raw, size_t len, const char *path, bool clean, rnn_error *err)
{
    int rc;
    size_t line_no = 0;
    for (char *line = raw, *end; line < raw + len; line = end + 1) {
        end = memchr(line, '\n', (size_t)(raw + len - line));
        if (!end)
            end = raw + len;
        *end = '\0';
        line_no++;
        /* Python: lines where l.strip() is empty are skipped. */
        if (rnn_count_words(line) == 0)
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            return rnn_fail(err, RNN_EDATA, "%s: line %zu has no tab between label and message", path, line_no);
        *tab = '\0';
        int label = strcmp(line, "ham") == 0 ? 0 : strcmp(line, "spam") == 0 ? 1 : -1;
        if (label < 0)
            return rnn_fail(err, RNN_EDATA, "%s: line %zu: label '%.40s' is neither ham nor spam", path, line_no, line);
        char *text = tab + 1;
        size_t tl = (size_t)(end - text), bad;
        if (clean) {
            /* Cleaning drops non-ASCII, U+FFFD included: count what the rule replaced first. */
            rnn_utf8_repaired_length(text, tl, &bad);
            ds->n_invalid_utf8 += bad;
            tl = sms_clean(text, tl);
        }
        char where[4200];
        snprintf(where, sizeof where, "%s: line %zu", path, line_no);
        if ((rc = rnn_dataset_add(ds, 0, text, tl, label, where, err)))
            return rc;
    }
    if (ds->train.n == 0)
        return rnn_fail(err, RNN_EDATA, "%s: no messages (an empty data set)", path);
    return RNN_OK;
}

int rnn_load_sms(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (o->seed > 0xFFFFFFFFL)
        return rnn_fail(err, RNN_EUSAGE, "seed: %ld is not between 0 and 2**32-1", o->seed);
    char path[4096];
    bool is_dir;
    int rc = rnn_data_locate(o, "sms", NULL, path, sizeof path, &is_dir, err);
    if (rc)
        return rc;
    if (is_dir) {
        /* A folder without the zip: the bare SMSSpamCollection file in it. */
        struct stat st;
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "/%s", SMS_MEMBER);
        if (stat(path, &st) != 0)
            return rnn_fail(err, RNN_ENOINPUT, "%.*s: neither smsspamcollection.zip nor %s in this folder",
                            (int)n, path, SMS_MEMBER);
    }
    rnn_io_text raw = { 0 };
    if ((rc = sms_read(path, &raw, err))) {
        rnn_io_text_free(&raw);
        return rnn_data_damaged(o, "sms", rc, err);
    }
    rnn_dataset *ds = rnn_dataset_new("sms", path);
    if (!ds || rnn_dataset_class(ds, "ham") != 0 || rnn_dataset_class(ds, "spam") != 1) {
        rnn_io_text_free(&raw);
        rnn_dataset_free(ds);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory loading SMS");
    }
    rc = sms_parse(ds, raw.p, raw.len, path, o->clean, err);
    rnn_io_text_free(&raw);
    if (rc)
        rc = rnn_data_damaged(o, "sms", rc, err);
    double split = o->test_split < 0 ? 0.2 : o->test_split;
    if (!rc && split > 0)
        rc = rnn_dataset_split_test(ds, split, (unsigned long)(o->seed < 0 ? 42 : o->seed), o->test_first, err);
    if (rc) {
        rnn_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return RNN_OK;
}
