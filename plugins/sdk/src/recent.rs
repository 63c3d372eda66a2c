//! A few values made lately, the most recently used first: what the SDK remembers across
//! the thousands of objects a rule is sent, when they need the same few things made.

/// Up to `N` values, each with the key it was made for, the most recently used first.
pub(crate) struct Recent<K, V, const N: usize>(Vec<(K, V)>);

impl<K, V, const N: usize> Default for Recent<K, V, N> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<K, V, const N: usize> Recent<K, V, N> {
    /// The value whose key `is_key` accepts, or the key and value `make` gives, kept in
    /// place of the least recently used when `N` are kept.
    pub(crate) fn get_or_make(
        &mut self,
        is_key: impl Fn(&K) -> bool,
        make: impl FnOnce() -> (K, V),
    ) -> &V {
        match self.0.iter().position(|(key, _)| is_key(key)) {
            Some(at) => self.0[..=at].rotate_right(1),
            None => {
                self.0.truncate(N - 1);
                self.0.insert(0, make());
            }
        }
        &self.0[0].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_made_once_and_the_least_recent_goes_first() {
        let mut recent = Recent::<u32, String, 2>::default();
        let mut made = 0;
        let mut get = |recent: &mut Recent<u32, String, 2>, key: u32| {
            recent
                .get_or_make(
                    |k| *k == key,
                    || {
                        made += 1;
                        (key, key.to_string())
                    },
                )
                .clone()
        };
        assert_eq!(get(&mut recent, 1), "1");
        assert_eq!(get(&mut recent, 2), "2");
        assert_eq!(get(&mut recent, 1), "1"); // kept: 1 is now the most recent
        assert_eq!(get(&mut recent, 3), "3"); // 2, the least recent, goes
        assert_eq!(get(&mut recent, 1), "1");
        assert_eq!(get(&mut recent, 2), "2"); // made again
        assert_eq!(made, 4);
    }
}
