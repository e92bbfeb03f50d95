//! The session data every variant carries: a counter that the handler reads
//! and writes, and a cart that rides along untouched (the bulk of the bytes).

use serde::{Deserialize, Serialize};

/// Payload sizes measured (bytes of the session data as JSON). 224 B and
/// 2.2 KB are the reference points; the others draw the curve.
pub const SIZES: [usize; 4] = [224, 1024, 2200, 3500];

/// One line of the cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stock keeping unit: pseudo-random hex, so the data compresses like
    /// real ids do (poorly), not like repeated filler.
    pub sku: String,
    /// Quantity.
    pub qty: u32,
    /// Unit price.
    pub price_cents: u64,
}

/// The whole session as a typed struct (used as is by the typed variants:
/// ours and axum-extra; the key-value peers store `counter` and `cart`
/// under those two keys).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payload {
    /// Read and written by the handler on every request.
    pub counter: u64,
    /// Carried, never touched by the handler.
    pub cart: Vec<Item>,
}

/// SplitMix64: a fixed, dependency-free sequence for the skus.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Payload {
    /// A payload whose JSON (`serde_json::to_vec(&payload)`) is as close to
    /// `target` bytes (the last sku is lengthened to make it exact), so
    /// every variant carries the same bytes.
    pub fn of_size(target: usize) -> Self {
        let mut seed = 0x5EED_u64;
        let mut payload = Payload {
            counter: 1,
            cart: Vec::new(),
        };
        loop {
            let item = Item {
                sku: format!("{:016x}", splitmix(&mut seed)),
                qty: (splitmix(&mut seed) % 9 + 1) as u32,
                price_cents: splitmix(&mut seed) % 100_000,
            };
            payload.cart.push(item);
            if payload.json_len() > target && payload.cart.len() > 1 {
                payload.cart.pop();
                let short = target.saturating_sub(payload.json_len());
                let last = payload.cart.last_mut().expect("more than one item");
                let pad: String = "0123456789abcdef".chars().cycle().take(short).collect();
                last.sku.push_str(&pad);
                return payload;
            }
        }
    }

    /// Length of the JSON encoding.
    pub fn json_len(&self) -> usize {
        serde_json::to_vec(self).expect("payload serialises").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_exact() {
        for size in SIZES {
            assert_eq!(Payload::of_size(size).json_len(), size);
        }
    }

    #[test]
    fn payload_round_trips() {
        let p = Payload::of_size(2200);
        let back: Payload = serde_json::from_slice(&serde_json::to_vec(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
