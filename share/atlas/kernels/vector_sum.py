"""vector_sum: the sum of an f32 array."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def vector_sum(a: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    """result[0] += a[i] for i < n.

    result[0] must hold 0.0 before the launch to get the sum.
    """
    idx = get_global_id()
    if idx < n:
        atomic_add_f32(result, a[idx])
