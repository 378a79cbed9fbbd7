//! What made a record: the regime build, the BLAS library and kernel, the
//! data files (by SHA-256) and split, and the trial's plan entry (by hash).
//! Every trial record carries one; `report` warns when the records of one
//! directory disagree, and `--resume` refuses data that changed.

use serde::{Deserialize, Serialize};

/// The regime build: version and git commit captured at build time
/// (`-dirty` when the tree had uncommitted changes, `unknown` outside git).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    pub version: String,
    pub commit: String,
}

impl Build {
    /// This binary's build.
    pub fn current() -> Build {
        Build {
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: env!("REGIME_GIT_COMMIT").to_string(),
        }
    }

    pub fn label(&self) -> String {
        format!("regime {} ({})", self.version, self.commit)
    }
}

/// The BLAS a trial ran on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blas {
    /// Library and version as it reports itself, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    pub library: String,
    /// The kernel family it dispatched to, e.g. `Haswell` or `SkylakeX`.
    pub kernel: String,
    /// Threads the trial's GEMMs used (results do not depend on it).
    pub threads: usize,
    /// How the kernel was chosen (self-test verdict, pin, or the library's
    /// own choice).
    #[serde(default)]
    pub selection: String,
    /// How convolutions were computed (`engine::conv_path`); empty in
    /// records made before regime had a direct convolution.
    #[serde(default)]
    pub conv: String,
}

impl Blas {
    /// The BLAS of this process, with the trial's thread count.
    pub fn current(threads: usize) -> Blas {
        Blas {
            library: crate::engine::blas_config(),
            kernel: crate::engine::blas_core(),
            threads,
            selection: crate::engine::blas_choice(),
            conv: crate::engine::conv_path().to_string(),
        }
    }

    /// What must agree for records to be comparable bit for bit.
    pub fn identity(&self) -> String {
        if self.conv.is_empty() {
            format!("{} / kernel {}", self.library, self.kernel)
        } else {
            format!(
                "{} / kernel {} / conv {}",
                self.library, self.kernel, self.conv
            )
        }
    }
}

/// One data file actually read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The data of a trial: where it came from, every file by hash, and how it
/// was split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataProvenance {
    pub origin: String,
    pub files: Vec<DataFile>,
    /// Seed of the train/validation split and of `subset`.
    pub split_seed: u64,
    pub train: usize,
    pub val: usize,
    pub test: usize,
}

impl DataProvenance {
    /// The fingerprint of the data: every file hash and the split.
    pub fn identity(&self) -> String {
        format!(
            "{} [split seed {}, {}]",
            self.source(),
            self.split_seed,
            self.sizes()
        )
    }

    /// The files read (path and hash prefix), or the origin when none were:
    /// what the data splits of one experiment share.
    pub fn source(&self) -> String {
        let files: Vec<String> = self
            .files
            .iter()
            .map(|f| format!("{}={}", f.path, &f.sha256[..f.sha256.len().min(12)]))
            .collect();
        if files.is_empty() {
            self.origin.clone()
        } else {
            files.join(", ")
        }
    }

    /// The sizes of the three parts, e.g. "59000 train / 1000 val / 10000 test".
    pub fn sizes(&self) -> String {
        format!(
            "{} train / {} val / {} test",
            self.train, self.val, self.test
        )
    }
}

/// Everything a record says about how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub build: Build,
    pub blas: Blas,
    pub data: DataProvenance,
    /// SHA-256 of the trial's entry in the plan (its canonical JSON).
    pub plan_hash: String,
}

/// SHA-256 of a plan entry: its canonical JSON (field order is the struct's).
pub fn plan_hash(trial: &crate::plan::Trial) -> String {
    // invariant: plan types are plain data that always serialise.
    let json = serde_json::to_vec(trial).expect("a plan trial serialises");
    super::sha256_hex(&json)
}

/// A provenance for unit tests of code that reads records.
#[cfg(test)]
pub(crate) fn example(plan_hash: String) -> Provenance {
    Provenance {
        build: Build::current(),
        blas: Blas {
            library: "OpenBLAS test".into(),
            kernel: "Haswell".into(),
            threads: 1,
            selection: "test".into(),
            conv: "im2col + sgemm".into(),
        },
        data: DataProvenance {
            origin: "synthetic".into(),
            files: vec![],
            split_seed: 1,
            train: 10,
            val: 2,
            test: 3,
        },
        plan_hash,
    }
}
