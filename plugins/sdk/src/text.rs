//! Positions in file contents, for `check-files` findings.

/// Maps byte offsets of one file to 1-based (line, column) pairs; build once per file.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(contents: &[u8]) -> Self {
        let starts = std::iter::once(0)
            .chain(
                contents
                    .iter()
                    .enumerate()
                    .filter(|&(_, &b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Self { starts }
    }

    /// The 1-based line and byte column of `offset`.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&start| start <= offset);
        let column = offset - self.starts[line - 1] + 1;
        (line as u32, column as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let index = LineIndex::new(b"ab\ncd\n\nef");
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(1), (1, 2));
        assert_eq!(index.position(3), (2, 1));
        assert_eq!(index.position(6), (3, 1));
        assert_eq!(index.position(8), (4, 2));
    }
}
