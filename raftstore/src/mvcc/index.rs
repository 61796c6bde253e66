//! The in-memory key index: for every key, the revisions at which it changed, grouped in
//! generations (a generation ends with a tombstone). Values live in RocksDB under the
//! revision; the index answers "which revision holds key K as of revision R".

use std::collections::BTreeMap;
use std::ops::Bound;

use super::revision::Revision;

/// A key's life from creation to deletion (or to now).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Generation {
    /// Main revision at which this generation created the key.
    created: i64,
    /// Version of `revs[0]` (compaction drops older revisions, so it is not always 1).
    first_version: i64,
    revs: Vec<Revision>,
    tombstone: Option<Revision>,
}

/// What the index knows of a key at one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAt {
    pub modified: Revision,
    pub created: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyHistory {
    gens: Vec<Generation>,
}

impl KeyHistory {
    pub fn put(&mut self, rev: Revision, created: i64, version: i64) {
        match self.gens.last_mut() {
            Some(g) if g.tombstone.is_none() => g.revs.push(rev),
            _ => self.gens.push(Generation {
                created,
                first_version: version,
                revs: vec![rev],
                tombstone: None,
            }),
        }
    }

    /// Ends the current generation. Returns false if the key was not live.
    pub fn tombstone(&mut self, rev: Revision) -> bool {
        match self.gens.last_mut() {
            Some(g) if g.tombstone.is_none() => {
                g.tombstone = Some(rev);
                true
            }
            _ => false,
        }
    }

    /// The key as of main revision `at`, or `None` if it did not exist then.
    pub fn get(&self, at: i64) -> Option<KeyAt> {
        for g in self.gens.iter().rev() {
            if g.created > at {
                continue;
            }
            if matches!(g.tombstone, Some(t) if t.main <= at) {
                return None;
            }
            let idx = g.revs.partition_point(|r| r.main <= at);
            if idx == 0 {
                return None;
            }
            return Some(KeyAt {
                modified: g.revs[idx - 1],
                created: g.created,
                version: g.first_version + idx as i64 - 1,
            });
        }
        None
    }

    pub fn latest(&self) -> Option<KeyAt> {
        self.get(i64::MAX)
    }

    /// Forget revisions older than `at`, keeping for each generation the newest revision at or
    /// below `at` (it is still the value as of `at`). Whole generations that ended at or below
    /// `at` go. Pushes every kept revision at or below `at` into `keep`; returns true if the
    /// key has nothing left.
    pub fn compact(&mut self, at: i64, keep: &mut Vec<Revision>) -> bool {
        self.gens
            .retain(|g| !matches!(g.tombstone, Some(t) if t.main <= at));
        for g in &mut self.gens {
            let idx = g.revs.partition_point(|r| r.main <= at);
            if idx > 1 {
                g.revs.drain(..idx - 1);
                g.first_version += idx as i64 - 1;
            }
            if let Some(first) = g.revs.first()
                && first.main <= at
            {
                keep.push(*first);
            }
        }
        self.gens.is_empty()
    }
}

/// All keys, ordered.
#[derive(Debug, Default)]
pub struct KeyIndex {
    keys: BTreeMap<Vec<u8>, KeyHistory>,
}

/// Does `key` fall in etcd's range `[start, end)`? An empty `end` means exactly `start`;
/// `end == [0]` means every key at or after `start`.
pub fn in_range(key: &[u8], start: &[u8], end: &[u8]) -> bool {
    if end.is_empty() {
        key == start
    } else if end == [0] {
        key >= start
    } else {
        key >= start && key < end
    }
}

impl KeyIndex {
    pub fn put(&mut self, key: &[u8], rev: Revision, created: i64, version: i64) {
        match self.keys.get_mut(key) {
            Some(h) => h.put(rev, created, version),
            None => {
                let mut h = KeyHistory::default();
                h.put(rev, created, version);
                self.keys.insert(key.to_vec(), h);
            }
        }
    }

    pub fn tombstone(&mut self, key: &[u8], rev: Revision) -> bool {
        self.keys.get_mut(key).is_some_and(|h| h.tombstone(rev))
    }

    pub fn get(&self, key: &[u8], at: i64) -> Option<KeyAt> {
        self.keys.get(key)?.get(at)
    }

    /// Keys in `[start, end)` that existed at `at`, in key order, up to `limit` (0 = all).
    /// Also returns how many there were in all.
    pub fn range(
        &self,
        start: &[u8],
        end: &[u8],
        at: i64,
        limit: usize,
    ) -> (Vec<(&[u8], KeyAt)>, usize) {
        let mut out = Vec::new();
        let mut count = 0;
        for (k, h) in self.range_iter(start, end) {
            if let Some(ka) = h.get(at) {
                count += 1;
                if limit == 0 || out.len() < limit {
                    out.push((k.as_slice(), ka));
                }
            }
        }
        (out, count)
    }

    fn range_iter<'a>(
        &'a self,
        start: &[u8],
        end: &[u8],
    ) -> Box<dyn Iterator<Item = (&'a Vec<u8>, &'a KeyHistory)> + 'a> {
        if end.is_empty() {
            return Box::new(self.keys.get_key_value(start).into_iter());
        }
        let lower = Bound::Included(start.to_vec());
        if end == [0] {
            Box::new(self.keys.range((lower, Bound::Unbounded)))
        } else if end <= start {
            Box::new(std::iter::empty())
        } else {
            Box::new(self.keys.range((lower, Bound::Excluded(end.to_vec()))))
        }
    }

    /// Compact every key at `at`; returns the revisions (at or below `at`) still needed.
    pub fn compact(&mut self, at: i64) -> Vec<Revision> {
        let mut keep = Vec::new();
        self.keys.retain(|_, h| !h.compact(at, &mut keep));
        keep
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(main: i64) -> Revision {
        Revision::new(main, 0)
    }

    #[test]
    fn versions_and_generations() {
        let mut h = KeyHistory::default();
        h.put(r(2), 2, 1);
        h.put(r(4), 2, 2);
        assert!(h.tombstone(r(6)));
        h.put(r(8), 8, 1);
        assert_eq!(h.get(1), None);
        assert_eq!(
            h.get(2),
            Some(KeyAt {
                modified: r(2),
                created: 2,
                version: 1
            })
        );
        assert_eq!(
            h.get(5),
            Some(KeyAt {
                modified: r(4),
                created: 2,
                version: 2
            })
        );
        assert_eq!(h.get(6), None);
        assert_eq!(h.get(7), None);
        assert_eq!(
            h.get(9),
            Some(KeyAt {
                modified: r(8),
                created: 8,
                version: 1
            })
        );
        assert!(!h.tombstone(r(9)) || h.get(10).is_none());
    }

    #[test]
    fn compaction_keeps_the_value_as_of_the_compacted_revision() {
        let mut h = KeyHistory::default();
        for m in 1..=5 {
            h.put(r(m), 1, m);
        }
        let mut keep = vec![];
        assert!(!h.compact(3, &mut keep));
        assert_eq!(keep, vec![r(3)]);
        assert_eq!(
            h.get(3),
            Some(KeyAt {
                modified: r(3),
                created: 1,
                version: 3
            })
        );
        assert_eq!(h.get(5).map(|k| k.version), Some(5));
    }

    #[test]
    fn compaction_drops_deleted_generations() {
        let mut h = KeyHistory::default();
        h.put(r(1), 1, 1);
        h.tombstone(r(2));
        let mut keep = vec![];
        assert!(h.compact(2, &mut keep));
        assert!(keep.is_empty());
    }

    #[test]
    fn ranges() {
        let mut ix = KeyIndex::default();
        for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
            ix.put(k.as_bytes(), r(i as i64 + 1), i as i64 + 1, 1);
        }
        ix.tombstone(b"c", r(5));
        let keys = |s: &[u8], e: &[u8], at: i64| -> Vec<String> {
            ix.range(s, e, at, 0)
                .0
                .iter()
                .map(|(k, _)| String::from_utf8(k.to_vec()).unwrap())
                .collect()
        };
        assert_eq!(keys(b"a", b"c", 10), ["a", "b"]);
        assert_eq!(keys(b"b", b"\0", 10), ["b", "d"]);
        assert_eq!(keys(b"b", b"\0", 4), ["b", "c", "d"]);
        assert_eq!(keys(b"c", b"", 4), ["c"]);
        assert_eq!(keys(b"\0", b"\0", 2), ["a", "b"]);
        assert!(keys(b"d", b"a", 10).is_empty());
        let (some, count) = ix.range(b"a", b"\0", 10, 2);
        assert_eq!((some.len(), count), (2, 3));
    }
}
