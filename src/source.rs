//! Source files loaded for one check: the root file and everything it
//! imports, addressed by `FileId` so spans can point into any of them.

use std::sync::Arc;

/// Index of a file in `Sources`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Name shown in diagnostics (`experiments/fig1.reg`, `std/policies`).
    pub name: String,
    pub text: Arc<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            text: Arc::new(text.into()),
        });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn name(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.name.as_str()).unwrap_or("<unknown>")
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(|f| f.text.as_str()).unwrap_or("")
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in Unicode scalar values, see
    /// `LineIndex`) of a byte offset.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let text = self.text(id);
        let p = LineIndex::new(text).position(text, offset);
        (p.line + 1, p.column + 1)
    }
}

/// Where a byte offset is, in every unit a reader may count in. All are
/// 0-based here; the command line prints `line + 1` and `column + 1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: usize,
    /// Unicode scalar values (Rust `char`s) from the start of the line: the
    /// column regime prints, one per character whatever its encoding.
    pub column: usize,
    /// UTF-16 code units from the start of the line: the LSP `character`.
    pub utf16_column: usize,
    /// UTF-16 code units from the start of the file (a JavaScript string index).
    pub utf16_offset: usize,
}

/// The start of every line of a text, for turning byte offsets into
/// positions (and LSP positions back into offsets) without rescanning the
/// text before them: a 5 MB file is scanned once, when the index is built.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset of each line's first character.
    starts: Vec<usize>,
    /// UTF-16 offset of each line's first character.
    starts_utf16: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut starts_utf16 = vec![0];
        let mut utf16 = 0;
        for (i, c) in text.char_indices() {
            utf16 += c.len_utf16();
            if c == '\n' {
                starts.push(i + 1);
                starts_utf16.push(utf16);
            }
        }
        LineIndex {
            starts,
            starts_utf16,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The position of a byte offset of `text` (the text the index was built
    /// from). Offsets past the end count as the end; an offset inside a
    /// character counts as that character's start.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let before = text.get(start..offset).unwrap_or("");
        let utf16_column: usize = before.chars().map(char::len_utf16).sum();
        Position {
            line,
            column: before.chars().count(),
            utf16_column,
            utf16_offset: self.starts_utf16[line] + utf16_column,
        }
    }

    /// The byte offset of a 0-based line and UTF-16 column (an LSP
    /// position). A column past the end of its line means the line's end and
    /// a line past the last means the end of the text, as LSP asks; a column
    /// inside a surrogate pair means the character's start.
    pub fn offset_of_utf16(&self, text: &str, line: usize, utf16_column: usize) -> usize {
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self.starts.get(line + 1).map_or(text.len(), |&e| e - 1);
        let mut units = 0;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            units += c.len_utf16();
            if units > utf16_column {
                return start + i;
            }
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_scalars_and_utf16_units() {
        // `λ` is 2 bytes and 1 UTF-16 unit; `𝔼` is 4 bytes and 2 units.
        let text = "ab\nλ𝔼x\n\nend";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        let x = text.find('x').unwrap();
        let p = index.position(text, x);
        assert_eq!((p.line, p.column, p.utf16_column), (1, 2, 3));
        assert_eq!(p.utf16_offset, 3 + 3);
        assert_eq!(index.offset_of_utf16(text, 1, 3), x);
        // Inside the surrogate pair: the character's start.
        assert_eq!(index.offset_of_utf16(text, 1, 2), text.find('𝔼').unwrap());
        // Past the end of a line, and past the last line.
        assert_eq!(index.offset_of_utf16(text, 1, 99), x + 1);
        assert_eq!(index.offset_of_utf16(text, 9, 0), text.len());
        let end = index.position(text, text.len());
        assert_eq!((end.line, end.column), (3, 3));
        // Inside a character: its start.
        assert_eq!(index.position(text, text.find('λ').unwrap() + 1).column, 0);
    }
}
