//! Gazetteer entity tagging.
//!
//! SKELETON: the API is fixed here; the implementation is being built.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::parallel;

mod default;
pub use default::{default_options, default_records, DEFAULT_GAZETTEER_ORIGIN};

/// One spelling of an entity. In JSON either a plain string or
/// `{"text": "SBU", "case_sensitive": true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AliasSpec {
    Text(String),
    Detailed {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        case_sensitive: Option<bool>,
    },
}

impl AliasSpec {
    pub fn text(&self) -> &str {
        match self {
            AliasSpec::Text(t) | AliasSpec::Detailed { text: t, .. } => t,
        }
    }
    pub fn case_sensitive(&self) -> Option<bool> {
        match self {
            AliasSpec::Text(_) => None,
            AliasSpec::Detailed { case_sensitive, .. } => *case_sensitive,
        }
    }
}

/// One gazetteer record, as in the JSONL format:
/// `{"id": "L-kharkiv", "label": "PLACE", "name": "Kharkiv", "aliases": ["Kharkov"]}`.
/// The name is itself an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRecord {
    pub id: String,
    pub label: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<AliasSpec>,
}

/// Gazetteer-wide options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GazetteerOptions {
    /// The default for aliases that do not say (`false`: Unicode case-insensitive).
    pub case_sensitive: bool,
    /// Match "Zelenskyi" and "Zelenskýi" alike.
    pub fold_diacritics: bool,
}

/// An entity as the tagger reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: String,
    pub label: String,
    pub name: String,
}

/// One found mention. `start`/`end` count Unicode scalar values (Python `str` indices);
/// `byte_start`/`byte_end` are the same span in UTF-8 bytes. `entity` is the primary
/// entity's index; `candidates` lists every entity the alias belongs to, primary first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub entity: u32,
    pub candidates: Vec<u32>,
}

/// A compiled gazetteer. Cheap to share across threads (`Send + Sync`).
#[derive(Debug, Clone)]
pub struct Gazetteer {
    entities: Vec<Entity>,
    records: Vec<EntityRecord>,
    options: GazetteerOptions,
}

impl Gazetteer {
    /// Builds a gazetteer from records. `origin` names where they came from, for errors.
    pub fn new(records: Vec<EntityRecord>, options: GazetteerOptions) -> Result<Self> {
        let entities = records
            .iter()
            .map(|r| Entity {
                id: r.id.clone(),
                label: r.label.clone(),
                name: r.name.clone(),
            })
            .collect();
        Ok(Gazetteer {
            entities,
            records,
            options,
        })
    }

    /// Parses JSONL text (one record a line; blank lines skipped). `origin` names the source
    /// in error messages.
    pub fn from_jsonl_str(text: &str, origin: &str, options: GazetteerOptions) -> Result<Self> {
        let mut records = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: EntityRecord =
                serde_json::from_str(line).map_err(|e| Error::Gazetteer {
                    origin: origin.to_string(),
                    line: i + 1,
                    field: None,
                    reason: e.to_string(),
                })?;
            records.push(record);
        }
        Self::new(records, options)
    }

    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    pub fn entity(&self, index: u32) -> &Entity {
        &self.entities[index as usize]
    }

    pub fn records(&self) -> &[EntityRecord] {
        &self.records
    }

    pub fn options(&self) -> GazetteerOptions {
        self.options
    }

    /// Leftmost-longest, non-overlapping mentions.
    pub fn tag(&self, _text: &str) -> Vec<Mention> {
        Vec::new()
    }

    /// Every match, overlapping ones included.
    pub fn tag_overlapping(&self, _text: &str) -> Vec<Mention> {
        Vec::new()
    }

    /// Tags many texts in parallel; the output is in input order.
    pub fn tag_many<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        threads: Option<usize>,
        overlapping: bool,
    ) -> Result<Vec<Vec<Mention>>> {
        parallel::install(threads, || {
            texts
                .par_iter()
                .map(|t| {
                    if overlapping {
                        self.tag_overlapping(t.as_ref())
                    } else {
                        self.tag(t.as_ref())
                    }
                })
                .collect()
        })
    }
}

/// Placeholders for the bindings until the tagger branch lands.
impl Gazetteer {
    pub fn alias_count(&self) -> usize {
        self.records.iter().map(|r| r.aliases.len() + 1).sum()
    }
    pub fn to_compact_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(&(&self.records, self.options)).map_err(|e| Error::Input(e.to_string()))
    }
    pub fn from_compact_bytes(data: &[u8]) -> Result<Self> {
        let (records, options): (Vec<EntityRecord>, GazetteerOptions) =
            serde_json::from_slice(data).map_err(|e| Error::Input(e.to_string()))?;
        Self::new(records, options)
    }
}
