//! The numeric-heavy session: prices as `f64`, `u64` ids, many small
//! nested structs, `Option` fields and maps. Its whole-struct serde_json
//! cost is calibrated on the figures (decode 1.1 µs / 14.5 µs,
//! encode 0.6 µs / 5.8 µs for 224 B / 2.2 KB): the `serde` bench group of
//! `roundtrip` measures it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use session_core::FieldSpec;
use session_core::state::State;

use super::{Dataset, USER_ID, VISITS};

/// One open position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Position {
    pub(crate) qty: i64,
    pub(crate) avg_price: f64,
    pub(crate) last: f64,
    pub(crate) stop: Option<f64>,
    pub(crate) limit: Option<f64>,
    pub(crate) opened_at: u64,
}

/// One point of a price chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Point {
    pub(crate) t: u64,
    pub(crate) v: f64,
}

/// Trading limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Limits {
    pub(crate) daily: f64,
    pub(crate) per_order: f64,
    pub(crate) leverage: Option<f64>,
}

/// The whole session, as the floor encodes it in one go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Numeric {
    pub(crate) user_id: u64,
    pub(crate) account: u64,
    pub(crate) balance: f64,
    pub(crate) margin: Option<f64>,
    pub(crate) limits: Limits,
    pub(crate) rates: BTreeMap<String, f64>,
    pub(crate) positions: BTreeMap<String, Position>,
    pub(crate) chart: Vec<Point>,
    pub(crate) visits: u32,
}

const SYMBOLS: &[&str] = &[
    "AAPL", "MSFT", "NVDA", "AMZN", "TSLA", "ASML", "SAP", "NESN",
];
const CURRENCIES: &[&str] = &[
    "AUD", "CAD", "CHF", "CNY", "EUR", "GBP", "HKD", "JPY", "NOK", "NZD", "SEK", "SGD",
];

impl Numeric {
    /// `rates` exchange rates, `positions` open positions, `points` chart
    /// points.
    pub(crate) fn sample(rates: usize, positions: usize, points: usize) -> Numeric {
        let price = |i: usize| (1_000 + (i * 7_919) % 90_000) as f64 / 100.0;
        Numeric {
            user_id: 4_811_920_113,
            account: 77_120_004_931,
            balance: 18_342.57,
            margin: Some(2_500.0),
            limits: Limits {
                daily: 50_000.0,
                per_order: 10_000.0,
                leverage: None,
            },
            rates: (0..rates)
                .map(|i| {
                    let rate = 0.5 + (i * 3_571 % 10_000) as f64 / 10_000.0;
                    (CURRENCIES[i % CURRENCIES.len()].to_owned(), rate)
                })
                .collect(),
            positions: (0..positions)
                .map(|i| {
                    let symbol = format!("{}{}", SYMBOLS[i % SYMBOLS.len()], i / SYMBOLS.len());
                    let position = Position {
                        qty: if i % 3 == 0 {
                            -(i as i64) - 5
                        } else {
                            i as i64 * 10 + 1
                        },
                        avg_price: price(i),
                        last: price(i + 1),
                        stop: (i % 2 == 0).then(|| price(i) * 0.9),
                        limit: (i % 3 == 1).then(|| price(i + 2)),
                        opened_at: 1_799_000_000_000 + i as u64 * 61_000,
                    };
                    (symbol, position)
                })
                .collect(),
            chart: (0..points)
                .map(|i| Point {
                    t: 1_799_990_000_000 + i as u64 * 60_000,
                    v: price(i * 3),
                })
                .collect(),
            visits: 17,
        }
    }
}

pub(crate) static ACCOUNT: FieldSpec = FieldSpec::new("account", "account");
pub(crate) static BALANCE: FieldSpec = FieldSpec::new("balance", "balance");
pub(crate) static MARGIN: FieldSpec = FieldSpec::new("margin", "margin");
pub(crate) static LIMITS: FieldSpec = FieldSpec::new("limits", "limits");
pub(crate) static RATES: FieldSpec = FieldSpec::new("rates", "rates");
pub(crate) static POSITIONS: FieldSpec = FieldSpec::new("positions", "positions");
pub(crate) static CHART: FieldSpec = FieldSpec::new("chart", "chart");

impl Dataset for Numeric {
    fn fill(&self, s: &mut State) {
        s.set(&USER_ID, self.user_id);
        s.set(&ACCOUNT, self.account);
        s.set(&BALANCE, self.balance);
        s.set(&MARGIN, self.margin);
        s.set(&LIMITS, self.limits.clone());
        s.set(&RATES, self.rates.clone());
        s.set(&POSITIONS, self.positions.clone());
        s.set(&CHART, self.chart.clone());
        s.set(&VISITS, self.visits);
    }

    fn read_all(s: &mut State) -> usize {
        let mut n = *s.get(&USER_ID, || 0u64) as usize;
        n += *s.get(&ACCOUNT, || 0u64) as usize;
        n += *s.get(&BALANCE, || 0f64) as usize;
        n += s.get(&MARGIN, || None::<f64>).map_or(0, |m| m as usize);
        n += s
            .get(&LIMITS, || Limits {
                daily: 0.0,
                per_order: 0.0,
                leverage: None,
            })
            .daily as usize;
        n += s.get(&RATES, BTreeMap::<String, f64>::new).len();
        n += s.get(&POSITIONS, BTreeMap::<String, Position>::new).len();
        n += s.get(&CHART, Vec::<Point>::new).len();
        n += *s.get(&VISITS, || 0u32) as usize;
        n
    }

    fn user_id(&self) -> u64 {
        self.user_id
    }

    fn set_visits(&mut self, visits: u32) {
        self.visits = visits;
    }
}
