//! What the bench measures (frameworks, samples, rows) and its markdown
//! tables. Each row is one configuration × thread count; every framework's
//! repeats are kept and the tables show medians.

/// The four contestants. numpy runs twice: with the environment as it is
/// (`OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE` as the machine sets them) and at
/// its best (both unset in its own command only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Regime,
    NumpyEnv,
    NumpyBest,
    Torch,
}

impl Framework {
    pub const ALL: [Framework; 4] = [
        Framework::Regime,
        Framework::NumpyEnv,
        Framework::NumpyBest,
        Framework::Torch,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn label(self) -> &'static str {
        match self {
            Framework::Regime => "regime",
            Framework::NumpyEnv => "numpy as is",
            Framework::NumpyBest => "numpy at best",
            Framework::Torch => "torch",
        }
    }
}

/// One timed run.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Examples per second (microbench: the timed loop; whole: the process).
    pub eps: f64,
    /// Seconds of the timed region (whole mode: the whole process).
    pub seconds: f64,
    /// The kernel the framework reported, e.g. `SkylakeX`.
    pub kernel: String,
    /// The library and its version, e.g. `numpy 2.4.6, openblas 0.3.31`.
    pub library: String,
    /// Cores other processes used during the run.
    pub others: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub label: String,
    pub threads: usize,
    /// GEMM flops per example (forward + backward, as the references count).
    pub flops: f64,
    /// Best 1-thread sgemm GFLOP/s at the model's forward GEMM shape (regime's
    /// own, or numpy at its best, whichever is faster); NaN when unknown.
    pub peak1: f64,
    pub samples: [Vec<Sample>; 4],
    /// Cores other processes used just before the row was timed.
    pub load_before: Option<f64>,
}

impl Row {
    pub fn push(&mut self, fw: Framework, s: Sample) {
        self.samples[fw.index()].push(s);
    }
    pub fn eps(&self, fw: Framework) -> f64 {
        median(self.samples[fw.index()].iter().map(|s| s.eps))
    }
    pub fn seconds(&self, fw: Framework) -> f64 {
        median(self.samples[fw.index()].iter().map(|s| s.seconds))
    }
    /// The last reported estimate for sizing the next run, if any.
    pub fn last_eps(&self, fw: Framework) -> Option<f64> {
        self.samples[fw.index()].last().map(|s| s.eps)
    }
    fn kernels(&self) -> String {
        Framework::ALL
            .iter()
            .filter_map(|&fw| self.samples[fw.index()].first())
            .map(|s| s.kernel.clone())
            .collect::<Vec<_>>()
            .join(" / ")
    }
    /// Every framework's library, once: for the report's header.
    pub fn libraries(&self) -> Vec<(Framework, String)> {
        Framework::ALL
            .iter()
            .filter_map(|&fw| Some((fw, self.samples[fw.index()].first()?.library.clone())))
            .collect()
    }
    /// The most cores other processes used during any run of the row.
    pub fn max_others(&self) -> Option<f64> {
        self.samples
            .iter()
            .flatten()
            .filter_map(|s| s.others)
            .reduce(f64::max)
    }
    fn load(&self) -> String {
        format!("{} / {}", load(self.load_before), load(self.max_others()))
    }
}

pub fn median(v: impl Iterator<Item = f64>) -> f64 {
    let mut s: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    if s.is_empty() {
        return f64::NAN;
    }
    s.sort_by(|a, b| a.total_cmp(b));
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        0.5 * (s[m - 1] + s[m])
    }
}

fn load(v: Option<f64>) -> String {
    v.map_or("–".into(), |b| format!("{b:.2}"))
}

fn ratio(a: f64, b: f64) -> String {
    if a.is_finite() && b.is_finite() && b > 0.0 {
        format!("{:.2}", a / b)
    } else {
        "–".into()
    }
}

fn num(v: f64) -> String {
    if !v.is_finite() {
        "–".into()
    } else if v >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

fn secs(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "–".into()
    }
}

fn ratios(r: &Row) -> String {
    let reg = r.eps(Framework::Regime);
    [Framework::NumpyEnv, Framework::NumpyBest, Framework::Torch]
        .iter()
        .map(|&fw| ratio(reg, r.eps(fw)))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The microbench table: examples/s (medians), regime's GFLOP/s and its share
/// of the best 1-thread sgemm × threads, ratios, kernels, load.
pub fn micro(rows: &[Row]) -> String {
    let mut s = String::from(
        "| model | thr | regime ex/s | numpy as is ex/s | numpy at best ex/s | torch ex/s \
         | regime GF/s | % of best sgemm | regime/numpy as is | regime/numpy at best \
         | regime/torch | kernels (regime / numpy as is / numpy at best / torch) \
         | others' load before / during (cores) |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let reg = r.eps(Framework::Regime);
        let gf = reg * r.flops / 1e9;
        let pct = 100.0 * gf / (r.peak1 * r.threads as f64);
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {:.1} | {} | {} | {} | {} |\n",
            r.label,
            r.threads,
            num(reg),
            num(r.eps(Framework::NumpyEnv)),
            num(r.eps(Framework::NumpyBest)),
            num(r.eps(Framework::Torch)),
            gf,
            if pct.is_finite() {
                format!("{pct:.0}%")
            } else {
                "–".into()
            },
            ratios(r),
            r.kernels(),
            r.load(),
        );
    }
    s
}

/// The whole-process table: wall seconds and examples/s per framework.
pub fn whole(rows: &[Row]) -> String {
    let mut s = String::from(
        "| run | thr | regime s | numpy as is s | numpy at best s | torch s | regime ex/s \
         | numpy as is ex/s | numpy at best ex/s | torch ex/s | regime/numpy as is \
         | regime/numpy at best | regime/torch | kernels (regime / numpy as is / numpy at best / torch) \
         | others' load before / during (cores) |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let col = |f: fn(&Row, Framework) -> f64, fmt: fn(f64) -> String| {
            Framework::ALL
                .iter()
                .map(|&fw| fmt(f(r, fw)))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        s += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            r.label,
            r.threads,
            col(Row::seconds, secs),
            col(Row::eps, num),
            ratios(r),
            r.kernels(),
            r.load(),
        );
    }
    s
}
