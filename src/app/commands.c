/* The one command table: dispatch, help, tab completion and the man page's command list. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include "app/internal.h"
#include "app/mpi.h"
#include "app/python.h"

static char **complete_commands(const char *text, int arg_index);
static char **complete_layers(const char *text, int arg_index);
static char **complete_expect(const char *text, int arg_index);

/* Examples: every command's help ends with one that runs as written in a new session (in the
 * source folder, for files under examples/); its first lines make what the command needs on the
 * demo data set. A last line ending in "# -> TEXT" shows what the command prints (tests check it). */
#define EX_TOKENIZED "load demo; tokenize\n"
#define EX_PADDED "load demo; tokenize; pad maxlen=12\n"
#define EX_MODEL EX_PADDED "add Embedding(50, 16); add LSTM(16); add Dense(1, activation='sigmoid')\n"
#define EX_COMPILED EX_MODEL "compile optimizer=adam learning_rate=0.01 loss=binary_crossentropy metrics=accuracy\n"
#define EX_TRAINED EX_COMPILED "fit epochs=3 validation_split=0.2\n"
/* The data sets rnnlab splits from one source itself, where tokenize fits on every text. */
#define SPLIT_SOURCES "sms, and csv, dir, lines or demo with test_split"

/* `expect`'s names as its usage lists them */
#define EXPECT_NAME_TEXT(name, after, getter) name after

/* args: positional words in lower case are literal choices (a|b), UPPER case are placeholders;
 * every `key=` is a valid key. FILE, PATH and DIR placeholders complete file names. */
static const app_command command_table[] = {
    /* Data */
    {"load", "imdb|sms|csv|dir|lines|demo [PATH] [path=PATH] [clean=false] [test_split=F] [test_part=last|first] [seed=N] [shuffle=true] "
             "[text=COL] [label=COL] [test=FILE] [listing=sorted|keras] [delimiter=,] [refetch=false] [CLASS=FILE ...]",
     "load a data set",
     "load imdb [path=aclImdb_v1.tar.gz|DIR] [seed=113] [shuffle=true]: Stanford IMDB, 25,000 train /\n"
     "  25,000 test, neg=0 pos=1, shuffled as keras.datasets.imdb; shuffle=false keeps neg then pos (the\n"
     "  Hugging Face copy's order: validation_split then takes positive reviews only).\n"
     "  Without path, from the cache folder, downloading the official archive (SHA-256 checked) if absent;\n"
     "  refetch=true downloads it again, replacing a damaged cached copy. If the download fails, place the\n"
     "  file named in the message in the cache folder by hand (see datasets).\n"
     "load sms [path=smsspamcollection.zip|FILE] [clean=true] [test_split=0.2] [seed=42] [refetch=false]:\n"
     "  UCI SMS Spam Collection, ham=0 spam=1; clean=true drops non-ASCII bytes, punctuation, underscores and\n"
     "  digits, collapses spaces and lowers the case.\n"
     "load csv FILE text=COL label=COL [test=FILE] [test_split=F] [delimiter=,]: CSV/TSV with a header.\n"
     "load dir PATH [test=DIR] [listing=sorted|keras] [seed=113] [shuffle=true]: one sub-folder per class\n"
     "  (train/ and test/ sub-folders if present, unless test=DIR names the test folder), a file an example,\n"
     "  in the sorted listing: class folders, then each one's files, by name. listing=keras reads them as\n"
     "  keras.utils.text_dataset_from_directory(PATH, seed=N): the .txt files of each class folder and of\n"
     "  the folders under it, then each split shuffled with numpy's RandomState(seed) (shuffle=false: not).\n"
     "load lines CLASS=FILE CLASS=FILE ... [test_split=F]: one example per line per class file.\n"
     "load demo: a small built-in data set where word order decides the label.\n"
     "test_part=first takes the test texts from the start of the shuffled order and leaves the rest, in\n"
     "that order, to train, as scikit-learn's train_test_split(test_size=F, random_state=N); the default,\n"
     "last, keeps the first int(n * (1 - F)) for train, as numpy slicing of a permutation does.\n"
     "When rnnlab splits one source into train and test (" SPLIT_SOURCES "),\n"
     "`tokenize` fits on all texts in the source's order, as a Keras Tokenizer fitted before the split does.\n"
     "Text is UTF-8: each invalid sequence (a maximal subpart, as Unicode and WHATWG define it) becomes one\n"
     "U+FFFD, in texts, labels, class names and typed text alike; no example is dropped and no file refused\n"
     "for it, and load and stats report the count. A NUL byte is an error (not a text file). Limits: 16 MB\n"
     "a line (CSV/TSV, line files, scripts), 64 MB a file of load dir or an archive member.", cmd_load, 2, NULL,
     "load demo test_split=0.3 seed=7"},
    {"datasets", "", "list the known, cached and loaded data sets", "datasets", cmd_datasets, 0, NULL,
     "datasets"},
    {"stats", "[split=train|test] [percentiles=25,50,75,95,99]", "word-count statistics (pandas describe) and class balance",
     "stats [split=train] [percentiles=25,50,75,95,99]: pandas Series.describe of len(text.split())\n"
     "(count, mean, std with n-1, min, percentiles by linear interpolation, max) and the class balance;\n"
     "when loading replaced invalid UTF-8, the count of U+FFFD (see help load).", cmd_stats, 0, NULL,
     "load demo\nstats split=test percentiles=10,50,90"},
    {"vocab", "[top=20]", "vocabulary size, most frequent words, coverage at num_words",
     "vocab [top=20]: the fitted tokenizer's vocabulary: size, the most frequent words with their counts,\n"
     "and the share of word occurrences kept at num_words (coverage) and lost (OOV rate).", cmd_vocab, 0, NULL,
     EX_TOKENIZED "vocab top=5"},
    {"tokenize", "[style=tokenizer|textvectorization] [num_words=N] [oov_token=S] [lower=true] [filters=S] [split=' '] "
     "[char_level=false] [max_tokens=N] [standardize=NAME|[STEP,...]] [ngrams=1] [ngram_buckets=N] [num_ngrams=N] "
     "[fit_on=all|train] [validation_split=0]",
     "fit Keras's Tokenizer or TextVectorization and encode train and test",
     "tokenize [num_words=N] [oov_token=S] [lower=true] [filters=...] [char_level=false]: Keras's legacy\n"
     "Tokenizer fitted on the train texts (on train and test when rnnlab split the data set from one\n"
     "source: " SPLIT_SOURCES "), then texts_to_sequences on both splits. fit_on=train fits such a\n"
     "data set on its train texts only, as a Tokenizer fitted after train_test_split. validation_split=F\n"
     "fits on the train texts fit trains on with the same validation_split (the first floor(n (1 - F))),\n"
     "as a TextVectorization adapted on text_dataset_from_directory's training subset.\n"
     "tokenize style=textvectorization [max_tokens=N]: keras.layers.TextVectorization with its defaults,\n"
     "adapted on the same texts (the TensorFlow RNN guide's encoder): A-Z lowered (no other letter), the\n"
     "32 ASCII punctuation characters deleted (don't -> dont, <br /> -> br), words split at ASCII\n"
     "whitespace; the vocabulary ranked by count, ties by the words' bytes in descending order. Id 0 is\n"
     "the padding (''), 1 is '[UNK]' for every word out of the vocabulary, learned words follow from 2;\n"
     "max_tokens=N (at least 2) caps the vocabulary at N entries with those two, as get_vocabulary().\n"
     "The Tokenizer's options and ngrams= do not apply to it. standardize= is its standardize:\n"
     "lower_and_strip_punctuation (the default), lower, strip_punctuation, none, or a custom function's\n"
     "steps run in order, [lower, regex_replace('<br />', ' '), strip_punctuation], each what\n"
     "tf.strings.lower (A-Z only) and tf.strings.regex_replace do. A pattern is a text (\\ before a\n"
     "punctuation character) or one class of ASCII characters such as '[%s]' % re.escape(string.punctuation),\n"
     "maybe followed by +; a rewrite is no longer than what it replaces and has no group references.\n"
     "ngrams=2 (or 3..5) appends each text's word n-grams after its word ids, as fastText and Keras's\n"
     "imdb_fasttext example: every n-gram of the train texts (num_ngrams=N: the N most frequent), or\n"
     "every n-gram hashed into ngram_buckets=N ids as fastText. Their ids follow the word ids (from\n"
     "num_words, or vocab.size), so the Embedding needs the input_dim tokenize reports; pad, encode,\n"
     "predict, explain and save carry them. Embedding + GlobalAveragePooling1D + Dense on them is the\n"
     "fastText classifier.", cmd_tokenize, 0, NULL,
     "load demo\ntokenize num_words=20 oov_token='<OOV>'\ntokenize style=textvectorization max_tokens=20\n"
     "tokenize style=textvectorization standardize=\"[lower, regex_replace('not', 'no'), strip_punctuation]\"\n"
     "tokenize ngrams=2 num_ngrams=100"},
    {"encode", "TEXT", "texts_to_sequences on one text", "encode TEXT: the token ids of TEXT through the fitted tokenizer (words it does not know are\n"
     "dropped, or become oov_token's id; 1, '[UNK]', with style=textvectorization).", cmd_encode, APP_ARGS_ANY, NULL,
     EX_TOKENIZED "encode 'the acting was not dull'   # -> [2, 24, 3, 1, 19]"},
    {"decode", "IDS", "sequences_to_texts on one id list", "decode IDS: the words of a list of token ids, written [12, 7, 300] or 12 7 300.", cmd_decode, APP_ARGS_ANY, NULL,
     EX_TOKENIZED "decode 2 24 3 1 19   # -> the acting was not dull"},
    {"pad", "[maxlen=N] [padding=pre|post] [truncating=pre|post] [value=0]", "pad_sequences on train and test",
     "pad maxlen=N [padding=pre] [truncating=pre] [value=0]: Keras pad_sequences semantics and defaults\n"
     "(without maxlen, the longest sequence; maxlen at most 1,000,000); reports how many sequences were\n"
     "truncated. Refused up front, with the estimate, when the padded ids would not fit in memory.", cmd_pad, 0, NULL,
     EX_TOKENIZED "pad maxlen=8 padding=post truncating=post"},
    {"show", "N [split=train|test]", "one example: text, label, ids, padded form",
     "show N [split=train]: example N (0-based) with its label, token ids and padded row.", cmd_show, 1, NULL,
     EX_PADDED "show 0 split=test"},
    {"embeddings", "load FILE [format=glove|word2vec|word2vec-bin|fasttext] | train [model=skipgram|cbow] [dim=100] "
     "[window=5] [epochs=5] [min_count=5] [negative=5] [minn=3] [maxn=6] [buckets=2000000] [lr=0.05] [sample=1e-4] "
     "[texts=train|all] [threads=N] [seed=N] | save FILE | near WORD [k=10] | analogy A B C [k=10]",
     "word vectors: load, train, save, nearest words, analogies",
     "embeddings load FILE [format=...]: vectors matched to the tokenizer's words (rows = num_words);\n"
     "reports coverage. Use them with add Embedding(N, D, weights=pretrained, trainable=False).\n"
     "Limits: vectors of at most 65536 values, text rows of at most 16 MB, a matrix of at most 4 GB\n"
     "and no more than the memory available.\n"
     "embeddings train [model=skipgram|cbow] [dim=100] [window=5] [epochs=5] [min_count=5] [negative=5]\n"
     "  [minn=3] [maxn=6] [buckets=2000000] [lr=0.05] [sample=1e-4] [texts=train|all] [threads=N] [seed=N]:\n"
     "  word vectors learned from the tokenized training texts (texts=all: the test texts too), as\n"
     "  fastText learns them: skip-gram or CBOW with negative sampling, each word the mean of its own\n"
     "  row and its character n-grams (minn..maxn characters hashed into buckets; maxn=0: none), so a\n"
     "  word seen fewer than min_count times still gets a vector. Same seed and threads, same vectors.\n"
     "  The result becomes the pretrained matrix, as embeddings load. Ctrl-C stops it and keeps it.\n"
     "embeddings save FILE: the trained vectors in word2vec text format.\n"
     "embeddings near WORD [k=10]: the k words nearest WORD by cosine similarity, in the model's\n"
     "  Embedding (learned by fit) when the model has one, else in the loaded or trained vectors.\n"
     "  The dashboard's vocabulary panel lists them too (/ and a word, then Enter), also during fit.\n"
     "embeddings analogy A B C [k=10]: the words nearest A - B + C (unit vectors), as fastText's\n"
     "  analogies: 'embeddings analogy king man woman' asks what is to woman as king is to man.",
     cmd_embeddings, 4, NULL,
     EX_TOKENIZED "embeddings train dim=16 epochs=20 min_count=1 buckets=10000 seed=1\nembeddings near good k=3"},
    /* Model */
    {"model", "new [NAME] [functional=false]", "start an empty Sequential model",
     "model new [NAME] [functional=false]: an empty Sequential model named NAME (default 'sequential').\n"
     "functional=true makes it a functional model over one chain of layers, as keras.Model(inputs,\n"
     "outputs) builds (a .py script's keras.Model does this): named 'model' by default, its\n"
     "Input(shape=(T,), name='input_1') listed by summary as the first layer, an InputLayer, as Keras 2\n"
     "lists it. Otherwise the two train and predict alike.", cmd_model, 2, NULL,
     "model new demo_lstm"},
    {"add", "LAYER", "append a layer written as a Keras call",
     "add LAYER: a Keras constructor call, prefixes tf.keras.layers., keras.layers. and layers. accepted:\n"
     "  add Embedding(10000, 32)\n  add LSTM(32, return_sequences=True, dropout=0.3)\n"
     "  add Bidirectional(GRU(128, dropout=0.3))\n  add Dense(2, activation='softmax')\n"
     "Embedding(N, D, weights=pretrained, trainable=False) uses the vectors of `embeddings load`.\n"
     "Bidirectional's merge_mode: concat (the default), sum, mul or ave; merge_mode=None (Keras returns\n"
     "both directions' outputs as a list) is not supported.\n"
     "add Input(shape=(T,)) (or keras.Input, InputLayer(input_shape=(T,))) before the first layer is the\n"
     "model's input spec: sequences of T ids, checked against pad's maxlen and shown by summary (pop\n"
     "removes it). Limits: units and output_dim up to 65536, input_dim up to 100,000,000; a layer whose\n"
     "parameters would not fit in memory is refused with the estimate and the memory available.\n"
     "Layers: Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense, Dropout, SpatialDropout1D, Flatten,\n"
     "GlobalMaxPooling1D, GlobalAveragePooling1D, Conv1D, MaxPooling1D, AveragePooling1D, Activation.\n"
     "Dropout and SpatialDropout1D take no batch buffers of their own where they can run in place: after\n"
     "Embedding or a recurrent layer they write over its output, and their gradient over the next layer's\n"
     "(the same numbers; a batch of a large embedding then needs two activation buffers less).\n"
     "Conv1D(filters, kernel_size, strides=1, padding='valid'|'same'|'causal', dilation_rate=1,\n"
     "  activation=None, use_bias=True): Keras's output steps ((T - span) / strides + 1 for valid,\n"
     "  (T - 1) / strides + 1 for same and causal, span = dilation_rate x (kernel_size - 1) + 1; same pads\n"
     "  as TensorFlow, causal all before); strides and dilation_rate cannot both be above 1.\n"
     "MaxPooling1D(pool_size=2, strides=pool_size, padding='valid'|'same') and AveragePooling1D(...):\n"
     "  padded steps never win the max and do not count in the mean. Conv1D and these poolings do not\n"
     "  support masking (as Keras): after Embedding(mask_zero=True) they read every step, padding\n"
     "  included, and no mask reaches the layers after them.\n"
     "Activation('relu'|'tanh'|'sigmoid'|'softmax'|'linear'): element-wise; the mask passes through.\n"
     "Aliases: GlobalMaxPool1D, GlobalAvgPool1D, MaxPool1D, AvgPool1D, Convolution1D; CuDNNLSTM and\n"
     "  CuDNNGRU run as LSTM and GRU with cuDNN's settings (GRU: reset_after=True; both\n"
     "  recurrent_activation='sigmoid'), with a note; they take cuDNN's arguments (no dropout).",
     cmd_add, 1, complete_layers,
     "add Embedding(50, 16)\nadd Bidirectional(GRU(8), merge_mode='sum')\nadd Dense(1, activation='sigmoid')"},
    {"pop", "", "remove the last layer", "pop: removes the model's last layer (undo of add)", cmd_pop, 0, NULL,
     "add Embedding(50, 16); add LSTM(16)\npop"},
    {"summary", "", "Keras's model summary", "summary: layer (type), output shape, param #, totals", cmd_summary, 0, NULL,
     EX_MODEL "summary"},
    {"compile", "[optimizer=adam|rmsprop|sgd|adagrad|nadam|adamw] [learning_rate=F] "
                "[loss=binary_crossentropy|sparse_categorical_crossentropy|categorical_crossentropy] [from_logits=false] "
                "[metrics=accuracy,precision,recall,auc] [momentum=F] [nesterov=false] [rho=0.9] [beta_1=0.9] [beta_2=0.999] "
                "[epsilon=1e-7] [weight_decay=F] [initial_accumulator_value=0.1] [clipnorm=F] [clipvalue=F]",
     "choose optimizer, loss and metrics",
     "compile optimizer=adam [learning_rate=0.001] loss=... [metrics=accuracy]: Keras defaults\n"
     "(sgd 0.01, the others 0.001; epsilon 1e-7, rho 0.9, beta_1 0.9, beta_2 0.999); metrics accuracy\n"
     "(also named acc, binary_accuracy, categorical_accuracy or sparse_categorical_accuracy, the name\n"
     "the history and the epoch lines use), precision, recall, auc. Optimizers as Keras 3: SGD (momentum, nesterov), RMSprop, Adam, Adagrad\n"
     "(initial_accumulator_value=0.1), Nadam, AdamW (weight_decay=0.004). weight_decay=F works with any\n"
     "optimizer, as Keras's: each step first moves every trainable weight by -weight * weight_decay *\n"
     "learning_rate, then applies the update.\n"
     "Without loss: sparse_categorical_crossentropy for a softmax output, binary_crossentropy for one unit.\n"
     "As Keras on TensorFlow, the loss of a sigmoid (binary) or softmax (categorical) output is computed\n"
     "from its logits; other outputs are clipped to [1e-7, 1-1e-7]. from_logits=true (or loss written\n"
     "as a Keras call: loss=BinaryCrossentropy(from_logits=True)) says the outputs are logits (e.g.\n"
     "Dense(1) without activation): the loss applies sigmoid (binary) or softmax (categorical) itself,\n"
     "and so do the metrics (as Keras's BinaryAccuracy(threshold=0) and AUC(from_logits=True)) and\n"
     "predict.", cmd_compile, 0, NULL,
     EX_MODEL "compile optimizer=rmsprop learning_rate=0.005 loss=binary_crossentropy metrics=accuracy,auc"},
    {"fit", "[epochs=10] [batch_size=32] [validation_split=0] [validation_data=test] [validation_steps=N] "
            "[validation_batch_size=B] [shuffle=true] "
            "[early_stopping=MONITOR] [patience=0] [min_delta=0] [restore_best_weights=false] "
            "[class_weight={0:W,1:W}] [callbacks=[CALLBACK,...]] [bucket_by_length=false] [verbose=1] [name=RUN]",
     "train the model on the padded train split",
     "fit [epochs=10] [batch_size=32] [validation_split=0] [shuffle=true] [early_stopping=MONITOR]\n"
     "    [patience=0] [min_delta=0] [restore_best_weights=false] [class_weight={0: 1, 1: 6.5}]\n"
     "    [bucket_by_length=false] [verbose=1] [name=RUN]:\n"
     "Keras semantics (validation is the last fraction, taken before shuffling). verbose=1 shows a\n"
     "progress bar on a terminal (a line an epoch otherwise), 2 a line an epoch, 0 no progress (the\n"
     "run's closing line still), as Keras's. bucket_by_length=true\n"
     "batches texts of similar length together (sorted by length within windows of 8 batches of the\n"
     "shuffled order, then the batches shuffled; the same seed gives the same batches), and each batch\n"
     "runs only the steps between its texts' first and last token when the model takes any length\n"
     "(no Input(shape=...) or input_length): with Embedding(..., mask_zero=True) that leaves out only\n"
     "masked steps; without it the model sees less padding than evaluate gives it. evaluate and\n"
     "predict run a model with mask_zero=True this way by themselves, with the same results.\n"
     "class_weight weighs each training example by its class's weight (classes left out weigh 1) in the\n"
     "loss, its gradient and the training metrics, as Keras's: the loss is sum(weight x loss) / batch\n"
     "size; validation is not weighted.\n"
     "Every fit is a named run (see runs, compare); a fit\n"
     "that fails its checks (arguments, labels, token ids, memory) makes no run and changes nothing: a\n"
     "batch whose workspaces would not fit in memory is refused before training, with the estimate\n"
     "(as evaluate and predict). Ctrl-C stops at the end of the batch, keeping the weights: an epoch\n"
     "cut short is shown as interrupted and is not in the history, and the rest of the line or script\n"
     "is not run (a script ends with status 130). A NaN or infinite loss (checked every batch) or weight\n"
     "(checked at every epoch's end) stops training with an error naming the epoch and batch; the model\n"
     "gets back the weights of the last complete epoch (from before the fit in its first epoch).\n"
     "validation_data=test validates on the padded test split instead of a validation_split part (as\n"
     "Keras's validation_data=(x_test, y_test), which overrides validation_split). validation_steps=N\n"
     "validates on its first N batches of validation_batch_size rows (default batch_size), as Keras's\n"
     "validation_steps on a batched data set (validation_data=test_dataset.batch(B)).\n"
     "callbacks=[...]: Keras callbacks with Keras 3's semantics, checked at each epoch's end in order:\n"
     "  EarlyStopping(monitor='val_loss', min_delta=0, patience=0, mode='auto', baseline=None,\n"
     "    restore_best_weights=False, start_from_epoch=0)\n"
     "  ReduceLROnPlateau(monitor='val_loss', factor=0.1, patience=10, mode='auto', min_delta=1e-4,\n"
     "    cooldown=0, min_lr=0)\n"
     "  ModelCheckpoint(FILE, monitor='val_loss', save_best_only=False, mode='auto',\n"
     "    initial_value_threshold=None): writes the whole pipeline as save does (atomically); FILE may\n"
     "    hold {epoch:02d} and {val_loss:.2f}-style fields. verbose=1 prints a line when one acts.\n"
     "mode='auto' takes the direction from the name (loss down; accuracy, precision, recall, auc up;\n"
     "ReduceLROnPlateau: up when the name holds 'acc'). Quote the list: callbacks=\"[...]\".",
     cmd_fit, 0, NULL,
     EX_COMPILED "fit epochs=4 batch_size=64 validation_split=0.2 early_stopping=val_loss patience=1 name=first"},
    {"evaluate", "[split=test|train] [batch_size=32]", "loss and compiled metrics",
     "evaluate [split=test] [batch_size=32]: loss and compiled metrics over the split, in batches of\n"
     "batch_size (the same numbers for any batch size; a larger batch is faster and takes more memory).\n"
     "A model with Embedding(..., mask_zero=True) runs the texts ordered by length, each batch on the\n"
     "steps it needs: the padding left out changes nothing.",
     cmd_evaluate, 0, NULL, EX_TRAINED "evaluate split=test batch_size=100"},
    {"report", "[split=test|train]", "classification report and confusion matrix",
     "report [split=test]: scikit-learn classification_report layout and the confusion matrix.\n"
     "After predict split=S (a Keras script's y_pred = model.predict(x_test)), the report of split S uses\n"
     "those predictions while the layers, the weights and the split's padded texts are the same.",
     cmd_report, 0, NULL,
     EX_TRAINED "report split=test"},
    {"predict", "TEXT|file=FILE|split=test|train [output=FILE]", "class probabilities of a text",
     "predict TEXT | predict file=FILE [output=FILE.csv]: class probabilities through the same tokenizer\n"
     "and padding (file: one text per line; an empty line is a text too, with a row of its own). A row\n"
     "beside its text shows the text's first 100 bytes, control characters escaped.\n"
     "predict split=test|train [output=FILE.csv]: every text of the padded split; without output, one\n"
     "line says how many texts each class gets (report compares them with the labels).\n"
     "Probabilities come only from an output layer that makes them (sigmoid or softmax) or from a model\n"
     "compiled with from_logits=true (predict then applies the loss's sigmoid or softmax); any other\n"
     "output layer's numbers are shown as raw outputs, never as class probabilities.\n"
     "output=FILE.csv writes one row per text instead of printing them: line, text, predicted class\n"
     "and each class's probability (or output_0, ... for raw outputs), at full float precision (%.9g),\n"
     "through a temporary file renamed into place.", cmd_predict, APP_ARGS_ANY, NULL,
     EX_TRAINED "predict 'the acting was not dull , it was charming'"},
    {"explain", "TEXT", "the running prediction after each word",
     "explain TEXT: the model's prediction after each word, marking the words that flip the decision", cmd_explain, APP_ARGS_ANY, NULL,
     EX_TRAINED "explain 'the story was not clever , it was slow'"},
    {"history", "[run=RUN]", "per-epoch table of the last run", "history [run=RUN]", cmd_history, 0, NULL,
     EX_TRAINED "history"},
    {"plot", "[metric=loss|accuracy] [run=RUN] [width=N] [height=N]", "terminal line chart of a run",
     "plot [metric=loss|accuracy] [run=RUN] [width=N] [height=N]: train and validation curves as a terminal\n"
     "chart (the last run by default). width defaults to 72 columns, or the output's width when that is\n"
     "narrower (the dashboard's log panel, a small terminal); height to 16 rows.", cmd_plot, 0, NULL,
     EX_TRAINED "plot metric=accuracy width=60 height=10"},
    {"runs", "", "list the runs (one per fit)", "runs", cmd_runs, 0, NULL,
     EX_TRAINED "runs"},
    {"compare", "RUN RUN ... [metric=val_accuracy]", "overlay the curves of several runs",
     "compare RUN RUN ... [metric=val_accuracy]: a table of their best values and one chart", cmd_compare, 16, NULL,
     EX_COMPILED "fit epochs=2 validation_split=0.2 name=short\nfit epochs=3 validation_split=0.2 name=more\n"
     "compare short more metric=val_loss"},
    {"gradcheck", "[samples=4] [seed=N]", "finite-difference check of the model's gradients",
     "gradcheck [samples=4]: largest relative error per parameter; fails above the tolerance", cmd_gradcheck, 0, NULL,
     EX_COMPILED "gradcheck samples=2"},
    {"save", "FILE", "save the whole pipeline", "save FILE: tokenizer, padding, model, weights, optimizer state, history.\n"
     "Written to FILE.tmp, synced, then renamed over FILE: on any error (a full disk) the old FILE is\n"
     "kept; a FILE that is a folder, a device or a FIFO is refused.", cmd_save, 1, NULL,
     EX_TRAINED "save demo-lstm.rnnlab"},
    {"open", "FILE", "open a saved pipeline", "open FILE: restores what `save` wrote. A damaged file, one over the save-file limits\n"
     "(rnnlab(1), FILES) or one larger than half the memory available is refused before it is read.", cmd_open, 1, NULL,
     EX_TRAINED "save demo-lstm.rnnlab\nopen demo-lstm.rnnlab"},
    {"export", "history FILE [run=RUN]", "write a run's curves as CSV", "export history FILE.csv [run=RUN]: FILE.csv is replaced only once the whole CSV is written\n"
     "(as save writes).", cmd_export, 2, NULL,
     EX_TRAINED "export history demo-history.csv"},
    /* Session */
    {"set", "[seed=N] [threads=N] [data_dir=DIR]", "set the seed, thread count or data folder",
     "set [seed=N] [threads=N] [data_dir=DIR]: the seed used by new models, fit and gradcheck, the worker\n"
     "threads, the data set cache folder (created when a data set is downloaded; an existing file is\n"
     "refused); set alone shows them.", cmd_set, 0, NULL,
     "set seed=42 threads=1"},
    {"status", "", "what is loaded, built and trained", "status", cmd_status, 0, NULL,
     EX_TOKENIZED "status"},
    {"help", "[COMMAND]", "list commands or describe one", "help [COMMAND]", cmd_help, 1, complete_commands,
     "help fit"},
    {"session", "save FILE", "write the commands so far as a script", "session save FILE: a replayable script, written as save writes (the old FILE kept on error).", cmd_session, 2, NULL,
     EX_TOKENIZED "session save demo-session.rnn"},
    {"source", "FILE", "run a script", "source FILE: runs the commands of FILE; scripts nest at most 16 deep, so a script that\n"
     "sources itself stops with an error. In a script, a relative path a command reads (source, load,\n"
     "embeddings load, open, predict file=) is looked up in the script's folder first, then in the\n"
     "current folder; files a command writes go to the current folder.", cmd_source, 1, NULL,
     EX_TOKENIZED "session save demo-session.rnn\nsource demo-session.rnn"},
    {"expect", "NAME OP VALUE [tol=F]", "check a value; a failure fails the script",
     "expect NAME OP VALUE [tol=1e-6]: OP is == != < <= > >= (== within a relative tolerance).\n"
     "Names: " APP_EXPECT_NAMES(EXPECT_NAME_TEXT) "\n"
     "Any compiled metric also as test.NAME or train.NAME, any metric of the last run as NAME or\n"
     "val_NAME, any percentile as stats.P%.", cmd_expect, 3, complete_expect,
     "load demo\nexpect train.count == 2000"},
    {"sweep", "[learning_rate=F,F] [batch_size=N,N] [epochs=N,N] [validation_split=F,F] [momentum=F,F] [rho=F,F] "
              "[beta_1=F,F] [beta_2=F,F] [epsilon=F,F] [clipnorm=F,F] [clipvalue=F,F] [shuffle=B,B] "
              "[early_stopping=M,M] [patience=N,N] [min_delta=F,F] [restore_best_weights=B,B] fit [ARGS]",
     "every combination of the values as an independent run, side by side",
     "sweep KEY=V1,V2,... [KEY=...] fit ARGS: one fit per combination of the values (the last key varying\n"
     "fastest), each from the model's state before the sweep (weights and optimizer) with its own\n"
     "seed, the seed the same fits would get one after another. KEYs are fit's arguments and the\n"
     "compiled optimizer's settings; ARGS are fit's for every run (not name=). The runs are named\n"
     "sweepN.1, sweepN.2, ... (see runs, compare); a table lists them best first by the early_stopping\n"
     "monitor, else val_loss with a validation part, else loss (at the restored epoch, else the last).\n"
     "A run that stops on a training fault stays in the table with its reason. On one process the\n"
     "runs follow one another; under mpirun they are spread over the ranks, whole runs each, with\n"
     "the same figures. Afterwards the model is back at its state before the sweep: fit again with\n"
     "the values chosen to keep weights.", cmd_sweep, APP_ARGS_WORDS, NULL,
     EX_COMPILED "sweep learning_rate=0.01,0.001 batch_size=32,64 fit epochs=2 validation_split=0.2"},
    {"time", "COMMAND [ARGS...]", "run a command and report its wall time",
     "time COMMAND [ARGS...]: runs the command as typed, then prints \"time: COMMAND took N ms\" (or s).\n"
     "The first predict or evaluate of a model also sizes its workspaces: time the second for the\n"
     "steady figure.", cmd_time, APP_ARGS_WORDS, complete_commands,
     EX_TOKENIZED "time pad maxlen=12"},
    {"quit", "", "leave rnnlab", "quit (also exit, Ctrl-D)", cmd_quit, 0, NULL,
     "quit"},
};
#define N_COMMANDS (sizeof command_table / sizeof command_table[0])

const app_command *app_commands(size_t *n)
{
    *n = N_COMMANDS;
    return command_table;
}

const app_command *app_command_find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(command_table[i].name, name) == 0) return &command_table[i];
    if (strcmp(name, "exit") == 0) return app_command_find("quit");
    return NULL;
}

int app_dispatch(app_state *s, int argc, char **argv)
{
    if (argc == 0) return RNN_OK;
    const app_command *c = app_command_find(argv[0]);
    if (!c) {
        /* suggest commands sharing the first letters */
        char near[256] = "";
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (strncmp(command_table[i].name, argv[0], 2) == 0 && strlen(near) + 20 < sizeof near)
                snprintf(near + strlen(near), sizeof near - strlen(near), "%s%s", near[0] ? ", " : "", command_table[i].name);
        app_error("%s: unknown command: expected a command name (%s%s)", argv[0], near[0] ? "did you mean " : "see help",
                  near);
        return RNN_EUSAGE;
    }
    app_args a;
    int rc = args_parse(&a, c, argc, argv);
    return app_mpi_agree(s, rc ? rc : c->handler(s, c, &a));
}

/* ---- help ---- */

void app_print_command_list(void)
{
    static const struct { const char *title, *first; } groups[] = {
        {"Data", "load"}, {"Model", "model"}, {"Session", "set"}};
    for (size_t i = 0, g = 0; i < N_COMMANDS; i++) {
        if (g < 3 && strcmp(command_table[i].name, groups[g].first) == 0) {
            app_printf("%s%s:\n", g ? "\n" : "", groups[g].title);
            g++;
        }
        app_printf("  %-11s %s\n", command_table[i].name, command_table[i].summary);
    }
    app_printf("\nhelp COMMAND for details and an example that runs on the demo data set;\n"
               "help keras for the Keras statements (model.add(layers.LSTM(32)), ...) and .py scripts;\n"
               "Tab completes commands, keys, layer names and files.\n");
}

/* "Example:" and the example's lines, indented. */
static void help_print_example(const app_command *c)
{
    if (!c->example) return;
    app_printf("\nExample:\n");
    for (const char *p = c->example; *p;) {
        size_t n = strcspn(p, "\n");
        app_printf("  %.*s\n", (int)n, p);
        p += n + (p[n] == '\n');
    }
}

int cmd_help(app_state *s, const app_command *c, const app_args *a)
{
    (void)s;
    if (a->npos == 0) { app_print_command_list(); return RNN_OK; }
    if (strcmp(a->pos[0], "keras") == 0) { app_printf("%s", py_help_text); return RNN_OK; }
    const app_command *h = app_command_find(a->pos[0]);
    if (!h) return app_fail(RNN_EUSAGE, c, "'%s': no such command (help lists them)", a->pos[0]);
    app_printf("%s %s\n  %s\n\n%s\n", h->name, h->args, h->summary, h->usage);
    help_print_example(h);
    return RNN_OK;
}

/* Man page escaping of the n bytes at t: backslashes, dashes and leading dots/quotes. */
static void man_text_n(const char *t, size_t n)
{
    for (const char *p = t; p < t + n && *p; p++) {
        if (*p == '\\') fputs("\\e", stdout);
        else if (*p == '-') fputs("\\-", stdout);
        else if ((*p == '.' || *p == '\'') && (p == t || p[-1] == '\n')) fputs("\\&", stdout), putchar(*p);
        else putchar(*p);
    }
}

static void man_text(const char *t) { man_text_n(t, strlen(t)); }

void app_print_man_commands(void)
{
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const app_command *c = &command_table[i];
        fputs(".TP\n\\fB", stdout);
        man_text(c->name);
        fputs("\\fR", stdout);
        if (c->args[0]) { putchar(' '); man_text(c->args); }
        fputs("\n", stdout);
        man_text(c->summary);
        /* the usage text keeps its lines */
        fputs(".\n.nf\n", stdout);
        man_text(c->usage);
        if (c->example) {
            fputs("\n\nExample:\n", stdout);
            for (const char *p = c->example; *p;) {
                size_t n = strcspn(p, "\n");
                fputs("  ", stdout);
                man_text_n(p, n);
                fputs("\n", stdout);
                p += n + (p[n] == '\n');
            }
        } else
            fputs("\n", stdout);
        fputs(".fi\n", stdout);
    }
}

/* ---- completion ---- */

static char **cand;    /* current candidates for the generator */
static int n_cand;

static void cand_reset(void)
{
    for (int i = 0; i < n_cand; i++) free(cand[i]);
    free(cand);
    cand = NULL; n_cand = 0;
}

static void cand_add(const char *w, size_t len)
{
    for (int i = 0; i < n_cand; i++)
        if (strlen(cand[i]) == len && strncmp(cand[i], w, len) == 0) return;
    char **v = realloc(cand, sizeof *v * (size_t)(n_cand + 1));
    if (!v) return;
    cand = v;
    if ((cand[n_cand] = strndup(w, len))) n_cand++;
}

static char *cand_generator(const char *text, int state)
{
    static int i;
    static size_t len;
    if (!state) { i = 0; len = strlen(text); }
    while (i < n_cand) {
        const char *w = cand[i++];
        if (strncmp(w, text, len) == 0) return strdup(w);
    }
    return NULL;
}

static char **cand_matches(const char *text)
{
    char **m = rl_completion_matches(text, cand_generator);
    /* no space after "key=" so the value can follow */
    if (m && !m[1] && m[0][0] && m[0][strlen(m[0]) - 1] == '=') rl_completion_append_character = '\0';
    return m;
}

static char **complete_commands(const char *text, int arg_index)
{
    if (arg_index != 1) return NULL;
    cand_reset();
    for (size_t i = 0; i < N_COMMANDS; i++) cand_add(command_table[i].name, strlen(command_table[i].name));
    return cand_matches(text);
}

/* The values the args text lists for a key ("optimizer=adam|rmsprop|sgd"), as "key=value" candidates. */
static void complete_key_choices(const app_command *c, const char *key, size_t klen)
{
    for (const char *p = c->args; *p; p++) {
        bool word_start = p == c->args || p[-1] == '[' || p[-1] == ' ';
        if (!word_start || strncmp(p, key, klen + 1) != 0) continue;  /* "key=" */
        const char *v = p + klen + 1, *end = v + strcspn(v, " ]");
        if (!islower((unsigned char)*v)) return;  /* a placeholder (F, N, FILE): nothing to offer */
        for (const char *w = v; w < end;) {
            const char *bar = memchr(w, '|', (size_t)(end - w)), *we = bar ? bar : end;
            char buf[128];
            snprintf(buf, sizeof buf, "%.*s%.*s", (int)klen + 1, key, (int)(we - w), w);
            cand_add(buf, strlen(buf));
            w = we + 1;
        }
        return;
    }
}

/* The command's arguments before the word being completed (for completers of text with spaces). */
static char complete_before[1024];

/* Offers head + name + tail for each name (the line so far is head, the word being completed after it). */
static void cand_add_each(const char *head, size_t head_len, const char *const *names, size_t n, const char *tail)
{
    for (size_t i = 0; i < n && names[i]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)head_len, head, names[i], tail);
        cand_add(buf, strlen(buf));
    }
}

/* The name of the innermost call still open in text ("Bidirectional(LSTM(4, ret" -> "LSTM"), copied
 * without its prefix (tf.keras.layers.); *first_arg says whether no ',' or '=' came after its '('. */
static bool open_call_name(const char *text, char *name, size_t n, bool *first_arg)
{
    int depth = 0;
    const char *open[32];
    char quote = 0;
    for (const char *p = text; *p; p++) {
        if (quote) { if (*p == quote) quote = 0; continue; }
        if (*p == '\'' || *p == '"') quote = *p;
        else if (*p == '(' && depth < 32) open[depth++] = p;
        else if (*p == ')' && depth > 0) depth--;
    }
    if (depth == 0) return false;
    const char *paren = open[depth - 1], *b = paren;
    while (b > text && (isalnum((unsigned char)b[-1]) || b[-1] == '_')) b--;
    snprintf(name, n, "%.*s", (int)(paren - b), b);
    *first_arg = strpbrk(paren + 1, ",=") == NULL;
    return true;
}

static char **complete_layers(const char *text, int arg_index)
{
    (void)arg_index;
    cand_reset();
    /* complete the last identifier: "layers.Con" -> "layers.Conv1D(", "Bidirectional(GR" -> "Bidirectional(GRU(",
     * and inside a call its arguments: "Conv1D(250, 3, pad" -> "Conv1D(250, 3, padding=" */
    const char *word = text;
    for (const char *p = text; *p; p++)
        if (*p == '(' || *p == ',' || *p == ' ' || *p == '=' || *p == '.') word = p + 1;
    size_t head = (size_t)(word - text), n;
    char call[64], line[1400];
    snprintf(line, sizeof line, "%s%s", complete_before, text);
    bool first_arg = false, in_call = open_call_name(line, call, sizeof call, &first_arg);
    bool after_eq = head > 0 && text[head - 1] == '=';
    const char *const *keys = in_call ? rnn_layer_keys(call) : NULL;
    if (keys && !after_eq) {
        char *const tail = "=";
        size_t nk = 0;
        while (keys[nk]) nk++;
        cand_add_each(text, head, keys, nk, tail);
    }
    if (!in_call || (strcmp(call, "Bidirectional") == 0 && (first_arg || after_eq))) {
        const rnn_layer_kind *const *kinds = rnn_layer_kinds(&n);
        for (size_t i = 0; i < n; i++) cand_add_each(text, head, &kinds[i]->name, 1, "(");
        const char *const *aliases = rnn_layer_aliases(&n);
        cand_add_each(text, head, aliases, n, "(");
    }
    char **m = rl_completion_matches(text, cand_generator);
    rl_completion_append_character = '\0';
    return m;
}

static char **complete_expect(const char *text, int arg_index)
{
#define EXPECT_NAME_WORD(name, after, getter) name,
    static const char *const names[] = {APP_EXPECT_NAMES(EXPECT_NAME_WORD) NULL};
#undef EXPECT_NAME_WORD
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", NULL};
    if (arg_index > 2) return NULL;
    cand_reset();
    for (const char *const *p = arg_index == 1 ? names : ops; *p; p++) cand_add(*p, strlen(*p));
    return cand_matches(text);
}

/* Candidates from the args text: literal choices of the first positional and every key=. */
static bool complete_from_args(const app_command *c, int arg_index)
{
    bool files = false;
    const char *a = c->args;
    int pos = 0;
    for (const char *p = a; *p;) {
        while (*p == ' ' || *p == '[') p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != ']') e++;
        if (e == p) { if (*p) p++; continue; }
        const char *eq = memchr(p, '=', (size_t)(e - p));
        if (eq && islower((unsigned char)*p)) cand_add(p, (size_t)(eq - p + 1));
        else if (!eq) {
            pos++;
            bool literal = islower((unsigned char)*p);
            if (literal && pos == arg_index)
                for (const char *w = p; w < e;) {
                    const char *bar = memchr(w, '|', (size_t)(e - w));
                    const char *we = bar ? bar : e;
                    cand_add(w, (size_t)(we - w));
                    w = we + 1;
                }
            if (!literal && pos == arg_index && (strncmp(p, "FILE", 4) == 0 || strncmp(p, "PATH", 4) == 0 ||
                                                 strncmp(p, "DIR", 3) == 0 || strncmp(p, "TEXT|file", 9) == 0))
                files = true;
        }
        p = e;
    }
    return files;
}

/* Tab in a Keras statement: layer names after layers. (or an opening bracket), optimizers after
 * optimizer=, losses after loss=, model methods after model., read_csv after pd. The word ends at
 * the cursor. */
static char **complete_statement(const char *text)
{
    static const char *const optimizers[] = {"Adam(", "RMSprop(", "SGD(", "Adagrad(", "Nadam(", "AdamW(", "'adam'",
                                             "'rmsprop'", "'sgd'", NULL};
    static const char *const losses[] = {"'binary_crossentropy'", "'sparse_categorical_crossentropy'",
                                         "'categorical_crossentropy'", "BinaryCrossentropy(",
                                         "SparseCategoricalCrossentropy(", "CategoricalCrossentropy(", NULL};
    static const char *const methods[] = {"add(", "compile(", "fit(", "evaluate(", "summary()", "pop()", "predict(",
                                          "save(", NULL};
    static const char *const callbacks[] = {"EarlyStopping(", "ReduceLROnPlateau(", "ModelCheckpoint(", NULL};
    static const char *const pandas[] = {"read_csv(", NULL};
    const char *frag = text;   /* the identifier being typed, dots included */
    for (const char *p = text; *p; p++)
        if (strchr("([,= {", *p)) frag = p + 1;
    const char *dot = strrchr(frag, '.');
    const char *name = dot ? dot + 1 : frag;
    char module[96] = "", key[32] = "";
    if (dot) snprintf(module, sizeof module, "%.*s", (int)(dot - frag), frag);
    if (frag > text && frag[-1] == '=') {   /* the key before '=' */
        const char *k = frag - 1;
        while (k > text && (isalnum((unsigned char)k[-1]) || k[-1] == '_')) k--;
        snprintf(key, sizeof key, "%.*s", (int)(frag - 1 - k), k);
    }
    const char *const *list = NULL;
    size_t n;
    const rnn_layer_kind *const *kinds = rnn_layer_kinds(&n);
    if (!strcmp(key, "optimizer")) list = optimizers;
    else if (!strcmp(key, "loss")) list = losses;
    else if (dot && !strcmp(module, "model")) list = methods;
    else if (dot && strstr(module, "callbacks")) list = callbacks;
    else if (dot && (!strcmp(module, "pd") || !strcmp(module, "pandas"))) list = pandas;
    char buf[512];
    size_t keep = (size_t)(name - text);
    if (list)
        for (int i = 0; list[i]; i++) {
            snprintf(buf, sizeof buf, "%.*s%s", (int)keep, text, list[i]);
            cand_add(buf, strlen(buf));
        }
    else if (!dot || (strlen(module) >= 6 && !strcmp(module + strlen(module) - 6, "layers"))) {
        for (size_t i = 0; i < n; i++) {
            snprintf(buf, sizeof buf, "%.*s%s(", (int)keep, text, kinds[i]->name);
            cand_add(buf, strlen(buf));
        }
        snprintf(buf, sizeof buf, "%.*sInput(", (int)keep, text);
        cand_add(buf, strlen(buf));
    }
    char **m = rl_completion_matches(text, cand_generator);
    rl_completion_append_character = '\0';
    return m;
}

char **app_complete(const char *line_buffer, const char *text, int start, int end)
{
    (void)end;
    rl_completion_append_character = ' ';
    /* the command being typed starts after the last ';' */
    int cstart = 0;
    char quote = 0;
    for (int i = 0; i < start && line_buffer[i]; i++) {
        char ch = line_buffer[i];
        if (quote) { if (ch == quote) quote = 0; }
        else if (ch == '\'' || ch == '"') quote = ch;
        else if (ch == ';') cstart = i + 1;
    }
    /* count words before the cursor's word */
    char name[64] = "";
    int arg_index = 0;
    for (int i = cstart; i < start;) {
        while (i < start && isspace((unsigned char)line_buffer[i])) i++;
        if (i >= start) break;
        int b = i;
        while (i < start && !isspace((unsigned char)line_buffer[i])) i++;
        if (arg_index == 0) snprintf(name, sizeof name, "%.*s", i - b, line_buffer + b);
        arg_index++;
    }
    rl_attempted_completion_over = 1;
    cand_reset();
    /* a Keras statement: complete inside its calls */
    if (py_is_statement(line_buffer + cstart) && (arg_index > 0 || strpbrk(text, "(.=[")))
        return complete_statement(text);
    if (arg_index == 0) {
        for (size_t i = 0; i < N_COMMANDS; i++) cand_add(command_table[i].name, strlen(command_table[i].name));
        return cand_matches(text);
    }
    const app_command *c = app_command_find(name);
    if (!c) return NULL;
    /* a layer call may hold spaces: its completer sees the call from its start ("Conv1D(250, 3, pad") */
    int astart = cstart;
    while (astart < start && isspace((unsigned char)line_buffer[astart])) astart++;
    while (astart < start && !isspace((unsigned char)line_buffer[astart])) astart++;
    while (astart < start && isspace((unsigned char)line_buffer[astart])) astart++;
    snprintf(complete_before, sizeof complete_before, "%.*s", start - astart, line_buffer + astart);
    if (c->complete) return c->complete(text, arg_index);
    bool files = complete_from_args(c, arg_index);
    /* a value after key=: files for keys that name files */
    const char *eq = strchr(text, '=');
    if (eq) {
        cand_reset();
        if (strncmp(text, "path=", 5) == 0 || strncmp(text, "test=", 5) == 0 || strncmp(text, "file=", 5) == 0 ||
            strncmp(text, "output=", 7) == 0 || strcmp(c->name, "load") == 0) {
            char **fm = rl_completion_matches(eq + 1, rl_filename_completion_function);
            if (!fm) return NULL;
            /* put the key back in front of every match */
            for (int i = 0; fm[i]; i++) {
                char *w = malloc(strlen(fm[i]) + (size_t)(eq - text) + 2);
                if (!w) break;
                sprintf(w, "%.*s%s", (int)(eq - text + 1), text, fm[i]);
                free(fm[i]);
                fm[i] = w;
            }
            return fm;
        }
        complete_key_choices(c, text, (size_t)(eq - text));
        return n_cand ? cand_matches(text) : NULL;
    }
    if (files) {
        /* file names and keys together */
        char *f;
        for (int state = 0; (f = rl_filename_completion_function(text, state)); state++) {
            cand_add(f, strlen(f));
            free(f);
        }
        rl_filename_completion_desired = 1;
    }
    return n_cand ? cand_matches(text) : NULL;
}
