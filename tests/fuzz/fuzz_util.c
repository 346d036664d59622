/* Shared by the fuzz targets (see fuzz_util.h). */
#define _GNU_SOURCE
#include "fuzz_util.h"
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t fuzz_byte(fuzz_input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

fuzz_input fuzz_piece(fuzz_input *in, uint8_t sep)
{
    const uint8_t *at = in->n ? memchr(in->p, sep, in->n) : NULL;
    fuzz_input piece = { in->p, at ? (size_t)(at - in->p) : in->n };
    in->p += piece.n + (at != NULL);
    in->n -= piece.n + (at != NULL);
    return piece;
}

char *fuzz_string(fuzz_input piece)
{
    char *s = malloc(piece.n + 1);
    if (!s)
        abort();
    if (piece.n)
        memcpy(s, piece.p, piece.n);
    s[piece.n] = '\0';
    return s;
}

int fuzz_memfile(const void *data, size_t n, char path[32])
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    for (size_t done = 0; done < n;) {
        ssize_t k = write(fd, (const char *)data + done, n - done);
        if (k <= 0) {
            perror("memfd write");
            abort();
        }
        done += (size_t)k;
    }
    snprintf(path, 32, "/proc/self/fd/%d", fd);
    return fd;
}

static char scratch_root[256], scratch[300];
static unsigned scratch_serial;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    /* a folder made without search permission cannot be emptied otherwise */
    chmod(path, 0700);
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void scratch_cleanup(void)
{
    if (scratch_root[0])
        remove_tree(scratch_root);
}

const char *fuzz_scratch_dir(void)
{
    if (!scratch_root[0]) {
        /* /dev/shm when there is one: a folder tree per input costs no disk writes there */
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(scratch_root, sizeof scratch_root, "%s/rnnlab-fuzz-XXXXXX", base);
        if (!mkdtemp(scratch_root)) {
            perror("mkdtemp");
            abort();
        }
        atexit(scratch_cleanup);
    } else {
        remove_tree(scratch);
    }
    snprintf(scratch, sizeof scratch, "%s/%u", scratch_root, scratch_serial++);
    if (mkdir(scratch, 0700) != 0) {
        perror("mkdir");
        abort();
    }
    return scratch;
}

/* Is every '/'-separated component of rel a plain name? */
static int safe_relative(const char *rel)
{
    if (!*rel || *rel == '/')
        return 0;
    for (const char *c = rel; *c;) {
        const char *e = strchr(c, '/');
        size_t len = e ? (size_t)(e - c) : strlen(c);
        if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        c += len + (e != NULL);
    }
    return 1;
}

int fuzz_write_tree_file(const char *dir, const char *rel, const void *data, size_t n)
{
    if (!safe_relative(rel) || strlen(dir) + strlen(rel) + 2 > 4096)
        return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        int ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *s = '/';
        if (!ok)
            return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    int rc = 0;
    for (size_t done = 0; done < n && rc == 0;) {
        ssize_t k = write(fd, (const char *)data + done, n - done);
        if (k <= 0)
            rc = -1;
        else
            done += (size_t)k;
    }
    close(fd);
    return rc;
}
