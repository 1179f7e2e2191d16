//! Works' rules: the stages of each type of work, and the state each
//! stage is in (a ticket starts `queued`, an issue `triage`).

/// The start stage of a work of type `ty`, and whether `stage` is one of its stages.
pub(crate) fn stages(ty: &str) -> Option<&'static [(&'static str, &'static str)]> {
    // (stage name, the state it is in), the start stage first.
    const ISSUE: &[(&str, &str)] = &[
        ("triage", "open"),
        ("backlog", "open"),
        ("prioritized", "open"),
        ("in_development", "in_progress"),
        ("in_review", "in_progress"),
        ("in_testing", "in_progress"),
        ("in_deployment", "in_progress"),
        ("completed", "closed"),
        ("won_t_fix", "closed"),
    ];
    const TICKET: &[(&str, &str)] = &[
        ("queued", "open"),
        ("work_in_progress", "in_progress"),
        ("awaiting_product_assist", "in_progress"),
        ("awaiting_development", "in_progress"),
        ("awaiting_customer_response", "in_progress"),
        ("in_development", "in_progress"),
        ("resolved", "closed"),
        ("canceled", "closed"),
    ];
    const OPPORTUNITY: &[(&str, &str)] = &[
        ("qualification", "open"),
        ("validation", "open"),
        ("negotiation", "in_progress"),
        ("contract", "in_progress"),
        ("closed_won", "closed"),
        ("closed_lost", "closed"),
    ];
    const TASK: &[(&str, &str)] =
        &[("open", "open"), ("in_progress", "in_progress"), ("completed", "closed"), ("canceled", "closed")];
    match ty {
        "issue" => Some(ISSUE),
        "ticket" => Some(TICKET),
        "opportunity" => Some(OPPORTUNITY),
        "task" => Some(TASK),
        _ => None,
    }
}
