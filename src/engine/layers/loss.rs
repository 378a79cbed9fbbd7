//! Softmax cross-entropy, numerically stable (max subtracted), returning the
//! mean loss and writing d(loss)/d(scores) for the batch.

/// `scores` is n×c; `dscores` receives (softmax − onehot)/n. Returns the mean
/// loss, accumulated in f64.
pub fn softmax_cross_entropy(
    scores: &[f32],
    labels: &[u8],
    dscores: &mut [f32],
    n: usize,
    c: usize,
) -> f64 {
    let inv_n = 1.0 / n as f32;
    let mut total = 0f64;
    for ((s, d), &y) in scores[..n * c]
        .chunks_exact(c)
        .zip(dscores[..n * c].chunks_exact_mut(c))
        .zip(labels)
    {
        let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0f32;
        for (o, &v) in d.iter_mut().zip(s) {
            *o = (v - max).exp();
            sum += *o;
        }
        let y = y as usize;
        // log softmax of the true class: s_y − max − log Σ exp(s − max).
        total -= ((s[y] - max) - sum.ln()) as f64;
        let inv = inv_n / sum;
        d.iter_mut().for_each(|o| *o *= inv);
        d[y] -= inv_n;
    }
    total / n as f64
}
