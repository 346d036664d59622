/* rnn_outfile and rnn_write_file: the old file survives every failure (discard, a file-size
 * limit, a target that is not a regular file) and no temporary is left; rnn_pipeline_read works
 * on bytes in memory; rnn_crc32, rnn_format_bytes and rnn_mem_available. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "rnnlab/rnnlab.h"

#include "tests/check.h"

static char dir[] = "/tmp/rnnlab-outfile-XXXXXX";

static const char *at(const char *name)
{
    static char path[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    *len = fread(b, 1, 1 << 20, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

static bool holds(const char *path, const char *text)
{
    size_t n;
    char *b = slurp(path, &n);
    bool same = b && n == strlen(text) && !memcmp(b, text, n);
    free(b);
    return same;
}

static bool exists(const char *path) { return access(path, F_OK) == 0; }

static void test_replace_and_discard(void)
{
    rnn_error err = {0};
    const char *p = at("a.txt"), *tmp = at("a.txt.tmp");
    CHECK(rnn_write_file(p, "old\n", 4, &err) == RNN_OK, "first write: %s", err.msg);
    rnn_outfile o;
    CHECK(rnn_outfile_open(&o, p, &err) == RNN_OK, "open: %s", err.msg);
    fputs("half of the new", o.f);
    fflush(o.f);
    CHECK(exists(tmp) && holds(p, "old\n"), "the new content goes to the temporary only");
    rnn_outfile_discard(&o);
    CHECK(holds(p, "old\n") && !exists(tmp), "discard: old file kept, temporary removed");
    CHECK(rnn_outfile_open(&o, p, &err) == RNN_OK, "open: %s", err.msg);
    fputs("new\n", o.f);
    CHECK(rnn_outfile_commit(&o, &err) == RNN_OK && holds(p, "new\n") && !exists(tmp), "commit replaces");
    /* a stale temporary (a killed writer's) is taken over */
    FILE *f = fopen(tmp, "w");
    fputs("stale and longer than the new content", f);
    fclose(f);
    CHECK(rnn_write_file(p, "newer\n", 6, &err) == RNN_OK && holds(p, "newer\n") && !exists(tmp),
          "over a stale temporary: %s", err.msg);
}

static void expect_refused(const char *path, const char *kind)
{
    rnn_error err = {0};
    int rc = rnn_write_file(path, "x", 1, &err);
    CHECK(rc == RNN_EIO && strstr(err.msg, kind) && strstr(err.msg, "not a regular file"), "%s: %d '%s'", path, rc,
          err.msg);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(!exists(tmp), "no temporary beside %s", path);
}

static void test_refusals(void)
{
    CHECK(mkdir(at("folder"), 0700) == 0, "mkdir");
    expect_refused(at("folder"), "a folder");
    CHECK(mkfifo(at("fifo"), 0600) == 0, "mkfifo");
    expect_refused(at("fifo"), "a FIFO");
    struct stat st;
    CHECK(stat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO is still a FIFO");
    if (mknod(at("full"), S_IFCHR | 0600, makedev(1, 7)) == 0) {
        expect_refused(at("full"), "a device");
        CHECK(stat(at("full"), &st) == 0 && S_ISCHR(st.st_mode), "the device node is still one");
    }
    rnn_error err = {0};
    CHECK(rnn_write_file(at("nodir/x"), "x", 1, &err) == RNN_EIO && strstr(err.msg, "nodir/x"), "missing folder: %s",
          err.msg);
    CHECK(rnn_write_file("", "x", 1, &err) == RNN_EUSAGE, "empty name");
}

/* In a child: over RLIMIT_FSIZE (SIGXFSZ ignored, as the program does) commit fails with EFBIG. */
static void test_file_size_limit(void)
{
    const char *p = at("big.bin");
    rnn_error err = {0};
    CHECK(rnn_write_file(p, "old\n", 4, &err) == RNN_OK, "write: %s", err.msg);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {1024, 1024};
        setrlimit(RLIMIT_FSIZE, &rl);
        static char big[1 << 16];
        int rc = rnn_write_file(p, big, sizeof big, &err);
        _exit(rc == RNN_EIO && strstr(err.msg, strerror(EFBIG)) ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "over the file-size limit: an error (status %d)", status);
    CHECK(holds(p, "old\n") && !exists(at("big.bin.tmp")), "over the file-size limit: old file kept, no temporary");
}

static void test_helpers(void)
{
    CHECK(rnn_crc32(0, "123456789", 9) == 0xCBF43926u, "CRC-32 check value");
    CHECK(rnn_crc32(rnn_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u, "CRC-32 continued");
    char b[32];
    CHECK(!strcmp(rnn_format_bytes(512, b, sizeof b), "512 B"), "%s", b);
    CHECK(!strcmp(rnn_format_bytes(3 << 20, b, sizeof b), "3.0 MB"), "%s", b);
    CHECK(!strcmp(rnn_format_bytes((uint64_t)16 << 30, b, sizeof b), "16.0 GB"), "%s", b);
    CHECK(rnn_mem_available() > (1 << 20), "some memory available");
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl;
        getrlimit(RLIMIT_AS, &rl);
        rl.rlim_cur = (rlim_t)4 << 30;
        setrlimit(RLIMIT_AS, &rl);
        _exit(rnn_mem_available() < ((uint64_t)4 << 30) ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "RLIMIT_AS bounds the memory available");
}

/* A save file read from memory, as the fuzz target does; a damaged copy is refused. */
static void test_read_memory(void)
{
    rnn_error err = {0};
    rnn_tokenizer *t = rnn_tokenizer_new(NULL);
    char *texts[] = {"the cat sat", "the dog"};
    CHECK(t && rnn_tokenizer_fit(t, texts, 2, &err) == RNN_OK, "fit");
    char *classes[] = {"neg", "pos"};
    rnn_pipeline p = {.tokenizer = t, .prep.maxlen = 5, .n_classes = 2, .class_names = classes};
    CHECK(rnn_pipeline_save(at("p.rnnlab"), &p, &err) == RNN_OK, "save: %s", err.msg);
    size_t n;
    unsigned char *b = (unsigned char *)slurp(at("p.rnnlab"), &n);
    rnn_pipeline q;
    CHECK(b && rnn_pipeline_read(b, n, "memory", &q, &err) == RNN_OK, "read: %s", err.msg);
    CHECK(q.prep.maxlen == 5 && q.n_classes == 2 && !strcmp(q.class_names[1], "pos") &&
          rnn_tokenizer_index(q.tokenizer, "cat") == rnn_tokenizer_index(t, "cat"), "read back");
    rnn_pipeline_free(&q);
    b[n / 2] ^= 1;
    CHECK(rnn_pipeline_read(b, n, "memory", &q, &err) == RNN_EDATA && strstr(err.msg, "memory is corrupt"),
          "damaged: %s", err.msg);
    CHECK(rnn_pipeline_read(b, 3, "memory", &q, &err) == RNN_EDATA, "three bytes");
    free(b);
    rnn_tokenizer_free(t);
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    test_replace_and_discard();
    test_refusals();
    test_file_size_limit();
    test_helpers();
    test_read_memory();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    return check_finish("test_outfile");
}
