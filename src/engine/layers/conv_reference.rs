//! The convolution as its definition: six nested loops in f64, the
//! reference the tests hold the im2col and stride-1 paths to.

use super::ConvShape;

/// Direct (six nested loops) convolution, the reference the tests hold the
/// im2col path to. `x` is (n, C, H, W), `w` is (F, C, K, K); returns (n, F, OH, OW).
pub fn conv_direct(x: &[f32], n: usize, s: ConvShape, w: &[f32], b: &[f32]) -> Vec<f32> {
    let (oh, ow) = (s.out_height(), s.out_width());
    let mut y = vec![0f32; n * s.filters * oh * ow];
    for e in 0..n {
        for f in 0..s.filters {
            for i in 0..oh {
                for j in 0..ow {
                    let mut acc = b[f] as f64;
                    for c in 0..s.channels {
                        for kh in 0..s.kernel {
                            for kw in 0..s.kernel {
                                let ih = (i * s.stride + kh) as isize - s.pad as isize;
                                let iw = (j * s.stride + kw) as isize - s.pad as isize;
                                if ih >= 0
                                    && iw >= 0
                                    && (ih as usize) < s.height
                                    && (iw as usize) < s.width
                                {
                                    acc += (x[((e * s.channels + c) * s.height + ih as usize)
                                        * s.width
                                        + iw as usize]
                                        * w[((f * s.channels + c) * s.kernel + kh) * s.kernel + kw])
                                        as f64;
                                }
                            }
                        }
                    }
                    y[((e * s.filters + f) * oh + i) * ow + j] = acc as f32;
                }
            }
        }
    }
    y
}
