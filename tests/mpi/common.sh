# Shared helpers of the MPI tests (sourced). Env: RNNLAB, builddir, MPIRUN (configure's mpirun).
: "${RNNLAB:?RNNLAB must name the built program}" "${builddir:=.}"
grep -q '^#define RNNLAB_MPI 1' "$builddir/config.h" 2>/dev/null || { echo "built without MPI"; exit 77; }
MPIRUN=${MPIRUN:-mpirun}
command -v "$MPIRUN" >/dev/null 2>&1 || { echo "no mpirun"; exit 77; }
# Two ranks on any machine, also as root (containers, CI).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Under --enable-sanitizers, Open MPI's plugins leak at MPI_Finalize and are unloaded before
# LeakSanitizer reports, so their stacks cannot be suppressed by name: leaks are not counted in
# runs under mpirun (address and undefined-behaviour errors still fail; the same code's leaks are
# checked by every test that runs without MPI).
if [ -n "${RNNLAB_SANITIZED:-}" ] || "$RNNLAB" --version 2>/dev/null | grep -q sanitizers; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
# The sandbox (T, HOME), fail, run, expect_*, need_data and finish of the app tests.
. "${srcdir:-.}/tests/app/common.sh"

# mpi N ARGS...: rnnlab on N ranks, one thread each; stdout in $T/out, stderr in $T/err, status in $rc
mpi() {
    n=$1; shift
    "$MPIRUN" --oversubscribe --allow-run-as-root -n "$n" "$RNNLAB" --threads 1 "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

# The demo model, trained: $T/model.rnn (no fit), to which tests add their lines.
cat >"$T/model.rnn" <<'SCRIPT'
load demo
tokenize
pad maxlen=12
add Embedding(50, 16)
add LSTM(16)
add Dense(1, activation='sigmoid')
compile optimizer=adam learning_rate=0.01 loss=binary_crossentropy metrics=accuracy
SCRIPT

# The history columns without the seconds: what a run learnt, to compare across runs.
curves() { cut -d, -f1-5 "$1"; }

