//! The in-memory data: accounts and rev orgs, and how they render on the wire.

use std::collections::BTreeMap;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::ids::{self, Kind, Parsed};
use crate::input::TagInput;
use crate::pagination::{Listed, SortField};
use crate::wire;

/// A dev user: who a token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DevUser {
    pub(crate) num: u32,
    pub(crate) name: String,
}

impl DevUser {
    pub(crate) fn don(&self) -> String {
        ids::don(Kind::DevUser, &self.num.to_string())
    }

    pub(crate) fn display_id(&self) -> String {
        ids::display(Kind::DevUser, &self.num.to_string())
    }

    /// The user summary embedded in objects (`created_by`, `owned_by`, ...).
    pub(crate) fn summary(&self) -> wire::UserSummary {
        wire::UserSummary {
            kind: "dev_user",
            id: self.don(),
            display_id: self.display_id(),
            display_name: self.name.clone(),
            email: format!("{}@testkit.invalid", self.name),
            full_name: format!("Testkit user {}", self.name),
            state: "active",
        }
    }
}

/// Who changed an object, and when.
#[derive(Debug, Clone)]
pub(crate) struct Stamp {
    pub(crate) by: DevUser,
    pub(crate) at: DateTime<Utc>,
}

/// An account.
#[derive(Debug, Clone)]
pub(crate) struct AccountRec {
    pub(crate) key: String,
    pub(crate) seq: u64,
    pub(crate) display_name: String,
    pub(crate) description: Option<String>,
    pub(crate) domains: Vec<String>,
    pub(crate) external_refs: Vec<String>,
    pub(crate) tier: Option<String>,
    pub(crate) tags: Vec<TagInput>,
    pub(crate) custom_fields: Option<Map<String, Value>>,
    pub(crate) artifacts: Vec<String>,
    pub(crate) owned_by: Vec<DevUser>,
    pub(crate) websites: Vec<String>,
    pub(crate) schema_fragments: Vec<String>,
    pub(crate) created: Stamp,
    pub(crate) modified: Stamp,
    /// The rev org `rev-orgs.get` answers for `account=...`.
    pub(crate) default_rev_org: Option<String>,
}

/// A rev org.
#[derive(Debug, Clone)]
pub(crate) struct RevOrgRec {
    pub(crate) key: String,
    pub(crate) seq: u64,
    pub(crate) account: String,
    pub(crate) display_name: String,
    pub(crate) description: Option<String>,
    /// Kept, though DevRev's rev-org object does not send it back.
    pub(crate) environment: Option<String>,
    pub(crate) external_ref: Option<String>,
    /// Kept, though DevRev's rev-org object does not send it back.
    pub(crate) tier: Option<String>,
    pub(crate) tags: Vec<TagInput>,
    pub(crate) custom_fields: Option<Map<String, Value>>,
    pub(crate) custom_schema_fragments: Vec<String>,
    pub(crate) artifacts: Vec<String>,
    pub(crate) domain: Option<String>,
    pub(crate) created: Stamp,
    pub(crate) modified: Stamp,
}

/// Everything the server holds.
#[derive(Debug)]
pub(crate) struct Store {
    seq: u64,
    /// The server's one clock, shared with every other family.
    time: Arc<crate::clock::Time>,
    pub(crate) users: Vec<DevUser>,
    pub(crate) accounts: BTreeMap<String, AccountRec>,
    pub(crate) rev_orgs: BTreeMap<String, RevOrgRec>,
    /// How many rev orgs and accounts were created with each external
    /// reference, for tests that must see every row exactly once.
    pub(crate) creates_by_ref: std::collections::HashMap<String, usize>,
}

/// RFC 3339 in UTC with milliseconds: fixed width, so it sorts as a string.
pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    crate::clock::format(t)
}

fn tags(tags: &[TagInput]) -> Vec<wire::TagWithValue> {
    tags.iter()
        .map(|t| wire::TagWithValue {
            tag: wire::TagRef { id: t.id.clone(), name: t.id.clone() },
            value: t.value.clone(),
        })
        .collect()
}

fn artifacts(ids: &[String]) -> Vec<wire::ArtifactRef> {
    ids.iter().map(|id| wire::ArtifactRef { id: id.clone() }).collect()
}

impl Store {
    /// An empty store whose tokens act as `users`, dated by `time`.
    pub(crate) fn new(users: Vec<DevUser>, time: Arc<crate::clock::Time>) -> Self {
        Store {
            seq: 0,
            time,
            users,
            accounts: BTreeMap::new(),
            rev_orgs: BTreeMap::new(),
            creates_by_ref: std::collections::HashMap::new(),
        }
    }

    /// The next sequence number.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// The time of a change, from the server's one clock: to the
    /// millisecond, and always later than the last one given, so two objects
    /// never share a `created_date`.
    pub(crate) fn now(&mut self) -> DateTime<Utc> {
        self.time.tick()
    }

    /// A fresh key no account or rev org has.
    pub(crate) fn new_key(&self) -> String {
        loop {
            let key = ids::new_key();
            if !self.accounts.contains_key(&key) && !self.rev_orgs.contains_key(&key) {
                return key;
            }
        }
    }

    /// The key of an existing account named by `raw` in `field`.
    pub(crate) fn find_account(&self, field: &str, raw: &str) -> Result<String, ApiError> {
        match ids::parse(Kind::Account, field, raw)? {
            Parsed::Key(key) if self.accounts.contains_key(&key) => Ok(key),
            _ => Err(ApiError::not_found("account", raw)),
        }
    }

    /// The key of an existing rev org named by `raw` in `field`.
    pub(crate) fn find_rev_org(&self, field: &str, raw: &str) -> Result<String, ApiError> {
        match ids::parse(Kind::RevOrg, field, raw)? {
            Parsed::Key(key) if self.rev_orgs.contains_key(&key) => Ok(key),
            _ => Err(ApiError::not_found("rev org", raw)),
        }
    }

    /// The dev user named by `raw` in `field`.
    pub(crate) fn find_user(&self, field: &str, raw: &str) -> Result<DevUser, ApiError> {
        let found = match ids::parse(Kind::DevUser, field, raw)? {
            Parsed::Key(key) => self.users.iter().find(|u| u.num.to_string() == key),
            Parsed::Elsewhere => None,
        };
        found.cloned().ok_or_else(|| ApiError::not_found("dev user", raw))
    }

    /// A rev org on the wire.
    pub(crate) fn render_rev_org(&self, org: &RevOrgRec) -> wire::RevOrg {
        let account = self.accounts.get(&org.account);
        wire::RevOrg {
            id: ids::don(Kind::RevOrg, &org.key),
            display_id: ids::display(Kind::RevOrg, &org.key),
            display_name: org.display_name.clone(),
            created_by: org.created.by.summary(),
            created_date: format_time(org.created.at),
            modified_by: org.modified.by.summary(),
            modified_date: format_time(org.modified.at),
            account: wire::OrgRef {
                id: ids::don(Kind::Account, &org.account),
                display_id: ids::display(Kind::Account, &org.account),
                display_name: account.map(|a| a.display_name.clone()).unwrap_or_default(),
            },
            artifacts: artifacts(&org.artifacts),
            custom_fields: org.custom_fields.clone(),
            custom_schema_fragments: org.custom_schema_fragments.clone(),
            description: org.description.clone(),
            domain: org.domain.clone(),
            external_ref: org.external_ref.clone(),
            tags: tags(&org.tags),
        }
    }

    /// An account on the wire.
    pub(crate) fn render_account(&self, account: &AccountRec) -> wire::Account {
        wire::Account {
            id: ids::don(Kind::Account, &account.key),
            display_id: ids::display(Kind::Account, &account.key),
            display_name: account.display_name.clone(),
            created_by: account.created.by.summary(),
            created_date: format_time(account.created.at),
            modified_by: account.modified.by.summary(),
            modified_date: format_time(account.modified.at),
            artifacts: artifacts(&account.artifacts),
            custom_fields: account.custom_fields.clone(),
            custom_schema_fragments: account.schema_fragments.clone(),
            description: account.description.clone(),
            domains: account.domains.clone(),
            external_refs: account.external_refs.clone(),
            owned_by: account.owned_by.iter().map(DevUser::summary).collect(),
            tags: tags(&account.tags),
            tier: account.tier.clone(),
            websites: account.websites.clone(),
        }
    }
}

fn sort_value(field: SortField, name: &str, created: &Stamp, modified: &Stamp) -> String {
    match field {
        SortField::CreatedDate => format_time(created.at),
        SortField::ModifiedDate => format_time(modified.at),
        SortField::DisplayName => name.to_owned(),
    }
}

impl Listed for AccountRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn sort_value(&self, field: SortField) -> String {
        sort_value(field, &self.display_name, &self.created, &self.modified)
    }
}

impl Listed for RevOrgRec {
    fn seq(&self) -> u64 {
        self.seq
    }
    fn sort_value(&self, field: SortField) -> String {
        sort_value(field, &self.display_name, &self.created, &self.modified)
    }
}
