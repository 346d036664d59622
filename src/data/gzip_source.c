/* A gzip file handed to libarchive already inflated, by ISA-L's inflate where rnnlab is built with
 * it: aclImdb_v1.tar.gz (29 MB into 108 MB of tar) took 0.64 s through libarchive's zlib, 0.22 s
 * through ISA-L, on one core of the same machine. Every other file (tar, xz, zip, a folder) and
 * every build without ISA-L go through libarchive's own filters, as before. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include "data/io_internal.h"

bool rnn_archive_fast_gzip = true;

#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>

enum { GZ_IN_BLOCK = 1 << 20, GZ_OUT_BLOCK = 1 << 20 };

struct rnn_archive_source {
    int fd;
    unsigned char *in, *out;
    size_t in_len;           /* bytes of in not yet inflated start at st.next_in */
    bool in_eof;             /* read() found the file's end */
    bool done;               /* the last member ended */
    uint64_t file_read;      /* compressed bytes read from the file */
    struct inflate_state st;
};

static void gz_source_free(rnn_archive_source *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->in);
    free(s->out);
    free(s);
}

/* Moves what is left of in to its start and reads more behind it; false on a read error. */
static bool gz_refill(rnn_archive_source *s)
{
    size_t left = s->st.avail_in;
    if (left && s->st.next_in != s->in)
        memmove(s->in, s->st.next_in, left);
    s->st.next_in = s->in;
    while (!s->in_eof && left < GZ_IN_BLOCK) {
        ssize_t k = read(s->fd, s->in + left, GZ_IN_BLOCK - left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return false;
        if (k == 0)
            s->in_eof = true;
        left += (size_t)k;
        s->file_read += (uint64_t)k;
        if (k > 0)
            break;
    }
    s->st.avail_in = (uint32_t)left;
    return true;
}

static const char *gz_error_text(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK: return "gzip data: invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "gzip data: invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "gzip data: invalid back-reference distance";
    case ISAL_INVALID_WRAPPER: return "gzip data: invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "gzip data: compression method is not deflate";
    case ISAL_INCORRECT_CHECKSUM: return "gzip data: checksum does not match (corrupted)";
    case ISAL_NEED_DICT: return "gzip data: needs a preset dictionary";
    default: return "gzip data: cannot be inflated";
    }
}

/* After a member's end: another member follows (gzip allows several, read as one stream), or the
 * stream is over (anything else after the last member is ignored, as gzip -d does with a warning). */
static bool gz_next_member(struct archive *a, rnn_archive_source *s)
{
    if (s->st.avail_in < 2 && !gz_refill(s)) {
        archive_set_error(a, errno, "cannot read the compressed file");
        return false;
    }
    if (s->st.avail_in >= 2 && s->st.next_in[0] == 0x1f && s->st.next_in[1] == 0x8b) {
        uint8_t *next = s->st.next_in;
        uint32_t avail = s->st.avail_in;
        isal_inflate_reset(&s->st);
        s->st.crc_flag = ISAL_GZIP;
        s->st.next_in = next;
        s->st.avail_in = avail;
    } else {
        s->done = true;
    }
    return true;
}

/* libarchive's read callback: the next block of inflated bytes (0 at the end, -1 on an error). */
static la_ssize_t gz_read(struct archive *a, void *client, const void **buf)
{
    rnn_archive_source *s = client;
    *buf = s->out;
    s->st.next_out = s->out;
    s->st.avail_out = GZ_OUT_BLOCK;
    while (!s->done && s->st.avail_out > 0) {
        if (s->st.avail_in == 0 && !s->in_eof && !gz_refill(s)) {
            archive_set_error(a, errno, "cannot read the compressed file");
            return -1;
        }
        uint32_t in_before = s->st.avail_in, out_before = s->st.avail_out;
        int rc = isal_inflate(&s->st);
        if (rc < 0) {
            archive_set_error(a, EILSEQ, "%s", gz_error_text(rc));
            return -1;
        }
        if (s->st.block_state == ISAL_BLOCK_FINISH) {
            if (!gz_next_member(a, s))
                return -1;
            continue;
        }
        if (s->st.avail_in != in_before || s->st.avail_out != out_before)
            continue;
        if (s->in_eof) {  /* no progress, and no more input to give */
            archive_set_error(a, EILSEQ, "truncated gzip input");  /* libarchive's words */
            return -1;
        }
        if (!gz_refill(s)) {
            archive_set_error(a, errno, "cannot read the compressed file");
            return -1;
        }
    }
    return (la_ssize_t)(GZ_OUT_BLOCK - s->st.avail_out);
}

static int gz_close(struct archive *a, void *client)
{
    (void)a;
    gz_source_free(client);
    return ARCHIVE_OK;
}

/* The source of a gzip file at fd, its first bytes unread; NULL when out of memory. */
static rnn_archive_source *gz_source_new(int fd)
{
    rnn_archive_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->fd = fd;
    s->in = malloc(GZ_IN_BLOCK);
    s->out = malloc(GZ_OUT_BLOCK);
    if (!s->in || !s->out) {
        s->fd = -1;  /* the caller closes it */
        gz_source_free(s);
        return NULL;
    }
    isal_inflate_init(&s->st);
    s->st.crc_flag = ISAL_GZIP;
    s->st.next_in = s->in;
    s->st.avail_in = 0;
    return s;
}

/* Whether the file at fd starts as gzip does (1f 8b, deflate); the offset is left at 0. */
static bool fd_is_gzip(int fd)
{
    unsigned char magic[3];
    ssize_t k = pread(fd, magic, sizeof magic, 0);
    return k == (ssize_t)sizeof magic && magic[0] == 0x1f && magic[1] == 0x8b && magic[2] == 8;
}

int rnn_archive_open_file(struct archive *a, const char *path, size_t block, rnn_archive_source **src)
{
    *src = NULL;
    struct stat st;  /* a regular file only: opening a FIFO would wait for a writer */
    int fd = rnn_archive_fast_gzip && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? open(path, O_RDONLY | O_CLOEXEC)
                                                                                   : -1;
    if (fd >= 0 && !fd_is_gzip(fd)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return archive_read_open_filename(a, path, block);
    rnn_archive_source *s = gz_source_new(fd);
    if (!s) {
        close(fd);
        archive_set_error(a, ENOMEM, "out of memory");
        return ARCHIVE_FATAL;
    }
    *src = s;  /* libarchive owns it from here: gz_close frees it, also when opening fails */
    int rc = archive_read_open2(a, s, NULL, gz_read, NULL, gz_close);
    if (rc != ARCHIVE_OK)
        *src = NULL;
    return rc;
}

uint64_t rnn_archive_source_bytes(struct archive *a, const rnn_archive_source *src)
{
    return src ? src->file_read : (uint64_t)archive_filter_bytes(a, -1);
}

const char *rnn_data_gzip_reader(void)
{
    return "ISA-L";
}

#else /* !HAVE_ISAL */

int rnn_archive_open_file(struct archive *a, const char *path, size_t block, rnn_archive_source **src)
{
    *src = NULL;
    return archive_read_open_filename(a, path, block);
}

uint64_t rnn_archive_source_bytes(struct archive *a, const rnn_archive_source *src)
{
    (void)src;
    return (uint64_t)archive_filter_bytes(a, -1);
}

const char *rnn_data_gzip_reader(void)
{
    return "zlib (libarchive)";
}

#endif
