//! Optimizers behind one trait. The learning rate is an argument of every
//! update, so the interpreter may change it each iteration (schedules,
//! policies, decay via [`scheduled_lr`]). State is allocated once, per
//! parameter slot, at construction; updates are in place.

use crate::plan::{Duration, OptimizerSpec};

pub trait Optimizer: Send {
    /// Called once per training step before the parameter updates.
    fn begin_step(&mut self) {}
    /// Update parameter `slot` (its index in the network's parameter order).
    fn update(&mut self, slot: usize, w: &mut [f32], g: &[f32], lr: f32);
    /// The same with an L2 term: the gradient is `g + two_lambda·w`. Returns
    /// Σw² of the weights before the update (the penalty's value over λ).
    /// The default adds the term in a pass of its own; SGD fuses it into its
    /// update loop, one pass over the weights instead of two.
    fn update_l2(
        &mut self,
        slot: usize,
        w: &mut [f32],
        g: &mut [f32],
        lr: f32,
        two_lambda: f32,
    ) -> f64 {
        let mut sq = 0f64;
        for (gi, &wi) in g.iter_mut().zip(w.iter()) {
            *gi += two_lambda * wi;
            sq += (wi as f64) * (wi as f64);
        }
        self.update(slot, w, g, lr);
        sq
    }
}

/// Elements per block of a fused update: the unit of parallel work and of
/// the Σw² partial sums.
const BLOCK: usize = 1024;

/// Run `body(w, g, v)` over one block with 16 f32 lanes for Σw² (element k
/// goes to lane k mod 16; the lanes are summed in f64). The order of every
/// operation is fixed by this code, so the vectorised variants below compute
/// the same bits as plain code: Rust never contracts `a·b + c` into an FMA or
/// reassociates a sum on its own.
#[inline(always)]
fn fused_block(
    wb: &mut [f32],
    gb: &[f32],
    vb: &mut [f32],
    body: impl Fn(&mut f32, f32, &mut f32),
) -> f64 {
    let mut lanes = [0f32; 16];
    let whole = wb.len() / 16 * 16;
    let (wh, wt) = wb.split_at_mut(whole);
    let (vh, vt) = vb.split_at_mut(whole);
    for ((wc, gc), vc) in wh
        .chunks_exact_mut(16)
        .zip(gb[..whole].chunks_exact(16))
        .zip(vh.chunks_exact_mut(16))
    {
        for j in 0..16 {
            lanes[j] += wc[j] * wc[j];
            body(&mut wc[j], gc[j], &mut vc[j]);
        }
    }
    for (j, ((wi, &gi), vi)) in wt.iter_mut().zip(&gb[whole..]).zip(vt).enumerate() {
        lanes[j] += *wi * *wi;
        body(wi, gi, vi);
    }
    lanes.iter().map(|&x| x as f64).sum::<f64>()
}

/// One block of v ← μv − lr·(g + 2λw), w ← w + v; returns its Σw² before
/// the update. Compiled for AVX-512 and AVX2 too, chosen at run time (the
/// update is the largest pass outside the GEMMs).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx512dq",
    "x86_64+avx2+fma"
))]
fn momentum_l2_block(w: &mut [f32], g: &[f32], v: &mut [f32], k: [f32; 3]) -> f64 {
    let [lr, mu, two_lambda] = k;
    fused_block(w, g, v, |wi, gi, vi| {
        *vi = mu * *vi - lr * (gi + two_lambda * *wi);
        *wi += *vi;
    })
}

/// The Nesterov form of [`momentum_l2_block`].
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx512dq",
    "x86_64+avx2+fma"
))]
fn nesterov_l2_block(w: &mut [f32], g: &[f32], v: &mut [f32], k: [f32; 3]) -> f64 {
    let [lr, mu, two_lambda] = k;
    fused_block(w, g, v, |wi, gi, vi| {
        let old = *vi;
        *vi = mu * old - lr * (gi + two_lambda * *wi);
        *wi += -mu * old + (1.0 + mu) * *vi;
    })
}

/// A block update: (w, g, v, [lr, μ, 2λ]) → Σw² of the block.
type BlockFn = fn(&mut [f32], &[f32], &mut [f32], [f32; 3]) -> f64;

/// Applies `f` to every block, on the GEMM threads when there are several
/// (`engine::with_gemm_threads`), and returns Σw². Each block's partial sum
/// goes to its own slot of `sums` and they are added in block order, so the
/// result is the same bits for any thread count.
fn blocks(
    w: &mut [f32],
    g: &[f32],
    v: &mut [f32],
    sums: &mut [f64],
    k: [f32; 3],
    f: BlockFn,
) -> f64 {
    if super::gemm_threads() > 1 && w.len() >= 16 * BLOCK {
        use rayon::prelude::*;
        w.par_chunks_mut(BLOCK)
            .zip(g.par_chunks(BLOCK))
            .zip(v.par_chunks_mut(BLOCK))
            .zip(sums.par_iter_mut())
            .for_each(|(((wb, gb), vb), s)| *s = f(wb, gb, vb, k));
    } else {
        w.chunks_mut(BLOCK)
            .zip(g.chunks(BLOCK))
            .zip(v.chunks_mut(BLOCK))
            .zip(sums.iter_mut())
            .for_each(|(((wb, gb), vb), s)| *s = f(wb, gb, vb, k));
    }
    sums.iter().fold(0f64, |t, &s| t + s)
}

/// Fused update of a whole parameter (serial; for tests).
#[cfg(test)]
fn momentum_l2(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, mu: f32, two_lambda: f32) -> f64 {
    let mut sums = vec![0f64; w.len().div_ceil(BLOCK)];
    blocks(w, g, v, &mut sums, [lr, mu, two_lambda], momentum_l2_block)
}

/// Build the optimizer for parameters of the given sizes.
pub fn build(spec: &OptimizerSpec, sizes: &[usize]) -> Box<dyn Optimizer> {
    match *spec {
        OptimizerSpec::Sgd {
            momentum, nesterov, ..
        } => Box::new(Sgd {
            momentum: momentum as f32,
            nesterov,
            vel: if momentum != 0.0 {
                sizes.iter().map(|&n| vec![0.0; n]).collect()
            } else {
                Vec::new()
            },
            sums: sizes
                .iter()
                .map(|&n| vec![0.0; n.div_ceil(BLOCK)])
                .collect(),
        }),
        OptimizerSpec::Adam { beta1, beta2, .. } => Box::new(Adam {
            b1: beta1 as f32,
            b2: beta2 as f32,
            eps: 1e-8,
            t: 0,
            m: sizes.iter().map(|&n| vec![0.0; n]).collect(),
            v: sizes.iter().map(|&n| vec![0.0; n]).collect(),
        }),
    }
}

/// The optimizer's base learning rate after its per-epoch (or per-iteration)
/// decay at iteration `iter`: `lr · factor^⌊iter / every⌋`.
pub fn scheduled_lr(spec: &OptimizerSpec, iter: u64, iters_per_epoch: u64) -> f64 {
    match spec.decay() {
        None => spec.lr(),
        Some(d) => {
            let every = match d.every {
                Duration::Iters(n) => n.max(1),
                e => e.to_iters(iters_per_epoch.max(1)),
            };
            spec.lr() * d.factor.powi((iter / every) as i32)
        }
    }
}

/// SGD; with momentum μ: v ← μv − lr·g, w ← w + v; Nesterov (cs231n form):
/// w ← w − μ·v_old + (1+μ)·v.
pub struct Sgd {
    pub momentum: f32,
    pub nesterov: bool,
    vel: Vec<Vec<f32>>,
    /// Per-block partial sums of Σw², one slice per parameter (preallocated:
    /// the step allocates nothing).
    sums: Vec<Vec<f64>>,
}

impl Optimizer for Sgd {
    fn update_l2(
        &mut self,
        slot: usize,
        w: &mut [f32],
        g: &mut [f32],
        lr: f32,
        two_lambda: f32,
    ) -> f64 {
        let mu = self.momentum;
        if self.vel.is_empty() {
            // No velocity: walk w and g only.
            let mut total = 0f64;
            for (wb, gb) in w.chunks_mut(1024).zip(g.chunks(1024)) {
                let mut lanes = [0f32; 16];
                for (k, (wi, &gi)) in wb.iter_mut().zip(gb).enumerate() {
                    lanes[k % 16] += *wi * *wi;
                    *wi -= lr * (gi + two_lambda * *wi);
                }
                total += lanes.iter().map(|&x| x as f64).sum::<f64>();
            }
            return total;
        }
        let (v, sums) = (&mut self.vel[slot], &mut self.sums[slot]);
        let f: BlockFn = if self.nesterov {
            nesterov_l2_block
        } else {
            momentum_l2_block
        };
        blocks(w, g, v, sums, [lr, mu, two_lambda], f)
    }

    fn update(&mut self, slot: usize, w: &mut [f32], g: &[f32], lr: f32) {
        let mu = self.momentum;
        if self.vel.is_empty() {
            w.iter_mut().zip(g).for_each(|(wi, &gi)| *wi -= lr * gi);
            return;
        }
        let v = &mut self.vel[slot];
        if self.nesterov {
            for ((wi, vi), &gi) in w.iter_mut().zip(v.iter_mut()).zip(g) {
                let old = *vi;
                *vi = mu * old - lr * gi;
                *wi += -mu * old + (1.0 + mu) * *vi;
            }
        } else {
            for ((wi, vi), &gi) in w.iter_mut().zip(v.iter_mut()).zip(g) {
                *vi = mu * *vi - lr * gi;
                *wi += *vi;
            }
        }
    }
}

/// Adam with bias correction (ε = 1e-8).
pub struct Adam {
    pub b1: f32,
    pub b2: f32,
    pub eps: f32,
    t: i32,
    m: Vec<Vec<f32>>,
    v: Vec<Vec<f32>>,
}

impl Optimizer for Adam {
    fn begin_step(&mut self) {
        self.t = self.t.saturating_add(1);
    }
    fn update(&mut self, slot: usize, w: &mut [f32], g: &[f32], lr: f32) {
        let (b1, b2) = (self.b1, self.b2);
        let c1 = 1.0 / (1.0 - b1.powi(self.t.max(1)));
        let c2 = 1.0 / (1.0 - b2.powi(self.t.max(1)));
        let (m, v) = (&mut self.m[slot], &mut self.v[slot]);
        for (((wi, mi), vi), &gi) in w.iter_mut().zip(m.iter_mut()).zip(v.iter_mut()).zip(g) {
            *mi = b1 * *mi + (1.0 - b1) * gi;
            *vi = b2 * *vi + (1.0 - b2) * gi * gi;
            *wi -= lr * (*mi * c1) / ((*vi * c2).sqrt() + self.eps);
        }
    }
}

#[cfg(test)]
mod simd_tests {
    /// The update as plain scalar code (compiled for the baseline ISA), lane
    /// for lane as `fused_block` orders it.
    fn reference(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, mu: f32, tl: f32) -> f64 {
        let mut total = 0f64;
        for start in (0..w.len()).step_by(1024) {
            let end = (start + 1024).min(w.len());
            let mut lanes = [0f32; 16];
            for k in start..end {
                lanes[(k - start) % 16] += w[k] * w[k];
                v[k] = mu * v[k] - lr * (g[k] + tl * w[k]);
                w[k] += v[k];
            }
            total += lanes.iter().map(|&x| x as f64).sum::<f64>();
        }
        total
    }

    #[test]
    fn the_vectorised_update_computes_the_same_bits_as_scalar_code() {
        let n = 5000 + 7; // whole blocks, a partial block and a ragged tail
        let w0: Vec<f32> = (0..n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 97.0)
            .collect();
        let g: Vec<f32> = (0..n)
            .map(|i| ((i * 53 % 89) as f32 - 44.0) / 71.0)
            .collect();
        let v0: Vec<f32> = (0..n)
            .map(|i| ((i * 11 % 23) as f32 - 11.0) / 13.0)
            .collect();
        let (mut w1, mut v1, mut w2, mut v2) = (w0.clone(), v0.clone(), w0.clone(), v0.clone());
        let a = super::momentum_l2(&mut w1, &g, &mut v1, 0.01, 0.9, 0.002);
        let b = reference(&mut w2, &g, &mut v2, 0.01, 0.9, 0.002);
        assert_eq!(a.to_bits(), b.to_bits());
        assert!(w1.iter().zip(&w2).all(|(x, y)| x.to_bits() == y.to_bits()));
        assert!(v1.iter().zip(&v2).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

#[cfg(test)]
mod parallel_tests {
    #[test]
    fn the_parallel_update_gives_the_same_bits_for_any_thread_count() {
        let n = 40 * super::BLOCK + 13;
        let w0: Vec<f32> = (0..n)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 97.0)
            .collect();
        let g: Vec<f32> = (0..n)
            .map(|i| ((i * 53 % 89) as f32 - 44.0) / 71.0)
            .collect();
        let run = |threads: usize| {
            let (mut w, mut v) = (w0.clone(), vec![0.1f32; n]);
            let mut sums = vec![0f64; n.div_ceil(super::BLOCK)];
            let t = crate::engine::with_gemm_threads(threads, || {
                super::blocks(
                    &mut w,
                    &g,
                    &mut v,
                    &mut sums,
                    [0.01, 0.9, 0.002],
                    super::nesterov_l2_block,
                )
            })
            .unwrap();
            (
                t.to_bits(),
                w.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                v,
            )
        };
        let one = run(1);
        for threads in [2, 3, 4] {
            let many = run(threads);
            assert!(
                one.0 == many.0 && one.1 == many.1,
                "{threads} threads differ"
            );
        }
    }
}
