//! Penalties on the weights, for a λ that may change every iteration.
//!
//! Conventions (the paper's, no ½): `l2` = λ·Σw², `l1` = λ·Σ|w|,
//! `lp` = λ·Σ(w² + ε²)^(p/2) — the ε smoothing keeps the gradient
//! λ·p·w·(w²+ε²)^(p/2−1) finite at w = 0 (for p < 1 the unsmoothed gradient
//! is infinite there) — and `elastic` = λ·(a·Σ|w| + b·Σw²).
//! The L1 subgradient at 0 is 0. Proximal L1 leaves the gradient alone and
//! soft-thresholds after the optimizer step: w ← sign(w)·max(|w| − lr·λ, 0),
//! which produces exact zeros.

use crate::plan::PenaltyKind;

pub trait Penalty: Send {
    /// λ·Σφ(w), accumulated in f64.
    fn value(&self, w: &[f32], lambda: f32) -> f64;
    /// Write λ·∇φ(w) into `g` (overwriting it: the layers then add the data
    /// gradient on top) and return the value, in one pass over the weights.
    fn grad_into(&self, w: &[f32], g: &mut [f32], lambda: f32) -> f64;
    /// Proximal step after the optimizer update (a no-op for most penalties).
    fn prox(&self, _w: &mut [f32], _lambda: f32, _lr: f32) {}
    /// True for plain L2 (gradient 2λw), which the optimizer can fold into
    /// its own pass over the weights instead of a separate one.
    fn is_l2(&self) -> bool {
        false
    }
}

pub fn build(kind: PenaltyKind) -> Box<dyn Penalty> {
    match kind {
        PenaltyKind::None => Box::new(NoPenalty),
        PenaltyKind::L2 => Box::new(L2),
        PenaltyKind::L1 { proximal } => Box::new(L1 { proximal }),
        // ε = 0 would make the gradient 0·∞ = NaN at w = 0: keep ε² > 0.
        PenaltyKind::Lp { p, eps } => Box::new(Lp {
            p: p as f32,
            eps2: ((eps * eps) as f32).max(1e-30),
        }),
        PenaltyKind::Elastic { l1, l2 } => Box::new(Elastic {
            a: l1 as f32,
            b: l2 as f32,
        }),
    }
}

pub struct NoPenalty;
impl Penalty for NoPenalty {
    fn value(&self, _: &[f32], _: f32) -> f64 {
        0.0
    }
    fn grad_into(&self, _: &[f32], g: &mut [f32], _: f32) -> f64 {
        g.fill(0.0);
        0.0
    }
}

pub struct L2;
impl Penalty for L2 {
    fn is_l2(&self) -> bool {
        true
    }
    fn value(&self, w: &[f32], lambda: f32) -> f64 {
        lambda as f64 * w.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>()
    }
    fn grad_into(&self, w: &[f32], g: &mut [f32], lambda: f32) -> f64 {
        let two = 2.0 * lambda;
        // Sixteen independent f32 lanes per 1024-element block keep the sum
        // vectorisable (a single accumulator is a serial dependency); blocks
        // are summed in f64 so long tensors lose no precision.
        let mut total = 0f64;
        for (wb, gb) in w.chunks(1024).zip(g.chunks_mut(1024)) {
            let mut lanes = [0f32; 16];
            let mut wc = wb.chunks_exact(16);
            let mut gc = gb.chunks_exact_mut(16);
            for (w16, g16) in (&mut wc).zip(&mut gc) {
                for k in 0..16 {
                    g16[k] = two * w16[k];
                    lanes[k] += w16[k] * w16[k];
                }
            }
            for (gi, &wi) in gc.into_remainder().iter_mut().zip(wc.remainder()) {
                *gi = two * wi;
                lanes[0] += wi * wi;
            }
            total += lanes.iter().map(|&v| v as f64).sum::<f64>();
        }
        lambda as f64 * total
    }
}

#[inline]
fn sign(v: f32) -> f32 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

pub struct L1 {
    pub proximal: bool,
}
impl Penalty for L1 {
    fn value(&self, w: &[f32], lambda: f32) -> f64 {
        lambda as f64 * w.iter().map(|&v| v.abs() as f64).sum::<f64>()
    }
    fn grad_into(&self, w: &[f32], g: &mut [f32], lambda: f32) -> f64 {
        if self.proximal {
            g.fill(0.0);
        } else {
            for (gi, &wi) in g.iter_mut().zip(w) {
                *gi = lambda * sign(wi);
            }
        }
        self.value(w, lambda)
    }
    fn prox(&self, w: &mut [f32], lambda: f32, lr: f32) {
        if self.proximal {
            let t = lambda * lr;
            for v in w.iter_mut() {
                *v = if *v > t {
                    *v - t
                } else if *v < -t {
                    *v + t
                } else {
                    0.0
                };
            }
        }
    }
}

pub struct Lp {
    pub p: f32,
    pub eps2: f32,
}
impl Penalty for Lp {
    fn value(&self, w: &[f32], lambda: f32) -> f64 {
        let (p, e2) = (self.p as f64, self.eps2 as f64);
        lambda as f64
            * w.iter()
                .map(|&v| ((v as f64).powi(2) + e2).powf(p / 2.0))
                .sum::<f64>()
    }
    fn grad_into(&self, w: &[f32], g: &mut [f32], lambda: f32) -> f64 {
        let e = self.p / 2.0 - 1.0;
        let mut total = 0f64;
        for (gi, &wi) in g.iter_mut().zip(w) {
            let q = wi * wi + self.eps2;
            let qe = q.powf(e);
            *gi = lambda * self.p * wi * qe;
            total += (q * qe) as f64; // q^(p/2)
        }
        lambda as f64 * total
    }
}

pub struct Elastic {
    pub a: f32,
    pub b: f32,
}
impl Penalty for Elastic {
    fn value(&self, w: &[f32], lambda: f32) -> f64 {
        let (a, b) = (self.a as f64, self.b as f64);
        lambda as f64
            * w.iter()
                .map(|&v| a * (v as f64).abs() + b * (v as f64).powi(2))
                .sum::<f64>()
    }
    fn grad_into(&self, w: &[f32], g: &mut [f32], lambda: f32) -> f64 {
        for (gi, &wi) in g.iter_mut().zip(w) {
            *gi = lambda * (self.a * sign(wi) + 2.0 * self.b * wi);
        }
        self.value(w, lambda)
    }
}
