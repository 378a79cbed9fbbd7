//! The syntax tree of a `.reg` file. Every node carries the span of the text
//! it came from, so later stages can point at exactly what is wrong.
//!
//! `==` compares positions too; "the same program" (the formatter's property
//! tests) is `syntax::spanless_eq`.

use crate::source::FileId;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start, end }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> miette::SourceSpan {
        (s.start, s.len()).into()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    pub items: Vec<Item>,
    /// Names of definitions that failed to parse: later stages stay quiet
    /// about uses of them instead of calling them unknown.
    pub broken: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Import(Import),
    Data(DataDef),
    Network(NetworkDef),
    Schedule(ScheduleDef),
    Policy(PolicyDef),
    Experiment(ExperimentDef),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Import(i) => i.span,
            Item::Data(d) => d.span,
            Item::Network(n) => n.span,
            Item::Schedule(s) => s.span,
            Item::Policy(p) => p.span,
            Item::Experiment(e) => e.span,
        }
    }
    /// The defined name, for everything but imports.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            Item::Import(_) => None,
            Item::Data(d) => Some(&d.name),
            Item::Network(n) => Some(&n.name),
            Item::Schedule(s) => Some(&s.name),
            Item::Policy(p) => Some(&p.name),
            Item::Experiment(e) => Some(&e.name),
        }
    }
    pub fn kind(&self) -> &'static str {
        match self {
            Item::Import(_) => "import",
            Item::Data(_) => "data",
            Item::Network(_) => "network",
            Item::Schedule(_) => "schedule",
            Item::Policy(_) => "policy",
            Item::Experiment(_) => "experiment",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub path: String,
    pub path_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataDef {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A `{ ... }` body: where it opens and closes, for comments and blank lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Braces {
    pub open: Span,
    pub close: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkDef {
    pub name: Ident,
    pub params: Option<Vec<Param>>,
    pub layers: Vec<Expr>,
    pub braces: Braces,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleDef {
    pub name: Ident,
    pub params: Option<Vec<Param>>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDef {
    pub name: Ident,
    pub params: Option<Vec<Param>>,
    pub stmts: Vec<PolicyStmt>,
    pub braces: Braces,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyStmt {
    Every {
        value: Expr,
        span: Span,
    },
    When {
        cond: Expr,
        actions: Vec<Action>,
        span: Span,
    },
    Clamp {
        target: Ident,
        lo: Expr,
        hi: Expr,
        span: Span,
    },
}

impl PolicyStmt {
    pub fn span(&self) -> Span {
        match self {
            PolicyStmt::Every { span, .. }
            | PolicyStmt::When { span, .. }
            | PolicyStmt::Clamp { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Stop {
        span: Span,
    },
    Set {
        target: Ident,
        op: AssignOp,
        value: Expr,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Mul,
    Div,
    Add,
    Sub,
}

impl AssignOp {
    pub fn text(self) -> &'static str {
        match self {
            AssignOp::Set => "=",
            AssignOp::Mul => "*=",
            AssignOp::Div => "/=",
            AssignOp::Add => "+=",
            AssignOp::Sub => "-=",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentDef {
    pub name: Ident,
    pub stmts: Vec<ExpStmt>,
    pub braces: Braces,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpStmt {
    /// `key: value` or `key: every value`.
    Key {
        key: Ident,
        every: bool,
        value: Expr,
        span: Span,
    },
    Vary {
        name: Ident,
        values: Expr,
        span: Span,
    },
    Arm {
        name: Ident,
        target: Ident,
        value: Expr,
        span: Span,
    },
}

impl ExpStmt {
    pub fn span(&self) -> Span {
        match self {
            ExpStmt::Key { span, .. } | ExpStmt::Vary { span, .. } | ExpStmt::Arm { span, .. } => {
                *span
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Iters,
    Epochs,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A number as written (`1e-3`, `3.0`); `int` when it has no point or exponent.
    Number {
        value: f64,
        text: String,
        int: bool,
    },
    /// `1000 iters`, `0.5 epochs`; `unit_text` keeps the singular/plural spelling.
    Duration {
        value: f64,
        text: String,
        int: bool,
        unit: Unit,
        unit_text: String,
    },
    /// The raw text between the quotes (escapes kept as written).
    Str(String),
    Bool(bool),
    List(Vec<Expr>),
    Ident(String),
    Call {
        name: Ident,
        args: Vec<Arg>,
    },
    Paren(Box<Expr>),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Then,
    With,
    From,
    Per,
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn text(self) -> &'static str {
        match self {
            BinOp::Then => "then",
            BinOp::With => "with",
            BinOp::From => "from",
            BinOp::Per => "per",
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}
