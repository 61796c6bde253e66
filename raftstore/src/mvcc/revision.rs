//! A revision: the store's global `main` counter (one per write transaction) and the `sub`
//! position of a change inside that transaction. Encoded so that RocksDB orders keys by
//! revision, exactly as etcd lays out its `key` bucket.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Revision {
    pub main: i64,
    pub sub: i64,
}

/// Bytes of an encoded revision without the tombstone mark.
pub const REV_BYTES: usize = 17;

impl Revision {
    pub fn new(main: i64, sub: i64) -> Revision {
        Revision { main, sub }
    }

    pub fn to_key(self, tombstone: bool) -> Vec<u8> {
        let mut b = Vec::with_capacity(REV_BYTES + 1);
        b.extend_from_slice(&self.main.to_be_bytes());
        b.push(b'_');
        b.extend_from_slice(&self.sub.to_be_bytes());
        if tombstone {
            b.push(b't');
        }
        b
    }

    /// Decode a key written by [`Revision::to_key`]; the flag says whether it marks a tombstone.
    pub fn from_key(b: &[u8]) -> Option<(Revision, bool)> {
        if b.len() < REV_BYTES || b[8] != b'_' {
            return None;
        }
        let main = i64::from_be_bytes(b[0..8].try_into().ok()?);
        let sub = i64::from_be_bytes(b[9..17].try_into().ok()?);
        Some((
            Revision { main, sub },
            b.len() > REV_BYTES && b[REV_BYTES] == b't',
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_revision() {
        let revs = [
            Revision::new(1, 0),
            Revision::new(1, 1),
            Revision::new(2, 0),
            Revision::new(256, 3),
        ];
        for w in revs.windows(2) {
            assert!(w[0].to_key(false) < w[1].to_key(true));
            assert!(w[0].to_key(true) < w[1].to_key(false));
        }
        assert_eq!(
            Revision::from_key(&revs[3].to_key(true)),
            Some((revs[3], true))
        );
        assert_eq!(
            Revision::from_key(&revs[2].to_key(false)),
            Some((revs[2], false))
        );
        assert_eq!(Revision::from_key(b"short"), None);
    }
}
