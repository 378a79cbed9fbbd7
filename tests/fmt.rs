//! The canonical layout, comment placement and blank lines.

fn fmt(text: &str) -> String {
    regime::fmt::format_source("t.reg", text).unwrap_or_else(|r| panic!("{}", r.render(false, 80)))
}

#[test]
fn comments_stay_with_their_statements() {
    let text = "# head\n\n\n# second\nnetwork n {   # after brace\n\n  # before dense\n  dense(10)   # trailing\n\n\n  relu\n  # before close\n}  # after close\n# tail";
    let expected = "\
# head

# second
network n {  # after brace
  # before dense
  dense(10)  # trailing

  relu
  # before close
}  # after close
# tail
";
    assert_eq!(fmt(text), expected);
    assert_eq!(fmt(expected), expected);
}

/// A comment inside a call or a list stays between the same two values:
/// the group is printed one value per line, with trailing commas.
#[test]
fn comments_inside_calls_and_lists_stay_where_they_were() {
    let text = "schedule s = steps([1,\n  # inside\n  0], each: 10 iters)\ndata d = fashion_mnist(val: 1000,  # held out\n  subset: 500)\n";
    let expected = "\
schedule s = steps(
  [
    1,
    # inside
    0,
  ],
  each: 10 iters,
)
data d = fashion_mnist(
  val: 1000,  # held out
  subset: 500,
)
";
    assert_eq!(fmt(text), expected);
    assert_eq!(fmt(expected), expected);
}

/// `arm a # note` ⏎ `: lambda …` keeps the note after `a`, not on the
/// experiment's line; a comment inside an expression ends its line and the
/// statement goes on below.
#[test]
fn comments_between_the_tokens_of_a_statement_stay_there() {
    let text = "experiment e {\n  arm a # note\n    : lambda = 0.5\n  arm b: lambda = steps([1, 0], each: 10 iters) # first\n    then linear(1, 0, over: 10 iters)\n}\n";
    let expected = "\
experiment e {
  arm a  # note
    : lambda = 0.5
  arm b: lambda = steps([1, 0], each: 10 iters)  # first
    then linear(1, 0, over: 10 iters)
}
";
    assert_eq!(fmt(text), expected);
    assert_eq!(fmt(expected), expected);
}

/// `clamp lambda in [a, b, ]` parses, like every other bracket list.
#[test]
fn clamp_takes_a_trailing_comma() {
    let text = "policy p {\n  clamp lambda in [0, 1, ]\n  clamp lr in [\n    1e-5,  # low\n    1e-1,\n  ]\n}\n";
    let expected = "\
policy p {
  clamp lambda in [0, 1]
  clamp lr in [
    1e-5,  # low
    1e-1,
  ]
}
";
    assert_eq!(fmt(text), expected);
    assert_eq!(fmt(expected), expected);
}

#[test]
fn canonical_spacing() {
    let text = "experiment   e{data:fashion_mnist( val:1000 )\nvary h in[1,2]\narm a:lambda=steps( [3.0,2.0],each:100   iters)with gap(tol:0.1)\noptimizer:sgd(lr:1e-3,decay:0.95 per epoch)\nchecks:every 1 epoch}\npolicy gap(tol=0.05){every 10 iters\nwhen train_acc-val_acc>tol and not(epoch<2):lambda*=1.5,stop\nclamp lambda in[0,1]}";
    let expected = "\
experiment e {
  data: fashion_mnist(val: 1000)
  vary h in [1, 2]
  arm a: lambda = steps([3.0, 2.0], each: 100 iters) with gap(tol: 0.1)
  optimizer: sgd(lr: 1e-3, decay: 0.95 per epoch)
  checks: every 1 epoch
}
policy gap(tol = 0.05) {
  every 10 iters
  when train_acc - val_acc > tol and not (epoch < 2): lambda *= 1.5, stop
  clamp lambda in [0, 1]
}
";
    assert_eq!(fmt(text), expected);
}

#[test]
fn syntax_errors_are_reported_not_formatted() {
    let err = regime::fmt::format_source("t.reg", "schedule s = \n").unwrap_err();
    assert!(err.has_errors());
}
