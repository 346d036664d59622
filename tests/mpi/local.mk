# Tests of data-parallel fit, split evaluation and prediction, and sweeps over MPI ranks: each runs
# the program under mpirun with two ranks on the demo data set (seconds); skipped (77) without MPI.
EXTRA_DIST += tests/mpi/common.sh
test_scripts += tests/mpi/fit.test
test_scripts += tests/mpi/errors.test
test_scripts += tests/mpi/kill.test
test_scripts += tests/mpi/sweep.test
