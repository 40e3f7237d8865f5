"""layer_norm: layer normalisation of f32 rows, one lane per row."""
from atlas_kernel import DeviceArray, atlas_kernel, f32, get_global_id, rsqrt, u32


@atlas_kernel
def layer_norm(input: DeviceArray[f32], gamma: DeviceArray[f32], beta: DeviceArray[f32], output: DeviceArray[f32], num_positions: u32, hidden_dim: u32, eps: f32):
    """Normalise each row of hidden_dim elements to mean 0, variance 1.

    For each position p < num_positions, with x the row
    input[p * hidden_dim ...], mean its mean and var its (biased)
    variance: output[p * hidden_dim + i] =
    gamma[i] * (x[i] - mean) / sqrt(var + eps) + beta[i].
    """
    pos = get_global_id()
    if pos < num_positions:
        offset = pos * hidden_dim
        mean = 0.0
        for i in range(hidden_dim):
            mean += input[offset + i]
        mean = mean / float(hidden_dim)
        var = 0.0
        for i in range(hidden_dim):
            diff = input[offset + i] - mean
            var += diff * diff
        var = var / float(hidden_dim)
        inv_std = rsqrt(var + eps)
        for i in range(hidden_dim):
            output[offset + i] = gamma[i] * (input[offset + i] - mean) * inv_std + beta[i]
