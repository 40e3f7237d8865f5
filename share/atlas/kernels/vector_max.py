"""vector_max: element-wise maximum of two f32 arrays."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def vector_max(a: DeviceArray[f32], b: DeviceArray[f32], c: DeviceArray[f32], n: u32):
    """c[i] = max(a[i], b[i]) for i < n."""
    idx = get_global_id()
    if idx < n:
        c[idx] = max(a[idx], b[idx])
