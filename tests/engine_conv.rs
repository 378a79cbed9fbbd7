//! The stride-1 convolution's im2col-free passes against f64 references, at
//! shapes that exercise every edge of their tiles: filters not a multiple of
//! the filter tile, taps not a multiple of the tap tile, output rows of one
//! full tile, a full tile plus a ragged end, and less than a tile; with the
//! weight gradient both written and added to a penalty's gradient, and the
//! input gradient of a non-first layer. Then the same passes cut into parts
//! for the GEMM threads, at shapes whose parts end ragged: against the
//! references and bit for bit on 1, 2 and 3 threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regime::engine::layers::*;
use regime::engine::with_gemm_threads;

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

/// A layer of shape `s` with random weights and biases for a batch of `n`,
/// and that batch.
fn layer(s: ConvShape, n: usize, relu: bool, rng: &mut ChaCha8Rng) -> (Conv, Vec<f32>) {
    let x = rand_vec(n * s.channels * s.height * s.width, rng);
    let w = rand_vec(s.filters * s.channels * s.kernel * s.kernel, rng);
    let mut l = Conv::new(s, relu, w, n);
    l.params_mut()[1].w = rand_vec(s.filters, rng);
    (l, x)
}

fn forward(l: &mut Conv, x: &[f32], n: usize) -> Vec<f32> {
    let mut y = vec![0f32; n * l.out_len()];
    let mut r = ChaCha8Rng::seed_from_u64(0);
    let mut ctx = Ctx {
        train: true,
        rng: &mut r,
    };
    l.forward(x, &mut y, n, &mut ctx);
    y
}

fn shape(c: usize, h: usize, w: usize, f: usize, k: usize, pad: usize) -> ConvShape {
    ConvShape {
        channels: c,
        height: h,
        width: w,
        filters: f,
        kernel: k,
        stride: 1,
        pad,
    }
}

/// The forward pass, weight, bias and input gradients of one layer against
/// the f64 references, on `threads` GEMM threads.
fn check_against_references(s: ConvShape, n: usize, threads: usize, rng: &mut ChaCha8Rng) {
    let (mut l, x) = layer(s, n, false, rng);
    let (w, b) = (l.params()[0].w.clone(), l.params()[1].w.clone());
    let taps = (s.channels * s.kernel * s.kernel) as f64;
    let y = with_gemm_threads(threads, || forward(&mut l, &x, n)).unwrap();
    let want = conv_direct(&x, n, s, &w, &b);
    for (a, bb) in y.iter().zip(&want) {
        close(*a, *bb as f64, taps, "forward");
    }
    let dy = rand_vec(n * l.out_len(), rng);
    let (dw, dx_want) = references(s, &x, &w, &dy, n);
    let outputs = (n * s.out_height() * s.out_width()) as f64;
    for accumulate in [false, true] {
        l.params_mut()[0].accumulate = accumulate;
        l.params_mut()[0].g.fill(0.5);
        let mut dyc = dy.clone();
        let mut dx = vec![0f32; n * l.in_len()];
        with_gemm_threads(threads, || l.backward(&x, &y, &mut dyc, Some(&mut dx), n)).unwrap();
        let base = if accumulate { 0.5 } else { 0.0 };
        for (g, want) in l.params()[0].g.iter().zip(&dw) {
            close(*g, base + want, outputs, "weight gradient");
        }
        let fkk = (s.filters * s.kernel * s.kernel) as f64;
        for (got, want) in dx.iter().zip(&dx_want) {
            close(*got, *want, fkk, "input gradient");
        }
        let o = s.out_height() * s.out_width();
        for (fi, g) in l.params()[1].g.iter().enumerate() {
            let want: f64 = (0..n)
                .flat_map(|e| dy[(e * s.filters + fi) * o..][..o].iter())
                .map(|&v| v as f64)
                .sum();
            close(*g, want, outputs, "bias gradient");
        }
    }
}

/// Shapes the direct passes cut into several parts, with ragged ends:
/// (shape, batch). Filters 10 are 8 + 2 forward and 4 + 4 + 2 for the
/// gradient, 147 taps are 24 blocks of 6 and 3; at batch 13 the forward pass
/// is 7 parts of 2, 2, …, 1 examples and the gradient's 75 tiles 11 parts of
/// 7, …, 5. Three filters are one filter block, so the gradient is cut
/// along taps alone; 49 taps are 8 blocks of 6 and 1. The cs231n layer at a
/// full batch of 50 and a last evaluation batch of 37.
fn partitioned_shapes() -> Vec<(ConvShape, usize)> {
    vec![
        (shape(3, 32, 32, 10, 7, 3), 13),
        (shape(4, 24, 40, 3, 5, 2), 11),
        (shape(1, 28, 28, 12, 7, 3), 9),
        (shape(3, 32, 32, 32, 7, 3), 50),
        (shape(3, 32, 32, 32, 7, 3), 37),
    ]
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
        check_against_references(shape(c, h, wd, f, k, pad), 2, 1, &mut rng);
    }
    // Cut into parts, on 1, 2 and 3 threads.
    for (s, n) in partitioned_shapes().into_iter().take(3) {
        for threads in [1, 2, 3] {
            check_against_references(s, n, threads, &mut rng);
        }
    }
}

/// Every buffer the passes write, as bits: the output (ReLU fused), then the
/// weight gradient added to 0.5, the bias gradient and the input gradient.
fn pass_bits(s: ConvShape, n: usize, threads: usize) -> Vec<Vec<u32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (mut l, x) = layer(s, n, true, &mut rng);
    let mut dy = rand_vec(n * l.out_len(), &mut rng);
    l.params_mut()[0].accumulate = true;
    l.params_mut()[0].g.fill(0.5);
    let mut dx = vec![0f32; n * l.in_len()];
    let y = with_gemm_threads(threads, || {
        let y = forward(&mut l, &x, n);
        l.backward(&x, &y, &mut dy, Some(&mut dx), n);
        y
    })
    .unwrap();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect();
    vec![
        bits(&y),
        bits(&l.params()[0].g),
        bits(&l.params()[1].g),
        bits(&dx),
    ]
}

/// The direct passes cut into parts give the same bits on 2 and 3 threads
/// as on 1, at shapes whose parts and tiles have ragged ends.
#[test]
fn partitioned_passes_are_bit_identical_on_any_thread_count() {
    for (s, n) in partitioned_shapes() {
        if conv_path().starts_with("direct") {
            let l = Conv::new(
                s,
                true,
                vec![0.0; s.filters * s.channels * s.kernel * s.kernel],
                n,
            );
            let (fw, grad) = l.direct_parts(n).expect("the direct path");
            assert!(fw > 1 && grad > 1, "{s:?} at {n}: {fw} and {grad} parts");
        }
        let one = pass_bits(s, n, 1);
        assert!(one[1].iter().any(|&b| b != 0.5f32.to_bits()));
        for threads in [2, 3] {
            let many = pass_bits(s, n, threads);
            for (what, (a, b)) in [
                "output",
                "weight gradient",
                "bias gradient",
                "input gradient",
            ]
            .iter()
            .zip(one.iter().zip(&many))
            {
                assert!(a == b, "{s:?} at {n}: {what} differs on {threads} threads");
            }
        }
    }
}

/// A convnet trained on 1, 2 and 3 GEMM threads ends with the same bits. At
/// 3×24×24, 12 filters 5×5 and batches of 16 the stride-1 passes are cut
/// into 4 parts each (where the CPU runs them), so the threads share them.
#[test]
fn a_convnet_trains_to_the_same_bits_on_any_thread_count() {
    use regime::engine::testing::{convnet, random_dataset, sgd, trial};
    use regime::engine::Trainer;
    use regime::plan::{Init, PenaltyKind, Shape};
    let input = Shape {
        channels: 3,
        height: 24,
        width: 24,
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
    for threads in [2, 3] {
        let many = params(threads);
        let differ = one.iter().zip(&many).filter(|(a, b)| a != b).count();
        assert!(
            differ == 0,
            "{differ} of {} parameters differ on {threads} threads",
            one.len()
        );
    }
}
