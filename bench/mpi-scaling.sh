#!/bin/sh
# `make bench-mpi`: the figures of doc/scaling.md's last table. Each bench config (default
# chollet_lstm and bilstm_001) as it is, on 1 rank and on 2 ranks of mpirun, one thread each, and a
# sweep of 4 runs (west_lstm_masked, 1 epoch each) on 1 process and on 2 ranks; prints the epoch lines (loss, ms/step) and
# the wall seconds of each (bench/scaling_model.py prints the model's table). Env: RNNLAB (./rnnlab), MPIRUN (mpirun), BENCH_DATA (../shared/datasets),
# BENCH_CONFIGS. The machine should be quiet: wall times of a loaded one are not the program's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
RNNLAB=${RNNLAB:-./rnnlab}
MPIRUN=${MPIRUN:-mpirun}
export RNNLAB_DATA=${BENCH_DATA:-$here/../../shared/datasets} OPENBLAS_NUM_THREADS=1 NO_COLOR=1
# Ranks that wait give their core up (a shared machine); also as root (containers).
export OMPI_MCA_mpi_yield_when_idle=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-mpi-bench.XXXXXX") && trap 'rm -rf "$work"' EXIT
timed() { # timed LABEL CMD...: the command's epoch lines and wall seconds
    label=$1; shift
    t0=$(date +%s.%N)
    "$@" >"$work/out" 2>&1 || { echo "$label: failed"; tail -3 "$work/out"; return; }
    t1=$(date +%s.%N)
    grep -E '^Epoch|best first|^sweep1\.' "$work/out" | sed "s/^/$label: /"
    echo "$label: wall $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
}
for c in $(echo "${BENCH_CONFIGS:-chollet_lstm bilstm_001}" | tr ',' ' '); do
    timed "$c 1 rank " "$RNNLAB" --threads 1 "$here/configs/$c.rnn"
    timed "$c 2 ranks" "$MPIRUN" --oversubscribe -n 2 "$RNNLAB" --threads 1 "$here/configs/$c.rnn"
done
# A sweep of 4 runs long enough for its fixed costs (loading IMDB, starting the ranks) not to hide it.
sed 's/^fit .*/sweep learning_rate=0.001,0.0005 batch_size=128,64 fit epochs=1 validation_split=0.2/' \
    "$here/configs/west_lstm_masked.rnn" >"$work/sweep.rnn"
timed "sweep 1 process" "$RNNLAB" --threads 1 "$work/sweep.rnn"
timed "sweep 2 ranks  " "$MPIRUN" --oversubscribe -n 2 "$RNNLAB" --threads 1 "$work/sweep.rnn"
