//! Explanations of the mistakes the text itself can hold: syntax, bytes
//! that are not UTF-8 text, imports, and `--set` overrides that are not
//! .reg syntax or name no key.

/// The explanation of `code` (without the `regime::` prefix), if it is one
/// of this module's.
pub(super) fn explain(code: &str) -> Option<&'static str> {
    Some(match code {
        "syntax" => SYNTAX,
        "binary_file" => BINARY_FILE,
        "invalid_utf8" => INVALID_UTF8,
        "unknown_import" => UNKNOWN_IMPORT,
        "missing_file" => MISSING_FILE,
        "import_cycle" => IMPORT_CYCLE,
        "bad_override" => BAD_OVERRIDE,
        "unknown_override_key" => UNKNOWN_OVERRIDE_KEY,
        "ambiguous_override" => AMBIGUOUS_OVERRIDE,
        _ => return None,
    })
}

const SYNTAX: &str = "\
regime::syntax — the file does not follow the grammar.

The parser names what it expected and the token it found instead. Parsing
resumes at the next line and at the next top-level definition, so one slip
does not hide the errors after it. Some slips are named for what they are:
- a reserved word (`every`, `in`, `when`, ...) used as a name;
- a duration's unit on the line after its number (`every 100` ⏎ `iters`):
  the unit must follow its number on the same line;
- a `{` never closed, with the line and column where it was opened;
- a misspelled keyword (`netwrok`, `improt`, `evry`), with a suggestion;
- an expression of more than 32 operands in one level of parentheses.

Example:
    data d = fashion_mnist(val: ])        # expected a value, found `]`
Fix:
    data d = fashion_mnist(val: 1000)

The forms of every statement:
    import \"std/policies\"
    data NAME = source(arg: value, ...)
    network NAME(param = default, ...) { layer  layer ... }
    schedule NAME(param = default, ...) = value
    policy NAME(param = default, ...) {
      every DURATION
      when CONDITION: ACTION, ACTION      # lambda *= 1.5, lr /= 2, stop
      clamp lambda in [LOW, HIGH]
    }
    experiment NAME {
      key: value                          # data, network, optimizer, ...
      vary NAME in [value, ...]
      arm NAME: lambda = value
    }
";

const BINARY_FILE: &str = "\
regime::binary_file — the file holds a NUL byte, so it is not a text file:
most likely a compiled program, an archive or an image was given where a
.reg file was meant. The message gives the byte offset of the first NUL.

Example:
    regime check experiments/quickstart.reg.gz
Fix:
    regime check experiments/quickstart.reg
";

const INVALID_UTF8: &str = "\
regime::invalid_utf8 — .reg files are UTF-8 text, and this one holds a byte
sequence that is not UTF-8 (often a file saved as Latin-1 or Windows-1252).
The message gives the byte offset of the first bad byte; the text before it
is shown. A UTF-8 byte order mark at the start is accepted and skipped.

Example:
    # λ written as the Latin-1 byte 0xE9 in a comment: café
Fix:
    re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 old.reg > new.reg`)
";

const UNKNOWN_IMPORT: &str = "\
regime::unknown_import — `import \"std/...\"` names no module of the bundled
standard library.

Example:
    import \"std/policy\"
Fix:
    import \"std/policies\"
";

const MISSING_FILE: &str = "\
regime::missing_file — a local import cannot be read.

Paths are resolved relative to the importing file, not the working directory;
the `.reg` extension may be left out.

Example:
    import \"./mine.reg\"      # but the file is in lib/
Fix:
    import \"./lib/mine.reg\"
";

const IMPORT_CYCLE: &str = "\
regime::import_cycle — files import each other in a circle.

Example:
    # a.reg
    import \"./b.reg\"
    # b.reg
    import \"./a.reg\"
Fix: move what both need into c.reg and import it from both.
";

const BAD_OVERRIDE: &str = "\
regime::bad_override — a `--set` option is not `KEY=VALUE`, has no value,
or sets a key another `--set` already sets.

`--set KEY=VALUE` (on `check`, `plan` and `run`) sets an experiment key as
if the file said so; the value is written as in the file. `iters` and
`epochs` are one setting (how long to train), so only one of them can be
set. Each option is its own source in diagnostics, named `--set ...`.

Example:
    regime run fig1.reg --set seeds
    regime run fig1.reg --set iters=2000 --set epochs=5
Fix:
    regime run fig1.reg --set seeds=5
    regime run fig1.reg --set epochs=5
";

const UNKNOWN_OVERRIDE_KEY: &str = "\
regime::unknown_override_key — `--set KEY=VALUE` names a key experiments do
not have, or `--set EXPERIMENT.KEY=VALUE` an experiment the file does not
define.

The keys are those of the experiment statement: data, network, optimizer,
batch, iters, epochs, penalty, seeds, measure, checks, init, sampling,
normalize, splits, target, smooth. The help line suggests the closest.

Example:
    regime plan fig1.reg --set sedes=5
Fix:
    regime plan fig1.reg --set seeds=5
";

const AMBIGUOUS_OVERRIDE: &str = "\
regime::ambiguous_override — `--set KEY=VALUE` in a file with several
experiments: it is not clear whose key to set.

Name the experiment: `--set EXPERIMENT.KEY=VALUE`, once per experiment to
change. (`--seeds N` still sets every experiment's seeds.)

Example:
    regime run paper.reg --set seeds=10
Fix:
    regime run paper.reg --set fig1.seeds=10 --set fig2.seeds=10
";
