//! The line-by-line parser behind [`parse`](super::parse) and the list splitter.

use super::*;

/// Splits a comma-separated list value (such as `[project] ignore` or
/// `[buildfile] name`) into its trimmed, non-empty items, each with its byte
/// range in `text`.
///
/// `text` must be the text `entry` was parsed from; otherwise the result is
/// meaningless (but this still does not panic). An item broken across a line
/// continuation is joined with a single space, as in [`Entry::value`], and
/// its range then covers the line break.
#[must_use]
pub fn split_list(entry: &Entry, text: &str) -> Vec<(String, Range<usize>)> {
    let mut items = Vec::new();
    let Some(region) = text.get(entry.value_span.clone()) else {
        return items;
    };
    // Trimmed, non-empty fragments of the item being collected.
    let mut fragments: Vec<(usize, &str)> = Vec::new();
    let mut offset = entry.value_span.start;
    let mut segments = region.split('\n').peekable();
    while let Some(raw) = segments.next() {
        let segment_start = offset;
        offset += raw.len() + 1;
        let (seg_start, mut seg) = trim_at(segment_start, raw);
        if segments.peek().is_some() {
            // Only the last segment lacks the continuation backslash.
            seg = seg.strip_suffix('\\').unwrap_or(seg).trim_end();
        }
        let mut part_start = seg_start;
        for (i, part) in seg.split(',').enumerate() {
            if i > 0 {
                finish_item(&mut fragments, &mut items);
            }
            let (frag_start, frag) = trim_at(part_start, part);
            if !frag.is_empty() {
                fragments.push((frag_start, frag));
            }
            part_start += part.len() + 1;
        }
    }
    finish_item(&mut fragments, &mut items);
    items
}

/// Turns the collected fragments of one list item into an item, if any.
pub(super) fn finish_item(fragments: &mut Vec<(usize, &str)>, items: &mut Vec<(String, Range<usize>)>) {
    if let (Some(&(start, _)), Some(&(last_start, last))) = (fragments.first(), fragments.last()) {
        let joined = fragments.iter().map(|&(_, f)| f).collect::<Vec<_>>().join(" ");
        items.push((joined, start..last_start + last.len()));
    }
    fragments.clear();
}

/// Trims `s`, which starts at byte `start`, returning the trimmed text and
/// where it starts.
pub(super) fn trim_at(start: usize, s: &str) -> (usize, &str) {
    let trimmed_start = s.trim_start();
    (start + (s.len() - trimmed_start.len()), trimmed_start.trim_end())
}

/// One physical line, without its `\n` or `\r\n` terminator.
#[derive(Clone, Copy)]
pub(super) struct Line<'a> {
    pub(super) start: usize,
    pub(super) text: &'a str,
}

impl Line<'_> {
    pub(super) fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// Iterates over the physical lines of `text` starting at byte `pos`.
pub(super) struct PhysicalLines<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
}

impl<'a> Iterator for PhysicalLines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.text.get(self.pos..).filter(|r| !r.is_empty())?;
        let start = self.pos;
        let (raw, consumed) = match rest.find('\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += consumed;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        Some(Line { start, text })
    }
}

/// Which section assignments currently belong to.
pub(super) enum Section {
    /// Before the first header.
    None,
    /// After a valid header.
    Named(String),
    /// After a malformed header: assignments are dropped silently.
    Invalid,
}

pub(super) struct Parser {
    pub(super) file: BuckConfigFile,
    pub(super) section: Section,
}

impl Parser {
    pub(super) fn error(&mut self, kind: ConfigErrorKind, message: impl Into<String>, span: Range<usize>) {
        self.file.errors.push(ConfigError { message: message.into(), span, kind });
    }

    /// Handles one logical line starting with `line`, pulling continuation
    /// lines from `rest` when needed.
    pub(super) fn line(&mut self, line: Line<'_>, rest: &mut PhysicalLines<'_>) {
        let (start, text) = trim_at(line.start, line.text);
        if text.is_empty() || text.starts_with('#') || text.starts_with(';') {
            return;
        }
        if text.starts_with('[') {
            self.header(start, text);
        } else if text.starts_with("<file:")
            || text.starts_with("<?file:")
            || (text.starts_with('<') && !text.contains('='))
        {
            self.include(start, text);
        } else if text.contains('=') {
            self.assignment(line, start, text, rest);
        } else {
            self.error(
                ConfigErrorKind::UnexpectedLine,
                "expected `key = value`, a `[section]` header or a comment",
                start..start + text.len(),
            );
        }
    }

    /// `text` is a trimmed line starting with `[`, at byte `start`.
    pub(super) fn header(&mut self, start: usize, text: &str) {
        let inner = &text[1..];
        let (raw_name, span) = if let Some(name) = inner.strip_suffix(']') {
            (name, start..start + text.len())
        } else if let Some(close) = inner.find(']') {
            let (after_start, after) = trim_at(start + 1 + close + 1, &inner[close + 1..]);
            // Buck2's parser accepts a comment after the header (`[section] # note`).
            if after.starts_with('#') || after.starts_with(';') {
                let span = start..start + 1 + close + 1;
                return self.named_header(start, &inner[..close], span);
            }
            self.error(
                ConfigErrorKind::TextAfterHeader,
                "unexpected text after section header (only a comment may follow it)",
                after_start..after_start + after.len(),
            );
            (&inner[..close], start..start + 1 + close + 1)
        } else {
            self.error(
                ConfigErrorKind::UnclosedHeader,
                "section header is missing its closing `]`",
                start..start + text.len(),
            );
            self.section = Section::Invalid;
            return;
        };
        self.named_header(start, raw_name, span);
    }

    pub(super) fn named_header(&mut self, start: usize, raw_name: &str, span: std::ops::Range<usize>) {
        let (name_start, name) = trim_at(start + 1, raw_name);
        if name.is_empty() {
            self.error(ConfigErrorKind::EmptySectionName, "section header has an empty name", span);
            self.section = Section::Invalid;
            return;
        }
        self.section = Section::Named(name.to_owned());
        self.file.sections.push(SectionHeader {
            name: name.to_owned(),
            span,
            name_span: name_start..name_start + name.len(),
        });
    }

    /// `text` is a trimmed line starting with `<`, at byte `start`.
    pub(super) fn include(&mut self, start: usize, text: &str) {
        let span = start..start + text.len();
        let (optional, prefix) = if text.starts_with("<?file:") {
            (true, "<?file:")
        } else if text.starts_with("<file:") {
            (false, "<file:")
        } else {
            self.error(
                ConfigErrorKind::MalformedInclude,
                "malformed include: expected `<file:path>` or `<?file:path>`",
                span,
            );
            return;
        };
        let Some(raw_path) = text[prefix.len()..].strip_suffix('>') else {
            self.error(ConfigErrorKind::MalformedInclude, "include is missing its closing `>`", span);
            return;
        };
        let (path_start, path) = trim_at(start + prefix.len(), raw_path);
        if path.is_empty() {
            self.error(ConfigErrorKind::EmptyIncludePath, "include has an empty path", span);
            return;
        }
        self.file.includes.push(Include {
            path: path.to_owned(),
            optional,
            span,
            path_span: path_start..path_start + path.len(),
        });
    }

    /// `text` is the trimmed `line`, at byte `start`, and contains `=`.
    pub(super) fn assignment(&mut self, line: Line<'_>, start: usize, text: &str, rest: &mut PhysicalLines<'_>) {
        let Some(eq) = text.find('=') else { return };
        let key = text[..eq].trim_end();
        let key_span = start..start + key.len();
        let after_eq = start + eq + 1;

        // Collect the value pieces, following `\` continuations.
        let mut pieces: Vec<(usize, &str)> = Vec::new();
        let mut segment = (after_eq, &text[eq + 1..]);
        let mut line_end = line.end();
        let mut logical_end = start + text.len();
        loop {
            let (seg_start, seg) = trim_at(segment.0, segment.1);
            if !seg.is_empty() {
                logical_end = seg_start + seg.len();
            }
            let continued = seg.ends_with('\\');
            let piece = if continued { seg[..seg.len() - 1].trim_end() } else { seg };
            if !piece.is_empty() {
                pieces.push((seg_start, piece));
            }
            if !continued {
                break;
            }
            let Some(next) = rest.next() else { break };
            segment = (next.start, next.text);
            line_end = next.end();
        }

        let logical_span = start..logical_end;
        let section = match &self.section {
            Section::Named(name) => name.clone(),
            Section::None => {
                self.error(
                    ConfigErrorKind::KeyOutsideSection,
                    "`key = value` outside of any `[section]`",
                    logical_span,
                );
                return;
            }
            Section::Invalid => {
                if key.is_empty() {
                    self.error(ConfigErrorKind::EmptyKey, "empty key before `=`", logical_span);
                }
                return;
            }
        };
        if key.is_empty() {
            self.error(ConfigErrorKind::EmptyKey, "empty key before `=`", logical_span);
            return;
        }
        let value_span = match (pieces.first(), pieces.last()) {
            (Some(&(first, _)), Some(&(last_start, last))) => first..last_start + last.len(),
            _ => after_eq..after_eq,
        };
        let value = pieces.iter().map(|&(_, p)| p).collect::<Vec<_>>().join(" ");
        self.file.entries.push(Entry {
            section,
            key: key.to_owned(),
            value,
            key_span,
            value_span,
            line_span: line.start..line_end,
        });
    }
}
