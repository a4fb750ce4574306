//! Saved lists, folders and contributions.

use serde::{Deserialize, Serialize};

use super::{Extra, PersonRef};

/// A saved list (metadata only; members come out through an export job).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedList {
    /// VAN's id.
    pub saved_list_id: u64,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// People on the list.
    #[serde(default)]
    pub list_count: Option<u64>,
    /// Doors on the list.
    #[serde(default)]
    pub door_count: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A folder of saved lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    /// VAN's id.
    pub folder_id: u64,
    /// Name.
    pub name: String,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contribution (`POST /contributions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contribution {
    /// VAN's id (unset when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_id: Option<u64>,
    /// The contributor.
    pub contact: PersonRef,
    /// The designation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designation: Option<Designation>,
    /// When it was received (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_received: Option<String>,
    /// The amount in dollars, at most two decimals, as a JSON number.
    pub amount: serde_json::Number,
    /// Status (`"Pending"`, `"Settled"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Payment type (`"Cash"`, `"MoneyOrder"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Contribution {
    /// A contribution of `cents` minor units; VAN wants dollars with at most
    /// two decimals, so the amount is written exactly (`1250` → `12.5`).
    ///
    /// # Errors
    /// [`canvass_core::Error::InvalidInput`] for a negative amount.
    ///
    /// ```
    /// let c = canvass_van::models::Contribution::from_cents(7, 1250).unwrap();
    /// assert_eq!(c.amount.to_string(), "12.5");
    /// ```
    pub fn from_cents(van_id: u64, cents: i64) -> Result<Contribution, canvass_core::Error> {
        if cents < 0 {
            return Err(canvass_core::Error::invalid_input(
                "contribution.amount",
                "must not be negative",
            ));
        }
        let text = format!("{}.{:02}", cents / 100, cents % 100);
        let amount: serde_json::Number = serde_json::from_str(&text).map_err(|e| {
            canvass_core::Error::invalid_input("contribution.amount", e.to_string())
        })?;
        Ok(Contribution {
            contact: PersonRef {
                van_id,
                ..PersonRef::default()
            },
            amount,
            contribution_id: None,
            designation: None,
            date_received: None,
            status: None,
            payment_type: None,
            extra: super::Extra::new(),
        })
    }
}

/// A designation (`{"designationId": …}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Designation {
    /// VAN's id.
    pub designation_id: u64,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}
