//! A network: the layers of a `NetworkSpec` (with ReLUs fused into the dense
//! or conv layer before them) plus one activation and one gradient buffer per
//! layer boundary, allocated once for the batch capacity.

use super::init;
use super::layers::{Conv, ConvShape, Ctx, Dense, Dropout, Layer, MaxPool, Param, Relu};
use super::EngineError;
use crate::plan::{self, NetworkSpec};
use rand_chacha::ChaCha8Rng;

pub struct Net {
    pub layers: Vec<Box<dyn Layer>>,
    /// `acts[0]` is the input batch, `acts[i+1]` the output of layer i.
    pub acts: Vec<Vec<f32>>,
    /// `grads[i]` is d(loss)/d(acts[i]); `grads[0]` is never filled.
    pub grads: Vec<Vec<f32>>,
    /// Examples the buffers hold.
    pub capacity: usize,
}

impl Net {
    /// Build and initialise (drawing from `rng`, in layer order).
    pub fn build(
        spec: &NetworkSpec,
        capacity: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<Net, EngineError> {
        let capacity = capacity.max(1);
        let mut layers: Vec<Box<dyn Layer>> = Vec::new();
        let mut i = 0;
        let specs = &spec.layers;
        while i < specs.len() {
            let fuse_relu = matches!(specs.get(i + 1).map(|n| n.layer), Some(plan::Layer::Relu));
            let (layer, consumed) = Self::layer(spec, &specs[i], fuse_relu, capacity, rng)?;
            layers.push(layer);
            i += consumed;
        }
        Self::check_chain(spec, &layers)?;
        // The buffers are the bulk of a trial's memory: reserved fallibly,
        // so a limit gives a diagnostic rather than an abort.
        let buffer = |len: usize| {
            capacity
                .checked_mul(len)
                .ok_or_else(|| EngineError::OutOfMemory {
                    what: "activation buffers".into(),
                    bytes: u64::MAX,
                })
                .and_then(|n| super::try_zeros::<f32>(n, "activation buffers"))
        };
        let mut acts = vec![buffer(layers[0].in_len())?];
        let mut grads = vec![Vec::new()];
        for l in &layers {
            acts.push(buffer(l.out_len())?);
            grads.push(buffer(l.out_len())?);
        }
        Ok(Net {
            layers,
            acts,
            grads,
            capacity,
        })
    }

    /// One layer of `spec`, initialised; with the number of specs it
    /// consumed (2 when a following ReLU is fused into it).
    fn layer(
        spec: &NetworkSpec,
        l: &plan::ResolvedLayer,
        fuse_relu: bool,
        capacity: usize,
        rng: &mut ChaCha8Rng,
    ) -> Result<(Box<dyn Layer>, usize), EngineError> {
        let cfg = |m: String| EngineError::Config { message: m };
        let inp = l.input;
        let fused = if fuse_relu { 2 } else { 1 };
        Ok(match l.layer {
            plan::Layer::Dense { units } => {
                let fan_in = inp.size();
                let w = init::weights(spec.init, fan_in, units, fan_in * units, rng);
                (Box::new(Dense::new(fan_in, units, fuse_relu, w)), fused)
            }
            plan::Layer::Conv {
                filters,
                size,
                stride,
                pad,
            } => {
                if size == 0
                    || stride == 0
                    || inp.height + 2 * pad < size
                    || inp.width + 2 * pad < size
                {
                    return Err(cfg(format!(
                        "conv {size}×{size} stride {stride} pad {pad} does not fit a {}×{} input",
                        inp.height, inp.width
                    )));
                }
                let s = ConvShape {
                    channels: inp.channels,
                    height: inp.height,
                    width: inp.width,
                    filters,
                    kernel: size,
                    stride,
                    pad,
                };
                let ckk = s.channels * size * size;
                let w = init::weights(spec.init, ckk, filters * size * size, filters * ckk, rng);
                (Box::new(Conv::new(s, fuse_relu, w, capacity)), fused)
            }
            plan::Layer::Relu => (Box::new(Relu { len: inp.size() }), 1),
            plan::Layer::Maxpool { size } => {
                if size == 0 || size > inp.height || size > inp.width {
                    return Err(cfg(format!(
                        "maxpool {size} does not fit a {}×{} input",
                        inp.height, inp.width
                    )));
                }
                let pool = MaxPool::new(inp.channels, inp.height, inp.width, size, capacity);
                (Box::new(pool), 1)
            }
            plan::Layer::Dropout { p } => {
                (Box::new(Dropout::new(inp.size(), p as f32, capacity)), 1)
            }
        })
    }

    /// The layers fit together and take the network's input.
    fn check_chain(spec: &NetworkSpec, layers: &[Box<dyn Layer>]) -> Result<(), EngineError> {
        let cfg = |m: String| EngineError::Config { message: m };
        if layers.is_empty() {
            return Err(cfg("the network has no layers".into()));
        }
        for pair in layers.windows(2) {
            if pair[0].out_len() != pair[1].in_len() {
                return Err(cfg(format!(
                    "layer {} produces {} values per example but {} expects {}",
                    pair[0].name(),
                    pair[0].out_len(),
                    pair[1].name(),
                    pair[1].in_len()
                )));
            }
        }
        if layers[0].in_len() != spec.input.size() {
            return Err(cfg(format!(
                "the first layer takes {} inputs but the network input is {}",
                layers[0].in_len(),
                spec.input.size()
            )));
        }
        Ok(())
    }

    pub fn in_len(&self) -> usize {
        self.layers[0].in_len()
    }
    pub fn out_len(&self) -> usize {
        self.layers[self.layers.len() - 1].out_len()
    }

    /// Forward `n` examples already in `acts[0]`; the scores end in the last buffer.
    pub fn forward(&mut self, n: usize, ctx: &mut Ctx) {
        for (i, layer) in self.layers.iter_mut().enumerate() {
            let (left, right) = self.acts.split_at_mut(i + 1);
            layer.forward(&left[i], &mut right[0], n, ctx);
        }
    }

    /// Backward from d(loss)/d(scores) in the last gradient buffer.
    pub fn backward(&mut self, n: usize) {
        for i in (0..self.layers.len()).rev() {
            let (gl, gr) = self.grads.split_at_mut(i + 1);
            let dx = if i > 0 { Some(&mut gl[i][..]) } else { None };
            self.layers[i].backward(&self.acts[i], &self.acts[i + 1], &mut gr[0], dx, n);
        }
    }

    /// Scores and their gradient buffer (for the loss).
    pub fn scores_mut(&mut self) -> (&[f32], &mut [f32]) {
        let l = self.layers.len();
        (&self.acts[l], &mut self.grads[l])
    }

    pub fn params(&self) -> impl Iterator<Item = &Param> {
        self.layers.iter().flat_map(|l| l.params().iter())
    }
    pub fn params_mut(&mut self) -> impl Iterator<Item = &mut Param> {
        self.layers
            .iter_mut()
            .flat_map(|l| l.params_mut().iter_mut())
    }
}
