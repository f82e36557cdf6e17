use skillcomp_tests::TestServer;

#[test]
fn the_committed_openapi_document_is_current() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).unwrap_or_default();
    assert!(
        committed == skillcomp::openapi_json(),
        "openapi/openapi.json is stale: run `make openapi` and commit the result"
    );
}

#[test]
fn the_served_document_is_openapi_3_1_and_documents_every_operation() {
    let srv = TestServer::start();
    let doc = srv.request("GET", "/api/openapi.json").send();
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body, serde_json::from_str::<serde_json::Value>(&skillcomp::openapi_json()).unwrap());
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.body["paths"].as_object().unwrap();
    assert!(paths.contains_key("/api/v1/organisations/{id}") && paths.contains_key("/healthz"));
    // Clients are generated with one function per operationId: two operations may not share one.
    let mut ids = std::collections::HashMap::new();
    for (path, operations) in paths {
        for (method, op) in operations.as_object().unwrap() {
            if let Some(id) = op["operationId"].as_str() {
                if let Some(earlier) = ids.insert(id.to_string(), format!("{method} {path}")) {
                    panic!("operationId {id} names both {earlier} and {method} {path}");
                }
            }
        }
    }
    for (path, operations) in paths {
        for (method, op) in operations.as_object().unwrap() {
            assert!(op["description"].is_string() || op["summary"].is_string(), "{method} {path} has no doc comment");
            let takes_input = op["parameters"].is_array() || op["requestBody"].is_object();
            if path.starts_with("/api/v1") && takes_input {
                assert!(op["responses"]["422"].is_object(), "{method} {path} does not document its problem responses");
            }
        }
    }
}

#[test]
fn the_docs_ui_is_served_from_the_binary_with_no_internet() {
    let srv = TestServer::start();
    let page = srv.request("GET", "/api/docs/").send();
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger-ui"), "{}", page.text);
    assert!(!page.text.contains("https://"), "the docs page must not load anything from the internet");
    let css = srv.request("GET", "/api/docs/swagger-ui.css").send();
    assert_eq!(css.status, 200);
    let init = srv.request("GET", "/api/docs/swagger-initializer.js").send();
    assert!(init.text.contains("/api/openapi.json"), "{}", init.text);
}

#[test]
fn documented_enum_values_are_the_ones_the_api_sends() {
    let srv = TestServer::start();
    let doc: serde_json::Value = serde_json::from_str(&skillcomp::openapi_json()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    // The grant role the API sends for the admin is the documented one, not the Rust variant name.
    let admin = srv.admin();
    let me = srv.get("/api/v1/me", &admin.access);
    let role = me.body["grants"][0]["role"].clone();
    assert!(schemas["Role"]["enum"].as_array().unwrap().contains(&role), "{role} not in {}", schemas["Role"]);
    for (name, schema) in schemas {
        for value in schema["enum"].as_array().into_iter().flatten() {
            let text = value.as_str().unwrap_or_default();
            assert!(
                text.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}: '{text}' is not snake_case"
            );
        }
    }
}

/// utoipa names a schema after its Rust type alone: two types of one name in different modules
/// would silently share one schema in the document, and one of them would be described wrongly.
#[test]
fn every_documented_type_has_its_own_name() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../backend/src")), &mut files);
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut documented = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                documented = true;
            } else if documented && (line.starts_with("pub struct ") || line.starts_with("pub enum ")) {
                let name: String = line
                    .split_whitespace()
                    .nth(2)
                    .unwrap()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let place = file.display().to_string();
                if let Some(other) = seen.insert(name.clone(), place.clone()) {
                    panic!("{name} is documented twice: {other} and {place}");
                }
                documented = false;
            }
        }
    }
    assert!(seen.len() > 100, "found {} documented types", seen.len());
}

/// A client learns from the document which answers carry the version to send back as If-Match:
/// an answer that sends an ETag documents it, and one that documents it sends it.
#[test]
fn answers_that_send_an_etag_document_it() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let created = srv.post(
        "/api/v1/organisations",
        &admin.access,
        serde_json::json!({ "name": "云南省总工会", "kind": "union", "tier": "province", "region_code": "530000" }),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_str().unwrap().to_string();
    let read = srv.get(&format!("/api/v1/organisations/{id}"), &admin.access);
    assert_eq!(read.header("etag").as_deref(), Some(format!("\"{}\"", read.body["version"]).as_str()));
    let doc: serde_json::Value = serde_json::from_str(&skillcomp::openapi_json()).unwrap();
    let paths = &doc["paths"];
    for (path, method, status) in [
        ("/api/v1/organisations/{id}", "get", "200"),
        ("/api/v1/organisations", "post", "201"),
        ("/api/v1/registrations/{id}", "get", "200"),
    ] {
        let headers = &paths[path][method]["responses"][status]["headers"];
        assert!(headers["ETag"].is_object(), "{method} {path} {status} does not document its ETag: {headers}");
    }
    // The list sends no ETag and documents none.
    let list = srv.get("/api/v1/organisations", &admin.access);
    assert_eq!(list.header("etag"), None);
    assert!(paths["/api/v1/organisations"]["get"]["responses"]["200"]["headers"].is_null());
}
