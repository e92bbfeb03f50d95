//! The reader's numbers past their one-byte case: LEB128, up to ten bytes.

/// [`Reader::u`](super::Reader::u) past its one-byte case, at `pos`: the number (`None`:
/// refused) and the position after it (or of the fault). Not a method: the
/// reader's position is never behind a pointer, so field loops keep it in
/// a register.
pub(super) fn u_long(buf: &[u8], pos: usize) -> (Option<u64>, usize) {
    // Up to eight bytes (a timestamp takes six or seven): read as one
    // word, the end found by its first byte under 0x80, the 7-bit
    // groups gathered by three shifts.
    if let Some(word) = buf.get(pos..pos + 8) {
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        let ends = !w & 0x8080_8080_8080_8080;
        if ends != 0 {
            let len = ends.trailing_zeros() as usize / 8 + 1;
            let x = w & (u64::MAX >> (64 - 8 * len)) & 0x7f7f_7f7f_7f7f_7f7f;
            let x = (x & 0x007f_007f_007f_007f) | (x & 0x7f00_7f00_7f00_7f00) >> 1;
            let x = (x & 0x0000_3fff_0000_3fff) | (x & 0x3fff_0000_3fff_0000) >> 2;
            let x = (x & 0x0000_0000_0fff_ffff) | (x & 0x0fff_ffff_0000_0000) >> 4;
            return (Some(x), pos + len);
        }
    }
    u_loop(buf, pos)
}

/// [`u_long`] byte by byte: near the input's end, and past eight bytes.
pub(super) fn u_loop(buf: &[u8], pos: usize) -> (Option<u64>, usize) {
    let mut v = 0u64;
    for (i, &b) in buf[pos..].iter().take(10).enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b < 0x80 {
            // The tenth byte may only carry the top bit of a u64.
            if i == 9 && b > 1 {
                return (None, pos + i);
            }
            return (Some(v), pos + i + 1);
        }
    }
    (None, buf.len().min(pos + 10))
}
