"""vector_rsqrt: reciprocal square root of an f32 array."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def vector_rsqrt(a: DeviceArray[f32], b: DeviceArray[f32], n: u32):
    """b[i] = rsqrt(a[i]) for i < n."""
    idx = get_global_id()
    if idx < n:
        b[idx] = rsqrt(a[idx])
