/* The bench configs' recurrent layers (the .rnn files in bench/configs), for the programs that time them alone:
 * bench_layers (the layer's forward and backward) and gemm_ceiling (its matrix products). */
#ifndef RNNLAB_BENCH_CONFIGS_H
#define RNNLAB_BENCH_CONFIGS_H
#include <time.h>

typedef struct bench_cfg {
    const char *name, *call;
    int B, T, E;
    double flop_per_h_eh;   /* 24 LSTM, 18 GRU, 6 SimpleRNN: 6 x the gate blocks */
    int H, dirs;
} bench_cfg;

static const bench_cfg configs[] = {
    {"chollet_rnn", "SimpleRNN(32)", 128, 500, 32, 6, 32, 1},
    {"chollet_lstm", "LSTM(32)", 128, 500, 32, 24, 32, 1},
    {"west_lstm", "LSTM(32)", 128, 500, 16, 24, 32, 1},
    {"bilstm_001", "Bidirectional(LSTM(64))", 128, 256, 128, 24, 64, 2},
    {"bigru_000", "Bidirectional(GRU(128, dropout=0.3))", 64, 284, 300, 18, 128, 2},
    {"sms_rnn", "SimpleRNN(10)", 250, 25, 50, 6, 10, 1},
};

static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif
