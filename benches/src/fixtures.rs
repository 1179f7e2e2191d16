//! Realistic DevRev payloads, written for the benchmarks.
//!
//! [`REV_ORG_CREATED`] is a `rev-orgs.create` answer about the size of the
//! documented sample (2.3 KB). [`rev_org`] makes the `i`-th rev org of a
//! listing: every one differs (IDs, names, dates, which optional parts are
//! present), so decoding cannot lean on repeated strings, and every one
//! carries the nested summaries real listings carry.

use serde_json::{json, Value};

/// The answer of `rev-orgs.create` the overhead benchmark serves.
pub const REV_ORG_CREATED: &str = include_str!("../fixtures/rev_org_created.json");

/// The ID of the rev org in [`REV_ORG_CREATED`].
pub const REV_ORG_CREATED_ID: &str = "don:identity:dvrv-us-1:devo/0:revo/Qm7Tb2Lk";

/// How many rev orgs one benchmark page holds.
pub const PAGE_SIZE: usize = 100;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const COMPANIES: &[&str] = &[
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Adventure Works",
    "Litware",
    "Proseware",
    "Lucerne",
    "Margie's Travel",
    "Coho Vineyard",
    "Alpine Ski House",
    "Blue Yonder",
    "Humongous Insurance",
];
const REGIONS: &[&str] = &["eu-west", "us-east", "us-west", "ap-south", "sa-east"];
const PEOPLE: &[(&str, &str)] = &[
    ("ada", "Ada Lovelace"),
    ("grace", "Grace Hopper"),
    ("alan", "Alan Turing"),
    ("edsger", "Edsger Dijkstra"),
    ("barbara", "Barbara Liskov"),
    ("ken", "Ken Thompson"),
];

/// An 8-character DevRev-style ID part for `n` (`Qm7Tb2Lk`), spread so that
/// neighbouring `n` look unrelated.
pub fn short_id(n: u64) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    (0..8)
        .map(|_| {
            let c = ALPHABET[(x % 62) as usize];
            x /= 62;
            c as char
        })
        .collect()
}

/// The DON ID of the `i`-th rev org of a listing.
pub fn rev_org_id(i: u64) -> String {
    format!("don:identity:dvrv-us-1:devo/0:revo/{}", short_id(i))
}

/// The `i`-th rev org of a listing, as DevRev would send it.
pub fn rev_org(i: u64) -> Value {
    let idx = i as usize;
    let short = short_id(i);
    let company = COMPANIES[idx % COMPANIES.len()];
    let region = REGIONS[idx % REGIONS.len()];
    let (creator, creator_name) = PEOPLE[idx % PEOPLE.len()];
    let account_no = 10_000 + i / 3;
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let account = json!({
        "id": format!("don:identity:dvrv-us-1:devo/0:account/{account_no}"),
        "display_id": format!("ACC-{account_no}"),
        "display_name": company,
    });
    let mut org = json!({
        "id": rev_org_id(i),
        "display_id": format!("REV-{short}"),
        "display_name": format!("{company} {region} #{i}"),
        "created_by": {
            "type": "dev_user",
            "id": format!("don:identity:dvrv-us-1:devo/0:devu/{}", 1 + idx % 97),
            "display_id": format!("DEVU-{}", 1 + idx % 97),
            "display_name": creator,
            "display_picture": {
                "id": format!("don:core:dvrv-us-1:devo/0:artifact/{}", 500 + idx % 97),
                "display_id": format!("ARTIFACT-{}", 500 + idx % 97),
                "file": { "type": "image/png", "name": format!("{creator}.png"), "size": 18_000 + i % 9_000 }
            },
            "email": format!("{creator}@{}.example", company.to_lowercase().replace([' ', '\''], "")),
            "full_name": creator_name,
            "state": "active"
        },
        "created_date": format!("2024-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z", i % 24, i % 60, (i * 7) % 60, i % 1000),
        "modified_by": {
            "type": "service_account",
            "id": format!("don:identity:dvrv-us-1:devo/0:svcacc/{}", 1 + idx % 5),
            "display_name": "crm-sync",
            "state": "active"
        },
        "modified_date": format!("2025-{month:02}-{day:02}T{:02}:30:00Z", (i + 5) % 24),
        "account": account,
        "custom_fields": { "region": region, "seats": 10 + (i * 13) % 2_000, "renewal_month": month },
        "custom_schema_fragments": [format!("don:core:dvrv-us-1:devo/0:custom_type_fragment/{}", 10 + idx % 4)],
        "description": format!("{company} workspace for the {region} team, onboarded in batch {}", i / 100),
        "external_ref": format!("crm-{account_no}-{short}"),
        "primary_rev_org": {
            "type": "account",
            "id": format!("don:identity:dvrv-us-1:devo/0:account/{account_no}"),
            "display_id": format!("ACC-{account_no}"),
            "display_name": company,
        },
        "stock_schema_fragment": "don:core:dvrv-us-1:devo/0:custom_type_fragment/2",
        "subtype": if i % 4 == 0 { "subsidiary" } else { "standard" },
    });
    // Optional parts: present on some orgs only, as in a real listing.
    if i % 3 == 0 {
        org["artifacts"] = json!([{
            "id": format!("don:core:dvrv-us-1:devo/0:artifact/{}", 9_000 + i),
            "display_id": format!("ARTIFACT-{}", 9_000 + i),
            "file": { "type": "application/pdf", "name": "order-form.pdf", "size": 200_000 + i }
        }]);
    }
    if i % 2 == 0 {
        org["tags"] = json!([
            { "tag": { "id": "don:core:dvrv-us-1:devo/0:tag/17", "display_id": "TAG-17", "name": "strategic",
                       "style_new": { "color": "#2a7ab0" } }, "value": format!("tier-{}", 1 + i % 3) },
            { "tag": { "id": "don:core:dvrv-us-1:devo/0:tag/23", "display_id": "TAG-23", "name": "renewal-risk" } }
        ]);
    }
    if i % 5 == 0 {
        org["domain"] = json!(format!("{}.example", short.to_lowercase()));
    }
    org
}

/// The opaque cursor of the page that starts at `offset`.
pub fn cursor_for(offset: u64) -> String {
    format!("cur.{offset:010}.{}", short_id(offset))
}

/// The offset a [`cursor_for`] cursor stands for; `None` for anything else.
pub fn offset_of(cursor: &str) -> Option<u64> {
    let rest = cursor.strip_prefix("cur.")?;
    let (offset, check) = rest.split_once('.')?;
    let offset: u64 = offset.parse().ok()?;
    (check == short_id(offset)).then_some(offset)
}

/// A `rev-orgs.list` answer: the rev orgs `offset..offset + count` of a
/// listing of `total`, with `next_cursor` unless it is the last page.
pub fn list_page(offset: u64, count: u64, total: u64) -> Vec<u8> {
    let end = (offset + count).min(total);
    let rev_orgs: Vec<Value> = (offset..end).map(rev_org).collect();
    let mut page = json!({ "rev_orgs": rev_orgs });
    if end < total {
        page["next_cursor"] = json!(cursor_for(end));
    }
    if offset > 0 {
        page["prev_cursor"] = json!(cursor_for(offset.saturating_sub(count)));
    }
    serde_json::to_vec(&page).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use devrev::models::{OrgSummary, UserSummary};
    use devrev::rev_orgs::RevOrgsCreateResponse;

    use crate::list::RevOrgsListResponse;

    #[test]
    fn created_fixture_decodes_fully() {
        let created: RevOrgsCreateResponse = serde_json::from_str(REV_ORG_CREATED).unwrap();
        let org = created.rev_org;
        assert_eq!(org.id, REV_ORG_CREATED_ID);
        assert_eq!(org.display_id.as_deref(), Some("REV-Qm7Tb2Lk"));
        assert!(matches!(org.created_by, Some(UserSummary::DevUser(_))));
        assert!(matches!(org.modified_by, Some(UserSummary::RevUser(_))));
        assert!(matches!(org.primary_rev_org, Some(OrgSummary::Account(_))));
        assert_eq!(org.tags.map(|t| t.len()), Some(1));
    }

    #[test]
    fn a_page_decodes_into_the_models_without_unknowns() {
        let bytes = list_page(200, 100, 1_000);
        let page: RevOrgsListResponse = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(page.rev_orgs.len(), 100);
        assert_eq!(page.rev_orgs[0].id, rev_org_id(200));
        assert_eq!(page.rev_orgs[99].id, rev_org_id(299));
        assert_eq!(page.next_cursor.as_deref().and_then(offset_of), Some(300));
        assert_eq!(page.prev_cursor.as_deref().and_then(offset_of), Some(100));
        for org in &page.rev_orgs {
            assert!(org.created_date.is_some() && org.modified_date.is_some());
            assert!(matches!(org.created_by, Some(UserSummary::DevUser(_))), "{:?}", org.created_by);
            assert!(matches!(org.modified_by, Some(UserSummary::ServiceAccount(_))));
            assert!(matches!(org.primary_rev_org, Some(OrgSummary::Account(_))));
        }
        // Realistic size: about 1.5 KB per rev org.
        assert!((100_000..250_000).contains(&bytes.len()), "{}", bytes.len());
    }

    #[test]
    fn the_last_page_has_no_next_cursor() {
        let page: RevOrgsListResponse = serde_json::from_slice(&list_page(950, 100, 1_000)).unwrap();
        assert_eq!(page.rev_orgs.len(), 50);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn ids_and_cursors_are_distinct_and_checked() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(rev_org_id).collect();
        assert_eq!(ids.len(), 10_000);
        assert_eq!(offset_of(&cursor_for(12_300)), Some(12_300));
        assert_eq!(offset_of("cur.0000012300.AAAAAAAA"), None);
        assert_eq!(offset_of("garbage"), None);
    }
}
