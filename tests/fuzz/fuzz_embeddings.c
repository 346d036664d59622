/* Word-vector readers (`embeddings load FILE format=`): GloVe, word2vec and fastText text files,
 * word2vec binary files, and the guess between them, matched to a small fitted tokenizer.
 * Built twice: fuzz_embeddings_text (text formats) and fuzz_embeddings_bin (EMB_BINARY: binary).
 * Input: a byte choosing the format and tokenizer, then the file. */
#include <stdlib.h>
#include <unistd.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

static rnn_tokenizer *tok[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    char *texts[] = { "the film was good", "the film was bad", "a caf\xc3\xa9 na\xc3\xafve word", "in of to and" };
    for (int i = 0; i < 2; i++) {
        rnn_tokenizer_opts o;
        rnn_tokenizer_opts_default(&o);
        o.num_words = i ? 4 : 0;           /* rows = num_words, or vocabulary + 1 */
        o.oov_token = i ? "<OOV>" : NULL;
        rnn_error err;
        if (!(tok[i] = rnn_tokenizer_new(&o)) || rnn_tokenizer_fit(tok[i], texts, 4, &err) != RNN_OK)
            abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = { data, size };
    uint8_t opt = fuzz_byte(&in);
#ifdef EMB_BINARY
    static const char *const formats[2] = { "word2vec-bin", NULL };
#else
    static const char *const formats[4] = { "glove", "word2vec", "fasttext", NULL };
#endif
    const char *format = formats[(opt >> 1) % (sizeof formats / sizeof *formats)];
    char path[32];
    int fd = fuzz_memfile(in.p, in.n, path);
    rnn_fmatrix m = { 0 };
    size_t found = 0;
    rnn_error err;
    if (rnn_embeddings_load(path, format, tok[opt & 1], &m, &found, &err) == RNN_OK)
        rnn_fmatrix_free(&m);
    close(fd);
    return 0;
}
