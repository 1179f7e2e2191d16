// `builder`: fields of a primitive number type take the type itself, so
// integer and float literals infer (`impl Into<u32>` would make `10` an `i32`,
// and `u32: From<i32>` does not hold).
use devrev::devrev_endpoint;
use serde::{Deserialize, Serialize};

#[devrev_endpoint(GET, "/widgets.list", builder)]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WidgetsListRequest {
    pub owner: String,
    pub page_size: u16,
    pub limit: Option<u32>,
    pub offset: Option<core::primitive::u64>,
    pub min_score: Option<f64>,
    pub delta: Option<i8>,
    pub ids: Option<Vec<u64>>,
    pub names: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub struct WidgetsListResponse {}

fn main() {
    let request = WidgetsListRequest::new("DEVU-1", 25)
        .limit(10)
        .offset(4_000_000_000)
        .min_score(0.5)
        .delta(-3)
        .ids([1, 2, 3])
        .names(["a", "b"]);
    assert_eq!(
        request,
        WidgetsListRequest {
            owner: "DEVU-1".into(),
            page_size: 25,
            limit: Some(10),
            offset: Some(4_000_000_000),
            min_score: Some(0.5),
            delta: Some(-3),
            ids: Some(vec![1, 2, 3]),
            names: Some(vec!["a".into(), "b".into()]),
        }
    );
    // A value of the field's type still works, from a variable too.
    let limit: u32 = 7;
    assert_eq!(WidgetsListRequest::new(String::from("DEVU-2"), 1u16).limit(limit).limit, Some(7));
}
