"""relu: the rectified linear unit of an f32 array."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def relu(a: DeviceArray[f32], b: DeviceArray[f32], n: u32):
    """b[i] = a[i] if a[i] > 0 else 0 for i < n (NaN and -0.0 give 0.0)."""
    idx = get_global_id()
    if idx < n:
        # max() returns its first operand on a tie (-0.0 vs 0.0) and the
        # other operand when one is NaN: no branch, one op per lane.
        b[idx] = max(0.0, a[idx])
