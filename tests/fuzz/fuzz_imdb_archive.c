/* The IMDB archive reader (`load imdb path=FILE`): aclImdb_v1.tar.gz read in place, members
 * aclImdb/{train,test}/{neg,pos}/NAME.txt (tar, compressed by any filter libarchive knows).
 * Input: the archive file. */
#include <unistd.h>
#include "rnnlab/rnnlab.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[32];
    int fd = fuzz_memfile(data, size, path);
    rnn_load_opts o = { .path = path, .seed = -1, .test_split = -1, .allow_download = false };
    rnn_dataset *ds = NULL;
    rnn_error err;
    if (rnn_dataset_load("imdb", &o, &ds, &err) == RNN_OK)
        rnn_dataset_free(ds);
    close(fd);
    return 0;
}
