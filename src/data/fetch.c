/* Downloads with libcurl through rnn_outfile (DEST.tmp, synced and renamed), checking SHA-256 on the way;
 * and the table of data sets the program knows how to download. libcurl is opened when the first
 * download starts, not linked: with the TLS and authentication libraries it brings, it would add
 * about 5 MB to every run's resident memory, downloads or not. */
#include "config.h"
#include <dlfcn.h>
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
    FILE *f;
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
    size_t n = size * nmemb;
    errno = 0;
    if (fwrite(data, 1, n, st->f) != n) {
        st->write_errno = errno ? errno : EIO;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
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

/* The libcurl functions a download calls, found in the library when it is opened. */
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*perform)(CURL *curl);
    void (*cleanup)(CURL *curl);
    const char *(*strerror)(CURLcode code);
} lc;

static pthread_once_t fetch_curl_once = PTHREAD_ONCE_INIT;
static char fetch_curl_error[256];   /* why libcurl cannot be used, "" when it can */

/* *fp = the address of symbol name in the library h; false when it has none. */
static bool fetch_curl_symbol(void *h, const char *name, void *fp)
{
    void *p = dlsym(h, name);
    if (p)
        memcpy(fp, &p, sizeof p);  /* POSIX: object and function pointers convert */
    return p != NULL;
}

/* Opens libcurl and initialises it (once; it stays open). */
static void fetch_curl_init(void)
{
    void *h = dlopen(RNNLAB_LIBCURL, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(fetch_curl_error, sizeof fetch_curl_error, "%s", dlerror());
        return;
    }
    if (!fetch_curl_symbol(h, "curl_global_init", &lc.global_init) ||
        !fetch_curl_symbol(h, "curl_easy_init", &lc.easy_init) ||
        !fetch_curl_symbol(h, "curl_easy_setopt", &lc.setopt) ||
        !fetch_curl_symbol(h, "curl_easy_perform", &lc.perform) ||
        !fetch_curl_symbol(h, "curl_easy_cleanup", &lc.cleanup) ||
        !fetch_curl_symbol(h, "curl_easy_strerror", &lc.strerror)) {
        snprintf(fetch_curl_error, sizeof fetch_curl_error, "%s lacks a function rnnlab calls", RNNLAB_LIBCURL);
        return;
    }
    CURLcode rc = lc.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK)
        snprintf(fetch_curl_error, sizeof fetch_curl_error, "cannot initialise libcurl: %s", lc.strerror(rc));
}

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

/* Runs the transfer into st->f; returns a status with a message naming url. */
static int fetch_transfer(const char *url, fetch_state *st, rnn_error *err)
{
    pthread_once(&fetch_curl_once, fetch_curl_init);
    if (fetch_curl_error[0])
        return rnn_fail(err, RNN_EIO, "download of %s needs libcurl (%s; on Debian/Ubuntu: apt-get install libcurl4)",
                        url, fetch_curl_error);
    CURL *curl = lc.easy_init();
    if (!curl)
        return rnn_fail(err, RNN_EINTERNAL, "cannot initialise libcurl");
    char errbuf[CURL_ERROR_SIZE] = "";
    lc.setopt(curl, CURLOPT_URL, url);
    lc.setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    lc.setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    lc.setopt(curl, CURLOPT_MAXREDIRS, 10L);
    lc.setopt(curl, CURLOPT_FAILONERROR, 1L);
    lc.setopt(curl, CURLOPT_NOSIGNAL, 1L);
    lc.setopt(curl, CURLOPT_USERAGENT, "rnnlab/" PACKAGE_VERSION);
    lc.setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
    /* A stalled connection (under 1 byte/s for 2 minutes) is an error, not a hang. */
    lc.setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    lc.setopt(curl, CURLOPT_LOW_SPEED_TIME, 120L);
    lc.setopt(curl, CURLOPT_WRITEFUNCTION, fetch_write);
    lc.setopt(curl, CURLOPT_WRITEDATA, st);
    lc.setopt(curl, CURLOPT_XFERINFOFUNCTION, fetch_xferinfo);
    lc.setopt(curl, CURLOPT_XFERINFODATA, st);
    lc.setopt(curl, CURLOPT_NOPROGRESS, 0L);
    CURLcode rc = lc.perform(curl);
    int status = RNN_OK;
    if (st->cancelled)
        status = rnn_fail(err, RNN_EIO, "download of %s cancelled", url);
    else if (rc == CURLE_WRITE_ERROR && st->write_errno)
        status = rnn_fail(err, RNN_EIO, "download of %s: cannot write %s: %s", url, st->what,
                          strerror(st->write_errno));
    else if (rc != CURLE_OK)
        status = rnn_fail(err, RNN_EIO, "download of %s failed: %s", url,
                          errbuf[0] ? errbuf : lc.strerror(rc));
    lc.cleanup(curl);
    return status;
}

int rnn_fetch(const char *url, const char *dest, const char *sha256,
              rnn_progress_fn progress, void *user, rnn_error *err)
{
    if (!url || !*url || !dest || !*dest)
        return rnn_fail(err, RNN_EUSAGE, "download needs a URL and a destination file");
    if (sha256 && !fetch_valid_hex(sha256))
        return rnn_fail(err, RNN_EUSAGE, "invalid SHA-256 '%s' (expected 64 hex digits)", sha256);
    int status = fetch_make_parent(dest, err);
    if (status)
        return status;
    const char *slash = strrchr(dest, '/');
    fetch_state st = { .progress = progress, .user = user, .what = slash ? slash + 1 : dest };
    rnn_sha256_init(&st.sha);
    rnn_outfile out;
    if ((status = rnn_outfile_open(&out, dest, err)))
        return status;
    st.f = out.f;
    status = fetch_transfer(url, &st, err);
    if (!status && sha256) {
        char got[65];
        rnn_sha256_final_hex(&st.sha, got);
        if (strcasecmp(got, sha256) != 0)
            status = rnn_fail(err, RNN_EDATA,
                              "%s: SHA-256 mismatch for %s (expected %s, got %s); download deleted",
                              dest, url, sha256, got);
    }
    if (status) {
        rnn_outfile_discard(&out);
        return status;
    }
    if ((status = rnn_outfile_commit(&out, err)))
        return status;
    if (progress)
        progress(st.what, st.done, st.done, user); /* a final 100% for progress bars */
    return RNN_OK;
}
