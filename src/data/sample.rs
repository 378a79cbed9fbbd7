//! The bundled Fashion-MNIST sample (made by `scripts/make-fmnist-sample`;
//! licence in `fashion-mnist-sample/LICENSE`), embedded so the binary runs
//! anywhere.

/// (train images, train labels, test images, test labels), gzipped IDX.
pub const FILES: (&[u8], &[u8], &[u8], &[u8]) = (
    include_bytes!("fashion-mnist-sample/train-images-idx3-ubyte.gz"),
    include_bytes!("fashion-mnist-sample/train-labels-idx1-ubyte.gz"),
    include_bytes!("fashion-mnist-sample/t10k-images-idx3-ubyte.gz"),
    include_bytes!("fashion-mnist-sample/t10k-labels-idx1-ubyte.gz"),
);
