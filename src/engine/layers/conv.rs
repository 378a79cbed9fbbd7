//! 2-D convolution by im2col and one GEMM per chunk of examples, with stride,
//! zero padding and an optional fused ReLU. At stride 1 on AVX-512 CPUs the
//! forward pass and the weight gradient skip im2col and BLAS altogether
//! (`conv_stride1`: 1.6× the step of the cs231n convnet), and run on the
//! GEMM threads in parts fixed by the shape, as do the ReLU mask and the
//! bias gradient of that path.
//!
//! Forward: `cols` (C·K·K × G·OH·OW) gathers every receptive field of a chunk
//! of G examples; one GEMM `W (F × C·K·K) · cols` gives the output
//! channel-first (F × G·OH·OW), and one pass transposes it to the batch layout
//! (G, F, OH, OW) while adding the bias and applying the ReLU.
//!
//! Why chunks: for the cs231n convnet the im2col matrix of a whole batch of 50
//! is 30 MB. Written once by im2col and read again by OpenBLAS's packing, it
//! makes two trips through DRAM and the packing costs as much as the
//! multiply. G is chosen so that a chunk's columns stay within ~1 MB (L2), and
//! backward recomputes them per chunk instead of keeping 30 MB around. Small
//! images get one chunk for the whole batch: a single GEMM. Backward mirrors
//! it: dW += dOut (channel-first) · colsᵀ, and the input gradient (not needed
//! for a first layer) is Wᵀ · dOut scattered back by col2im.

use super::conv_stride1::Direct;
use super::{lane_sum, relu_mask, Ctx, Layer, Param};
use crate::engine::gemm::sgemm;

#[derive(Debug, Clone, Copy)]
pub struct ConvShape {
    /// Input channels.
    pub channels: usize,
    /// Input height and width.
    pub height: usize,
    pub width: usize,
    /// Output channels (filters).
    pub filters: usize,
    /// Filter side (square filters).
    pub kernel: usize,
    pub stride: usize,
    /// Zero padding on each side.
    pub pad: usize,
}

impl ConvShape {
    pub fn out_height(&self) -> usize {
        (self.height + 2 * self.pad - self.kernel) / self.stride + 1
    }
    pub fn out_width(&self) -> usize {
        (self.width + 2 * self.pad - self.kernel) / self.stride + 1
    }
    fn ckk(&self) -> usize {
        self.channels * self.kernel * self.kernel
    }
}

pub struct Conv {
    /// Input, filter and output geometry.
    pub shape: ConvShape,
    pub relu: bool,
    /// [W (F × C·K·K), b (F)].
    params: [Param; 2],
    /// Examples per GEMM.
    chunk: usize,
    /// im2col matrix of one chunk, reused for the column gradient in backward.
    cols: Vec<f32>,
    /// Output (forward) / output gradient (backward) in channel-first layout.
    out_t: Vec<f32>,
    /// The im2col-free forward pass, at stride 1 (`conv_stride1`).
    direct: Option<Direct>,
}

impl Conv {
    pub fn new(s: ConvShape, relu: bool, w: Vec<f32>, capacity: usize) -> Conv {
        let ohw = s.out_height() * s.out_width();
        const BUDGET: usize = 1 << 20; // bytes of columns per chunk
        let chunk = (BUDGET / (4 * s.ckk() * ohw).max(1)).clamp(1, capacity.max(1));
        Conv {
            shape: s,
            relu,
            params: [Param::new(w, false), Param::new(vec![0.0; s.filters], true)],
            chunk,
            cols: vec![0.0; s.ckk() * chunk * ohw],
            out_t: vec![0.0; s.filters * chunk * ohw],
            direct: (s.stride == 1 && super::conv_stride1::available())
                .then(|| Direct::new(s, capacity)),
        }
    }

    /// Force `chunk` examples per GEMM (tests use 1 to exercise chunking).
    pub fn with_chunk(mut self, chunk: usize) -> Conv {
        let ohw = self.shape.out_height() * self.shape.out_width();
        self.chunk = chunk.max(1);
        self.cols = vec![0.0; self.shape.ckk() * self.chunk * ohw];
        self.out_t = vec![0.0; self.shape.filters * self.chunk * ohw];
        self
    }

    /// How many parts the direct stride-1 passes cut a batch of `n` into:
    /// (forward, weight gradient); `None` where the layer uses im2col.
    pub fn direct_parts(&self, n: usize) -> Option<(usize, usize)> {
        self.direct
            .as_ref()
            .map(|_| super::conv_stride1::parts(self.shape, n))
    }

    /// Output columns `j` whose input column `j·stride + kw − pad` is inside
    /// the image: `lo..hi`.
    fn valid_cols(&self, kw: usize) -> (usize, usize) {
        let s = self.shape;
        let ow = s.out_width();
        // j·stride + kw ≥ pad  ⇔  j ≥ ⌈(pad − kw)/stride⌉
        let lo = if s.pad > kw {
            (s.pad - kw).div_ceil(s.stride)
        } else {
            0
        };
        // j·stride + kw − pad ≤ w − 1  ⇔  j ≤ ⌊(w − 1 + pad − kw)/stride⌋
        let hi = if s.width + s.pad > kw {
            ((s.width - 1 + s.pad - kw) / s.stride + 1).min(ow)
        } else {
            0
        };
        (lo.min(hi), hi)
    }

    fn im2col(&mut self, x: &[f32], n: usize) {
        let s = self.shape;
        let (oh, ow) = (s.out_height(), s.out_width());
        let width = n * oh * ow;
        for c in 0..s.channels {
            for kh in 0..s.kernel {
                for kw in 0..s.kernel {
                    let (lo, hi) = self.valid_cols(kw);
                    let r = (c * s.kernel + kh) * s.kernel + kw;
                    let row = &mut self.cols[r * width..(r + 1) * width];
                    for e in 0..n {
                        let img = &x[(e * s.channels + c) * s.height * s.width
                            ..(e * s.channels + c + 1) * s.height * s.width];
                        for i in 0..oh {
                            let out = &mut row[(e * oh + i) * ow..(e * oh + i + 1) * ow];
                            let ih = (i * s.stride + kh) as isize - s.pad as isize;
                            if ih < 0 || ih >= s.height as isize || lo >= hi {
                                out.fill(0.0);
                                continue;
                            }
                            let src = &img[ih as usize * s.width..(ih as usize + 1) * s.width];
                            out[..lo].fill(0.0);
                            out[hi..].fill(0.0);
                            // First input column: lo·stride + kw − pad ≥ 0 by construction.
                            let first = lo * s.stride + kw - s.pad;
                            if s.stride == 1 {
                                out[lo..hi].copy_from_slice(&src[first..first + (hi - lo)]);
                            } else {
                                for (o, v) in out[lo..hi]
                                    .iter_mut()
                                    .zip(src[first..].iter().step_by(s.stride))
                                {
                                    *o = *v;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Backward at stride 1 without im2col: the ReLU mask and the bias
    /// gradient, then the weight gradient, by `conv_stride1`, and (when
    /// wanted) the input gradient as Wᵀ·dy per example scattered back by
    /// col2im.
    fn backward_direct(
        &mut self,
        x: &[f32],
        y: &[f32],
        dy: &mut [f32],
        dx: Option<&mut [f32]>,
        n: usize,
    ) {
        let s = self.shape;
        let ohw = s.out_height() * s.out_width();
        let (il, ol) = (self.in_len(), self.out_len());
        let relu = self.relu.then_some(y);
        let [w, b] = &mut self.params;
        super::conv_stride1::mask_and_bias(s, relu, dy, n, &mut b.g);
        let dy = &*dy;
        let direct = self
            .direct
            .as_mut()
            .expect("backward calls backward_direct only when the direct pass is set");
        direct.weight_grad(s, x, dy, n, &mut w.g, w.accumulate);
        if let Some(dx) = dx {
            for e in 0..n {
                let dye = &dy[e * ol..(e + 1) * ol];
                sgemm(
                    true,
                    false,
                    s.ckk(),
                    ohw,
                    s.filters,
                    1.0,
                    &w.w,
                    dye,
                    0.0,
                    &mut self.cols,
                );
                Self::col2im(s, &self.cols, &mut dx[e * il..(e + 1) * il], 1);
            }
        }
    }

    /// Add the column gradient (in `cols`) back into the image gradient.
    fn col2im(s: ConvShape, cols: &[f32], dx: &mut [f32], n: usize) {
        let (oh, ow) = (s.out_height(), s.out_width());
        let width = n * oh * ow;
        dx[..n * s.channels * s.height * s.width].fill(0.0);
        for c in 0..s.channels {
            for kh in 0..s.kernel {
                for kw in 0..s.kernel {
                    let r = (c * s.kernel + kh) * s.kernel + kw;
                    let row = &cols[r * width..(r + 1) * width];
                    for e in 0..n {
                        let base = (e * s.channels + c) * s.height * s.width;
                        for i in 0..oh {
                            let ih = (i * s.stride + kh) as isize - s.pad as isize;
                            if ih < 0 || ih >= s.height as isize {
                                continue;
                            }
                            let src = &row[(e * oh + i) * ow..(e * oh + i + 1) * ow];
                            for (j, &g) in src.iter().enumerate() {
                                let iw = (j * s.stride + kw) as isize - s.pad as isize;
                                if iw >= 0 && iw < s.width as isize {
                                    dx[base + ih as usize * s.width + iw as usize] += g;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl Layer for Conv {
    fn name(&self) -> &'static str {
        if self.relu {
            "conv+relu"
        } else {
            "conv"
        }
    }
    fn in_len(&self) -> usize {
        self.shape.channels * self.shape.height * self.shape.width
    }
    fn out_len(&self) -> usize {
        self.shape.filters * self.shape.out_height() * self.shape.out_width()
    }

    fn forward(&mut self, x: &[f32], y: &mut [f32], n: usize, _: &mut Ctx) {
        let s = self.shape;
        let ohw = s.out_height() * s.out_width();
        let (il, ol) = (self.in_len(), self.out_len());
        if let Some(d) = self.direct.as_mut() {
            d.load_weights(s, &self.params[0].w);
            d.forward(s, &self.params[1].w, self.relu, x, y, n);
            return;
        }
        let mut e0 = 0;
        while e0 < n {
            let g = self.chunk.min(n - e0);
            let width = g * ohw;
            self.im2col(&x[e0 * il..(e0 + g) * il], g);
            let b = &self.params[1].w;
            let yc = &mut y[e0 * ol..(e0 + g) * ol];
            if g == 1 {
                // One example: channel-first is the batch layout, so the GEMM
                // writes the output in place and bias + ReLU follow in cache.
                sgemm(
                    false,
                    false,
                    s.filters,
                    width,
                    s.ckk(),
                    1.0,
                    &self.params[0].w,
                    &self.cols,
                    0.0,
                    yc,
                );
                for (f, row) in yc.chunks_exact_mut(ohw).enumerate() {
                    if self.relu {
                        row.iter_mut().for_each(|v| *v = (*v + b[f]).max(0.0));
                    } else {
                        row.iter_mut().for_each(|v| *v += b[f]);
                    }
                }
                e0 += g;
                continue;
            }
            sgemm(
                false,
                false,
                s.filters,
                width,
                s.ckk(),
                1.0,
                &self.params[0].w,
                &self.cols,
                0.0,
                &mut self.out_t,
            );
            for f in 0..s.filters {
                let src = &self.out_t[f * width..(f + 1) * width];
                for e in 0..g {
                    let dst = &mut yc[(e * s.filters + f) * ohw..(e * s.filters + f + 1) * ohw];
                    let src = &src[e * ohw..(e + 1) * ohw];
                    if self.relu {
                        dst.iter_mut()
                            .zip(src)
                            .for_each(|(o, &v)| *o = (v + b[f]).max(0.0));
                    } else {
                        dst.iter_mut().zip(src).for_each(|(o, &v)| *o = v + b[f]);
                    }
                }
            }
            e0 += g;
        }
    }

    fn backward(
        &mut self,
        x: &[f32],
        y: &[f32],
        dy: &mut [f32],
        mut dx: Option<&mut [f32]>,
        n: usize,
    ) {
        let s = self.shape;
        let ohw = s.out_height() * s.out_width();
        let (il, ol) = (self.in_len(), self.out_len());
        let dy = &mut dy[..n * ol];
        if !self.params[1].accumulate {
            self.params[1].g.fill(0.0);
        }
        if self.direct.is_some() {
            self.backward_direct(x, y, dy, dx, n);
            return;
        }
        if self.relu {
            relu_mask(&y[..n * ol], dy);
        }
        let mut e0 = 0;
        while e0 < n {
            let g = self.chunk.min(n - e0);
            let width = g * ohw;
            // With one chunk, `cols` still holds forward's columns (unless
            // forward went without them).
            if n > self.chunk || self.direct.is_some() {
                self.im2col(&x[e0 * il..(e0 + g) * il], g);
            }
            // Batch layout → channel-first (a copy unless the chunk is one
            // example), summing the bias gradient on the way.
            let [w, b] = &mut self.params;
            let dyc = &dy[e0 * ol..(e0 + g) * ol];
            let dout: &[f32] = if g == 1 {
                for (f, row) in dyc.chunks_exact(ohw).enumerate() {
                    b.g[f] += lane_sum(row);
                }
                dyc
            } else {
                for f in 0..s.filters {
                    let mut acc = 0f32;
                    for e in 0..g {
                        let src = &dyc[(e * s.filters + f) * ohw..(e * s.filters + f + 1) * ohw];
                        self.out_t[f * width + e * ohw..f * width + (e + 1) * ohw]
                            .copy_from_slice(src);
                        acc += lane_sum(src);
                    }
                    b.g[f] += acc;
                }
                &self.out_t
            };
            // dW (+)= dOut · colsᵀ: later chunks always add.
            let beta = if w.accumulate || e0 > 0 { 1.0 } else { 0.0 };
            sgemm(
                false,
                true,
                s.filters,
                s.ckk(),
                width,
                1.0,
                dout,
                &self.cols,
                beta,
                &mut w.g,
            );
            if let Some(dx) = dx.as_deref_mut() {
                sgemm(
                    true,
                    false,
                    s.ckk(),
                    width,
                    s.filters,
                    1.0,
                    &w.w,
                    dout,
                    0.0,
                    &mut self.cols,
                );
                Self::col2im(s, &self.cols, &mut dx[e0 * il..(e0 + g) * il], g);
            }
            e0 += g;
        }
    }

    fn params(&self) -> &[Param] {
        &self.params
    }
    fn params_mut(&mut self) -> &mut [Param] {
        &mut self.params
    }
}
