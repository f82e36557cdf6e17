//! System settings (domain::settings): read by admins and changed by them, each change audited.

use chrono::NaiveDateTime;

use super::audit::record;
use crate::auth::Actor;
use crate::db::Db;
use crate::domain::settings::SettingKey;
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::store::settings::SettingRow;
use crate::wire::settings::SettingOut;
use crate::wire::utc;

fn outs(rows: &[SettingRow]) -> Vec<SettingOut> {
    SettingKey::ALL
        .iter()
        .map(|&key| {
            let stored = rows.iter().find(|r| r.key == key.as_str()).filter(|r| key.check(r.value).is_ok());
            let (min, max) = key.range();
            SettingOut {
                key,
                value: stored.map_or_else(|| key.default_value(), |r| r.value),
                default_value: key.default_value(),
                min,
                max,
                updated_at: stored.map(|r| utc(r.updated_at)),
            }
        })
        .collect()
}

/// Every setting with its value, default and range.
pub async fn list(db: &Db, actor: Actor) -> ApiResult<Vec<SettingOut>> {
    crate::auth::policy::require_admin(&actor)?;
    db.read(|conn| Ok(outs(&store::settings::all(conn)?))).await
}

/// Sets one (`None`: back to the rules' default); answers every setting as it now stands.
pub async fn set(
    db: &Db,
    actor: Actor,
    now: NaiveDateTime,
    key: SettingKey,
    value: Option<i32>,
) -> ApiResult<Vec<SettingOut>> {
    crate::auth::policy::require_admin(&actor)?;
    if let Some(v) = value {
        key.check(v).map_err(ApiError::from)?;
    }
    db.write(move |conn| {
        let before = store::settings::current(conn)?;
        let was = before.get(key);
        match value {
            Some(v) => store::settings::put(
                conn,
                &SettingRow {
                    key: key.as_str().into(),
                    value: v,
                    updated_by: Some(actor.user_id.clone()),
                    updated_at: now,
                },
            )?,
            None => {
                store::settings::remove(conn, key.as_str())?;
            }
        }
        let after = value.unwrap_or_else(|| key.default_value());
        record(
            conn,
            &actor,
            "setting.update",
            ("setting", key.as_str()),
            Some(serde_json::json!({ "value": was, "set": before.is_set(key) })),
            Some(serde_json::json!({ "value": after, "set": value.is_some() })),
        )?;
        Ok(outs(&store::settings::all(conn)?))
    })
    .await
}
