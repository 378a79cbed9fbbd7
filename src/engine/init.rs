//! Weight initialisers. Biases always start at zero; weights are drawn from a
//! zero-mean normal whose std depends on the scheme:
//! He `√(2/fan_in)`, Xavier (Glorot normal) `√(2/(fan_in+fan_out))`, or a fixed
//! std (the paper's cs231n code used `normal(1e-4)`).

use crate::plan::Init;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

pub fn std_of(init: Init, fan_in: usize, fan_out: usize) -> f64 {
    match init {
        Init::He => (2.0 / fan_in.max(1) as f64).sqrt(),
        Init::Xavier => (2.0 / (fan_in + fan_out).max(1) as f64).sqrt(),
        Init::Normal { std } => std,
    }
}

/// `len` weights drawn from N(0, std²) with the trial's generator.
pub fn weights(
    init: Init,
    fan_in: usize,
    fan_out: usize,
    len: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let std = std_of(init, fan_in, fan_out);
    match Normal::new(0.0f64, std.abs()) {
        Ok(d) => (0..len).map(|_| d.sample(rng) as f32).collect(),
        // A non-finite std: the checker should have refused it; start at zero.
        Err(_) => vec![0.0; len],
    }
}
