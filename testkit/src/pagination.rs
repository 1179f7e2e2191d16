//! Cursor pagination: `limit`, `mode` (`after`/`before`), `cursor`, `sort_by`
//! (`field:asc` or `field:desc`, several in order of precedence; ties are in
//! creation order).
//!
//! Cursors are keyset positions, not offsets: a cursor holds the sort values
//! and sequence number of the item it points at (hex-encoded, so it is an
//! opaque string to clients), and a page holds the items strictly after (or
//! before) that position. Creating or deleting objects while listing neither
//! repeats nor skips the others. `next_cursor` is absent when nothing follows
//! the page, `prev_cursor` when nothing precedes it.

use std::cmp::Ordering;

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::input::Input;

/// Items per page when the request gives no `limit`.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit` honoured; larger ones are served this many.
pub const MAX_LIMIT: usize = 100;

/// A field a listing can be sorted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortField {
    CreatedDate,
    ModifiedDate,
    DisplayName,
}

const SORT_FIELDS: [(&str, SortField); 3] = [
    ("created_date", SortField::CreatedDate),
    ("modified_date", SortField::ModifiedDate),
    ("display_name", SortField::DisplayName),
];

/// An object that can be listed.
pub(crate) trait Listed {
    /// Creation order, unique: the final tie-breaker.
    fn seq(&self) -> u64;
    /// The value sorted on for `field`. Dates are RFC 3339 in UTC with a
    /// fixed width, so they sort as strings.
    fn sort_value(&self, field: SortField) -> String;
    /// The value sorted on for a field that is not a [`SortField`], in
    /// listings that sort on any field ([`Paging::from_input_any_field`]).
    fn field_value(&self, _name: &str) -> String {
        String::new()
    }
}

/// What one `sort_by` entry sorts on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SortKey {
    Known(SortField),
    /// Any other field, by name (dotted for a nested one).
    Field(String),
}

/// The paging part of a list request.
#[derive(Debug, Clone)]
pub(crate) struct Paging {
    limit: usize,
    before: bool,
    cursor: Option<Position>,
    sort: Vec<(SortKey, bool)>,
    sort_spec: String,
    /// The listing the cursors are for (the family, such as `works`): a
    /// cursor of another listing is refused, as an opaque cursor of DevRev's
    /// would not page some other list.
    listing: String,
}

/// A place in the sorted listing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    values: Vec<String>,
    seq: u64,
}

impl Paging {
    /// Reads `limit`, `mode`, `cursor` and `sort_by` from a list request of
    /// `listing` (the family: its cursors page no other list); `sort_by`
    /// names `created_date`, `modified_date` or `display_name`.
    pub(crate) fn from_input(input: &Input, listing: &str) -> Result<Paging, ApiError> {
        Paging::read(input, listing, false)
    }

    /// As [`from_input`](Self::from_input), with `sort_by` on any field:
    /// the three known ones, or another read with [`Listed::field_value`].
    pub(crate) fn from_input_any_field(input: &Input, listing: &str) -> Result<Paging, ApiError> {
        Paging::read(input, listing, true)
    }

    fn read(input: &Input, listing: &str, any_field: bool) -> Result<Paging, ApiError> {
        let limit = match input.integer("limit")? {
            None => DEFAULT_LIMIT,
            Some(n) if n < 1 => return Err(ApiError::not_permitted("limit", "limit must be at least 1")),
            Some(n) => usize::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT),
        };
        let before = input.one_of("mode", &["after", "before"])?.as_deref() == Some("before");
        let mut sort = Vec::new();
        for spec in input.strings("sort_by")?.unwrap_or_default() {
            let (name, direction) = spec.split_once(':').unwrap_or((spec.as_str(), "asc"));
            let name = name.trim();
            let known = SORT_FIELDS.iter().find(|(n, _)| *n == name).map(|(_, f)| SortKey::Known(*f));
            let valid_name = !name.is_empty()
                && name.split('.').all(|part| {
                    !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                });
            let field = match known {
                Some(known) => known,
                None if any_field && valid_name => SortKey::Field(name.to_owned()),
                None if any_field => {
                    return Err(ApiError::invalid_field("sort_by", format!("`{name}` is not a field name")));
                }
                None => {
                    return Err(ApiError::invalid_field(
                        "sort_by",
                        format!("cannot sort on `{name}`; use created_date, modified_date or display_name"),
                    ))
                }
            };
            let desc = match direction.trim() {
                "asc" => false,
                "desc" => true,
                other => {
                    return Err(ApiError::invalid_field(
                        "sort_by",
                        format!("`{other}` is not a direction; use asc or desc"),
                    ))
                }
            };
            sort.push((field, desc));
        }
        let sort_spec = sort
            .iter()
            .map(|(key, desc)| {
                let name = match key {
                    SortKey::Known(f) => format!("{f:?}"),
                    SortKey::Field(name) => format!("{name},"),
                };
                format!("{name}{}", if *desc { "-" } else { "+" })
            })
            .collect::<String>();
        let mut paging = Paging { limit, before, cursor: None, sort, sort_spec, listing: listing.to_owned() };
        if let Some(raw) = input.string("cursor")?.filter(|c| !c.is_empty()) {
            paging.cursor = Some(paging.decode_cursor(&raw)?);
        }
        Ok(paging)
    }

    fn position(&self, item: &impl Listed) -> Position {
        let value = |key: &SortKey| match key {
            SortKey::Known(f) => item.sort_value(*f),
            SortKey::Field(name) => item.field_value(name),
        };
        Position { values: self.sort.iter().map(|(key, _)| value(key)).collect(), seq: item.seq() }
    }

    fn compare(&self, a: &Position, b: &Position) -> Ordering {
        for (i, (_, desc)) in self.sort.iter().enumerate() {
            let ord = a.values[i].cmp(&b.values[i]);
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        a.seq.cmp(&b.seq)
    }

    fn encode_cursor(&self, p: &Position) -> String {
        let text = json!({"l": self.listing, "o": self.sort_spec, "v": p.values, "s": p.seq}).to_string();
        text.bytes().map(|b| format!("{b:02x}")).collect()
    }

    fn decode_cursor(&self, raw: &str) -> Result<Position, ApiError> {
        let bad = || ApiError::bad_request("the cursor is not valid", "pass a cursor from a previous page, unchanged");
        let bytes = (0..raw.len())
            .step_by(2)
            .map(|i| raw.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(bad)?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if value["l"].as_str() != Some(self.listing.as_str()) {
            return Err(ApiError::bad_request(
                "the cursor belongs to another listing",
                "pass a cursor from a previous page of this same list",
            ));
        }
        if value["o"].as_str() != Some(self.sort_spec.as_str()) {
            return Err(ApiError::bad_request(
                "the cursor belongs to a listing with another sort order",
                "keep sort_by the same while paging",
            ));
        }
        let values = value["v"]
            .as_array()
            .and_then(|v| v.iter().map(|s| s.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
            .filter(|v| v.len() == self.sort.len())
            .ok_or_else(bad)?;
        let seq = value["s"].as_u64().ok_or_else(bad)?;
        Ok(Position { values, seq })
    }

    /// One page of `items` in creation order (`items` keyed by creation
    /// number), walked from the cursor: it costs the page, not the listing.
    /// `None` when the listing is sorted on a field.
    pub(crate) fn page_in_order<'a, V>(
        &self,
        items: &'a std::collections::BTreeMap<u64, V>,
    ) -> Option<(Vec<&'a V>, Option<String>, Option<String>)> {
        if !self.sort.is_empty() {
            return None;
        }
        let cursor = self.cursor.as_ref().map(|c| c.seq);
        let page: Vec<(&u64, &V)> = if self.before {
            let upper = cursor.unwrap_or(u64::MAX);
            let mut page: Vec<_> = items.range(..upper).rev().take(self.limit).collect();
            page.reverse();
            page
        } else {
            let lower = cursor.map_or(0, |c| c.saturating_add(1));
            items.range(lower..).take(self.limit).collect()
        };
        let at = |seq: u64| self.encode_cursor(&Position { values: Vec::new(), seq });
        let next = page.last().filter(|(seq, _)| items.range(**seq + 1..).next().is_some()).map(|(seq, _)| at(**seq));
        let prev = page.first().filter(|(seq, _)| items.range(..**seq).next().is_some()).map(|(seq, _)| at(**seq));
        Some((page.into_iter().map(|(_, item)| item).collect(), next, prev))
    }

    /// Every one of `items` (already filtered), in the listing's order.
    pub(crate) fn sorted<'a, T: Listed>(&self, items: Vec<&'a T>) -> Vec<&'a T> {
        let mut keyed: Vec<(Position, &T)> = items.into_iter().map(|item| (self.position(item), item)).collect();
        keyed.sort_by(|a, b| self.compare(&a.0, &b.0));
        keyed.into_iter().map(|(_, item)| item).collect()
    }

    /// One page of `items` (already filtered): the page and its cursors.
    pub(crate) fn page<'a, T: Listed>(&self, items: Vec<&'a T>) -> (Vec<&'a T>, Option<String>, Option<String>) {
        let mut keyed: Vec<(Position, &T)> = items.into_iter().map(|item| (self.position(item), item)).collect();
        keyed.sort_by(|a, b| self.compare(&a.0, &b.0));
        // Items strictly after the cursor start at `split` (after mode); items
        // strictly before it end there (before mode).
        let split = |inclusive: bool| {
            self.cursor.as_ref().map(|c| {
                keyed.partition_point(|(p, _)| match self.compare(p, c) {
                    Ordering::Less => true,
                    Ordering::Equal => inclusive,
                    Ordering::Greater => false,
                })
            })
        };
        let (start, end) = if self.before {
            let end = split(false).unwrap_or(keyed.len());
            (end.saturating_sub(self.limit), end)
        } else {
            let start = split(true).unwrap_or(0);
            (start, (start + self.limit).min(keyed.len()))
        };
        let page = &keyed[start..end];
        let next = match page.last() {
            Some((p, _)) if end < keyed.len() => Some(self.encode_cursor(p)),
            _ => None,
        };
        let prev = match page.first() {
            Some((p, _)) if start > 0 => Some(self.encode_cursor(p)),
            _ => None,
        };
        (page.iter().map(|(_, item)| *item).collect(), next, prev)
    }
}

/// A list's answer: its items under `key`, and `next_cursor` and
/// `prev_cursor` where a page follows or precedes.
pub(crate) fn list_answer(key: &str, items: Vec<Value>, next: Option<String>, prev: Option<String>) -> Value {
    let mut out = serde_json::Map::new();
    out.insert(key.to_owned(), Value::Array(items));
    if let Some(next) = next {
        out.insert("next_cursor".into(), Value::String(next));
    }
    if let Some(prev) = prev {
        out.insert("prev_cursor".into(), Value::String(prev));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item(u64, &'static str);
    impl Listed for Item {
        fn seq(&self) -> u64 {
            self.0
        }
        fn sort_value(&self, _: SortField) -> String {
            self.1.to_owned()
        }
    }

    fn paging(query: &str) -> Paging {
        Paging::from_input(&Input::from_query(Some(query), &["sort_by"]), "items").unwrap()
    }

    fn seqs(items: &[&Item]) -> Vec<u64> {
        items.iter().map(|i| i.0).collect()
    }

    #[test]
    fn walks_forward_and_back() {
        let items: Vec<Item> = (1..=7).map(|n| Item(n, "x")).collect();
        let all = || items.iter().collect::<Vec<_>>();
        let (page, next, prev) = paging("limit=3").page(all());
        assert_eq!((seqs(&page), prev.is_none()), (vec![1, 2, 3], true));
        let next = next.unwrap();
        let (page, next2, prev) = paging(&format!("limit=3&cursor={next}")).page(all());
        assert_eq!(seqs(&page), [4, 5, 6]);
        let (page, last_next, _) = paging(&format!("limit=3&cursor={}", next2.unwrap())).page(all());
        assert_eq!((seqs(&page), last_next), (vec![7], None));
        let (page, _, prev_of_first) = paging(&format!("limit=3&mode=before&cursor={}", prev.unwrap())).page(all());
        assert_eq!((seqs(&page), prev_of_first), (vec![1, 2, 3], None));
        // Before without a cursor: the last page.
        let (page, next, prev) = paging("limit=3&mode=before").page(all());
        assert_eq!((seqs(&page), next.is_none(), prev.is_some()), (vec![5, 6, 7], true, true));
    }

    #[test]
    fn the_index_walk_pages_as_the_sort_does() {
        let map: std::collections::BTreeMap<u64, Item> = (1..=7).map(|n| (n * 3, Item(n * 3, "x"))).collect();
        for mode in ["after", "before"] {
            let (mut walked_cursor, mut sorted_cursor) = (String::new(), String::new());
            for _ in 0..4 {
                let walked =
                    paging(&format!("limit=3&mode={mode}&cursor={walked_cursor}")).page_in_order(&map).unwrap();
                let sorted =
                    paging(&format!("limit=3&mode={mode}&cursor={sorted_cursor}")).page(map.values().collect());
                assert_eq!(seqs(&walked.0), seqs(&sorted.0), "{mode}");
                assert_eq!(
                    (walked.1.is_some(), walked.2.is_some()),
                    (sorted.1.is_some(), sorted.2.is_some()),
                    "{mode}"
                );
                let follow = |page: &(Vec<&Item>, Option<String>, Option<String>)| {
                    if mode == "after" {
                        page.1.clone()
                    } else {
                        page.2.clone()
                    }
                };
                match (follow(&walked), follow(&sorted)) {
                    (Some(w), Some(s)) => (walked_cursor, sorted_cursor) = (w, s),
                    (None, None) => break,
                    other => panic!("{mode}: {other:?}"),
                }
            }
        }
        assert!(paging("sort_by=display_name").page_in_order(&map).is_none());
    }

    #[test]
    fn sorts_descending_with_ties_by_creation() {
        let items = [Item(1, "b"), Item(2, "a"), Item(3, "b"), Item(4, "c")];
        let (page, _, _) = paging("sort_by=display_name:desc").page(items.iter().collect());
        assert_eq!(seqs(&page), [4, 1, 3, 2]);
    }

    #[test]
    fn any_field_sorts_on_the_items_own_fields() {
        struct Named(u64, &'static str);
        impl Listed for Named {
            fn seq(&self) -> u64 {
                self.0
            }
            fn sort_value(&self, _: SortField) -> String {
                String::new()
            }
            fn field_value(&self, name: &str) -> String {
                if name == "title" {
                    self.1.to_owned()
                } else {
                    String::new()
                }
            }
        }
        let items = [Named(1, "b"), Named(2, "c"), Named(3, "a")];
        let input = Input::from_query(Some("sort_by=title:desc"), &["sort_by"]);
        let (page, _, _) = Paging::from_input_any_field(&input, "items").unwrap().page(items.iter().collect());
        assert_eq!(page.iter().map(|i| i.0).collect::<Vec<_>>(), [2, 1, 3]);
        // Accounts and rev orgs sort on their three fields only.
        assert_eq!(Paging::from_input(&input, "items").unwrap_err().body["field_name"], "sort_by");
        let odd = Input::from_query(Some("sort_by=Title!"), &["sort_by"]);
        assert_eq!(Paging::from_input_any_field(&odd, "items").unwrap_err().body["type"], "invalid_field");
    }

    #[test]
    fn bad_paging_is_typed() {
        let err = |q: &str| Paging::from_input(&Input::from_query(Some(q), &["sort_by"]), "items").unwrap_err().body;
        assert_eq!(err("limit=0")["type"], "value_not_permitted");
        assert_eq!(err("limit=x")["type"], "invalid_field");
        assert_eq!(err("mode=sideways")["type"], "invalid_enum_value");
        assert_eq!(err("sort_by=colour")["field_name"], "sort_by");
        assert_eq!(err("cursor=zz")["type"], "bad_request");
        let cursor = paging("limit=1").page(vec![&Item(1, "a"), &Item(2, "b")]).1.unwrap();
        assert_eq!(err(&format!("cursor={cursor}&sort_by=display_name"))["type"], "bad_request");
    }

    #[test]
    fn a_cursor_pages_only_its_own_listing() {
        let cursor = paging("limit=1").page(vec![&Item(1, "a"), &Item(2, "b")]).1.unwrap();
        let query = format!("limit=1&cursor={cursor}");
        let other = Paging::from_input(&Input::from_query(Some(&query), &["sort_by"]), "others").unwrap_err().body;
        assert_eq!(other["type"], "bad_request");
        assert_eq!(other["message"], "the cursor belongs to another listing");
        let (page, ..) = paging(&query).page(vec![&Item(1, "a"), &Item(2, "b")]);
        assert_eq!(seqs(&page), [2]);
    }
}
