// OpenBLAS's C interface (Debian's libopenblas-dev, pthread variant).
// cblas.h also declares openblas_set_num_threads, openblas_get_num_threads,
// openblas_get_corename and openblas_get_config.
#include <cblas.h>
