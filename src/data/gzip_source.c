/* A gzip file handed to libarchive already inflated, by ISA-L's inflate where rnnlab is built with
 * it: aclImdb_v1.tar.gz (29 MB into 108 MB of tar) took 0.64 s through libarchive's zlib, 0.22 s
 * through ISA-L, on one core of the same machine. Every other file (tar, xz, zip, a folder) and
 * every build without ISA-L go through libarchive's own filters, as before. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <archive.h>
#include "data/io_internal.h"

bool rnn_archive_fast_gzip = true;

#ifdef HAVE_ISAL
#include <pthread.h>
#include <isa-l/igzip_lib.h>

/* A thread inflates blocks ahead into a ring while libarchive parses the ones before: the reading
 * thread's other work (tar headers, copies, UTF-8 checks) then costs no time of its own. */
enum { GZ_IN_BLOCK = 1 << 20, GZ_OUT_BLOCK = 1 << 20, GZ_RING = 4 };

struct rnn_archive_source {
    /* the inflating thread's own */
    int fd;
    unsigned char *in;
    bool in_eof;                 /* read() found the file's end */
    bool done;                   /* the last member ended */
    uint64_t read_bytes;         /* compressed bytes read from the file */
    struct inflate_state st;
    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    unsigned char *ring[GZ_RING];
    size_t ring_len[GZ_RING];
    unsigned long made, taken;   /* blocks the thread filled, blocks the reader gave back */
    bool finished, stop;         /* the thread is done (or failed); the reader wants it to end */
    int err_no;
    char why[96];                /* the thread's error once finished ("" : none) */
    uint64_t file_read;          /* read_bytes as of the last block */
    /* the reader's own */
    bool handed;                 /* libarchive holds ring[taken % GZ_RING] */
    bool started;                /* the thread runs (joined by gz_close) */
    pthread_t thread;
};

static void gz_source_free(rnn_archive_source *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->in);
    for (int i = 0; i < GZ_RING; i++)
        free(s->ring[i]);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
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
        s->read_bytes += (uint64_t)k;
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

/* The error that ends the stream, for the reader to pass on (under mu). */
static void gz_fail(rnn_archive_source *s, int err_no, const char *why)
{
    s->err_no = err_no;
    snprintf(s->why, sizeof s->why, "%s", why);
}

/* After a member's end, with at least 2 bytes in or the file's end reached: another member follows
 * (gzip allows several, read as one stream), or the stream is over (anything else after the last
 * member is ignored, as gzip -d does with a warning). */
static void gz_next_member(rnn_archive_source *s)
{
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
}

/* gz_inflate_block's error: -1, with its errno and text. */
static int gz_stop(int *err_no, const char **why, int e, const char *text)
{
    *err_no = e;
    *why = text;
    return -1;
}

/* Inflates the next block into out (*len bytes; fewer than GZ_OUT_BLOCK only at the end); -1 with
 * *err_no and *why on an error. */
static int gz_inflate_block(rnn_archive_source *s, unsigned char *out, size_t *len, int *err_no, const char **why)
{
    s->st.next_out = out;
    s->st.avail_out = GZ_OUT_BLOCK;
    *len = 0;
    while (!s->done && s->st.avail_out > 0) {
        if (s->st.avail_in == 0 && !s->in_eof && !gz_refill(s))
            return gz_stop(err_no, why, errno, "cannot read the compressed file");
        uint32_t in_before = s->st.avail_in, out_before = s->st.avail_out;
        int rc = isal_inflate(&s->st);
        if (rc < 0)
            return gz_stop(err_no, why, EILSEQ, gz_error_text(rc));
        if (s->st.block_state == ISAL_BLOCK_FINISH) {
            while (s->st.avail_in < 2 && !s->in_eof)  /* the next member's magic, if any */
                if (!gz_refill(s))
                    return gz_stop(err_no, why, errno, "cannot read the compressed file");
            gz_next_member(s);
            continue;
        }
        if (s->st.avail_in != in_before || s->st.avail_out != out_before)
            continue;
        if (s->in_eof)  /* no progress, and no more input to give */
            return gz_stop(err_no, why, EILSEQ, "truncated gzip input");  /* libarchive's words */
        if (!gz_refill(s))
            return gz_stop(err_no, why, errno, "cannot read the compressed file");
    }
    *len = GZ_OUT_BLOCK - s->st.avail_out;
    return 0;
}

/* The inflating thread: fills the ring's free blocks in order until the stream ends, fails, or the
 * reader stops it. */
static void *gz_produce(void *arg)
{
    rnn_archive_source *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->stop && s->made - s->taken == GZ_RING)
            pthread_cond_wait(&s->cv, &s->mu);
        bool stop = s->stop;
        unsigned slot = (unsigned)(s->made % GZ_RING);
        pthread_mutex_unlock(&s->mu);
        if (stop)
            return NULL;
        size_t len;
        int err_no = 0;
        const char *why = NULL;
        int rc = gz_inflate_block(s, s->ring[slot], &len, &err_no, &why);
        pthread_mutex_lock(&s->mu);
        s->file_read = s->read_bytes;
        if (len) {
            s->ring_len[slot] = len;
            s->made++;
        }
        if (rc)
            gz_fail(s, err_no, why);
        s->finished = rc || s->done;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        if (rc || s->done)
            return NULL;
    }
}

/* libarchive's read callback: the next block of inflated bytes (0 at the end, -1 on an error). The
 * block given last time goes back to the ring first. */
static la_ssize_t gz_read(struct archive *a, void *client, const void **buf)
{
    rnn_archive_source *s = client;
    if (!s->started) {
        if (pthread_create(&s->thread, NULL, gz_produce, s) != 0) {
            archive_set_error(a, EAGAIN, "cannot start a thread to inflate the file");
            return -1;
        }
        s->started = true;
    }
    pthread_mutex_lock(&s->mu);
    if (s->handed) {
        s->taken++;
        s->handed = false;
        pthread_cond_broadcast(&s->cv);
    }
    while (s->made == s->taken && !s->finished)
        pthread_cond_wait(&s->cv, &s->mu);
    la_ssize_t n = 0;
    if (s->made > s->taken) {
        unsigned slot = (unsigned)(s->taken % GZ_RING);
        *buf = s->ring[slot];
        n = (la_ssize_t)s->ring_len[slot];
        s->handed = true;
    } else if (s->why[0]) {
        archive_set_error(a, s->err_no, "%s", s->why);
        n = -1;
    }
    pthread_mutex_unlock(&s->mu);
    return n;
}

static int gz_close(struct archive *a, void *client)
{
    (void)a;
    rnn_archive_source *s = client;
    if (s->started) {
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    gz_source_free(s);
    return ARCHIVE_OK;
}

/* The source of a gzip file at fd, its first bytes unread; NULL when out of memory. */
static rnn_archive_source *gz_source_new(int fd)
{
    rnn_archive_source *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->fd = fd;
    s->in = malloc(GZ_IN_BLOCK);
    bool ok = s->in != NULL;
    for (int i = 0; i < GZ_RING; i++)
        ok = (s->ring[i] = malloc(GZ_OUT_BLOCK)) && ok;
    if (!ok) {
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

uint64_t rnn_archive_source_bytes(struct archive *a, rnn_archive_source *src)
{
    if (!src)
        return (uint64_t)archive_filter_bytes(a, -1);
    pthread_mutex_lock(&src->mu);
    uint64_t n = src->file_read;
    pthread_mutex_unlock(&src->mu);
    return n;
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

uint64_t rnn_archive_source_bytes(struct archive *a, rnn_archive_source *src)
{
    (void)src;
    return (uint64_t)archive_filter_bytes(a, -1);
}

const char *rnn_data_gzip_reader(void)
{
    return "zlib (libarchive)";
}

#endif
