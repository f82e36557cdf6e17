use diesel::prelude::*;
use diesel::sql_types::Text;
use skillcomp_tests::TestDb;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TableColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[test]
fn migrations_go_up_down_and_up_again() {
    let db = TestDb::create();
    let mut conn = db.connect();
    skillcomp::db::run_migrations(&mut conn).expect("up");
    skillcomp::db::revert_all_migrations(&mut conn).expect("down");
    skillcomp::db::run_migrations(&mut conn).expect("up again");
}

#[test]
fn every_foreign_key_has_an_index() {
    let db = TestDb::create();
    let mut conn = db.connect();
    skillcomp::db::run_migrations(&mut conn).expect("up");
    let (foreign_keys, index_heads) = if db.is_postgres() {
        (
            "SELECT c.conrelid::regclass::text AS table_name, a.attname::text AS column_name FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.contype = 'f'",
            "SELECT i.indrelid::regclass::text AS table_name, a.attname::text AS column_name FROM pg_index i \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]",
        )
    } else {
        (
            "SELECT m.name AS table_name, f.\"from\" AS column_name FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            "SELECT m.name AS table_name, ii.name AS column_name FROM sqlite_master m \
             JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii WHERE m.type = 'table' AND ii.seqno = 0 AND ii.name IS NOT NULL",
        )
    };
    let fks: Vec<TableColumn> = diesel::sql_query(foreign_keys).load(&mut conn).expect("foreign keys");
    let indexed: Vec<TableColumn> = diesel::sql_query(index_heads).load(&mut conn).expect("indexes");
    assert!(fks.len() >= 7, "expected the foundation's foreign keys, found {fks:?}");
    let missing: Vec<&TableColumn> = fks.iter().filter(|fk| !indexed.contains(fk)).collect();
    assert!(missing.is_empty(), "foreign keys without an index: {missing:?}");
}
