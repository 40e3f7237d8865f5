"""vector_sub: element-wise difference of two f32 arrays."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def vector_sub(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], n: u32):
    """c[i] = a[i] - b[i] for i < n."""
    idx = get_global_id()
    if idx < n:
        c[idx] = a[idx] - b[idx]
