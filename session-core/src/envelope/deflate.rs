//! Raw deflate with one compressor and one decompressor per thread, and an
//! inflate that stops at a cap (J4): for whole envelopes and for single
//! record fields.

use std::cell::RefCell;

use crate::error::EnvelopeError;

use super::{DEFAULT_MAX_INFLATED, MAX_INFLATE_RATIO};

thread_local! {
    /// One deflate state per thread, reset between calls: a fresh encoder
    /// per call costs ~7× more on small inputs.
    static DEFLATER: RefCell<flate2::Compress> =
        RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
}

pub(crate) fn deflate(input: &[u8]) -> Option<Vec<u8>> {
    DEFLATER.with(|d| {
        let mut d = d.borrow_mut();
        d.reset();
        let mut out = Vec::with_capacity(input.len());
        match d.compress_vec(input, &mut out, flate2::FlushCompress::Finish) {
            Ok(flate2::Status::StreamEnd) => Some(out),
            // Output did not fit in input.len() bytes: compression does not pay.
            _ => None,
        }
    })
}

thread_local! {
    /// One inflate state per thread, reset between calls: building one per
    /// call zeroes a ~43 KB window each time.
    static INFLATER: RefCell<flate2::Decompress> = RefCell::new(flate2::Decompress::new(false));
}

/// Inflates one deflated record field, within the default caps (64 KiB,
/// 50:1; J4).
pub(crate) fn inflate_field(input: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    inflate(input, inflate_cap(DEFAULT_MAX_INFLATED, input.len()))
}

/// The most bytes `compressed_len` bytes of deflate may inflate to: the size
/// cap `max` and the ratio cap (J4).
pub(super) fn inflate_cap(max: usize, compressed_len: usize) -> usize {
    max.min(compressed_len.saturating_mul(MAX_INFLATE_RATIO).max(1024))
}

/// `data` deflated, only when it pays (F7: at least 2 bytes saved) and our
/// own reader, capped at `max` bytes, will inflate it again (else the data
/// could never be read back).
pub(crate) fn deflate_if_it_pays(data: &[u8], max: usize) -> Option<Vec<u8>> {
    let packed = deflate(data)?;
    (packed.len() + 2 <= data.len() && data.len() <= inflate_cap(max, packed.len()))
        .then_some(packed)
}

/// Inflates raw deflate data, stopping with an error past `cap` bytes (J4).
/// Streaming into a buffer grown in steps and never past `cap + 1` bytes, so
/// a bomb costs at most that much memory.
pub(super) fn inflate(input: &[u8], cap: usize) -> Result<Vec<u8>, EnvelopeError> {
    if input.is_empty() {
        return Err(EnvelopeError::Invalid);
    }
    let limit = cap.saturating_add(1);
    INFLATER.with(|d| {
        let mut d = d.borrow_mut();
        d.reset(false);
        let mut out = Vec::with_capacity(limit.min(input.len().saturating_mul(4)));
        loop {
            if out.len() == out.capacity() {
                let more = out.len().max(256).min(limit - out.len());
                if more == 0 {
                    return Err(EnvelopeError::Invalid); // Past the cap.
                }
                out.reserve_exact(more);
            }
            let (in_before, out_before) = (d.total_in(), d.total_out());
            let consumed = usize::try_from(in_before).map_err(|_| EnvelopeError::Invalid)?;
            let status = d
                // Not `Finish`: miniz treats a first `Finish` call as
                // one-shot and fails for good if the buffer is too small.
                .decompress_vec(&input[consumed..], &mut out, flate2::FlushDecompress::None)
                .map_err(|_| EnvelopeError::Invalid)?;
            if status == flate2::Status::StreamEnd {
                break;
            }
            let stalled = d.total_in() == in_before && d.total_out() == out_before;
            if stalled && out.len() < out.capacity() {
                return Err(EnvelopeError::Invalid); // Truncated stream.
            }
        }
        let consumed_all = d.total_in() == input.len() as u64;
        if out.len() > cap || !consumed_all {
            return Err(EnvelopeError::Invalid);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflate_inflate_round_trip() {
        let data = br#"{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#.repeat(40);
        let small = deflate(&data).unwrap();
        assert!(small.len() < data.len());
        assert_eq!(inflate(&small, 1 << 20).unwrap(), data);
    }

    #[test]
    fn reused_inflater_recovers_after_a_bad_or_capped_input() {
        let data = b"abcabcabcabcabcabcabcabcabcabcabcabc".repeat(30);
        let small = deflate(&data).unwrap();
        assert!(inflate(&small[..small.len() / 2], 1 << 20).is_err());
        assert!(inflate(&small, 16).is_err());
        assert!(inflate(b"\xff\xff\xff", 1 << 20).is_err());
        assert_eq!(inflate(&small, 1 << 20).unwrap(), data);
        assert_eq!(
            inflate(&small, data.len()).unwrap(),
            data,
            "exactly at the cap"
        );
    }

    #[test]
    fn inflate_stops_at_cap_j4() {
        let bomb = deflate(&vec![0u8; 1 << 20]).unwrap();
        assert!(matches!(
            inflate(&bomb, 64 * 1024),
            Err(EnvelopeError::Invalid)
        ));
    }

    #[test]
    fn inflate_state_is_reset_after_bomb_and_garbage_j4() {
        // The decompressor is reused per thread: a failed call (bomb,
        // truncation, garbage) must not affect the next one.
        let data = b"hello session hello session ".repeat(20);
        let small = deflate(&data).unwrap();
        let bomb = deflate(&vec![0u8; 1 << 20]).unwrap();
        assert!(inflate(&bomb, 1024).is_err());
        assert!(inflate(&small[..small.len() / 2], 1 << 16).is_err());
        assert!(inflate(&[0xff, 0xfe, 0xfd, 0xfc], 1 << 16).is_err());
        assert_eq!(inflate(&small, 1 << 16).unwrap(), data);
        assert_eq!(inflate(&small, 1 << 16).unwrap(), data);
    }

    #[test]
    fn inflate_rejects_truncated_and_trailing() {
        let data = b"hello hello hello hello hello hello".repeat(10);
        let small = deflate(&data).unwrap();
        assert!(inflate(&small[..small.len() - 3], 1 << 16).is_err());
        let mut trailing = small.clone();
        trailing.push(0);
        assert!(inflate(&trailing, 1 << 16).is_err());
        assert!(inflate(&[], 1 << 16).is_err());
    }

    #[test]
    fn inflate_cap_is_inclusive_and_state_is_reset_j4() {
        let data = vec![b'x'; 5000];
        let small = deflate(&data).unwrap();
        assert_eq!(inflate(&small, 5000).unwrap(), data);
        assert!(inflate(&small, 4999).is_err());
        // A truncated stream whose output would be large fails cleanly, and
        // the reused thread-local state still works afterwards.
        assert!(inflate(&small[..small.len() / 2], 1 << 16).is_err());
        assert_eq!(inflate(&small, 1 << 16).unwrap(), data);
    }
}
