"""softmax: the softmax of each f32 row, one lane per row."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, u32


@atlas_kernel
def softmax(x: DeviceArray[f32], y: DeviceArray[f32], rows: u32, cols: u32):
    """y[r * cols + j] = exp(x[r * cols + j] - M) / S for each row r < rows.

    M is the largest element of the row (subtracted so that exp cannot
    overflow) and S the sum of exp(x[r * cols + j] - M) over the row.
    """
    row = get_global_id()
    if row < rows:
        if cols == 0:
            return
        base = row * cols
        top = x[base]
        for j in range(1, cols):
            top = max(top, x[base + j])
        total = 0.0
        for j in range(cols):
            total += exp(x[base + j] - top)
        for j in range(cols):
            y[base + j] = exp(x[base + j] - top) / total
