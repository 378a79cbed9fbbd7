//! How λ evolves in a trial: constants, schedules, feedback policies (their
//! rules, actions and resolved expressions) and the metrics a policy reads.

use super::Duration;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- λ over time

/// How λ evolves during a trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LambdaSpec {
    Constant(f64),
    Schedule(Schedule),
    /// A feedback policy starting from `from`.
    Policy {
        policy: Policy,
        from: f64,
    },
    /// A schedule multiplied by the running factor of a policy (the policy's
    /// actions act on the factor, starting at 1; clamps bound the product).
    Adjusted {
        schedule: Schedule,
        policy: Policy,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Constant {
        value: f64,
    },
    /// `values[k]` for iterations [k·each, (k+1)·each); the last value holds after.
    Steps {
        values: Vec<f64>,
        each: Duration,
    },
    Linear {
        from: f64,
        to: f64,
        over: Duration,
    },
    /// `from · rate^(t / every)`, stepwise.
    Exponential {
        from: f64,
        rate: f64,
        every: Duration,
    },
    Cosine {
        from: f64,
        to: f64,
        over: Duration,
    },
    /// The inner schedule played backwards over its own length.
    Reverse {
        inner: Box<Schedule>,
    },
    /// `first` for its length, then `second` (time restarts at 0).
    Then {
        first: Box<Schedule>,
        second: Box<Schedule>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Definition name and arguments, for display.
    pub name: String,
    pub every: Duration,
    /// Checked in order at every check; the first whose condition holds applies.
    pub rules: Vec<Rule>,
    pub clamp_lambda: Option<(f64, f64)>,
    pub clamp_lr: Option<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub when: Expr,
    pub actions: Vec<Action>,
    /// The rule as written, for logs and results.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Set {
        target: Target,
        op: AssignOp,
        value: Expr,
    },
    Stop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Lambda,
    Lr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignOp {
    Set,
    Mul,
    Div,
    Add,
    Sub,
}

/// A resolved expression: parameters are substituted by numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    Num(f64),
    Bool(bool),
    Metric(Metric),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        func: Func,
        args: Vec<Expr>,
    },
    History {
        func: HistoryFunc,
        metric: Metric,
        last: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Func {
    Abs,
    Min,
    Max,
    Log,
    Exp,
}

/// Functions over the history of a metric at past checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFunc {
    /// Value at the previous check.
    Prev,
    /// Current value minus the previous check's.
    Delta,
    /// Mean over the last k checks (the current one included).
    Mean,
    /// Best value so far (max for accuracies, min for losses).
    Best,
    /// Checks since the best value.
    SinceBest,
}

/// Everything a policy can read at a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    TrainAcc,
    ValAcc,
    TestAcc,
    TrainLoss,
    ValLoss,
    TestLoss,
    DataLoss,
    RegLoss,
    Lambda,
    Lr,
    Iter,
    Epoch,
    WeightNorm,
    Sparsity,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::TrainAcc,
        Metric::ValAcc,
        Metric::TestAcc,
        Metric::TrainLoss,
        Metric::ValLoss,
        Metric::TestLoss,
        Metric::DataLoss,
        Metric::RegLoss,
        Metric::Lambda,
        Metric::Lr,
        Metric::Iter,
        Metric::Epoch,
        Metric::WeightNorm,
        Metric::Sparsity,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::TrainAcc => "train_acc",
            Metric::ValAcc => "val_acc",
            Metric::TestAcc => "test_acc",
            Metric::TrainLoss => "train_loss",
            Metric::ValLoss => "val_loss",
            Metric::TestLoss => "test_loss",
            Metric::DataLoss => "data_loss",
            Metric::RegLoss => "reg_loss",
            Metric::Lambda => "lambda",
            Metric::Lr => "lr",
            Metric::Iter => "iter",
            Metric::Epoch => "epoch",
            Metric::WeightNorm => "weight_norm",
            Metric::Sparsity => "sparsity",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether larger is better (for `best` and `since_best`).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::TrainAcc | Metric::ValAcc | Metric::TestAcc)
    }

    /// Metrics a policy may read during training (test metrics stay sealed until the end).
    pub fn readable_in_policy(self) -> bool {
        !matches!(self, Metric::TestAcc | Metric::TestLoss)
    }
}
