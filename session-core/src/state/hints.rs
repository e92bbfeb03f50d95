//! Where schema keys were last found, by the address of their `'static`
//! text (see [`Slots::schema_entry`](super::slot::Slots::schema_entry)): a hint,
//! checked before use, so a stale, torn or missing entry only costs the
//! scan it would have saved.
//!
//! Each entry holds the key's address (its low 48 bits, shifted up) with
//! the index in its low 16 bits, so a key finds its own entry, not one a
//! colliding key left. An address hashes (by a multiplication) to a pair
//! of entries, both read: two keys of a schema that share a pair each keep
//! their own. With one untagged entry per hash, colliding keys thrashed:
//! the read probe's `user_id` and `recent` did under valgrind (its load
//! address), a miss and a scan each per state (~350 instructions); how
//! often elsewhere depended on where the binary was loaded.

use std::sync::atomic::{AtomicU64, Ordering};

/// Index bits of an entry.
const AT: u64 = 0xffff;

/// Pairs of entries (256 pairs).
pub(super) struct Table([AtomicU64; 512]);

/// The hints of every schema key.
pub(super) static HINTS: Table = Table::new();

/// The key's tag (its address, shifted past the index bits) and the first
/// of its pair of entries.
#[inline]
fn place(key: &'static str) -> (u64, usize) {
    let at = key.as_ptr().addr() as u64;
    let pair = (at.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize;
    (at << 16, pair * 2)
}

impl Table {
    /// No hints.
    pub(super) const fn new() -> Self {
        Table([const { AtomicU64::new(0) }; 512])
    }

    /// Where `key` was last found: the index its entry holds, or an
    /// arbitrary one (for the caller to check) if neither entry is its.
    #[inline]
    pub(super) fn guess(&self, key: &'static str) -> usize {
        let (tag, first) = place(key);
        let a = self.0[first].load(Ordering::Relaxed);
        let b = self.0[first + 1].load(Ordering::Relaxed);
        // A select, not a branch: the index read is checked anyway.
        let hit = if a & !AT == tag { a } else { b };
        (hit & AT) as usize
    }

    /// Records that `key` is at index `i`: in its own entry of the pair if
    /// it has one, else in an empty one, else over the first. An index
    /// past 16 bits is not kept.
    pub(super) fn keep(&self, key: &'static str, i: usize) {
        let Ok(i) = u16::try_from(i) else { return };
        let (tag, first) = place(key);
        let (a, b) = (&self.0[first], &self.0[first + 1]);
        let (va, vb) = (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed));
        let entry = if vb & !AT == tag || (va & !AT != tag && va != 0 && vb == 0) {
            b
        } else {
            a
        };
        entry.store(tag | u64::from(i), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys whose addresses share a pair of entries each keep their own;
    /// a third sharing it evicts one, which then only misses (the caller
    /// checks every guess); an index past 16 bits is not kept.
    #[test]
    fn hints_keep_each_key_its_own_entry() {
        let table = Table::new();
        // Three keys whose addresses hash to the same pair, found among
        // leaked strings (each at its own address).
        let first: &'static str = String::from("k").leak();
        let mut same = vec![first];
        while same.len() < 3 {
            let k: &'static str = String::from("k").leak();
            if place(k).1 == place(first).1 {
                same.push(k);
            }
        }
        let (a, b, c) = (same[0], same[1], same[2]);
        table.keep(a, 3);
        table.keep(b, 5);
        assert_eq!((table.guess(a), table.guess(b)), (3, 5));
        table.keep(a, 4);
        assert_eq!((table.guess(a), table.guess(b)), (4, 5));
        table.keep(c, 7);
        assert_eq!(table.guess(c), 7);
        assert!(table.guess(a) == 4 || table.guess(b) == 5, "one kept");
        table.keep(c, 70_000);
        assert_eq!(table.guess(c), 7, "not kept past 16 bits");
    }
}
