//! Finite-difference gradient checks for every layer, the loss and every
//! penalty.
//!
//! The layers compute in f32, so the checks use central differences with
//! step h = 1e-2 on a scalar objective L = Σ r·y (r random, summed in f64)
//! and compare the whole gradient at once: ‖analytic − numeric‖ /
//! max(‖analytic‖, ‖numeric‖) < 1e-2 (f32 round-off over 2h is ~1e-5 relative,
//! the curvature term O(h²) vanishes on these piecewise-linear layers;
//! inputs are kept away from ReLU kinks and pooling ties by construction).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regime::engine::layers::*;
use regime::engine::penalty;
use regime::plan::PenaltyKind;

const H: f32 = 1e-2;
const TOL: f64 = 1e-2;

fn rand_vec(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// Inputs whose pairwise differences and magnitudes exceed 2h: no ReLU kink or
/// pooling tie is crossed by a ±h step.
fn spread_vec(n: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    use rand::seq::SliceRandom;
    let mut v: Vec<f32> = (0..n)
        .map(|i| (i as f32 - n as f32 / 2.0 + 0.5) * 0.05)
        .collect();
    v.shuffle(rng);
    v
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let na = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    diff / na.max(nb).max(1e-12)
}

fn objective(layer: &mut dyn Layer, x: &[f32], r: &[f32], n: usize) -> f64 {
    let mut y = vec![0f32; n * layer.out_len()];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    layer.forward(
        x,
        &mut y,
        n,
        &mut Ctx {
            train: false,
            rng: &mut rng,
        },
    );
    y.iter().zip(r).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// Check d/dx and d/dparams of `layer` at `x`.
fn check(name: &str, layer: &mut dyn Layer, x: &[f32], n: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let r = rand_vec(n * layer.out_len(), &mut rng);
    // Analytic.
    let mut y = vec![0f32; n * layer.out_len()];
    let mut frng = ChaCha8Rng::seed_from_u64(0);
    layer.forward(
        x,
        &mut y,
        n,
        &mut Ctx {
            train: false,
            rng: &mut frng,
        },
    );
    let mut dy = r.clone();
    let mut dx = vec![0f32; x.len()];
    // Layers add to the parameter gradients: start them at zero.
    layer.params_mut().iter_mut().for_each(|p| p.g.fill(0.0));
    layer.backward(x, &y, &mut dy, Some(&mut dx), n);
    let grads: Vec<Vec<f32>> = layer.params().iter().map(|p| p.g.clone()).collect();
    let mut xp = x.to_vec();
    let num: Vec<f64> = (0..x.len())
        .map(|i| {
            let v = xp[i];
            xp[i] = v + H;
            let up = objective(layer, &xp, &r, n);
            xp[i] = v - H;
            let down = objective(layer, &xp, &r, n);
            xp[i] = v;
            (up - down) / (2.0 * H as f64)
        })
        .collect();
    let ana: Vec<f64> = dx.iter().map(|&v| v as f64).collect();
    let e = rel_err(&ana, &num);
    assert!(e < TOL, "{name}: d/dx relative error {e}");
    for (pi, g) in grads.iter().enumerate() {
        let num: Vec<f64> = (0..g.len())
            .map(|i| {
                let v = layer.params()[pi].w[i];
                layer.params_mut()[pi].w[i] = v + H;
                let up = objective(layer, x, &r, n);
                layer.params_mut()[pi].w[i] = v - H;
                let down = objective(layer, x, &r, n);
                layer.params_mut()[pi].w[i] = v;
                (up - down) / (2.0 * H as f64)
            })
            .collect();
        let ana: Vec<f64> = g.iter().map(|&v| v as f64).collect();
        let e = rel_err(&ana, &num);
        assert!(e < TOL, "{name}: d/dparam[{pi}] relative error {e}");
    }
}

#[test]
fn dense_gradients() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (n, i, o) = (4, 6, 5);
    let x = rand_vec(n * i, &mut rng);
    let mut l = Dense::new(i, o, false, rand_vec(i * o, &mut rng));
    l.params_mut()[1].w = rand_vec(o, &mut rng);
    check("dense", &mut l, &x, n);
}

#[test]
fn dense_with_fused_relu_gradients() {
    // One input per example keeps every pre-activation x·w far from 0
    // (|x| ≥ 0.5, |w| ≥ 0.5, b = 0), so no ±h step crosses the kink.
    let n = 3;
    let x: Vec<f32> = (0..n).map(|k| 0.5 + k as f32 * 0.3).collect();
    let w: Vec<f32> = (0..8)
        .map(|k| {
            if k % 2 == 0 {
                0.5 + k as f32 * 0.1
            } else {
                -0.6 - k as f32 * 0.1
            }
        })
        .collect();
    let mut l = Dense::new(1, 8, true, w);
    check("dense+relu", &mut l, &x, n);
}

#[test]
fn relu_gradients() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x = spread_vec(24, &mut rng);
    check("relu", &mut Relu { len: 8 }, &x, 3);
}

#[test]
fn conv_gradients_with_stride_and_padding() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for (k, stride, pad) in [(3, 1, 1), (3, 2, 1), (2, 2, 0), (5, 3, 2)] {
        let s = ConvShape {
            channels: 2,
            height: 7,
            width: 6,
            filters: 3,
            kernel: k,
            stride,
            pad,
        };
        let n = 2;
        let x = rand_vec(n * s.channels * s.height * s.width, &mut rng);
        let w = rand_vec(s.filters * s.channels * k * k, &mut rng);
        for chunk in [n, 1] {
            let mut l = Conv::new(s, false, w.clone(), n).with_chunk(chunk);
            l.params_mut()[1].w = rand_vec(s.filters, &mut rng);
            check(
                &format!("conv k{k} s{stride} p{pad} chunk {chunk}"),
                &mut l,
                &x,
                n,
            );
        }
    }
}

#[test]
fn im2col_conv_equals_direct_conv() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for (k, stride, pad) in [(3, 1, 1), (3, 2, 1), (7, 1, 3), (2, 2, 0), (5, 3, 2)] {
        let s = ConvShape {
            channels: 3,
            height: 9,
            width: 8,
            filters: 4,
            kernel: k,
            stride,
            pad,
        };
        let n = 3;
        let x = rand_vec(n * s.channels * s.height * s.width, &mut rng);
        let w = rand_vec(s.filters * s.channels * k * k, &mut rng);
        let b = rand_vec(s.filters, &mut rng);
        let mut l = Conv::new(s, false, w.clone(), n);
        l.params_mut()[1].w = b.clone();
        let mut y = vec![0f32; n * l.out_len()];
        let mut r = ChaCha8Rng::seed_from_u64(0);
        l.forward(
            &x,
            &mut y,
            n,
            &mut Ctx {
                train: false,
                rng: &mut r,
            },
        );
        let want = conv_direct(&x, n, s, &w, &b);
        assert_eq!(y.len(), want.len());
        for (a, b) in y.iter().zip(&want) {
            assert!((a - b).abs() < 1e-4, "k{k} s{stride} p{pad}: {a} vs {b}");
        }
    }
}

#[test]
fn maxpool_gradients() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let (c, h, w, n) = (2, 4, 6, 2);
    let x = spread_vec(n * c * h * w, &mut rng);
    check("maxpool 2x2", &mut MaxPool::new(c, h, w, 2, n), &x, n);
    // The general path: 3×3 windows, with a ragged edge (7 = 2·3 + 1).
    let (h, w) = (6, 7);
    let x = spread_vec(n * c * h * w, &mut rng);
    check("maxpool 3x3", &mut MaxPool::new(c, h, w, 3, n), &x, n);
}

#[test]
fn maxpool_ties_route_the_gradient_to_one_input() {
    // Every window is constant: the whole gradient of each output must go to
    // exactly one input (the first in row-major order), not be duplicated.
    let (c, h, w, n) = (1, 4, 4, 1);
    let x = vec![3.0f32; 16];
    let mut l = MaxPool::new(c, h, w, 2, n);
    let mut y = vec![0f32; 4];
    let mut r = ChaCha8Rng::seed_from_u64(0);
    l.forward(
        &x,
        &mut y,
        n,
        &mut Ctx {
            train: false,
            rng: &mut r,
        },
    );
    assert_eq!(y, vec![3.0; 4]);
    let mut dy = vec![1.0, 2.0, 3.0, 4.0];
    let mut dx = vec![0f32; 16];
    l.backward(&x, &y, &mut dy, Some(&mut dx), n);
    assert_eq!(dx.iter().sum::<f32>(), 10.0);
    assert_eq!(dx.iter().filter(|&&v| v != 0.0).count(), 4);
    assert_eq!((dx[0], dx[2], dx[8], dx[10]), (1.0, 2.0, 3.0, 4.0));
}

#[test]
fn dropout_is_identity_in_eval_and_masks_consistently_in_training() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let (len, n) = (1000, 2);
    let x = rand_vec(len * n, &mut rng);
    let mut l = Dropout::new(len, 0.3, n);
    let mut y = vec![0f32; len * n];
    l.forward(
        &x,
        &mut y,
        n,
        &mut Ctx {
            train: false,
            rng: &mut rng,
        },
    );
    assert_eq!(y, x);
    l.forward(
        &x,
        &mut y,
        n,
        &mut Ctx {
            train: true,
            rng: &mut rng,
        },
    );
    let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / (len * n) as f64;
    assert!((kept - 0.7).abs() < 0.05, "kept {kept}");
    // Given its mask the layer is linear: y = m·x and dx = m·dy.
    let mut dy = rand_vec(len * n, &mut rng);
    let dy0 = dy.clone();
    let mut dx = vec![0f32; len * n];
    l.backward(&x, &y, &mut dy, Some(&mut dx), n);
    for i in 0..len * n {
        let m = if y[i] == 0.0 { 0.0 } else { 1.0 / 0.7 };
        assert!((dx[i] - m * dy0[i]).abs() < 1e-5);
        assert!((y[i] - m * x[i]).abs() < 1e-5);
    }
}

#[test]
fn softmax_cross_entropy_gradient_and_value() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (n, c) = (5, 7);
    let s = rand_vec(n * c, &mut rng);
    let y: Vec<u8> = (0..n).map(|i| (i * 3 % c) as u8).collect();
    let mut d = vec![0f32; n * c];
    let loss = softmax_cross_entropy(&s, &y, &mut d, n, c);
    let mut want = 0f64;
    for i in 0..n {
        let row: Vec<f64> = s[i * c..(i + 1) * c].iter().map(|&v| v as f64).collect();
        let lse = row.iter().map(|v| v.exp()).sum::<f64>().ln();
        want += lse - row[y[i] as usize];
    }
    want /= n as f64;
    assert!((loss - want).abs() < 1e-5, "{loss} vs {want}");
    let mut scratch = vec![0f32; n * c];
    let num: Vec<f64> = (0..n * c)
        .map(|i| {
            let mut sp = s.clone();
            sp[i] += H;
            let up = softmax_cross_entropy(&sp, &y, &mut scratch, n, c);
            sp[i] -= 2.0 * H;
            let down = softmax_cross_entropy(&sp, &y, &mut scratch, n, c);
            (up - down) / (2.0 * H as f64)
        })
        .collect();
    let ana: Vec<f64> = d.iter().map(|&v| v as f64).collect();
    assert!(rel_err(&ana, &num) < TOL);
    // Stable for huge logits.
    let big = [1e30f32, 0.0, -1e30];
    let l = softmax_cross_entropy(&big, &[0], &mut [0.0; 3], 1, 3);
    assert!(l.is_finite() && l.abs() < 1e-6);
}

#[test]
fn penalty_gradients_and_values() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    // Keep |w| ≥ 0.05 so the L1 kink is not crossed by ±h.
    let w: Vec<f32> = rand_vec(50, &mut rng)
        .into_iter()
        .map(|v| {
            if v.abs() < 0.05 {
                v + 0.1f32.copysign(v)
            } else {
                v
            }
        })
        .collect();
    let lambda = 0.7f32;
    let kinds = [
        PenaltyKind::L2,
        PenaltyKind::L1 { proximal: false },
        PenaltyKind::Lp { p: 0.5, eps: 1e-3 },
        PenaltyKind::Lp { p: 1.5, eps: 1e-2 },
        PenaltyKind::Elastic { l1: 0.3, l2: 2.0 },
    ];
    for kind in kinds {
        let p = penalty::build(kind);
        let mut g = vec![0f32; w.len()];
        let v = p.grad_into(&w, &mut g, lambda);
        assert!(
            (v - p.value(&w, lambda)).abs() < 1e-4 * v.abs().max(1.0),
            "{kind:?} value"
        );
        // Central differences of the f64 value.
        let h = 1e-3f32;
        let num: Vec<f64> = (0..w.len())
            .map(|i| {
                let mut wp = w.clone();
                wp[i] += h;
                let up = p.value(&wp, lambda);
                wp[i] -= 2.0 * h;
                let down = p.value(&wp, lambda);
                (up - down) / (2.0 * h as f64)
            })
            .collect();
        let ana: Vec<f64> = g.iter().map(|&v| v as f64).collect();
        let e = rel_err(&ana, &num);
        assert!(e < 1e-2, "{kind:?}: relative error {e}");
    }
    // Closed forms (no ½).
    let w = [1.0f32, -2.0, 0.0];
    assert!((penalty::build(PenaltyKind::L2).value(&w, 0.5) - 2.5).abs() < 1e-9);
    assert!(
        (penalty::build(PenaltyKind::L1 { proximal: false }).value(&w, 0.5) - 1.5).abs() < 1e-9
    );
    // Lp keeps a finite gradient at 0 (the smoothing), and it is 0 there.
    let mut g = [0f32; 3];
    penalty::build(PenaltyKind::Lp { p: 0.5, eps: 1e-4 }).grad_into(&w, &mut g, 1.0);
    assert!(g.iter().all(|v| v.is_finite()) && g[2] == 0.0);
}

#[test]
fn proximal_l1_soft_thresholds_to_exact_zeros() {
    let p = penalty::build(PenaltyKind::L1 { proximal: true });
    let mut w = vec![0.5f32, -0.05, 0.02, -0.3];
    let mut g = vec![1f32; 4];
    p.grad_into(&w, &mut g, 1.0);
    assert_eq!(
        g,
        vec![0.0; 4],
        "the proximal variant leaves the gradient alone"
    );
    p.prox(&mut w, 1.0, 0.1);
    assert_eq!((w[1], w[2]), (0.0, 0.0));
    assert!((w[0] - 0.4).abs() < 1e-6 && (w[3] + 0.2).abs() < 1e-6);
}
