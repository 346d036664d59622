/* Running as one of several MPI ranks (a build with MPI, started by mpirun): every rank runs the
 * same commands; rank 0 owns the terminal and every file, the others are silent; the commands
 * agree on their outcome. Without MPI, or started without mpirun, one process as always. */
#ifndef RNNLAB_APP_MPI_H
#define RNNLAB_APP_MPI_H
#include "config.h"
#include "app/app.h"

#ifdef RNNLAB_MPI
/* Joins the ranks when mpirun started this process; returns -1 to go on, or an exit status. */
int app_mpi_start(int *argc, char ***argv);
/* This rank's part of the session: the communicator in s->comm; on ranks other than 0 no output
 * and no file written. Returns the number of ranks. */
int app_mpi_setup(app_state *s);
/* After each command: every rank gets the outcome of the first rank (lowest) that failed, rank 0
 * printing its message when it succeeded itself. */
int app_mpi_agree(app_state *s, int rc);
/* Worker threads per rank when --threads is not given: the CPUs shared by the ranks on this machine. */
int app_mpi_default_threads(void);
/* Leaves the ranks (before exit). */
void app_mpi_finish(void);
#else
static inline int app_mpi_start(int *argc, char ***argv) { (void)argc, (void)argv; return -1; }
static inline int app_mpi_setup(app_state *s) { (void)s; return 1; }
static inline int app_mpi_agree(app_state *s, int rc) { (void)s; return rc; }
static inline int app_mpi_default_threads(void) { return 0; }
static inline void app_mpi_finish(void) {}
#endif

#endif
