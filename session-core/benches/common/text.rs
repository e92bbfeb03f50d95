//! The string-heavy session: names, paths, a CSRF token, a cart of
//! described items. Its whole-struct serde cost is small next to HMAC and
//! base64 (strings are copied, not parsed digit by digit).

use serde::{Deserialize, Serialize};

use session_core::FieldSpec;
use session_core::state::State;

use super::{Dataset, USER_ID, VISITS};

/// One cart line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub(crate) sku: String,
    pub(crate) name: String,
    pub(crate) qty: u32,
    pub(crate) price_cents: u64,
}

/// User preferences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Prefs {
    pub(crate) theme: String,
    pub(crate) lang: String,
    pub(crate) tz: String,
    pub(crate) page_size: u32,
}

/// The whole session, as the floor encodes it in one go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Text {
    pub(crate) user_id: u64,
    pub(crate) username: String,
    pub(crate) csrf: String,
    pub(crate) roles: Vec<String>,
    pub(crate) prefs: Prefs,
    pub(crate) cart: Vec<Item>,
    pub(crate) recent: Vec<String>,
    pub(crate) visits: u32,
}

const NAMES: &[&str] = &[
    "Stainless steel water bottle 750ml",
    "Organic cotton t-shirt, navy, size M",
    "Wireless mouse with USB-C receiver",
    "Hardcover notebook, dotted, A5",
    "Ceramic pour-over coffee dripper",
];

impl Text {
    /// A session of `cart` cart lines and `recent` visited pages: (0, 0) is
    /// 223 bytes of JSON, (16, 14) about 2.2 KB (the 224 B / 2.2 KB).
    pub(crate) fn sample(cart: usize, recent: usize) -> Text {
        Text {
            user_id: 4_811_920_113,
            username: "ada.lovelace".into(),
            csrf: "q8Zt3uJd0x9Kc1VbN2mLp5RwYs7Ae4Hf".into(),
            roles: vec!["customer".into()],
            prefs: Prefs {
                theme: "dark".into(),
                lang: "en-GB".into(),
                tz: "Europe/London".into(),
                page_size: 25,
            },
            cart: (0..cart)
                .map(|i| Item {
                    sku: format!("SKU-{:06}", 100_003 + i * 7919),
                    name: NAMES[i % NAMES.len()].into(),
                    qty: 1 + (i as u32 % 3),
                    price_cents: 499 + (i as u64 * 1_337) % 9_000,
                })
                .collect(),
            recent: (0..recent)
                .map(|i| format!("/catalogue/category-{}/product-{}", i % 4, 2_000 + i * 31))
                .collect(),
            visits: 17,
        }
    }
}

pub(crate) static USERNAME: FieldSpec = FieldSpec::new("username", "username");
pub(crate) static CSRF: FieldSpec = FieldSpec::new("csrf", "csrf");
pub(crate) static ROLES: FieldSpec = FieldSpec::new("roles", "roles");
pub(crate) static PREFS: FieldSpec = FieldSpec::new("prefs", "prefs");
pub(crate) static CART: FieldSpec = FieldSpec::new("cart", "cart");
pub(crate) static RECENT: FieldSpec = FieldSpec::new("recent", "recent");

impl Dataset for Text {
    fn fill(&self, s: &mut State) {
        s.set(&USER_ID, self.user_id);
        s.set(&USERNAME, self.username.clone());
        s.set(&CSRF, self.csrf.clone());
        s.set(&ROLES, self.roles.clone());
        s.set(&PREFS, self.prefs.clone());
        s.set(&CART, self.cart.clone());
        s.set(&RECENT, self.recent.clone());
        s.set(&VISITS, self.visits);
    }

    fn read_all(s: &mut State) -> usize {
        let mut n = *s.get(&USER_ID, || 0u64) as usize;
        n += s.get(&USERNAME, String::new).len();
        n += s.get(&CSRF, String::new).len();
        n += s.get(&ROLES, Vec::<String>::new).len();
        n += s
            .get(&PREFS, || Prefs {
                theme: String::new(),
                lang: String::new(),
                tz: String::new(),
                page_size: 0,
            })
            .lang
            .len();
        n += s.get(&CART, Vec::<Item>::new).len();
        n += s.get(&RECENT, Vec::<String>::new).len();
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
