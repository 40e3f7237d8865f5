"""vector_dot: the dot product of two f32 arrays."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def vector_dot(a: DeviceArray[f32], b: DeviceArray[f32], result: DeviceArray[f32], n: u32):
    """result[0] += a[i] * b[i] for i < n.

    result[0] must hold 0.0 before the launch to get the dot product.
    """
    idx = get_global_id()
    if idx < n:
        product = a[idx] * b[idx]
        atomic_add_f32(result, product)
