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
        full_name -> Nullable<Text>,
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
        status -> Text,
        recorded_by -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        rejection_reason -> Nullable<Text>,
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
        keyed_from -> BigInt,
    }
}

diesel::table! {
    trades (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        category -> Text,
        confirmed -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    competitions (id) {
        id -> Text,
        name -> Text,
        edition -> Nullable<Integer>,
        year -> Integer,
        category -> Text,
        tier -> Text,
        class -> Text,
        host_org_id -> Text,
        is_season -> Bool,
        major_project -> Nullable<Text>,
        description -> Nullable<Text>,
        starts_on -> Date,
        ends_on -> Date,
        registration_opens_at -> Nullable<Timestamp>,
        registration_closes_at -> Nullable<Timestamp>,
        feeds_into_id -> Nullable<Text>,
        recognised_tier -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        roster_publicity_days -> Integer,
        version -> Integer,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        results_publicity_days -> Integer,
        ticket_series -> Nullable<Integer>,
        award_rules -> Nullable<Text>,
        feeds_into_accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    competition_bodies (id) {
        id -> Text,
        competition_id -> Text,
        organisation_id -> Text,
        role -> Text,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        competition_id -> Text,
        trade_id -> Text,
        name -> Text,
        mode -> Text,
        team_size -> Nullable<Integer>,
        track -> Text,
        standard_level -> Nullable<Integer>,
        theory_weight -> Integer,
        practical_weight -> Integer,
        quota_total -> Nullable<Integer>,
        quota_per_org -> Nullable<Integer>,
        min_age -> Nullable<Integer>,
        max_age -> Nullable<Integer>,
        min_skill_level -> Nullable<Integer>,
        region_code -> Nullable<Text>,
        qualifiers_count -> Integer,
        tie_breaks -> Text,
        prize_bands -> Text,
        award_rules -> Nullable<Text>,
        review_levels -> Integer,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        appeal_window_minutes -> Integer,
        appeal_window_working_days -> Nullable<Integer>,
        team_scoring -> Nullable<Text>,
        prefecture_quotas -> Nullable<Text>,
    }
}

diesel::table! {
    event_sessions (id) {
        id -> Text,
        event_id -> Text,
        kind -> Text,
        name -> Text,
        venue -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    technical_documents (id) {
        id -> Text,
        event_id -> Text,
        version -> Integer,
        title -> Text,
        body -> Text,
        attachments -> Text,
        status -> Text,
        change_reason -> Nullable<Text>,
        published_at -> Nullable<Timestamp>,
        published_by -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    marking_schemes (id) {
        id -> Text,
        event_id -> Text,
        title -> Text,
        sections -> Text,
        locked -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        spread_limit_centi -> Integer,
        drop_extremes -> Bool,
    }
}

diesel::table! {
    upgrade_applications (id) {
        id -> Text,
        competition_id -> Text,
        target_tier -> Text,
        reviewer_org_id -> Text,
        status -> Text,
        statement -> Text,
        decision_reason -> Nullable<Text>,
        applied_by -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        event_id -> Text,
        competition_id -> Text,
        person_id -> Text,
        team_name -> Nullable<Text>,
        nominating_org_id -> Text,
        status -> Text,
        origin_competition_id -> Nullable<Text>,
        origin_event_id -> Nullable<Text>,
        origin_rank -> Nullable<Integer>,
        reserve_rank -> Nullable<Integer>,
        ticket_number -> Nullable<Text>,
        status_reason -> Nullable<Text>,
        submitted_by -> Nullable<Text>,
        checked_in_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        entrant_name -> Text,
        entrant_id_number -> Text,
        entrant_gender -> Text,
        entrant_birth_date -> Date,
        approvals -> Integer,
    }
}

diesel::table! {
    registration_members (id) {
        id -> Text,
        registration_id -> Text,
        person_id -> Text,
        role -> Text,
        accepted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    registration_reviews (id) {
        id -> Text,
        registration_id -> Text,
        action -> Text,
        from_status -> Text,
        to_status -> Text,
        comment -> Nullable<Text>,
        actor_user_id -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Text,
        user_id -> Text,
        idempotency_key -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
    }
}

diesel::table! {
    publicity_windows (id) {
        id -> Text,
        competition_id -> Text,
        kind -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    objections (id) {
        id -> Text,
        registration_id -> Text,
        filed_by -> Text,
        grounds -> Text,
        status -> Text,
        ruling -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    event_roles (id) {
        id -> Text,
        event_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    draws (id) {
        id -> Text,
        event_id -> Text,
        seed -> Text,
        algorithm -> Text,
        performed_by -> Text,
        performed_at -> Timestamp,
    }
}

diesel::table! {
    draw_assignments (registration_id) {
        registration_id -> Text,
        event_id -> Text,
        draw_number -> Integer,
        station_number -> Integer,
    }
}

diesel::table! {
    aspects (id) {
        id -> Text,
        event_id -> Text,
        section_index -> Integer,
        section_kind -> Text,
        code -> Text,
        criterion -> Text,
        description -> Text,
        kind -> Text,
        max_centi -> Integer,
        position -> Integer,
    }
}

diesel::table! {
    judge_aspects (id) {
        id -> Text,
        event_id -> Text,
        user_id -> Text,
        aspect_id -> Text,
    }
}

diesel::table! {
    judge_relations (id) {
        id -> Text,
        user_id -> Text,
        person_id -> Text,
        relation -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    marks (id) {
        id -> Text,
        event_id -> Text,
        aspect_id -> Text,
        station_number -> Integer,
        judge_user_id -> Text,
        value_centi -> Integer,
        status -> Text,
        submitted_by -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    spread_flags (id) {
        id -> Text,
        event_id -> Text,
        aspect_id -> Text,
        station_number -> Integer,
        status -> Text,
        note -> Nullable<Text>,
        resolved_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    section_signoffs (id) {
        id -> Text,
        event_id -> Text,
        section_index -> Integer,
        kind -> Text,
        signed_by -> Text,
        signed_at -> Timestamp,
        confirmed_by -> Nullable<Text>,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reopen_requests (id) {
        id -> Text,
        mark_id -> Text,
        new_value_centi -> Integer,
        reason -> Text,
        requested_by -> Text,
        status -> Text,
        approved_by -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        old_value_centi -> Integer,
    }
}

diesel::table! {
    review_samples (id) {
        id -> Text,
        event_id -> Text,
        station_number -> Integer,
        reason -> Text,
        status -> Text,
        note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    event_judging (event_id) {
        event_id -> Text,
        review_seed -> Nullable<Text>,
        review_drawn_at -> Nullable<Timestamp>,
        decryption_requested_by -> Nullable<Text>,
        decryption_requested_at -> Nullable<Timestamp>,
        decrypted_by -> Nullable<Text>,
        decrypted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    result_sets (id) {
        id -> Text,
        event_id -> Text,
        version -> Integer,
        status -> Text,
        marks_digest -> Text,
        computed_by -> Text,
        computed_at -> Timestamp,
        publicity_ends_at -> Nullable<Timestamp>,
        finalised_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    results (id) {
        id -> Text,
        result_set_id -> Text,
        registration_id -> Text,
        station_number -> Integer,
        theory_centi -> Integer,
        practical_centi -> Integer,
        total_centi -> Integer,
        standardised -> Nullable<Integer>,
        rank -> Integer,
        tie_note -> Nullable<Text>,
        tie_key -> Nullable<Text>,
    }
}

diesel::table! {
    appeals (id) {
        id -> Text,
        registration_id -> Text,
        event_id -> Text,
        filed_by -> Text,
        grounds -> Text,
        status -> Text,
        ruling -> Nullable<Text>,
        arbiter_user_id -> Nullable<Text>,
        filed_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    awards (id) {
        id -> Text,
        competition_id -> Text,
        event_id -> Text,
        registration_id -> Text,
        person_id -> Text,
        result_set_id -> Text,
        kind -> Text,
        rank -> Integer,
        from_level -> Nullable<Integer>,
        to_level -> Nullable<Integer>,
        year -> Integer,
        status -> Text,
        publicity_ends_at -> Nullable<Timestamp>,
        certificate_number -> Nullable<Text>,
        check_code -> Nullable<Text>,
        granted_by -> Nullable<Text>,
        granted_at -> Nullable<Timestamp>,
        issued_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        holder_name -> Text,
        holder_id_number -> Text,
        holder_gender -> Text,
        holder_birth_date -> Date,
    }
}

diesel::table! {
    award_objections (id) {
        id -> Text,
        award_id -> Text,
        filed_by -> Text,
        grounds -> Text,
        status -> Text,
        ruling -> Nullable<Text>,
        ruled_by -> Nullable<Text>,
        filed_at -> Timestamp,
        ruled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    plan_targets (id) {
        id -> Text,
        plan -> Text,
        region_code -> Text,
        metric -> Text,
        period -> Text,
        from_year -> Integer,
        to_year -> Integer,
        target -> BigInt,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    identity_corrections (id) {
        id -> Text,
        person_id -> Text,
        requested_by -> Text,
        full_name -> Nullable<Text>,
        id_number -> Nullable<Text>,
        employer_org_id -> Nullable<Text>,
        reason -> Text,
        status -> Text,
        decided_by -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    qualifier_outcomes (id) {
        id -> Text,
        origin_event_id -> Text,
        origin_registration_id -> Text,
        origin_rank -> Integer,
        target_competition_id -> Nullable<Text>,
        target_event_id -> Nullable<Text>,
        outcome -> Text,
        reasons -> Text,
        registration_id -> Nullable<Text>,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    member_stations (registration_id, person_id) {
        registration_id -> Text,
        person_id -> Text,
        event_id -> Text,
        station_number -> Integer,
    }
}

diesel::table! {
    finish_times (id) {
        id -> Text,
        event_id -> Text,
        section_index -> Integer,
        station_number -> Integer,
        elapsed_seconds -> Integer,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    disqualifications (id) {
        id -> Text,
        event_id -> Text,
        registration_id -> Text,
        station_number -> Integer,
        ground -> Text,
        reason -> Text,
        status -> Text,
        requested_by -> Text,
        decided_by -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        issued_by -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> BigInt,
        hits -> Integer,
    }
}

diesel::joinable!(persons -> organisations (employer_org_id));
diesel::joinable!(users -> persons (person_id));
diesel::joinable!(role_grants -> organisations (organisation_id));
diesel::joinable!(skill_credentials -> persons (person_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(competitions -> organisations (host_org_id));
diesel::joinable!(competition_bodies -> competitions (competition_id));
diesel::joinable!(competition_bodies -> organisations (organisation_id));
diesel::joinable!(events -> competitions (competition_id));
diesel::joinable!(events -> trades (trade_id));
diesel::joinable!(event_sessions -> events (event_id));
diesel::joinable!(technical_documents -> events (event_id));
diesel::joinable!(marking_schemes -> events (event_id));
diesel::joinable!(upgrade_applications -> competitions (competition_id));
diesel::joinable!(registrations -> events (event_id));
diesel::joinable!(registrations -> persons (person_id));
diesel::joinable!(registrations -> organisations (nominating_org_id));
diesel::joinable!(registration_members -> registrations (registration_id));
diesel::joinable!(registration_members -> persons (person_id));
diesel::joinable!(registration_reviews -> registrations (registration_id));
diesel::joinable!(objections -> registrations (registration_id));
diesel::joinable!(event_roles -> events (event_id));
diesel::joinable!(event_roles -> users (user_id));
diesel::joinable!(draw_assignments -> registrations (registration_id));
diesel::joinable!(aspects -> events (event_id));
diesel::joinable!(judge_aspects -> aspects (aspect_id));
diesel::joinable!(marks -> aspects (aspect_id));
diesel::joinable!(spread_flags -> aspects (aspect_id));
diesel::joinable!(reopen_requests -> marks (mark_id));
diesel::joinable!(results -> result_sets (result_set_id));
diesel::joinable!(results -> registrations (registration_id));
diesel::joinable!(appeals -> registrations (registration_id));
diesel::joinable!(awards -> competitions (competition_id));
diesel::joinable!(awards -> events (event_id));
diesel::joinable!(awards -> registrations (registration_id));
diesel::joinable!(awards -> persons (person_id));
diesel::joinable!(award_objections -> awards (award_id));
diesel::joinable!(identity_corrections -> persons (person_id));
diesel::joinable!(disqualifications -> registrations (registration_id));

diesel::joinable!(member_stations -> registrations (registration_id));

diesel::allow_tables_to_appear_in_same_query!(
    qualifier_outcomes,
    awards,
    member_stations,
    finish_times,
    identity_corrections,
    disqualifications,
    plan_targets,
    award_objections,
    organisations,
    persons,
    users,
    role_grants,
    skill_credentials,
    refresh_tokens,
    audit_records,
    audit_head,
    trades,
    competitions,
    competition_bodies,
    events,
    event_sessions,
    technical_documents,
    marking_schemes,
    upgrade_applications,
    registrations,
    registration_members,
    registration_reviews,
    idempotency_keys,
    calendar_days,
    publicity_windows,
    objections,
    event_roles,
    draws,
    draw_assignments,
    aspects,
    judge_aspects,
    judge_relations,
    marks,
    spread_flags,
    section_signoffs,
    reopen_requests,
    review_samples,
    event_judging,
    result_sets,
    results,
    appeals,
);

// The plan dashboard groups by columns of several joined tables.
diesel::allow_columns_to_appear_in_same_group_by_clause!(
    competitions::year,
    competitions::tier,
    competitions::category,
    organisations::region_code,
    events::trade_id,
    registrations::status,
    awards::year,
    awards::kind,
);

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Integer,
        updated_by -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}
