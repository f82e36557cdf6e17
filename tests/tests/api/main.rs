//! Black-box API tests. Each test starts its own server over its own database; run with
//! `SKILLCOMP_TEST_POSTGRES_URL` set to run the same tests on PostgreSQL.

mod attacks;
mod audit;
mod auth;
mod authz;
mod awards;
mod competitions;
mod demo;
mod errors;
mod judging;
mod openapi;
mod operations;
mod organisations;
mod persons;
mod qualifiers;
mod registration;
mod schema;
mod season;
mod stages;
mod statistics;
mod teams;
mod users;

use skillcomp_tests::{Session, TestServer};

/// A small province to test against: Yunnan's union with Kunming (五华区) and Qujing (麒麟区).
pub struct Province {
    pub srv: TestServer,
    pub admin: Session,
    pub province: String,
    pub kunming: String,
    pub wuhua: String,
    pub qujing: String,
    pub qilin: String,
}

pub fn province() -> Province {
    let srv = TestServer::start();
    let admin = srv.admin();
    let t = admin.access.as_str();
    let province = srv.create_org(t, "云南省总工会", "union", "province", None, "530000");
    let kunming = srv.create_org(t, "昆明市总工会", "union", "prefecture", Some(&province), "530100");
    let wuhua = srv.create_org(t, "五华区总工会", "union", "county", Some(&kunming), "530102");
    let qujing = srv.create_org(t, "曲靖市总工会", "union", "prefecture", Some(&province), "530300");
    let qilin = srv.create_org(t, "麒麟区总工会", "union", "county", Some(&qujing), "530302");
    Province { srv, admin, province, kunming, wuhua, qujing, qilin }
}
