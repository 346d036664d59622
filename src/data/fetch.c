/* Downloads with libcurl into DEST.part, then fsync and rename, checking SHA-256 on the way;
 * and the table of data sets the program knows how to download. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>
#include "rnnlab/data.h"
#include "data/io_internal.h"

static const rnn_dataset_info known_datasets[] = {
    { .kind = "imdb", .file = "aclImdb_v1.tar.gz",
      .url = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
      .sha256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
      .description = "Large Movie Review Dataset v1.0 (Maas et al., 2011): 25,000 train and "
                     "25,000 test movie reviews, neg/pos (84 MB download)" },
    { .kind = "sms", .file = "smsspamcollection.zip",
      .url = "https://archive.ics.uci.edu/ml/machine-learning-databases/00228/smsspamcollection.zip",
      .sha256 = NULL, /* no published hash: the loader validates the archive's structure */
      .description = "SMS Spam Collection v.1 (Almeida and Gomez Hidalgo, 2011): 5,574 SMS "
                     "messages, ham/spam (200 KB download)" },
};

const rnn_dataset_info *rnn_known_datasets(size_t *n)
{
    if (n)
        *n = sizeof known_datasets / sizeof known_datasets[0];
    return known_datasets;
}

/* State shared by the libcurl callbacks of one download. */
typedef struct fetch_state {
    int fd;
    int write_errno;        /* set when writing the part file failed */
    bool cancelled;         /* set when the progress callback asked to stop */
    uint64_t done;
    rnn_sha256 sha;
    rnn_progress_fn progress;
    void *user;
    const char *what;       /* name shown to the progress callback: the destination's file name */
} fetch_state;

static size_t fetch_write(char *data, size_t size, size_t nmemb, void *user)
{
    fetch_state *st = user;
    size_t n = size * nmemb, left = n;
    while (left > 0) {
        ssize_t put = write(st->fd, data + (n - left), left);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0) {
            st->write_errno = errno;
            return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
        }
        left -= (size_t)put;
    }
    rnn_sha256_update(&st->sha, data, n);
    st->done += n;
    return n;
}

static int fetch_xferinfo(void *user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
    (void)ultotal; (void)ulnow;
    fetch_state *st = user;
    if (st->progress && st->progress(st->what, (uint64_t)dlnow, (uint64_t)dltotal, st->user)) {
        st->cancelled = true;
        return 1;
    }
    return 0;
}

static pthread_once_t fetch_curl_once = PTHREAD_ONCE_INIT;
static CURLcode fetch_curl_status;
static void fetch_curl_init(void) { fetch_curl_status = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* mkdir -p of the folder holding `path` (the cache folder may not exist yet). */
static int fetch_make_parent(const char *path, rnn_error *err)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return rnn_fail(err, RNN_EUSAGE, "%s: path too long", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return RNN_OK;
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return rnn_fail(err, RNN_EIO, "cannot create folder %s: %s", dir, strerror(errno));
        *p = saved;
        if (!saved)
            break;
    }
    return RNN_OK;
}

static bool fetch_valid_hex(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') ||
              (s[n] >= 'A' && s[n] <= 'F')))
            return false;
    return n == 64;
}

/* fsync of the folder holding `path`, so the rename survives a crash; best effort. */
static void fetch_sync_parent(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
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

/* Runs the transfer into st->fd; returns a status with a message naming url. */
static int fetch_transfer(const char *url, fetch_state *st, rnn_error *err)
{
    pthread_once(&fetch_curl_once, fetch_curl_init);
    if (fetch_curl_status != CURLE_OK)
        return rnn_fail(err, RNN_EINTERNAL, "cannot initialise libcurl: %s",
                        curl_easy_strerror(fetch_curl_status));
    CURL *curl = curl_easy_init();
    if (!curl)
        return rnn_fail(err, RNN_EINTERNAL, "cannot initialise libcurl");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "rnnlab/" PACKAGE_VERSION);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    /* A stalled connection (under 1 byte/s for 2 minutes) is an error, not a hang. */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, st);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, fetch_xferinfo);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, st);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    CURLcode rc = curl_easy_perform(curl);
    int status = RNN_OK;
    if (st->cancelled)
        status = rnn_fail(err, RNN_EIO, "download of %s cancelled", url);
    else if (rc == CURLE_WRITE_ERROR && st->write_errno)
        status = rnn_fail(err, RNN_EIO, "download of %s: cannot write %s: %s", url, st->what,
                          strerror(st->write_errno));
    else if (rc != CURLE_OK)
        status = rnn_fail(err, RNN_EIO, "download of %s failed: %s", url,
                          errbuf[0] ? errbuf : curl_easy_strerror(rc));
    curl_easy_cleanup(curl);
    return status;
}

int rnn_fetch(const char *url, const char *dest, const char *sha256,
              rnn_progress_fn progress, void *user, rnn_error *err)
{
    if (!url || !*url || !dest || !*dest)
        return rnn_fail(err, RNN_EUSAGE, "download needs a URL and a destination file");
    if (sha256 && !fetch_valid_hex(sha256))
        return rnn_fail(err, RNN_EUSAGE, "invalid SHA-256 '%s' (expected 64 hex digits)", sha256);
    char part[PATH_MAX];
    if (snprintf(part, sizeof part, "%s.part", dest) >= (int)sizeof part)
        return rnn_fail(err, RNN_EUSAGE, "%s: path too long", dest);
    int status = fetch_make_parent(dest, err);
    if (status)
        return status;
    const char *slash = strrchr(dest, '/');
    fetch_state st = { .progress = progress, .user = user, .what = slash ? slash + 1 : dest };
    rnn_sha256_init(&st.sha);
    st.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (st.fd < 0)
        return rnn_fail(err, RNN_EIO, "cannot create %s: %s", part, strerror(errno));
    status = fetch_transfer(url, &st, err);
    if (!status && fsync(st.fd) != 0)
        status = rnn_fail(err, RNN_EIO, "cannot write %s: %s", part, strerror(errno));
    if (close(st.fd) != 0 && !status)
        status = rnn_fail(err, RNN_EIO, "cannot write %s: %s", part, strerror(errno));
    if (!status && sha256) {
        char got[65];
        rnn_sha256_final_hex(&st.sha, got);
        if (strcasecmp(got, sha256) != 0)
            status = rnn_fail(err, RNN_EDATA,
                              "%s: SHA-256 mismatch for %s (expected %s, got %s); download deleted",
                              dest, url, sha256, got);
    }
    if (!status && rename(part, dest) != 0)
        status = rnn_fail(err, RNN_EIO, "cannot rename %s to %s: %s", part, dest, strerror(errno));
    if (status) {
        unlink(part);
        return status;
    }
    fetch_sync_parent(dest);
    if (progress)
        progress(st.what, st.done, st.done, user); /* a final 100% for progress bars */
    return RNN_OK;
}
