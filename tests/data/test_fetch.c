/* SHA-256 against known vectors and sha256sum; rnn_fetch offline through file:// URLs. */
#include "config.h"
#include "testutil.h"
#include <signal.h>
#include <sys/wait.h>
#include "rnnlab/data.h"
#include "data/io_internal.h"

static void hex_of(const void *data, size_t n, char hex[65])
{
    rnn_sha256 c;
    rnn_sha256_init(&c);
    rnn_sha256_update(&c, data, n);
    rnn_sha256_final_hex(&c, hex);
}

static void test_known_vectors(void)
{
    char hex[65];
    hex_of("", 0, hex);
    CHECK(!strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    hex_of("abc", 3, hex);
    CHECK(!strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), hex);
    CHECK(!strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                       "klmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_of(m896, strlen(m896), hex);
    CHECK(!strcmp(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
    /* One million 'a', fed in uneven pieces to exercise the block buffering. */
    char a[1000];
    memset(a, 'a', sizeof a);
    rnn_sha256 c;
    rnn_sha256_init(&c);
    size_t fed = 0;
    for (size_t step = 1; fed < 1000000; step = step % 997 + 1) {
        size_t n = step < 1000000 - fed ? step : 1000000 - fed;
        rnn_sha256_update(&c, a, n);
        fed += n;
    }
    rnn_sha256_final_hex(&c, hex);
    CHECK(!strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

/* Files of every length around the padding boundaries, compared with the sha256sum tool. */
static void test_against_sha256sum(void)
{
    if (system("sha256sum --version >/dev/null 2>&1") != 0) {
        printf("sha256sum not found: comparison with it left out\n");
        return;
    }
    static const size_t lengths[] = { 0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 65536,
                                      65537, 300001 };
    unsigned char *data = malloc(300001);
    unsigned x = 12345;
    for (size_t i = 0; i < 300001; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (unsigned char)(x >> 16);
    }
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        const char *path = test_write("blob.bin", data, lengths[k]);
        char cmd[700], want[65] = "", got[65];
        snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
        FILE *p = popen(cmd, "r");
        CHECK(p && fscanf(p, "%64s", want) == 1);
        if (p)
            pclose(p);
        rnn_error err;
        CHECK_STATUS(rnn_sha256_file(path, got, &err), RNN_OK, &err);
        if (strcmp(got, want))
            fprintf(stderr, "length %zu: got %s, sha256sum says %s\n", lengths[k], got, want);
        CHECK(!strcmp(got, want));
    }
    free(data);
    rnn_error err;
    char hex[65];
    CHECK_STATUS(rnn_sha256_file(test_path("no-such-file"), hex, &err), RNN_ENOINPUT, &err);
    CHECK_MSG(&err, "no-such-file");
}

typedef struct progress_log {
    int calls;
    uint64_t last_done, last_total;
    int cancel_after; /* cancel on this call (0 = never) */
} progress_log;

static int on_progress(const char *what, uint64_t done, uint64_t total, void *user)
{
    progress_log *log = user;
    log->calls++;
    log->last_done = done;
    log->last_total = total;
    if (strcmp(what, "dest.bin") != 0)
        fprintf(stderr, "progress names '%s'\n", what), failures++;
    return log->cancel_after && log->calls >= log->cancel_after;
}

/* Whether a library whose file name starts with prefix is mapped into this process. */
static bool library_mapped(const char *prefix)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1024];
    bool found = false;
    while (f && !found && fgets(line, sizeof line, f)) {
        const char *slash = strrchr(line, '/');
        found = slash && strncmp(slash + 1, prefix, strlen(prefix)) == 0;
    }
    if (f)
        fclose(f);
    return found;
}

static void test_fetch_file_urls(void)
{
    size_t n = 3 << 20;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 7 + (i >> 10));
    const char *src = test_write("src.bin", data, n);
    char url[600], hex[65], upper[65];
    snprintf(url, sizeof url, "file://%s", src);
    rnn_error err;
    CHECK_STATUS(rnn_sha256_file(src, hex, &err), RNN_OK, &err);
    for (int i = 0; i < 65; i++)
        upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 32 : hex[i]);

    /* Success with the right hash, into a folder that does not exist yet. */
    char dest[600], part[610];
    snprintf(dest, sizeof dest, "%s", test_path("cache/sub/dest.bin"));
    snprintf(part, sizeof part, "%s.tmp", dest);
    progress_log log = { 0 };
    /* libcurl (and the TLS libraries it brings) is opened by the first download, not before */
    CHECK(!library_mapped("libcurl."));
    CHECK_STATUS(rnn_fetch(url, dest, hex, on_progress, &log, &err), RNN_OK, &err);
    CHECK(library_mapped("libcurl."));
    char got[65] = "";
    CHECK_STATUS(rnn_sha256_file(dest, got, &err), RNN_OK, &err);
    CHECK(!strcmp(got, hex));
    CHECK(!test_exists(part));
    CHECK(log.calls >= 1 && log.last_done == n && log.last_total == n);

    /* Overwrites an existing file; hash in upper case; no hash and no progress. */
    CHECK_STATUS(rnn_fetch(url, dest, upper, NULL, NULL, &err), RNN_OK, &err);
    CHECK_STATUS(rnn_fetch(url, dest, NULL, NULL, NULL, &err), RNN_OK, &err);
    CHECK(test_exists(dest) && !test_exists(part));

    /* Hash mismatch: EDATA, part file deleted, nothing at dest, message names the file. */
    unlink(dest);
    char wrong[65];
    memcpy(wrong, hex, 65);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    CHECK_STATUS(rnn_fetch(url, dest, wrong, NULL, NULL, &err), RNN_EDATA, &err);
    CHECK_MSG(&err, "dest.bin");
    CHECK_MSG(&err, "SHA-256 mismatch");
    CHECK_MSG(&err, hex);
    CHECK(!test_exists(dest) && !test_exists(part));

    /* Missing source: EIO naming the URL, nothing left behind. */
    char missing[600];
    snprintf(missing, sizeof missing, "file://%s", test_path("missing.bin"));
    CHECK_STATUS(rnn_fetch(missing, dest, NULL, NULL, NULL, &err), RNN_EIO, &err);
    CHECK_MSG(&err, "missing.bin");
    CHECK(!test_exists(dest) && !test_exists(part));

    /* Cancelled by the progress callback. */
    progress_log cancel = { .cancel_after = 1 };
    CHECK_STATUS(rnn_fetch(url, dest, NULL, on_progress, &cancel, &err), RNN_EIO, &err);
    CHECK_MSG(&err, "cancelled");
    CHECK(!test_exists(dest) && !test_exists(part));

    /* Bad arguments and an impossible destination. */
    CHECK_STATUS(rnn_fetch(url, dest, "abc", NULL, NULL, &err), RNN_EUSAGE, &err);
    CHECK_STATUS(rnn_fetch("", dest, NULL, NULL, NULL, &err), RNN_EUSAGE, &err);
    snprintf(dest, sizeof dest, "%s/below/dest.bin", src); /* parent is a regular file */
    CHECK_STATUS(rnn_fetch(url, dest, NULL, NULL, NULL, &err), RNN_EIO, &err);
    CHECK_MSG(&err, "src.bin");
    CHECK_STATUS(rnn_fetch("unknownscheme://x/y", test_path("d2"), NULL, NULL, NULL, &err),
                 RNN_EIO, &err);
    CHECK_MSG(&err, "unknownscheme://x/y");
    CHECK(!test_exists(test_path("d2")) && !test_exists(test_path("d2.tmp")));
    free(data);
}

/* A local HTTP server (Python's http.server) serving the scratch folder, with /moved redirecting
 * to /src.bin: checks that redirects are followed and HTTP errors fail. */
static const char server_py[] =
    "import http.server, os, sys\n"
    "os.chdir(sys.argv[1])\n"
    "class Handler(http.server.SimpleHTTPRequestHandler):\n"
    "    def do_GET(self):\n"
    "        if self.path == '/moved':\n"
    "            self.send_response(302)\n"
    "            self.send_header('Location', '/src.bin')\n"
    "            self.end_headers()\n"
    "            return\n"
    "        super().do_GET()\n"
    "    def log_message(self, *args):\n"
    "        pass\n"
    "server = http.server.HTTPServer(('127.0.0.1', 0), Handler)\n"
    "print(server.server_address[1], flush=True)\n"
    "server.serve_forever()\n";

static void test_fetch_http(void)
{
    const char *python = getenv("PYTHON3");
    if (!python || !*python)
        python = "python3";
    const char *script = test_write("server.py", server_py, strlen(server_py));
    int out[2];
    if (pipe(out) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execlp(python, python, script, test_dir, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[32] = "";
    FILE *f = fdopen(out[0], "r");
    int port = f && fgets(line, sizeof line, f) ? atoi(line) : 0;
    if (port <= 0) {
        printf("no %s with http.server: HTTP checks left out\n", python);
    } else {
        setenv("no_proxy", "127.0.0.1", 1); /* a proxy from the environment must not see this */
        setenv("NO_PROXY", "127.0.0.1", 1);
        char url[128], hex[65], got[65] = "";
        rnn_error err;
        CHECK_STATUS(rnn_sha256_file(test_path("src.bin"), hex, &err), RNN_OK, &err);
        const char *dest = test_path("http/dest.bin");
        snprintf(url, sizeof url, "http://127.0.0.1:%d/moved", port);
        CHECK_STATUS(rnn_fetch(url, dest, hex, NULL, NULL, &err), RNN_OK, &err);
        CHECK_STATUS(rnn_sha256_file(dest, got, &err), RNN_OK, &err);
        CHECK(!strcmp(got, hex));
        unlink(dest);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/not-there.tar.gz", port);
        CHECK_STATUS(rnn_fetch(url, dest, NULL, NULL, NULL, &err), RNN_EIO, &err);
        CHECK_MSG(&err, "not-there.tar.gz");
        CHECK_MSG(&err, "404");
        CHECK(!test_exists(dest) && !test_exists(test_path("http/dest.bin.tmp")));
    }
    if (f)
        fclose(f);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static void test_known_datasets(void)
{
    size_t n = 0;
    const rnn_dataset_info *d = rnn_known_datasets(&n);
    CHECK(n == 2);
    CHECK(!strcmp(d[0].kind, "imdb") && !strcmp(d[0].file, "aclImdb_v1.tar.gz"));
    CHECK(!strcmp(d[0].sha256, "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"));
    CHECK(!strcmp(d[0].url, "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"));
    CHECK(!strcmp(d[1].kind, "sms") && !strcmp(d[1].file, "smsspamcollection.zip"));
    CHECK(d[1].sha256 == NULL && strstr(d[1].url, "00228/smsspamcollection.zip"));
    for (size_t i = 0; i < n; i++)
        CHECK(d[i].description && *d[i].description);
}

int main(void)
{
    test_setup();
    test_known_vectors();
    test_against_sha256sum();
    test_fetch_file_urls();
    test_fetch_http();
    test_known_datasets();
    return check_finish("test_fetch");
}
