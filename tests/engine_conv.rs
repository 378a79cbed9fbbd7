//! The stride-1 convolution's im2col-free passes against f64 references, at
//! shapes that exercise every edge of their tiles: filters not a multiple of
//! the filter tile, taps not a multiple of the tap tile, output rows of one
//! full tile, a full tile plus a ragged end, and less than a tile; with the
//! weight gradient both written and added to a penalty's gradient, and the
//! input gradient of a non-first layer.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regime::engine::layers::*;

fn rand_vec(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// Input value at (e, c, h, w) with zero padding outside the image.
fn at(x: &[f32], s: ConvShape, e: usize, c: usize, h: isize, w: isize) -> f64 {
    if h < 0 || w < 0 || h >= s.height as isize || w >= s.width as isize {
        return 0.0;
    }
    x[((e * s.channels + c) * s.height + h as usize) * s.width + w as usize] as f64
}

/// dW[f][c][kh][kw] = Σ_e Σ_(i,j) dy[e][f][i][j] · x[e][c][i+kh−p][j+kw−p], and
/// dx[e][c][h][w] = Σ dy·W over the outputs that read (h, w), in f64.
fn references(s: ConvShape, x: &[f32], w: &[f32], dy: &[f32], n: usize) -> (Vec<f64>, Vec<f64>) {
    let (oh, ow, k, p) = (s.out_height(), s.out_width(), s.kernel, s.pad as isize);
    let mut dw = vec![0f64; s.filters * s.channels * k * k];
    let mut dx = vec![0f64; n * s.channels * s.height * s.width];
    for e in 0..n {
        for f in 0..s.filters {
            for i in 0..oh {
                for j in 0..ow {
                    let g = dy[((e * s.filters + f) * oh + i) * ow + j] as f64;
                    for c in 0..s.channels {
                        for kh in 0..k {
                            for kw in 0..k {
                                let (h, v) = ((i + kh) as isize - p, (j + kw) as isize - p);
                                let t = (c * k + kh) * k + kw;
                                dw[f * s.channels * k * k + t] += g * at(x, s, e, c, h, v);
                                if h >= 0 && v >= 0 && h < s.height as isize && v < s.width as isize
                                {
                                    let xi = ((e * s.channels + c) * s.height + h as usize)
                                        * s.width
                                        + v as usize;
                                    dx[xi] += g * w[f * s.channels * k * k + t] as f64;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    (dw, dx)
}

fn close(got: f32, want: f64, scale: f64, what: &str) {
    assert!(
        (got as f64 - want).abs() <= 1e-5 * scale + 1e-5,
        "{what}: {got} vs {want}"
    );
}

#[test]
fn stride_one_passes_match_f64_references_at_every_tile_edge() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    // (channels, height, width, filters, kernel, pad): 32 outputs a row (one
    // tile), 37 (a tile and 5), 6 (a part tile); 147 and 18 taps; 10 and 3 filters.
    for (c, h, wd, f, k, pad) in [
        (3, 5, 32, 10, 7, 3),
        (2, 4, 37, 3, 3, 1),
        (3, 6, 6, 9, 5, 2),
    ] {
        let s = ConvShape {
            channels: c,
            height: h,
            width: wd,
            filters: f,
            kernel: k,
            stride: 1,
            pad,
        };
        let n = 2;
        let x = rand_vec(n * c * h * wd, &mut rng);
        let w = rand_vec(f * c * k * k, &mut rng);
        let b = rand_vec(f, &mut rng);
        let mut l = Conv::new(s, false, w.clone(), n);
        l.params_mut()[1].w = b.clone();
        let mut y = vec![0f32; n * l.out_len()];
        let mut r = ChaCha8Rng::seed_from_u64(0);
        let mut ctx = Ctx {
            train: true,
            rng: &mut r,
        };
        l.forward(&x, &mut y, n, &mut ctx);
        let want = conv_direct(&x, n, s, &w, &b);
        for (a, bb) in y.iter().zip(&want) {
            close(*a, *bb as f64, 147.0, "forward");
        }
        let dy = rand_vec(n * l.out_len(), &mut rng);
        let (dw, dx_want) = references(s, &x, &w, &dy, n);
        let outputs = (n * s.out_height() * s.out_width()) as f64;
        for accumulate in [false, true] {
            l.params_mut()[0].accumulate = accumulate;
            l.params_mut()[0].g.fill(0.5);
            let mut dyc = dy.clone();
            let mut dx = vec![0f32; n * l.in_len()];
            l.backward(&x, &y, &mut dyc, Some(&mut dx), n);
            let base = if accumulate { 0.5 } else { 0.0 };
            for (g, want) in l.params()[0].g.iter().zip(&dw) {
                close(*g, base + want, outputs, "weight gradient");
            }
            for (got, want) in dx.iter().zip(&dx_want) {
                close(*got, *want, (f * k * k) as f64, "input gradient");
            }
            let bias: Vec<f64> = (0..f)
                .map(|fi| {
                    (0..n)
                        .flat_map(|e| {
                            let o = s.out_height() * s.out_width();
                            dy[(e * f + fi) * o..(e * f + fi + 1) * o].iter()
                        })
                        .map(|&v| v as f64)
                        .sum()
                })
                .collect();
            for (g, want) in l.params()[1].g.iter().zip(&bias) {
                close(*g, *want, outputs, "bias gradient");
            }
        }
    }
}

/// A convnet trained on 1, 2 and 3 GEMM threads ends with the same bits: the
/// stride-1 passes run per batch on the calling thread, whatever the pool.
#[test]
fn a_convnet_trains_to_the_same_bits_on_any_thread_count() {
    use regime::engine::testing::{convnet, random_dataset, sgd, trial};
    use regime::engine::{with_gemm_threads, Trainer};
    use regime::plan::{Init, PenaltyKind, Shape};
    let input = Shape {
        channels: 3,
        height: 16,
        width: 16,
    };
    let data = random_dataset(input, 4, 64, 16, 16, 4);
    let t = trial(
        convnet(input, 12, 5, 40, 4, Init::He),
        sgd(0.02, 0.9),
        PenaltyKind::L2,
        16,
        3,
    );
    let params = |threads: usize| -> Vec<u32> {
        with_gemm_threads(threads, || {
            let mut tr = Trainer::new(&t, &data).unwrap();
            for _ in 0..10 {
                tr.step(1e-3, 0.02).unwrap();
            }
            tr.parameters()
                .iter()
                .flat_map(|p| p.iter().map(|v| v.to_bits()))
                .collect()
        })
        .unwrap()
    };
    let one = params(1);
    assert!(one.iter().any(|&b| b != 0));
    assert_eq!(one, params(2));
    assert_eq!(one, params(3));
}
