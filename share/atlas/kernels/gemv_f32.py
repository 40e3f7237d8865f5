"""gemv_f32: matrix-vector product y = A x, f32, one lane per row (OpenBLAS)."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def gemv_f32(A: DeviceArray[f32], x: DeviceArray[f32], y: DeviceArray[f32], m: u32, n: u32, lda: u32):
    """y[r] = sum of A[r * lda + j] * x[j] for j < n, for each row r < m.

    A is m rows of n elements, row-major, lda elements apart (lda >= n).
    The gemv instruction: the engine hands the rows of a block to one
    cblas_sgemv call.
    """
    thread_id = get_global_id()
    if thread_id < m:
        gemv(A, x, y, thread_id, n, lda)
