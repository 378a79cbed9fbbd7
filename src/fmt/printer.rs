//! The printer: canonical text token by token, with every comment of the
//! source anchored by its position. The tree has no comments (as in
//! typst-syntax's lossless tree, comments are trivia between tokens; here
//! they stay in the text and are found by position instead): the printer
//! walks the tree in source order with a cursor in the source, and before
//! each token it prints the comments that come before that token's place.
//! So every comment is printed exactly once, between the same two tokens
//! it was written between, and on its own line or at the end of one as it
//! was written.
//!
//! Layout follows from the tree and the comments alone: a bracket group
//! (call, list, parameters, clamp bounds) with a comment inside is printed
//! one element per line with trailing commas; a comment elsewhere inside a
//! statement ends its line and the statement goes on, indented, on the
//! next. Formatting the output again gives the same text.

/// A `#` comment in the source, by byte range (to the end of its line).
#[derive(Debug, Clone, Copy)]
struct Comment {
    start: usize,
    end: usize,
}

pub struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    next_comment: usize,
    /// Source position up to which everything has been printed.
    pub cursor: usize,
    out: String,
    /// Block depth (`{ ... }`), and broken bracket groups open inside the
    /// current statement.
    pub indent: usize,
    depth: usize,
    /// The current line continues a statement broken by a comment.
    cont: bool,
    /// Nothing written yet on the current output line.
    line_start: bool,
    /// Nothing printed yet in the current block (no blank line wanted).
    pub block_start: bool,
}

impl<'a> Printer<'a> {
    pub fn new(text: &'a str) -> Printer<'a> {
        Printer {
            text,
            comments: find_comments(text),
            next_comment: 0,
            cursor: 0,
            out: String::new(),
            indent: 0,
            depth: 0,
            cont: false,
            line_start: true,
            block_start: true,
        }
    }

    pub fn finish(mut self) -> String {
        self.comments_before(usize::MAX);
        self.out
    }

    // ------------------------------------------------------------ writing

    /// Write `s` on the current line (indented first if the line is new).
    pub fn write(&mut self, s: &str) {
        if self.line_start {
            let levels = self.indent + self.depth + usize::from(self.cont);
            for _ in 0..levels {
                self.out.push_str("  ");
            }
            self.line_start = false;
        }
        self.out.push_str(s);
    }

    /// Two spaces before a comment at the end of a line (replacing any
    /// space already written).
    fn two_spaces(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push_str("  ");
    }

    fn newline(&mut self) {
        self.out.push('\n');
        self.line_start = true;
    }

    /// A space between tokens (none at the start of a line).
    pub fn space(&mut self) {
        if !self.line_start {
            self.out.push(' ');
        }
    }

    /// A token of the tree at source position `at`, printed as `text`.
    pub fn tok(&mut self, at: usize, end: usize, text: &str) {
        self.flush_to(at);
        self.write(text);
        self.cursor = self.cursor.max(end);
    }

    /// Punctuation or a keyword the tree does not record: found in the
    /// source after the cursor (past whitespace and comments), so comments
    /// before it print before it. Printed even when the source lacks it
    /// (a trailing comma of a broken group).
    pub fn punct(&mut self, p: &str) {
        if let Some(pos) = self.next_token(self.cursor) {
            if self.text[pos..].starts_with(p) {
                self.flush_to(pos);
                self.cursor = pos + p.len();
            }
        }
        self.write(p);
    }

    /// Where the next token after `from` starts, past whitespace and comments.
    fn next_token(&self, mut from: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        while from < bytes.len() {
            match bytes[from] {
                b' ' | b'\t' | b'\r' | b'\n' => from += 1,
                b'#' => {
                    from = self.text[from..]
                        .find('\n')
                        .map_or(bytes.len(), |n| from + n)
                }
                _ => return Some(from),
            }
        }
        None
    }

    // ------------------------------------------------------------ comments

    /// Whether a comment starts in `from..to`.
    pub fn comment_in(&self, from: usize, to: usize) -> bool {
        self.comments[self.next_comment..]
            .iter()
            .any(|c| c.start >= from && c.start < to)
    }

    fn comment_text(&self, c: Comment) -> String {
        self.text
            .get(c.start..c.end)
            .unwrap_or("#")
            .trim_end()
            .to_string()
    }

    /// Print the comments before `pos` inside a statement: one on the same
    /// source line as the last token ends the output line; one on a line of
    /// its own gets a line of its own. Either way the statement goes on on
    /// a new line.
    pub fn flush_to(&mut self, pos: usize) {
        while let Some(&c) = self.comments.get(self.next_comment) {
            if c.start >= pos {
                break;
            }
            let same_line = !self
                .text
                .get(self.cursor.min(c.start)..c.start)
                .unwrap_or("")
                .contains('\n');
            let body = self.comment_text(c);
            if !self.line_start && same_line {
                self.two_spaces();
                self.out.push_str(&body);
                self.newline();
                self.cont = true;
            } else {
                if !self.line_start {
                    self.newline();
                    self.cont = true;
                }
                self.write(&body);
                self.newline();
            }
            self.cursor = c.end;
            self.next_comment += 1;
        }
    }

    /// Comments on the source line the cursor is on (before a line break
    /// of a broken group).
    fn flush_same_line(&mut self) {
        if let Some(&c) = self.comments.get(self.next_comment) {
            let between = self
                .text
                .get(self.cursor.min(c.start)..c.start)
                .unwrap_or("");
            if !between.contains('\n') && between.trim().is_empty() {
                self.flush_to(c.end);
            }
        }
    }

    /// Own-line comments before `pos`, between statements: blank lines
    /// before them are kept (one at most).
    pub fn comments_before(&mut self, pos: usize) {
        while let Some(&c) = self.comments.get(self.next_comment) {
            if c.start >= pos {
                break;
            }
            self.blank_if_gap(c.start);
            let body = self.comment_text(c);
            self.end_line();
            self.write(&body);
            self.newline();
            self.block_start = false;
            self.cursor = c.end;
            self.next_comment += 1;
        }
    }

    /// The comment on the source line where `pos` is, if any, at the end
    /// of the current output line.
    pub fn trailing_comment(&mut self, pos: usize) {
        if let Some(&c) = self.comments.get(self.next_comment) {
            let between = self.text.get(pos.min(c.start)..c.start).unwrap_or("\n");
            if !between.contains('\n') {
                self.two_spaces();
                let body = self.comment_text(c);
                self.out.push_str(&body);
                self.cursor = c.end;
                self.next_comment += 1;
            }
        }
    }

    // ------------------------------------------------------------ lines

    /// End the current output line, if anything is on it.
    pub fn end_line(&mut self) {
        if !self.line_start {
            self.newline();
        }
    }

    /// Whether the source between `from` and `to` holds a blank line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.text.get(from.min(to)..to).unwrap_or("");
        gap.matches('\n').count() >= 2
    }

    pub fn blank_if_gap(&mut self, to: usize) {
        if !self.block_start && self.blank_between(self.cursor, to) {
            self.end_line();
            self.out.push('\n');
        }
    }

    /// Start a statement at source position `start`: the comments and the
    /// blank line before it.
    pub fn begin_stmt(&mut self, start: usize) {
        self.comments_before(start);
        self.blank_if_gap(start);
        self.end_line();
        self.cursor = self.cursor.max(start);
        self.depth = 0;
        self.cont = false;
        self.block_start = false;
    }

    /// End a statement that ends at `end`: its trailing comment, then the line.
    pub fn end_stmt(&mut self, end: usize) {
        self.cursor = self.cursor.max(end);
        self.trailing_comment(end);
        self.end_line();
        self.cont = false;
    }

    // ------------------------------------------------------------ groups

    /// A bracket group: `open`, the items, `close` (whose source position is
    /// `close_at`). With a comment inside it is broken: one item per line,
    /// each followed by a comma, comments where they were.
    pub fn group<T>(
        &mut self,
        open: &str,
        close: &str,
        close_at: usize,
        items: &[T],
        mut each: impl FnMut(&mut Self, &T),
    ) {
        self.punct(open);
        let broken = self.comment_in(self.cursor, close_at);
        if !broken {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.punct(",");
                    self.space();
                }
                each(self, item);
            }
            self.punct(close);
            return;
        }
        self.depth += 1;
        for item in items {
            self.item_line();
            each(self, item);
            self.punct(",");
        }
        self.item_line();
        self.flush_to(close_at);
        self.depth -= 1;
        self.cont = false;
        self.end_line();
        self.punct(close);
    }

    /// A new line for the next item of a broken group.
    fn item_line(&mut self) {
        self.flush_same_line();
        self.end_line();
        self.cont = false;
    }

    /// The position of the bracket closing the one at `open`, outside
    /// strings and comments.
    pub fn matching(&self, open: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = open;
        while i < bytes.len() {
            match bytes[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                b'#' => i = self.text[i..].find('\n').map_or(bytes.len(), |n| i + n),
                b'"' => {
                    i += 1;
                    while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The next token's position from the cursor (for a group's opening bracket).
    pub fn next_from_cursor(&self) -> Option<usize> {
        self.next_token(self.cursor)
    }
}

/// Every `#` comment outside strings.
fn find_comments(text: &str) -> Vec<Comment> {
    let mut out = vec![];
    let mut in_string = false;
    let mut escaped = false;
    let mut iter = text.char_indices();
    while let Some((i, c)) = iter.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => {
                let end = text[i..].find('\n').map(|n| i + n).unwrap_or(text.len());
                out.push(Comment { start: i, end });
                // Skip to the end of the comment.
                for (j, _) in iter.by_ref() {
                    if j + 1 >= end {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}
