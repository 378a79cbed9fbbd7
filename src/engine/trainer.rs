//! The trainer the interpreter drives: one trial's network, optimizer,
//! penalty, batch sampler and seeded generator. `step` is the hot loop: one
//! gather of the minibatch, forward, loss, backward, penalty gradient and
//! in-place updates, with no allocation once constructed.

use super::layers::{softmax_cross_entropy, Ctx};
use super::net::Net;
use super::optim::{self, Optimizer};
use super::penalty::{self, Penalty};
use super::{EngineError, Eval, Split, StepStats};
use crate::data::{Dataset, Part};
use crate::plan::{Sampling, Trial};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A data loss above this (a logit gap of thousands) counts as divergence,
/// like NaN or infinity.
pub const EXPLODED_LOSS: f64 = 1e4;
/// Examples in the fixed training subsample `evaluate(TrainSample)` uses.
pub const TRAIN_SAMPLE: usize = 1000;
/// Rows a gather asks the CPU to load before it copies them.
const PREFETCH_AHEAD: usize = 4;
/// Rows one thread of a parallel gather copies at a time.
const GATHER_BLOCK: usize = 32;
/// Floats a gather copies at least before it is spread over the threads
/// (a batch of 200 Fashion-MNIST rows is 156,800).
const PARALLEL_GATHER: usize = 1 << 15;
/// |w| below this counts as zero for `sparsity`.
pub const SPARSITY_THRESHOLD: f32 = 1e-3;

pub struct Trainer<'d> {
    data: &'d Dataset,
    net: Net,
    opt: Box<dyn Optimizer>,
    pen: Box<dyn Penalty>,
    /// Whether each parameter (in network order) is penalised.
    penalised: Vec<bool>,
    rng: ChaCha8Rng,
    batch: usize,
    sampling: Sampling,
    iter: u64,
    iters_per_epoch: u64,
    /// Shuffle sampling: the current epoch's permutation and position in it.
    perm: Vec<u32>,
    pos: usize,
    /// Indices of the current minibatch and its labels.
    idx: Vec<u32>,
    labels: Vec<u8>,
    /// The fixed training subsample for `Split::TrainSample`.
    train_sample: Vec<u32>,
}

impl<'d> Trainer<'d> {
    pub fn new(trial: &Trial, data: &'d Dataset) -> Result<Self, EngineError> {
        let cfg = |m: String| EngineError::Config { message: m };
        if trial.batch == 0 {
            return Err(cfg("batch size 0".into()));
        }
        if data.train.n == 0 {
            return Err(cfg("the training set is empty".into()));
        }
        // `check` refuses it; an edited plan.yaml must not size buffers by it.
        if trial.batch > data.train.n {
            return Err(cfg(format!(
                "batch of {} is larger than the {} training examples",
                trial.batch, data.train.n
            )));
        }
        if trial.network.input.size() != data.train.dim {
            return Err(cfg(format!(
                "network `{}` takes {} inputs per example but the data has {}",
                trial.network.name,
                trial.network.input.size(),
                data.train.dim
            )));
        }
        super::probe_memory(
            trial.estimate.memory_bytes,
            &format!("trial {} (its estimated memory)", trial.key.id),
        )?;
        let mut rng = ChaCha8Rng::seed_from_u64(trial.key.seed);
        let net = Net::build(&trial.network, trial.batch, &mut rng)?;
        if net.out_len() != data.classes {
            return Err(cfg(format!(
                "network `{}` ends with {} outputs but the data has {} classes",
                trial.network.name,
                net.out_len(),
                data.classes
            )));
        }
        let sizes: Vec<usize> = net.params().map(|p| p.w.len()).collect();
        let penalised = net
            .params()
            .map(|p| !p.is_bias || trial.penalty.on_all)
            .collect();
        let opt = optim::build(&trial.optimizer, &sizes);
        let pen = penalty::build(trial.penalty.kind);
        let n = data.train.n;
        // The subsample has its own generator so it does not shift the
        // training stream, and is the same for every arm sharing the seed.
        let sample = train_sample(n, trial.key.seed);
        let iters_per_epoch = if trial.iters_per_epoch > 0 {
            trial.iters_per_epoch
        } else {
            n.div_ceil(trial.batch) as u64
        };
        Ok(Trainer {
            data,
            net,
            opt,
            pen,
            penalised,
            rng,
            batch: trial.batch,
            sampling: trial.sampling,
            iter: 0,
            iters_per_epoch,
            perm: (0..n as u32).collect(),
            pos: n, // forces a shuffle before the first batch
            idx: Vec::with_capacity(trial.batch),
            labels: vec![0; trial.batch],
            train_sample: sample,
        })
    }

    /// Iterations done.
    pub fn iter(&self) -> u64 {
        self.iter
    }
    /// Epochs done (fractional).
    pub fn epoch(&self) -> f64 {
        self.iter as f64 / self.iters_per_epoch as f64
    }

    /// Draw the next minibatch's indices (no allocation: `idx` has capacity).
    fn draw(&mut self) {
        let n = self.data.train.n;
        self.idx.clear();
        match self.sampling {
            Sampling::Replacement => {
                for _ in 0..self.batch {
                    self.idx.push(self.rng.random_range(0..n as u32));
                }
            }
            Sampling::Shuffle => {
                // A fresh permutation every epoch; the last batch of an epoch
                // may be short.
                if self.pos >= n {
                    self.perm.shuffle(&mut self.rng);
                    self.pos = 0;
                }
                let end = (self.pos + self.batch).min(n);
                self.idx.extend_from_slice(&self.perm[self.pos..end]);
                self.pos = end;
            }
        }
    }

    /// Copy rows `index(0..n)` of `part` into the input buffer and labels,
    /// asking for the rows [`PREFETCH_AHEAD`] examples ahead to be loaded
    /// meanwhile. Blocks of [`GATHER_BLOCK`] rows go to the GEMM threads
    /// when there are several and the batch is large enough (both decided
    /// by the shape, and every row is copied and normalised on its own, so
    /// the bits do not depend on the thread count).
    fn gather(
        net: &mut Net,
        labels: &mut [u8],
        part: &Part,
        n: usize,
        index: impl Fn(usize) -> usize + Sync,
    ) -> usize {
        let d = part.dim;
        let (x, labels) = (&mut net.acts[0][..n * d], &mut labels[..n]);
        let block = |b: usize, xs: &mut [f32], ys: &mut [u8]| {
            let (lo, rows) = (b * GATHER_BLOCK, ys.len());
            (0..rows.min(PREFETCH_AHEAD)).for_each(|k| part.prefetch(index(lo + k)));
            for (k, (row, y)) in xs.chunks_exact_mut(d.max(1)).zip(ys.iter_mut()).enumerate() {
                if k + PREFETCH_AHEAD < rows {
                    part.prefetch(index(lo + k + PREFETCH_AHEAD));
                }
                let i = index(lo + k);
                part.row_into(i, &mut row[..d]);
                *y = part.y[i];
            }
        };
        if super::gemm_threads() > 1 && d > 0 && n * d >= PARALLEL_GATHER {
            use rayon::prelude::*;
            x.par_chunks_mut(GATHER_BLOCK * d)
                .zip(labels.par_chunks_mut(GATHER_BLOCK))
                .enumerate()
                .for_each(|(b, (xs, ys))| block(b, xs, ys));
        } else {
            for b in 0..n.div_ceil(GATHER_BLOCK) {
                let (lo, hi) = (b * GATHER_BLOCK, ((b + 1) * GATHER_BLOCK).min(n));
                block(b, &mut x[lo * d..hi * d], &mut labels[lo..hi]);
            }
        }
        n
    }

    /// One optimisation step on a fresh minibatch with this λ and learning rate.
    pub fn step(&mut self, lambda: f32, lr: f32) -> Result<StepStats, EngineError> {
        self.draw();
        let idx = &self.idx;
        let n = Self::gather(
            &mut self.net,
            &mut self.labels,
            &self.data.train,
            idx.len(),
            |k| idx[k] as usize,
        );
        let mut ctx = Ctx {
            train: true,
            rng: &mut self.rng,
        };
        self.net.forward(n, &mut ctx);
        let c = self.net.out_len();
        let (scores, dscores) = self.net.scores_mut();
        let data_loss = softmax_cross_entropy(scores, &self.labels, dscores, n, c);
        let this_iter = self.iter + 1;
        let diverged = |loss: f64| EngineError::Diverged {
            iter: this_iter,
            lambda,
            lr,
            loss,
        };
        if !data_loss.is_finite() || data_loss > EXPLODED_LOSS {
            return Err(diverged(data_loss));
        }
        // Penalty gradients other than L2 start the gradient (in the pass
        // that measures their value) and backward adds the data gradient on
        // top; L2 is folded into the optimizer's pass below, and unpenalised
        // parameters get their gradient written by backward directly.
        let mut reg_loss = 0f64;
        let (pen, penalised) = (&self.pen, &self.penalised);
        let fused_l2 = pen.is_l2();
        for (slot, p) in self.net.params_mut().enumerate() {
            p.accumulate = penalised[slot] && !fused_l2;
            if p.accumulate {
                reg_loss += pen.grad_into(&p.w, &mut p.g, lambda);
            }
        }
        self.net.backward(n);
        self.opt.begin_step();
        let (pen, opt, penalised) = (&self.pen, &mut self.opt, &self.penalised);
        for (slot, p) in self.net.params_mut().enumerate() {
            if penalised[slot] && fused_l2 {
                reg_loss +=
                    lambda as f64 * opt.update_l2(slot, &mut p.w, &mut p.g, lr, 2.0 * lambda);
            } else {
                opt.update(slot, &mut p.w, &p.g, lr);
            }
            if penalised[slot] {
                pen.prox(&mut p.w, lambda, lr);
            }
        }
        self.iter += 1;
        if !reg_loss.is_finite() {
            return Err(diverged(data_loss + reg_loss));
        }
        Ok(StepStats {
            data_loss,
            reg_loss,
        })
    }

    /// Accuracy and mean data loss on a split, in batches, without changing
    /// any training state (dropout off, the generator untouched).
    pub fn evaluate(&mut self, split: Split) -> Eval {
        let data = self.data;
        let (part, sample): (&Part, Option<&[u32]>) = match split {
            Split::TrainSample => (&data.train, Some(&self.train_sample)),
            Split::Train => (&data.train, None),
            Split::Val => (&data.val, None),
            Split::Test => (&data.test, None),
        };
        let total = sample.map_or(part.n, |s| s.len());
        if total == 0 {
            return Eval {
                acc: f64::NAN,
                loss: f64::NAN,
            };
        }
        let c = self.net.out_len();
        let cap = self.net.capacity;
        // Evaluation never draws from the generator; this one only satisfies Ctx.
        let mut dummy = ChaCha8Rng::seed_from_u64(0);
        let (mut correct, mut loss) = (0usize, 0f64);
        let mut start = 0;
        while start < total {
            let end = (start + cap).min(total);
            let n = match sample {
                Some(s) => Self::gather(&mut self.net, &mut self.labels, part, end - start, |k| {
                    s[start + k] as usize
                }),
                None => Self::gather(&mut self.net, &mut self.labels, part, end - start, |k| {
                    start + k
                }),
            };
            let mut ctx = Ctx {
                train: false,
                rng: &mut dummy,
            };
            self.net.forward(n, &mut ctx);
            let (scores, dscores) = self.net.scores_mut();
            loss += n as f64 * softmax_cross_entropy(scores, &self.labels, dscores, n, c);
            for (row, &y) in scores[..n * c].chunks_exact(c).zip(&self.labels) {
                let mut best = 0;
                for j in 1..c {
                    if row[j] > row[best] {
                        best = j;
                    }
                }
                correct += (best == y as usize) as usize;
            }
            start = end;
        }
        Eval {
            acc: correct as f64 / total as f64,
            loss: loss / total as f64,
        }
    }

    fn penalised_params(&self) -> impl Iterator<Item = &[f32]> {
        self.net
            .params()
            .zip(&self.penalised)
            .filter(|(_, &on)| on)
            .map(|(p, _)| &p.w[..])
    }

    /// √Σw² over the penalised parameters (weights; biases too with `on: all`).
    pub fn weight_norm(&self) -> f64 {
        self.penalised_params()
            .flat_map(|w| w.iter())
            .map(|&v| (v as f64) * (v as f64))
            .sum::<f64>()
            .sqrt()
    }

    /// Share of penalised parameters with |w| < 1e-3.
    pub fn sparsity(&self) -> f64 {
        let (mut small, mut all) = (0usize, 0usize);
        for w in self.penalised_params() {
            small += w.iter().filter(|v| v.abs() < SPARSITY_THRESHOLD).count();
            all += w.len();
        }
        if all == 0 {
            0.0
        } else {
            small as f64 / all as f64
        }
    }

    /// The penalty's value at the current weights for this λ.
    pub fn reg_loss(&self, lambda: f32) -> f64 {
        self.penalised_params()
            .map(|w| self.pen.value(w, lambda))
            .sum()
    }

    /// Every parameter tensor, in network order (weights then bias per layer).
    pub fn parameters(&self) -> Vec<&[f32]> {
        self.net.params().map(|p| &p.w[..]).collect()
    }

    /// The layers as built, e.g. `["dense+relu", "dense"]` (fused ReLUs show).
    pub fn layer_names(&self) -> Vec<&'static str> {
        self.net.layers.iter().map(|l| l.name()).collect()
    }
}

/// The fixed training subsample of a trial: `TRAIN_SAMPLE` distinct indices
/// drawn by the trial's seed (all of them when the set is smaller).
pub fn train_sample(n: usize, seed: u64) -> Vec<u32> {
    let mut all: Vec<u32> = (0..n as u32).collect();
    let mut srng = ChaCha8Rng::seed_from_u64(seed ^ 0x7a1e_5a3b_1e00_0001);
    // `partial_shuffle` returns the picked elements first; where they sit in
    // the vector is the library's business, so keep what it returns.
    let (picked, _) = all.partial_shuffle(&mut srng, TRAIN_SAMPLE.min(n));
    picked.to_vec()
}

#[cfg(test)]
mod sample_tests {
    use super::*;

    #[test]
    fn the_training_subsample_depends_on_the_seed_and_spans_the_set() {
        let a = train_sample(50_000, 1);
        let b = train_sample(50_000, 2);
        assert_eq!(a.len(), TRAIN_SAMPLE);
        assert_ne!(a, b);
        // Drawn from the whole set, not its first (or last) thousand.
        assert!(a.iter().any(|&i| i < 25_000) && a.iter().any(|&i| i >= 25_000));
        // About 20 of 1000 uniform draws from 50,000 fall below 1000.
        assert!(a.iter().filter(|&&i| i < 1000).count() < 100);
        assert!(a.iter().filter(|&&i| i >= 49_000).count() < 100);
        let mut distinct = a.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), a.len());
        assert_eq!(train_sample(10, 1).len(), 10);
    }
}
