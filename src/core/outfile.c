/* Every file rnnlab writes goes through here: written to PATH.tmp beside the target, synced and
 * renamed, so a crash, a full disk or a file-size limit leaves the old file or the new one, never
 * a mix, and never replaces a device, a folder or a FIFO with a regular file. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "rnnlab/common.h"

static const char *outfile_kind(mode_t m)
{
    return S_ISDIR(m) ? "a folder" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : S_ISFIFO(m) ? "a FIFO"
         : S_ISSOCK(m) ? "a socket" : "something else";
}

void rnn_sync_parent_dir(const char *path)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return;
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* The file to replace: path itself, or what its symbolic links name; *mode gets the existing
 * file's permissions (0 when it does not exist yet). */
static int outfile_target(const char *path, char **target, mode_t *mode, rnn_error *err)
{
    struct stat st;
    *mode = 0;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT)
            return rnn_fail(err, RNN_EIO, "cannot write '%s': %s", path, strerror(errno));
        *target = strdup(path);
        return *target ? RNN_OK : rnn_fail(err, RNN_EINTERNAL, "out of memory");
    }
    if (S_ISLNK(st.st_mode)) {
        *target = realpath(path, NULL);
        if (!*target)
            return rnn_fail(err, RNN_EIO, "cannot write '%s': a symbolic link to nothing (%s)", path,
                            strerror(errno));
        if (stat(*target, &st) != 0) {
            int e = errno;
            free(*target);
            return rnn_fail(err, RNN_EIO, "cannot write '%s': %s", path, strerror(e));
        }
    } else if (!(*target = strdup(path)))
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    if (!S_ISREG(st.st_mode)) {
        free(*target);
        return rnn_fail(err, RNN_EIO, "cannot write '%s': it is %s, not a regular file (refusing to "
                        "replace it)", path, outfile_kind(st.st_mode));
    }
    *mode = st.st_mode & 07777;
    return RNN_OK;
}

/* Opens tmp for writing, empty and locked by this process. A regular file already there is a
 * temporary left by a killed writer (nobody holds its lock) and is taken over; one that is still
 * locked belongs to a writer at work. */
static int outfile_create_tmp(const char *shown, const char *tmp, int *out, rnn_error *err)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        struct stat st, named;
        if (lstat(tmp, &st) == 0) {
            if (S_ISLNK(st.st_mode))
                unlink(tmp); /* never write through a link planted at the temporary's name */
            else if (!S_ISREG(st.st_mode))
                return rnn_fail(err, RNN_EIO, "cannot write '%s': its temporary '%s' is %s", shown, tmp,
                                outfile_kind(st.st_mode));
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno == ELOOP || errno == EEXIST)
                continue;
            return rnn_fail(err, RNN_EIO, "cannot write '%s': cannot create '%s': %s", shown, tmp,
                            strerror(errno));
        }
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return rnn_fail(err, RNN_EIO, "cannot write '%s': its temporary '%s' is not a regular file",
                            shown, tmp);
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return rnn_fail(err, RNN_EIO, "cannot write '%s': another process is writing it now ('%s' "
                                "is locked)", shown, tmp);
            return rnn_fail(err, RNN_EIO, "cannot write '%s': cannot lock '%s': %s", shown, tmp, strerror(e));
        }
        /* The writer we waited on may have renamed the file away: then start again with a new one. */
        if (lstat(tmp, &named) != 0 || named.st_ino != st.st_ino || named.st_dev != st.st_dev) {
            close(fd);
            continue;
        }
        if (ftruncate(fd, 0) != 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
            int e = errno;
            unlink(tmp);
            close(fd);
            return rnn_fail(err, RNN_EIO, "cannot write '%s': %s", shown, strerror(e));
        }
        *out = fd;
        return RNN_OK;
    }
    return rnn_fail(err, RNN_EIO, "cannot write '%s': '%s' keeps changing under it", shown, tmp);
}

static bool files_discarded;

void rnn_files_discard(bool on) { files_discarded = on; }

int rnn_outfile_open(rnn_outfile *o, const char *path, rnn_error *err)
{
    memset(o, 0, sizeof *o);
    if (!path || !*path)
        return rnn_fail(err, RNN_EUSAGE, "an empty file name");
    o->shown = path;
    if (files_discarded) { /* no temporary, no target: path and tmp stay NULL */
        if (!(o->f = fopen("/dev/null", "wb")))
            return rnn_fail(err, RNN_EIO, "cannot write '%s': /dev/null: %s", path, strerror(errno));
        return RNN_OK;
    }
    mode_t mode;
    int rc = outfile_target(path, &o->path, &mode, err);
    if (rc)
        return rc;
    size_t n = strlen(o->path);
    o->tmp = malloc(n + 5);
    if (!o->tmp) {
        free(o->path);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory");
    }
    memcpy(o->tmp, o->path, n);
    memcpy(o->tmp + n, ".tmp", 5);
    int fd = -1;
    if ((rc = outfile_create_tmp(path, o->tmp, &fd, err)) == RNN_OK) {
        if (mode)
            (void)fchmod(fd, mode); /* a replaced file keeps its permissions */
        if (!(o->f = fdopen(fd, "wb"))) {
            unlink(o->tmp);
            close(fd);
            rc = rnn_fail(err, RNN_EINTERNAL, "out of memory");
        }
    }
    if (rc) {
        free(o->path);
        free(o->tmp);
        memset(o, 0, sizeof *o);
    }
    return rc;
}

static void outfile_free(rnn_outfile *o)
{
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

void rnn_outfile_discard(rnn_outfile *o)
{
    if (!o->f)
        return;
    if (o->tmp)
        unlink(o->tmp); /* before the close: the lock keeps another writer off it until it is gone */
    fclose(o->f);
    outfile_free(o);
}

int rnn_outfile_commit(rnn_outfile *o, rnn_error *err)
{
    if (!o->f)
        return rnn_fail(err, RNN_EINTERNAL, "writing a file that is not open");
    if (!o->path) { /* rnn_files_discard */
        fclose(o->f);
        outfile_free(o);
        return RNN_OK;
    }
    int e = 0;
    errno = 0;
    if (fflush(o->f) != 0 || ferror(o->f))
        e = errno ? errno : EIO;
    else if (fsync(fileno(o->f)) != 0)
        e = errno;
    else if (rename(o->tmp, o->path) != 0)
        e = errno;
    if (e) {
        int rc = rnn_fail(err, RNN_EIO, "cannot write '%s': %s", o->shown, strerror(e));
        rnn_outfile_discard(o);
        return rc;
    }
    fclose(o->f); /* after the rename: until then the lock guards the temporary */
    rnn_sync_parent_dir(o->path);
    outfile_free(o);
    return RNN_OK;
}

int rnn_write_file(const char *path, const void *data, size_t len, rnn_error *err)
{
    rnn_outfile o;
    int rc = rnn_outfile_open(&o, path, err);
    if (rc)
        return rc;
    errno = 0;
    if (fwrite(data, 1, len, o.f) != len) {
        rc = rnn_fail(err, RNN_EIO, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
        rnn_outfile_discard(&o);
        return rc;
    }
    return rnn_outfile_commit(&o, err);
}
