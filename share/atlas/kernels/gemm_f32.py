"""gemm_f32: matrix product C = A B, f32, one lane per row of C (OpenBLAS)."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def gemm_f32(A: DeviceArray[f32], B: DeviceArray[f32], C: DeviceArray[f32], m: u32, n: u32, k: u32, lda: u32, ldb: u32, ldc: u32):
    """C[i * ldc + j] = sum of A[i * lda + l] * B[l * ldb + j] for l < k.

    A is m by k, B is k by n and C is m by n, all row-major with rows
    lda, ldb and ldc elements apart.  Lane t computes row t of C, for
    t < m, with the gemm instruction: the engine hands the rows of a
    block to one cblas_sgemm call.
    """
    tid = get_global_id()
    if tid < m:
        gemm(A, B, C, tid, n, k, lda, ldb, ldc)
