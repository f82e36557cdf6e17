//! One schema for both backends: ids as Text, times as Timestamp (UTC), JSON as Text.
//! Keep in step with migrations/sqlite and migrations/postgres.

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        tier -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        region_code -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        full_name -> Text,
        id_number -> Text,
        gender -> Text,
        birth_date -> Date,
        ethnicity -> Nullable<Text>,
        phone -> Nullable<Text>,
        education -> Nullable<Text>,
        employer_org_id -> Nullable<Text>,
        occupation -> Nullable<Text>,
        is_migrant_worker -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        person_id -> Nullable<Text>,
        is_active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_grants (id) {
        id -> Text,
        user_id -> Text,
        role -> Text,
        organisation_id -> Nullable<Text>,
        granted_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skill_credentials (id) {
        id -> Text,
        person_id -> Text,
        occupation -> Text,
        level -> Integer,
        certificate_no -> Nullable<Text>,
        issuer -> Nullable<Text>,
        issued_on -> Date,
        source -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_records (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::joinable!(persons -> organisations (employer_org_id));
diesel::joinable!(users -> persons (person_id));
diesel::joinable!(role_grants -> organisations (organisation_id));
diesel::joinable!(skill_credentials -> persons (person_id));
diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    persons,
    users,
    role_grants,
    skill_credentials,
    refresh_tokens,
    audit_records,
    audit_head,
);
